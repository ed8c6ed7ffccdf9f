// Joint commands (Client::ExecuteJoint): one decision over several entities, one atomic append of
// their streams; the entities read their new state at once; a refusal writes nothing; a retry with
// the idempotency key gets the first outcome.
#include <catch2/catch.hpp>

#include "actors/process_managers.hpp"
#include "world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
namespace w = keel::domain::warehouse;

namespace {

struct TwoWarehouses {
  eventstore::test::TempDir dir;
  std::unique_ptr<eventstore::EventStore> store = eventstore::test::OpenOrDie(dir.str());
  Runtime runtime{*store};
  Client client{runtime};
  TwoWarehouses() { REQUIRE(BuildTenant(client, "acme", 2, 10, 4).empty()); }
  w::State Warehouse(const std::string& id) { return StateOf<w::State>(*client.Get(WarehouseKey("acme", id))); }
};

}  // namespace

TEST_CASE("a joint transfer is one append that both warehouses read at once", "[actors][joint]") {
  TwoWarehouses world;
  const auto head = world.store->HeadPosition();
  auto moved = TransferStock(world.client, "acme", "w1", "w2", w::Transfer{"x1", "WIDGET", 3, kWarehouseCatalog, kT0},
                             {"k-x1", "test", "", "", std::nullopt});
  REQUIRE(moved);
  REQUIRE(moved->size() == 2);
  CHECK(moved->at(0).first_position == head + 1);
  CHECK(moved->at(1).last_position == head + 2);
  CHECK(world.Warehouse("w1").stock.at("WIDGET").on_hand == 7);
  CHECK(world.Warehouse("w2").stock.at("WIDGET").on_hand == 13);
  // The entities hold the new state: their next own command is decided on it.
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w2"), w::ReserveStock{"o1", 1, "WIDGET", 13, kT0}));

  // A retry with the key: the first outcome, nothing written.
  const auto after = world.store->HeadPosition();
  auto again = TransferStock(world.client, "acme", "w1", "w2", w::Transfer{"x1", "WIDGET", 3, kWarehouseCatalog, kT0},
                             {"k-x1", "test", "", "", std::nullopt});
  REQUIRE(again);
  CHECK(again->at(0).duplicate);
  CHECK(again->at(1).last_position == moved->at(1).last_position);
  CHECK(std::get<std::vector<w::Event>>(again->at(1).events).size() == 1);
  CHECK(world.store->HeadPosition() == after);
}

TEST_CASE("a joint command refused on either side writes nothing", "[actors][joint]") {
  TwoWarehouses world;
  const auto head = world.store->HeadPosition();
  auto refused = TransferStock(world.client, "acme", "w1", "w2", w::Transfer{"x1", "WIDGET", 11, kWarehouseCatalog, kT0}, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().rejection.code == domain::RejectionCode::kInsufficientStock);
  // The target refuses (no such SKU in the catalog it is given): the source keeps its stock.
  auto unknown = TransferStock(world.client, "acme", "w1", "w2", w::Transfer{"x2", "WIDGET", 1, {}, kT0}, {});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().rejection.code == domain::RejectionCode::kUnknownSku);
  CHECK(world.store->HeadPosition() == head);
  CHECK(world.Warehouse("w1").stock.at("WIDGET").on_hand == 10);
  auto other_tenant = world.client.ExecuteJoint({WarehouseKey("acme", "w1"), WarehouseKey("globex", "w1")},
                                                [](const std::vector<Snapshot>&) -> JointDecision { return std::vector<AnyEvents>{}; });
  REQUIRE_FALSE(other_tenant);
  CHECK(other_tenant.error().kind == Failure::Kind::kInvalid);
}

TEST_CASE("a joint command decided on a stale entity is decided again", "[actors][joint]") {
  TwoWarehouses world;
  // Moves w1 behind its actor's back (as another node's joint append would), then transfers more
  // than the actor thinks is left: the append conflicts, the entities reload, the refusal is right.
  eventstore::AppendRequest sneak;
  sneak.streams.push_back({StreamOf(WarehouseKey("acme", "w1")), eventstore::ExpectedVersion::Exact(2), {}});  // created, received
  auto adjusted = codec::Encode(w::Event(w::StockAdjusted{"WIDGET", -8, "count", "", 0, kT0}));
  sneak.streams[0].events.push_back({adjusted.type, adjusted.schema_version, adjusted.payload});
  REQUIRE(world.store->Append(sneak));
  auto refused = TransferStock(world.client, "acme", "w1", "w2", w::Transfer{"x1", "WIDGET", 5, kWarehouseCatalog, kT0}, {});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().rejection.code == domain::RejectionCode::kInsufficientStock);
  CHECK(world.Warehouse("w1").stock.at("WIDGET").on_hand == 2);
  REQUIRE(TransferStock(world.client, "acme", "w1", "w2", w::Transfer{"x2", "WIDGET", 2, kWarehouseCatalog, kT0}, {}));
  CHECK(world.Warehouse("w1").stock.at("WIDGET").on_hand == 0);
}
