// Returns and replenishment process managers through real actors and a real store.
#include <catch2/catch.hpp>

#include "actors/fulfilment.hpp"
#include "actors/process_managers.hpp"
#include "managed_world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
using keel::eventstore::test::OpenOrDie;
using keel::eventstore::test::TempDir;
namespace w = keel::domain::warehouse;
namespace o = keel::domain::order;
using keel::domain::kDayMs;

namespace {

struct World : ManagedWorld {
  World() {
    managers.push_back(StartFulfilment(*store, runtime));
    managers.push_back(StartReturns(*store, runtime));
    managers.push_back(StartReplenishment(*store, runtime));
  }
};

}  // namespace

TEST_CASE("a received return restocks its warehouse at the cost it left with and is refunded", "[actors][returns]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 1, 4, 0).empty());  // 4 widgets at 100
  const auto order = OrderKey("acme", "o1");
  REQUIRE(world.client.Execute(order, PlaceOrder("acme", "o1", {{1, "WIDGET", 4, 250}})));
  world.Settle();
  for (const o::Command& c : std::vector<o::Command>{o::PickOrder{kT0}, o::ShipOrder{"w1", "T", kT0}, o::DeliverOrder{kT0}}) {
    REQUIRE(world.client.Execute(order, c));
  }
  world.Settle();
  CHECK(world.Warehouse("w1").stock.at("WIDGET").on_hand == 0);  // all shipped: no average left
  REQUIRE(world.client.Execute(order, o::RequestReturn{"rma-1", {{1, 3}}, 30, 14, kT0 + kDayMs}));  // auto-authorized
  REQUIRE(ReceiveReturn(world.client, "acme", "o1", o::ReceiveReturn{"rma-1", o::Disposition::kRestock, "w1", kT0 + 2 * kDayMs}, {}, {}));
  CHECK(world.Warehouse("w1").stock.at("WIDGET").on_hand == 3);  // in the same append as the receipt
  CHECK(world.Warehouse("w1").stock.at("WIDGET").value == 300);  // at 100 each, not 0
  world.Settle();
  const auto state = world.Order("o1");
  CHECK(state.returns.at("rma-1").status == o::ReturnStatus::kRefunded);

  // A scrapped return is refunded without touching stock.
  REQUIRE(world.client.Execute(order, o::RequestReturn{"rma-2", {{1, 1}}, 30, 14, kT0 + kDayMs}));
  REQUIRE(ReceiveReturn(world.client, "acme", "o1", o::ReceiveReturn{"rma-2", o::Disposition::kScrap, "", kT0 + 2 * kDayMs}, {}, {}));
  world.Settle();
  CHECK(world.Warehouse("w1").stock.at("WIDGET").on_hand == 3);
  CHECK(world.Order("o1").returns.at("rma-2").status == o::ReturnStatus::kRefunded);
}

TEST_CASE("a return into a warehouse that does not exist is refused and not refunded", "[actors][returns]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 1, 10, 0).empty());
  const auto order = OrderKey("acme", "o1");
  REQUIRE(world.client.Execute(order, PlaceOrder("acme", "o1", {{1, "WIDGET", 4, 250}})));
  world.Settle();
  for (const o::Command& c : std::vector<o::Command>{o::PickOrder{kT0}, o::ShipOrder{"w1", "T", kT0}, o::DeliverOrder{kT0}}) {
    REQUIRE(world.client.Execute(order, c));
  }
  REQUIRE(world.client.Execute(order, o::RequestReturn{"rma-1", {{1, 3}}, 30, 14, kT0 + kDayMs}));
  auto refused = ReceiveReturn(world.client, "acme", "o1", o::ReceiveReturn{"rma-1", o::Disposition::kRestock, "w9", kT0 + 2 * kDayMs}, {}, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().rejection.code == domain::RejectionCode::kNotFound);
  world.Settle();
  CHECK(world.Order("o1").returns.at("rma-1").status == o::ReturnStatus::kAuthorized);
  CHECK(world.Warehouse("w1").stock.at("WIDGET").on_hand == 6);
}

TEST_CASE("a replenishment request transfers from a warehouse with surplus", "[actors][replenishment]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 2, 10, 0).empty());
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w2"), Receive("more", 40)));
  const w::CatalogView catalog{{"WIDGET", {false}}};
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), w::SetReplenishmentRule{"WIDGET", 5, 20, 1, catalog, kT0}));
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), w::ReserveStock{"o-x", 1, "WIDGET", 8, kT0}));  // 2 left < 5
  world.Settle();
  CHECK(world.Warehouse("w1").stock.at("WIDGET").on_hand == 10 + 18);  // up to max: 20 - 2
  CHECK(world.Warehouse("w2").stock.at("WIDGET").on_hand == 50 - 18);
  CHECK(world.WarehouseFromLog("w1").ledger.transfers_in.size() == 1);
}

TEST_CASE("a replenishment request never transfers from a warehouse in another currency", "[actors][replenishment]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 1, 10, 0).empty());
  REQUIRE(world.client.Execute(TenantKey("acme"), domain::tenant::RegisterWarehouse{"us", kT0}));
  REQUIRE(world.client.Execute(WarehouseKey("acme", "us"), w::CreateWarehouse{"us", "acme", "US", "USD", false, false, kT0}));
  REQUIRE(world.client.Execute(WarehouseKey("acme", "us"), Receive("more", 40)));
  const w::CatalogView catalog{{"WIDGET", {false}}};
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), w::SetReplenishmentRule{"WIDGET", 5, 20, 1, catalog, kT0}));
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), w::ReserveStock{"o-x", 1, "WIDGET", 8, kT0}));
  world.Settle();
  CHECK(world.Warehouse("us").stock.at("WIDGET").on_hand == 40);
  CHECK(world.WarehouseFromLog("w1").ledger.transfers_in.empty());
  CHECK(world.WarehouseFromLog("w1").ledger.purchase_requests.size() == 1);
}

TEST_CASE("a replenishment request with no surplus anywhere raises a purchase request", "[actors][replenishment]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 2, 6, 0).empty());
  const w::CatalogView catalog{{"WIDGET", {false}}};
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), w::SetReplenishmentRule{"WIDGET", 5, 30, 10, catalog, kT0}));
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), w::ReserveStock{"o-x", 1, "WIDGET", 4, kT0}));
  world.Settle();
  const auto w1 = world.WarehouseFromLog("w1");
  CHECK(w1.ledger.purchase_requests.size() == 1);
  CHECK(w1.ledger.transfers_in.empty());
  CHECK(world.Warehouse("w2").stock.at("WIDGET").on_hand == 6);
}
