// Catalog decider (see catalog.hpp): suppliers, item imports, customers' contract prices.
#include "domain/catalog.hpp"

#include <algorithm>
#include <limits>

#include "decider_support.hpp"

namespace keel::domain::catalog {
namespace {

using R = RejectionCode;

constexpr std::size_t kMaxRows = 50'000;

std::string At(std::size_t i) { return "prices[" + std::to_string(i) + "]"; }
Timestamp EndOf(const ContractPrice& p) { return p.valid_to == 0 ? std::numeric_limits<Timestamp>::max() : p.valid_to; }

Decision<Event> SetContracts(const SetContractPrices& c, const State& s) {
  if (auto bad = CheckContractPrices(c)) return Reject(R::kInvalidArgument, bad->field + ": " + bad->message);
  ContractPricesSet e{c.customer, c.prices.empty() ? std::string() : c.currency, c.prices, c.at};
  for (std::size_t i = 0; i < e.prices.size(); ++i) {
    auto& p = e.prices[i];
    if (!s.items.contains(p.sku)) return Reject(R::kUnknownSku, At(i) + ".sku: SKU '" + p.sku + "' is not in the tenant's catalog");
    p.customer = c.customer;
  }
  auto it = s.contracts.find(c.customer);
  const bool unchanged = e.prices.empty() ? it == s.contracts.end()
                                          : it != s.contracts.end() && it->second == CustomerContract{e.currency, e.prices};
  if (unchanged) return std::vector<Event>{};  // setting what holds already writes nothing
  return std::vector<Event>{std::move(e)};
}

}  // namespace

std::optional<FieldProblem> CheckContractPrices(const SetContractPrices& c) {
  if (c.customer.empty() || c.customer.size() > kMaxCustomerId) {
    return FieldProblem{"customer", "a customer id is 1 to " + std::to_string(kMaxCustomerId) + " characters"};
  }
  if (c.prices.empty() && c.currency.empty()) return std::nullopt;  // clearing
  if (!IsValidCurrency(c.currency)) return FieldProblem{"currency", "expected an ISO 4217 code such as EUR"};
  if (c.prices.size() > kMaxContractPrices) {
    return FieldProblem{"prices", "at most " + std::to_string(kMaxContractPrices) + " prices per customer"};
  }
  std::map<std::string, std::vector<std::size_t>> by_sku;
  for (std::size_t i = 0; i < c.prices.size(); ++i) {
    const auto& p = c.prices[i];
    if (!p.customer.empty() && p.customer != c.customer) return FieldProblem{At(i) + ".customer", "names another customer"};
    if (p.sku.empty() || p.sku.size() > 64) return FieldProblem{At(i) + ".sku", "a SKU is 1 to 64 characters"};
    if (p.unit_price < 0) return FieldProblem{At(i) + ".unit_price", "must not be negative"};
    if (p.valid_from < 0) return FieldProblem{At(i) + ".valid_from", "must not be negative"};
    if (p.valid_to != 0 && p.valid_to <= p.valid_from) {
      return FieldProblem{At(i) + ".valid_to", "must be after valid_from (or 0: open-ended)"};
    }
    by_sku[p.sku].push_back(i);
  }
  for (auto& [sku, rows] : by_sku) {  // one price per SKU at any time: sorted by start, no window reaches the next
    std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
      return c.prices[a].valid_from < c.prices[b].valid_from || (c.prices[a].valid_from == c.prices[b].valid_from && a < b);
    });
    for (std::size_t k = 1; k < rows.size(); ++k) {
      const std::size_t a = rows[k - 1], b = rows[k];
      if (EndOf(c.prices[a]) > c.prices[b].valid_from) {
        const auto [first, second] = std::minmax(a, b);
        return FieldProblem{At(second) + ".sku",
                            "SKU '" + sku + "' already has a price valid in this window (" + At(first) + ")"};
      }
    }
  }
  return std::nullopt;
}

std::vector<ContractPrice> ContractPricesFor(const State& s, const std::string& customer, const std::string& currency) {
  auto it = s.contracts.find(customer);
  if (it == s.contracts.end() || it->second.currency != currency) return {};
  return it->second.prices;
}

namespace {
// "a, b, c": the names a row may use, for a refusal that says what would do.
std::string Listed(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}
}  // namespace

std::vector<RowError> Validate(const ImportItems& c, const State& s) {
  std::vector<RowError> errors;
  std::map<std::string, std::uint32_t> first_row;
  for (const auto& [row, item] : c.rows) {
    auto bad = [&](std::string message) { errors.push_back({row, item.sku, std::move(message)}); };
    if (item.sku.empty()) { bad("SKU is required"); continue; }
    if (item.sku.size() > 64) { bad("SKU is longer than 64 characters"); continue; }
    if (auto [it, fresh] = first_row.emplace(item.sku, row); !fresh) {
      bad("SKU repeats row " + std::to_string(it->second));
      continue;
    }
    if (item.name.empty()) { bad("name is required"); continue; }
    if (!c.units.contains(item.unit)) {
      bad("unknown unit of measure '" + item.unit + "' (known: " + Listed(c.units) + ")");
      continue;
    }
    if (!c.categories.contains(item.category)) {
      bad("unknown category '" + item.category + "' (known: " + Listed(c.categories) + ")");
      continue;
    }
    if (item.weight_grams < 0) { bad("weight must not be negative"); continue; }
    if (item.lot_tracked && !c.lot_tracking_entitled) { bad("lot tracking is not active for this tenant"); continue; }
    if (!item.supplier.empty() && !s.suppliers.contains(item.supplier)) {
      bad("unknown supplier '" + item.supplier + "'");
      continue;
    }
  }
  return errors;
}

Decision<Event> Decide(const Command& command, const State& s) {
  return std::visit(
      Overloaded{
          [&](const RegisterSuppliers& c) -> Decision<Event> {
            if (c.suppliers.empty()) return Reject(R::kInvalidArgument, "no suppliers given");
            std::set<std::string> ids;
            for (const auto& sup : c.suppliers) {
              if (sup.id.empty() || sup.name.empty()) return Reject(R::kInvalidArgument, "a supplier needs an id and a name");
              if (!ids.insert(sup.id).second) return Reject(R::kInvalidArgument, "supplier " + sup.id + " appears twice");
            }
            return std::vector<Event>{SuppliersRegistered{c.suppliers, c.at}};
          },
          [&](const ImportItems& c) -> Decision<Event> {
            if (c.rows.empty()) return Reject(R::kInvalidArgument, "the import has no rows");
            if (c.rows.size() > kMaxRows) return Reject(R::kInvalidArgument, "an import holds at most 50000 rows");
            std::set<std::uint32_t> numbers;
            for (const auto& r : c.rows) {
              if (!numbers.insert(r.row).second) return Reject(R::kInvalidArgument, "row number " + std::to_string(r.row) + " repeats");
            }
            auto errors = Validate(c, s);
            if (!errors.empty() && (c.all_or_nothing || errors.size() == c.rows.size())) {
              Rejection r{R::kImportRejected,
                          std::to_string(errors.size()) + " of " + std::to_string(c.rows.size()) + " rows are invalid"};
              for (const auto& e : errors) r.details.push_back("row " + std::to_string(e.row) + " (" + e.sku + "): " + e.message);
              return std::unexpected(std::move(r));
            }
            ItemsImported e{{}, errors, c.at};
            std::set<std::uint32_t> refused;
            for (const auto& err : errors) refused.insert(err.row);
            for (const auto& [row, item] : c.rows) {
              if (!refused.contains(row)) e.items.push_back(item);
            }
            return std::vector<Event>{std::move(e)};
          },
          [&](const SetContractPrices& c) { return SetContracts(c, s); },
      },
      command);
}

void Apply(State& s, const Event& event) {
  std::visit(Overloaded{
                 [&](const SuppliersRegistered& e) {
                   for (const auto& sup : e.suppliers) s.suppliers[sup.id] = sup;
                 },
                 [&](const ItemsImported& e) {
                   for (const auto& item : e.items) s.items[item.sku] = item;
                 },
                 [&](const ContractPricesSet& e) {
                   if (e.prices.empty()) {
                     s.contracts.erase(e.customer);
                   } else {
                     s.contracts[e.customer] = CustomerContract{e.currency, e.prices};
                   }
                 },
             },
             event);
}

State Evolve(State s, const Event& event) {
  Apply(s, event);
  return s;
}

}  // namespace keel::domain::catalog
