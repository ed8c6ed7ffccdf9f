// Catalog decider (see catalog.hpp).
#include "domain/catalog.hpp"

#include "decider_support.hpp"

namespace keel::domain::catalog {
namespace {

using R = RejectionCode;

constexpr std::size_t kMaxRows = 50'000;

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
    if (!c.units.contains(item.unit)) { bad("unknown unit of measure '" + item.unit + "'"); continue; }
    if (!c.categories.contains(item.category)) { bad("unknown category '" + item.category + "'"); continue; }
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
             },
             event);
}

State Evolve(State s, const Event& event) {
  Apply(s, event);
  return s;
}

}  // namespace keel::domain::catalog
