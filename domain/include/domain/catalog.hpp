// Catalog aggregate (one per tenant): the item master and suppliers, imported in bulk. An import
// validates every row (unique SKU, required fields, known unit and category, lot tracking only when
// entitled, supplier references exist) and either accepts the valid rows with a per-row error
// report, or, when asked for all-or-nothing, refuses the whole import with that report. It also
// holds each customer's contract prices (one currency per customer, a unit price per catalogued SKU,
// windows that may schedule a change but never overlap), which orders of that customer are priced by.
// Pure: no I/O, no clock (time arrives in commands), no CAF or RocksDB headers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "domain/common.hpp"
#include "domain/pricing.hpp"

namespace keel::domain::catalog {

struct Item {
  std::string sku, name, unit, category;
  std::int64_t weight_grams = 0;
  bool lot_tracked = false;
  std::string supplier;  // optional supplier id
  bool operator==(const Item&) const = default;
};

struct ItemRow {
  std::uint32_t row = 0;  // position in the uploaded file, for the report
  Item item;
};

struct RowError {
  std::uint32_t row = 0;
  std::string sku, message;
  bool operator==(const RowError&) const = default;
};

struct Supplier {
  std::string id, name;
  bool operator==(const Supplier&) const = default;
};

// A customer's contract prices: one currency, at most one price per SKU valid at any time.
struct CustomerContract {
  std::string currency;
  std::vector<ContractPrice> prices;  // each names the customer
  bool operator==(const CustomerContract&) const = default;
};

inline constexpr std::size_t kMaxContractPrices = 10'000;  // per customer
inline constexpr std::size_t kMaxCustomerId = 128;

// -- commands --
struct RegisterSuppliers { std::vector<Supplier> suppliers; Timestamp at = 0; };
struct ImportItems {
  std::vector<ItemRow> rows;
  bool all_or_nothing = false;
  bool lot_tracking_entitled = false;  // from the tenant's modules
  std::set<std::string> units;         // known units of measure
  std::set<std::string> categories;    // known categories
  Timestamp at = 0;
};
// Replaces the customer's whole contract list; an empty list clears it (then the currency may be empty).
struct SetContractPrices {
  std::string customer;
  std::string currency;
  std::vector<ContractPrice> prices;  // an entry's customer is empty or the command's
  Timestamp at = 0;
};
using Command = std::variant<RegisterSuppliers, ImportItems, SetContractPrices>;

// -- events --
struct SuppliersRegistered { std::vector<Supplier> suppliers; Timestamp at = 0; bool operator==(const SuppliersRegistered&) const = default; };
struct ItemsImported {
  std::vector<Item> items;        // accepted rows (new or updated SKUs)
  std::vector<RowError> errors;   // refused rows
  Timestamp at = 0;
  bool operator==(const ItemsImported&) const = default;
};
struct ContractPricesSet {  // no prices: the customer's contract is cleared
  std::string customer;
  std::string currency;
  std::vector<ContractPrice> prices;
  Timestamp at = 0;
  bool operator==(const ContractPricesSet&) const = default;
};
using Event = std::variant<SuppliersRegistered, ItemsImported, ContractPricesSet>;

// -- state --
struct State {
  std::map<std::string, Item> items;
  std::map<std::string, Supplier> suppliers;
  std::map<std::string, CustomerContract> contracts;  // by customer; none when cleared
  bool operator==(const State&) const = default;
};

Decision<Event> Decide(const Command& command, const State& state);
State Evolve(State state, const Event& event);
// Evolve in place (same rules, no copy or move of the state): for replaying long streams.
void Apply(State& state, const Event& event);

// Every row's problems, empty when the row is fine (used by Decide; exposed for previews).
std::vector<RowError> Validate(const ImportItems& import, const State& state);

// The first problem of a contract-price list that needs no state (customer, currency, each entry's
// SKU, price and window, overlapping windows of one SKU), naming its field as a client sent it
// ("currency", "prices[2].valid_to"); nullopt when the shape is fine. Used by Decide; exposed so the
// gateway answers bad input with the field.
struct FieldProblem {
  std::string field, message;
};
std::optional<FieldProblem> CheckContractPrices(const SetContractPrices& command);

// The customer's contract prices in `currency` (what PlaceOrder's `contracts` takes); none when the
// customer has no contract or it is in another currency.
std::vector<ContractPrice> ContractPricesFor(const State& state, const std::string& customer,
                                             const std::string& currency);

}  // namespace keel::domain::catalog
