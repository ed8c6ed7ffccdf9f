// Backorders through real actors and a real store with the fulfilment process running: stock that
// arrives (receipt, transfer in, upward adjustment, released reservation) goes to waiting lines
// oldest first, also at a warehouse a line already shipped from; the index survives a restart; every
// placed order is metered once, even when the process replays the log.
#include <catch2/catch.hpp>

#include "actors/fulfilment.hpp"
#include "managed_world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
namespace w = keel::domain::warehouse;
namespace o = keel::domain::order;
namespace t = keel::domain::tenant;

namespace {

struct World : ManagedWorld {
  World() { Start(); }
  void Start() { managers.push_back(StartFulfilment(*store, runtime)); }
  void Restart() {
    managers.clear();
    Start();
  }
  void Place(const std::string& id, std::int64_t widgets) {
    REQUIRE(client.Execute(OrderKey("acme", id), PlaceOrder("acme", id, {{1, "WIDGET", widgets, 100}})));
  }
  std::int64_t Allocated(const std::string& id) { return Order(id).lines.at(1).allocated; }
};

}  // namespace

TEST_CASE("stock that arrives goes to waiting backorders, oldest first", "[actors][fulfilment][backorder]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 1, 3, 0).empty());
  world.Place("o1", 5);
  world.Settle();
  world.Place("o2", 2);
  world.Settle();
  REQUIRE(world.Allocated("o1") == 3);
  REQUIRE(world.Allocated("o2") == 0);
  REQUIRE(world.Order("o2").status == o::Status::kBackordered);

  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), Receive("r2", 3)));
  world.Settle();
  CHECK(world.Allocated("o1") == 5);  // the older order first
  CHECK(world.Order("o1").status == o::Status::kReserved);
  CHECK(world.Allocated("o2") == 1);
  CHECK(world.Order("o2").status == o::Status::kBackordered);

  // An upward adjustment (a count, or a restocked return) serves the rest.
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), w::AdjustStock{"WIDGET", 4, "count", "", 0, kWarehouseCatalog, kT0}));
  world.Settle();
  CHECK(world.Order("o2").status == o::Status::kReserved);
  CHECK(world.Warehouse("w1").stock.at("WIDGET").available() == 3);
  CHECK(CheckReservations(world.client, "acme", 1, {"o1", "o2"}).empty());
}

TEST_CASE("a partly shipped line is filled at the warehouse it shipped from, then delivered and invoiced",
          "[actors][fulfilment][backorder]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 1, 3, 0).empty());
  world.Place("o1", 5);
  world.Settle();
  const auto order = OrderKey("acme", "o1");
  REQUIRE(world.client.Execute(order, o::PickOrder{kT0}));
  REQUIRE(world.client.Execute(order, o::ShipOrder{"w1", "T1", kT0}));
  world.Settle();
  REQUIRE(world.Order("o1").status == o::Status::kPartiallyShipped);

  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), Receive("r2", 10)));
  world.Settle();
  CHECK(world.Allocated("o1") == 5);
  CHECK(CheckReservations(world.client, "acme", 1, {"o1"}).empty());
  REQUIRE(world.client.Execute(order, o::ShipOrder{"w1", "T2", kT0}));
  world.Settle();
  CHECK(world.Order("o1").status == o::Status::kShipped);
  CHECK(world.Warehouse("w1").stock.at("WIDGET").on_hand == 13 - 5);
  CHECK(world.Warehouse("w1").reservations.empty());
  REQUIRE(world.client.Execute(order, o::DeliverOrder{kT0}));
  auto invoiced = world.client.Execute(order, o::InvoiceOrder{"inv-1", kT0});
  REQUIRE(invoiced);
  CHECK(world.Order("o1").status == o::Status::kInvoiced);
}

TEST_CASE("a transfer in and a released reservation serve backorders too", "[actors][fulfilment][backorder]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 2, 2, 0).empty());
  world.Place("o1", 4);  // takes both warehouses' two
  world.Settle();
  world.Place("o2", 3);
  world.Settle();
  REQUIRE(world.Allocated("o2") == 0);
  REQUIRE(world.client.Execute(OrderKey("acme", "o1"), o::CancelOrder{"changed mind", kT0}));
  world.Settle();
  CHECK(world.Allocated("o2") == 3);  // what o1 released
  CHECK(CheckReservations(world.client, "acme", 2, {"o1", "o2"}).empty());

  world.Place("o3", 2);
  world.Settle();
  REQUIRE(world.Allocated("o3") == 1);
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w2"),
                               w::TransferIn{"x1", "elsewhere", "acme", "WIDGET", 1, 100, {}, kWarehouseCatalog, kT0}));
  world.Settle();
  CHECK(world.Allocated("o3") == 2);
  CHECK(CheckReservations(world.client, "acme", 2, {"o1", "o2", "o3"}).empty());
}

TEST_CASE("the waiting backorders survive a restart of the fulfilment process", "[actors][fulfilment][backorder]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 1, 1, 0).empty());
  world.Place("o1", 3);
  world.Settle();
  world.managers.clear();  // stopped: stock arrives while it is down
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), Receive("r2", 5)));
  world.Start();
  world.Settle();
  CHECK(world.Allocated("o1") == 3);
  CHECK(CheckReservations(world.client, "acme", 1, {"o1"}).empty());
}

TEST_CASE("every placed order is metered on its tenant once, also when the process replays the log",
          "[actors][fulfilment][metering]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 1, 10, 0).empty());
  for (const char* id : {"o1", "o2", "o3"}) world.Place(id, 1);
  world.Settle();
  auto tenant = [&] { return StateOf<t::State>(*world.client.Get(TenantKey("acme"))); };
  CHECK(tenant().period_orders == 3);

  world.managers.clear();
  REQUIRE(world.store->SaveCheckpoint("process.fulfilment", 0));  // as if no checkpoint had survived
  world.Start();
  world.Settle();
  CHECK(tenant().period_orders == 3);
  CHECK(CheckReservations(world.client, "acme", 1, {"o1", "o2", "o3"}).empty());
}
