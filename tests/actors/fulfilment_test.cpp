// Order fulfilment through real actors and a real store: one warehouse when one can serve the order,
// else a split; shortfalls per the tenant's rule; cancellation releases; shipment consumes.
#include <catch2/catch.hpp>

#include "actors/fulfilment.hpp"
#include "managed_world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
using keel::eventstore::test::OpenOrDie;
using keel::eventstore::test::TempDir;
namespace w = keel::domain::warehouse;
namespace o = keel::domain::order;

namespace {

struct World : ManagedWorld {
  explicit World(FulfilmentOptions options = {}) { managers.push_back(StartFulfilment(*store, runtime, std::move(options))); }
};

}  // namespace

TEST_CASE("an order one warehouse can serve is reserved there whole", "[actors][fulfilment]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 3, 4, 4).empty());
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w3"), Receive("more", 10, 10)));
  REQUIRE(world.client.Execute(OrderKey("acme", "o1"), PlaceOrder("acme", "o1", {{1, "WIDGET", 6, 100}, {2, "BOLT", 5, 10}})));
  world.Settle();
  const auto order = world.Order("o1");
  CHECK(order.status == o::Status::kReserved);
  CHECK(order.allocations == std::vector<o::Allocation>{{1, "w3", 6}, {2, "w3", 5}});
  CHECK(world.Warehouse("w3").stock.at("WIDGET").reserved == 6);
  CHECK(world.Warehouse("w1").reservations.empty());
  CHECK(CheckReservations(world.client, "acme", 3, {"o1"}).empty());
}

TEST_CASE("an order no single warehouse can serve is split by availability", "[actors][fulfilment]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 3, 4, 1).empty());
  REQUIRE(world.client.Execute(OrderKey("acme", "o1"), PlaceOrder("acme", "o1", {{1, "WIDGET", 10, 100}, {2, "BOLT", 2, 10}})));
  world.Settle();
  const auto order = world.Order("o1");
  CHECK(order.status == o::Status::kReserved);
  CHECK(order.lines.at(1).allocated == 10);
  CHECK(order.lines.at(2).allocated == 2);
  CHECK(order.allocations.size() == 5);  // widgets 4+4+2, bolts 1+1
  CHECK(CheckReservations(world.client, "acme", 3, {"o1"}).empty());
}

TEST_CASE("shortfalls are backordered or cancelled per the tenant's rule", "[actors][fulfilment]") {
  SECTION("backorder") {
    World world;
    REQUIRE(BuildTenant(world.client, "acme", 2, 3, 0).empty());
    REQUIRE(world.client.Execute(OrderKey("acme", "o1"), PlaceOrder("acme", "o1", {{1, "WIDGET", 10, 100}})));
    world.Settle();
    const auto order = world.Order("o1");
    CHECK(order.status == o::Status::kBackordered);
    CHECK(order.lines.at(1).allocated == 6);
    CHECK(CheckReservations(world.client, "acme", 2, {"o1"}).empty());
  }
  SECTION("cancel the line") {
    World world(FulfilmentOptions{[](const domain::tenant::State&) { return o::ShortfallRule::kCancelLine; }});
    REQUIRE(BuildTenant(world.client, "acme", 2, 3, 0).empty());
    REQUIRE(world.client.Execute(OrderKey("acme", "o1"), PlaceOrder("acme", "o1", {{1, "WIDGET", 10, 100}})));
    world.Settle();
    const auto order = world.Order("o1");
    CHECK(order.status == o::Status::kReserved);
    CHECK(order.lines.at(1).cancelled == 4);
  }
}

TEST_CASE("an order waiting for approval is reserved only once approved", "[actors][fulfilment]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 1, 10, 0).empty());
  auto place = PlaceOrder("acme", "o1", {{1, "WIDGET", 5, 1000}});
  std::get<o::PlaceOrder>(place).approval_threshold = 100;
  REQUIRE(world.client.Execute(OrderKey("acme", "o1"), place));
  world.Settle();
  CHECK(world.Warehouse("w1").reservations.empty());
  REQUIRE(world.client.Execute(OrderKey("acme", "o1"), o::ApproveOrder{"u1", "finance", {"finance"}, kT0}));
  world.Settle();
  CHECK(world.Order("o1").status == o::Status::kReserved);
  CHECK(world.Warehouse("w1").stock.at("WIDGET").reserved == 5);
}

TEST_CASE("cancellation releases every reservation and shipment consumes them", "[actors][fulfilment]") {
  World world;
  REQUIRE(BuildTenant(world.client, "acme", 2, 4, 0).empty());
  REQUIRE(world.client.Execute(OrderKey("acme", "o1"), PlaceOrder("acme", "o1", {{1, "WIDGET", 6, 100}})));
  REQUIRE(world.client.Execute(OrderKey("acme", "o2"), PlaceOrder("acme", "o2", {{1, "WIDGET", 2, 100}})));
  world.Settle();
  REQUIRE(world.client.Execute(OrderKey("acme", "o1"), o::CancelOrder{"customer changed mind", kT0}));
  REQUIRE(world.client.Execute(OrderKey("acme", "o2"), o::PickOrder{kT0}));
  const auto where = world.Order("o2").allocations.at(0).warehouse;
  REQUIRE(world.client.Execute(OrderKey("acme", "o2"), o::ShipOrder{where, "T", kT0}));
  world.Settle();
  std::int64_t reserved = 0, on_hand = 0;
  for (const char* wh : {"w1", "w2"}) {
    reserved += world.Warehouse(wh).stock.at("WIDGET").reserved;
    on_hand += world.Warehouse(wh).stock.at("WIDGET").on_hand;
  }
  CHECK(reserved == 0);
  CHECK(on_hand == 6);  // 8 minus the 2 shipped
  CHECK(CheckReservations(world.client, "acme", 2, {"o1", "o2"}).empty());
}
