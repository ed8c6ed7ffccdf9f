// Catalog aggregate (one per tenant): the item master and suppliers, imported in bulk. An import
// validates every row (unique SKU, required fields, known unit and category, lot tracking only when
// entitled, supplier references exist) and either accepts the valid rows with a per-row error
// report, or, when asked for all-or-nothing, refuses the whole import with that report.
// Pure: no I/O, no clock (time arrives in commands), no CAF or RocksDB headers.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "domain/common.hpp"

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
using Command = std::variant<RegisterSuppliers, ImportItems>;

// -- events --
struct SuppliersRegistered { std::vector<Supplier> suppliers; Timestamp at = 0; bool operator==(const SuppliersRegistered&) const = default; };
struct ItemsImported {
  std::vector<Item> items;        // accepted rows (new or updated SKUs)
  std::vector<RowError> errors;   // refused rows
  Timestamp at = 0;
  bool operator==(const ItemsImported&) const = default;
};
using Event = std::variant<SuppliersRegistered, ItemsImported>;

// -- state --
struct State {
  std::map<std::string, Item> items;
  std::map<std::string, Supplier> suppliers;
  bool operator==(const State&) const = default;
};

Decision<Event> Decide(const Command& command, const State& state);
State Evolve(State state, const Event& event);
// Evolve in place (same rules, no copy or move of the state): for replaying long streams.
void Apply(State& state, const Event& event);

// Every row's problems, empty when the row is fine (used by Decide; exposed for previews).
std::vector<RowError> Validate(const ImportItems& import, const State& state);

}  // namespace keel::domain::catalog
