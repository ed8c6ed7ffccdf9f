// Catalog decider: bulk import with a per-row report, all-or-nothing imports, suppliers.
#include <catch2/catch.hpp>

#include <random>

#include "domain/catalog.hpp"
#include "fixtures.hpp"

using namespace keel::domain;
using namespace keel::domain::catalog;
using keel::domain::test::kT0;

namespace {

const std::set<std::string> kUnits{"pcs", "kg", "box"};
const std::set<std::string> kCategories{"hardware", "pharma"};

ImportItems Import(std::vector<ItemRow> rows, bool all_or_nothing = false, bool lots = true) {
  return ImportItems{std::move(rows), all_or_nothing, lots, kUnits, kCategories, kT0};
}

State WithSupplier() {
  auto d = Decide(RegisterSuppliers{{{"SUP-1", "Bolt Works"}}, kT0}, State{});
  REQUIRE(d);
  return Evolve(State{}, d->at(0));
}

const std::vector<ItemRow> kMixed{
    {1, {"WIDGET", "Widget", "pcs", "hardware", 120, false, "SUP-1"}},
    {2, {"", "No SKU", "pcs", "hardware", 0, false, ""}},
    {3, {"WIDGET", "Widget again", "pcs", "hardware", 0, false, ""}},
    {4, {"SERUM", "Serum", "ml", "pharma", 0, true, ""}},
    {5, {"GEAR", "Gear", "pcs", "toys", 0, false, ""}},
    {6, {"BOLT", "Bolt", "box", "hardware", 0, false, "SUP-404"}},
    {7, {"NUT", "", "pcs", "hardware", 0, false, ""}},
    {8, {"VIAL", "Vial", "pcs", "pharma", 10, true, ""}},
};

}  // namespace

TEST_CASE("an import accepts the valid rows and reports every refused row", "[domain][catalog]") {
  auto d = Decide(Import(kMixed), WithSupplier());
  REQUIRE(d);
  const auto& e = std::get<ItemsImported>(d->at(0));
  REQUIRE(e.items.size() == 2);
  CHECK(e.items[0].sku == "WIDGET");
  CHECK(e.items[1].sku == "VIAL");
  std::vector<std::uint32_t> rows;
  for (const auto& err : e.errors) rows.push_back(err.row);
  CHECK(rows == std::vector<std::uint32_t>{2, 3, 4, 5, 6, 7});
  CHECK(e.errors[1].message == "SKU repeats row 1");
  CHECK(e.errors[2].message == "unknown unit of measure 'ml' (known: box, kg, pcs)");  // says what would do
  CHECK(e.errors[4].message == "unknown supplier 'SUP-404'");
  auto s = Evolve(WithSupplier(), d->at(0));
  CHECK(s.items.contains("VIAL"));
}

TEST_CASE("an all-or-nothing import with one bad row is refused whole, with the report", "[domain][catalog]") {
  auto d = Decide(Import(kMixed, true), WithSupplier());
  REQUIRE_FALSE(d);
  CHECK(d.error().code == RejectionCode::kImportRejected);
  CHECK(d.error().details.size() == 6);
  CHECK(d.error().details[0] == "row 2 (): SKU is required");
  auto clean = Decide(Import({kMixed[0], kMixed[7]}, true), WithSupplier());
  REQUIRE(clean);
  CHECK(std::get<ItemsImported>(clean->at(0)).errors.empty());
}

TEST_CASE("lot-tracked items need the entitlement", "[domain][catalog]") {
  auto d = Decide(Import({kMixed[7]}, false, false), State{});
  REQUIRE_FALSE(d);  // every row refused: nothing to import
  CHECK(d.error().code == RejectionCode::kImportRejected);
  CHECK(d.error().details.at(0).find("lot tracking is not active") != std::string::npos);
}

TEST_CASE("imports and suppliers refuse malformed requests", "[domain][catalog]") {
  CHECK(Decide(Import({}), State{}).error().code == RejectionCode::kInvalidArgument);
  CHECK(Decide(Import({kMixed[0], {1, {"B", "B", "pcs", "hardware", 0, false, ""}}}), WithSupplier()).error().code ==
        RejectionCode::kInvalidArgument);
  CHECK(Decide(RegisterSuppliers{{}, kT0}, State{}).error().code == RejectionCode::kInvalidArgument);
  CHECK(Decide(RegisterSuppliers{{{"S", ""}}, kT0}, State{}).error().code == RejectionCode::kInvalidArgument);
  CHECK(Decide(RegisterSuppliers{{{"S", "a"}, {"S", "b"}}, kT0}, State{}).error().code == RejectionCode::kInvalidArgument);
}

TEST_CASE("re-importing a SKU updates it", "[domain][catalog]") {
  auto s = Evolve(WithSupplier(), Decide(Import({kMixed[0]}), WithSupplier())->at(0));
  auto d = Decide(Import({{1, {"WIDGET", "Widget v2", "pcs", "hardware", 150, false, ""}}}), s);
  s = Evolve(s, d->at(0));
  CHECK(s.items.at("WIDGET").name == "Widget v2");
  CHECK(s.items.size() == 1);
}

TEST_CASE("random imports fold to the same catalog and never admit an invalid item", "[domain][catalog][property]") {
  std::mt19937 rng(GENERATE(41u, 42u, 43u));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<std::string> units{"pcs", "kg", "ml"}, categories{"hardware", "pharma", "toys"};
  State s;
  std::vector<Event> log;
  for (int step = 0; step < 60; ++step) {
    Command c;
    if (pick(5) == 0) {
      c = RegisterSuppliers{{{"SUP-" + std::to_string(pick(4)), "Supplier"}}, kT0};
    } else {
      std::vector<ItemRow> rows;
      for (std::uint32_t r = 1; r <= static_cast<std::uint32_t>(1 + pick(6)); ++r) {
        rows.push_back({r, {pick(8) ? "SKU-" + std::to_string(pick(20)) : "", pick(6) ? "Item" : "", units[pick(3)],
                            categories[pick(3)], pick(100), pick(4) == 0, pick(3) ? "" : "SUP-" + std::to_string(pick(4))}});
      }
      c = Import(rows, pick(2) == 0, pick(2) == 0);
    }
    auto d = Decide(c, s);
    if (!d) continue;
    for (const auto& e : *d) {
      s = Evolve(std::move(s), e);
      log.push_back(e);
    }
  }
  for (const auto& [sku, item] : s.items) {
    if (sku.empty() || item.name.empty() || !kUnits.contains(item.unit) || !kCategories.contains(item.category)) {
      FAIL("an invalid item was admitted: " << sku);
    }
    if (!item.supplier.empty() && !s.suppliers.contains(item.supplier)) FAIL("dangling supplier on " << sku);
  }
  State folded;
  for (const auto& e : log) folded = Evolve(std::move(folded), e);
  CHECK(folded == s);
  CHECK_FALSE(s.items.empty());
}
