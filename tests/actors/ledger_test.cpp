// A warehouse's ledger in the store (DESIGN.md §4): the ids it must remember for good (receipts with
// their landed cost, transfers, purchase requests, shipped order lines) are stream records, not state.
// Checked through the runtime: decisions across restarts equal the pure decider's with the whole
// ledger in memory (a property over random command sequences); the state and its snapshot stay small;
// a stream written before records existed is backfilled once, also when a snapshot got ahead of it.
#include <catch2/catch.hpp>

#include <optional>
#include <random>

#include "actor_support.hpp"
#include "actors/process_managers.hpp"
#include "codec/codec.hpp"
#include "codec/snapshot.hpp"

using namespace keel::actors;
using namespace keel::actors::test;
using keel::eventstore::test::OpenOrDie;
using keel::eventstore::test::TempDir;
namespace w = keel::domain::warehouse;
namespace d = keel::domain;

namespace {

const std::string kStream = "t/acme/warehouse/w1";

// A runtime that a test can restart on the same store (a process restart, as far as the actors go).
struct Restartable {
  TempDir dir;
  std::unique_ptr<keel::eventstore::EventStore> store = OpenOrDie(dir.str());
  RuntimeConfig config;
  std::optional<Runtime> runtime;
  std::optional<Client> client;
  explicit Restartable(RuntimeConfig c = {}) : config(c) { Start(); }
  void Start() {
    runtime.emplace(*store, config);
    client.emplace(*runtime);
  }
  void Restart() {
    client.reset();
    runtime.reset();
    Start();
  }
  Reply Run(const w::Command& c) { return client->Execute(WarehouseKey("acme", "w1"), c); }
  w::State Live() { return StateOf<w::State>(*client->Get(WarehouseKey("acme", "w1"))); }
};

std::vector<w::Event> EventsOf(const Reply& r) { return std::get<std::vector<w::Event>>(r->events); }

// Every ledger entry the store holds for `keys`, decoded into one ledger.
w::Ledger StoredLedger(const keel::eventstore::EventStore& store, const std::vector<std::string>& keys) {
  w::Ledger l;
  for (const auto& key : keys) {
    auto found = store.LookupRecord(kStream, key);
    REQUIRE(found);
    if (*found) REQUIRE(keel::codec::DecodeLedgerEntry(key, **found, l));
  }
  return l;
}

bool WaitMarked(const keel::eventstore::EventStore& store) {
  for (int i = 0; i < 500; ++i) {
    if (store.LookupRecord(kStream, "!ledger").value_or(std::nullopt)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Appends events straight into the store, without records: a stream as a version before the ledger
// left the state wrote it.
void AppendRaw(keel::eventstore::EventStore& store, const std::vector<w::Event>& events) {
  std::vector<keel::eventstore::EventData> data;
  for (const auto& e : events) {
    auto enc = keel::codec::Encode(e);
    data.push_back({enc.type, enc.schema_version, enc.payload});
  }
  REQUIRE(store.Append(kStream, keel::eventstore::ExpectedVersion::Any(), std::move(data)));
}

}  // namespace

TEST_CASE("a warehouse remembers every id across restarts while its state and snapshot stay small", "[actors][ledger]") {
  RuntimeConfig config;
  config.snapshot_every = 5;
  Restartable world(config);
  REQUIRE(world.Run(w::CreateWarehouse{"w1", "acme", "Main", "EUR", false, true, kT0}));
  REQUIRE(world.Run(Receive("r1", 10, 5)));
  REQUIRE(world.Run(w::AllocateLandedCost{"r1", "a1", {{"freight", 100}}, w::AllocationMethod::kQuantity, kT0}));
  REQUIRE(world.Run(w::ReserveStock{"o1", 1, "WIDGET", 2, kT0}));
  REQUIRE(world.Run(w::ConsumeReservation{"o1", 1, kT0}));
  REQUIRE(world.Run(w::RequestPurchase{"p1", "BOLT", 10, "short", kT0}));
  for (int i = 0; i < 300; ++i) REQUIRE(world.Run(Receive("bulk-" + std::to_string(i), 1)));
  CHECK(world.Live().ledger.empty());
  auto snapshot = world.store->LoadSnapshot(kStream);
  REQUIRE(snapshot);
  REQUIRE(*snapshot);
  CHECK((*snapshot)->version > 300);
  CHECK((*snapshot)->bytes.size() < 300);  // stock, reservations, rules: not 306 ids

  world.Restart();
  // Each id again: the same content is a no-op (nothing appended), other content id_reused.
  const auto head = world.store->HeadPosition();
  auto again = world.Run(Receive("r1", 10, 5));
  REQUIRE(again);
  CHECK(EventsOf(again).empty());
  auto bulk = world.Run(Receive("bulk-0", 1));
  REQUIRE(bulk);
  CHECK(EventsOf(bulk).empty());
  auto other = world.Run(Receive("r1", 11, 5));
  REQUIRE_FALSE(other);
  CHECK(other.error().rejection.code == d::RejectionCode::kIdReused);
  auto allocation = world.Run(w::AllocateLandedCost{"r1", "a1", {{"freight", 100}}, w::AllocationMethod::kQuantity, kT0});
  REQUIRE(allocation);
  CHECK(EventsOf(allocation).empty());
  auto other_allocation = world.Run(w::AllocateLandedCost{"r1", "a1", {{"freight", 90}}, w::AllocationMethod::kQuantity, kT0});
  REQUIRE_FALSE(other_allocation);
  CHECK(other_allocation.error().rejection.code == d::RejectionCode::kIdReused);
  auto shipped = world.Run(w::ReserveStock{"o1", 1, "WIDGET", 2, kT0});
  REQUIRE_FALSE(shipped);
  CHECK(shipped.error().rejection.code == d::RejectionCode::kAlreadyDone);
  auto consumed = world.Run(w::ConsumeReservation{"o1", 1, kT0});
  REQUIRE(consumed);
  CHECK(EventsOf(consumed).empty());
  auto purchase = world.Run(w::RequestPurchase{"p1", "BOLT", 10, "short", kT0});
  REQUIRE(purchase);
  CHECK(EventsOf(purchase).empty());
  CHECK(world.store->HeadPosition() == head);

  // A second allocation by the same method after the restart splits the combined amount: the receipt's
  // split so far came from the store. 100 + 50 by quantity over 10 widgets and 5 bolts: 100 and 50.
  auto second = world.Run(w::AllocateLandedCost{"r1", "a2", {{"duty", 50}}, w::AllocationMethod::kQuantity, kT0});
  REQUIRE(second);
  const auto& allocated = std::get<w::LandedCostAllocated>(EventsOf(second).at(0));
  CHECK(allocated.allocations.at(0).amount + allocated.allocations.at(1).amount == 50);
  const auto ledger = StoredLedger(*world.store, {w::ReceiptKey("r1")});
  CHECK(ledger.receipts.at("r1").splits.at(static_cast<std::size_t>(w::AllocationMethod::kQuantity)).per_line ==
        std::vector<std::int64_t>{100, 50});
  CHECK(world.Live().ledger.empty());
}

TEST_CASE("a warehouse written before the ledger left its state is backfilled once and remembers every id",
          "[actors][ledger]") {
  Restartable world;
  const bool snapshot_ahead = GENERATE(false, true);
  INFO((snapshot_ahead ? "a snapshot without the ledger got ahead of the backfill (a crash between them)" : "no snapshot"));
  const std::vector<w::Event> history{
      w::WarehouseCreated{"w1", "acme", "Main", "EUR", false, true, kT0},
      w::StockReceived{"old-1", {{"WIDGET", 4, 100, "", 0}}, kT0},
      w::LandedCostAllocated{"old-1", w::AllocationMethod::kEqual, {{0, "WIDGET", 8}}, kT0, "fee-1", {{"freight", 8}}},
      w::StockReserved{"o1", 1, "WIDGET", 1, kT0},
      w::ReservationConsumed{"o1", 1, "WIDGET", 1, {}, kT0, 102},
      w::TransferredOut{"t1", "w2", "WIDGET", 1, 102, {}, kT0},
      w::PurchaseRequested{"p1", "WIDGET", 5, "short", kT0}};
  AppendRaw(*world.store, history);
  if (snapshot_ahead) {
    w::State hot;
    for (const auto& e : history) w::Apply(hot, e);
    hot.ledger = {};
    REQUIRE(world.store->SaveSnapshot(kStream, {history.size(), keel::codec::EncodeSnapshot(hot)}));
  }
  CHECK_FALSE(world.store->LookupRecord(kStream, w::ReceiptKey("old-1")).value());

  CHECK(world.Live().stock.at("WIDGET").on_hand == 2);  // activation folds the whole stream and backfills
  REQUIRE(WaitMarked(*world.store));
  w::State full;
  for (const auto& e : history) w::Apply(full, e);
  CHECK(StoredLedger(*world.store, w::LedgerKeys(full.ledger)) == full.ledger);

  world.Restart();
  const auto head = world.store->HeadPosition();
  auto retry = world.Run(w::ReceiveStock{"old-1", {{"WIDGET", 4, 100, "", 0}}, kWarehouseCatalog, kT0});
  REQUIRE(retry);
  CHECK(EventsOf(retry).empty());
  auto fee = world.Run(w::AllocateLandedCost{"old-1", "fee-1", {{"freight", 8}}, w::AllocationMethod::kEqual, kT0});
  REQUIRE(fee);
  CHECK(EventsOf(fee).empty());
  auto transfer = world.Run(w::TransferOut{"t1", "w1x", "acme", "WIDGET", 1, kT0});
  REQUIRE_FALSE(transfer);
  CHECK(transfer.error().rejection.code == d::RejectionCode::kIdReused);
  auto shipped = world.Run(w::ReserveLines{"o1", {{1, "WIDGET", 1}}, kT0});
  REQUIRE(shipped);
  CHECK(EventsOf(shipped).empty());  // the shipped line is left as it is
  CHECK(world.store->HeadPosition() == head);
  CHECK(world.Live().ledger.empty());
}

TEST_CASE("decisions through the runtime, restarted at random, equal the decider's with the whole ledger in memory",
          "[actors][ledger][property]") {
  const auto seed = GENERATE(1u, 2u, 3u);
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  RuntimeConfig config;
  config.snapshot_every = 4;  // snapshots and tails both in play
  Restartable world(config);
  w::State model;
  auto step = [&](const w::Command& c) {
    auto expected = w::Decide(c, model);
    auto got = world.Run(c);
    if (!expected) {
      REQUIRE_FALSE(got);
      REQUIRE(got.error().kind == Failure::Kind::kRejected);
      CHECK(got.error().rejection.code == expected.error().code);
      return;
    }
    REQUIRE(got);
    REQUIRE(EventsOf(got) == *expected);
    for (const auto& e : *expected) w::Apply(model, e);
  };
  step(w::CreateWarehouse{"w1", "acme", "Main", "EUR", false, true, kT0});
  for (int i = 0; i < 250; ++i) {
    const std::string order = "o" + std::to_string(pick(4));
    const auto line = static_cast<std::uint32_t>(1 + pick(2));
    switch (pick(11)) {
      case 0:
      case 1:
        step(w::ReceiveStock{"r" + std::to_string(pick(8)), {{"WIDGET", 1 + pick(3), 100 * (1 + pick(2)), "", 0}},
                             kWarehouseCatalog, kT0});
        break;
      case 2:
        step(w::AllocateLandedCost{"r" + std::to_string(pick(8)), "a" + std::to_string(pick(6)),
                                   {{"freight", 1 + pick(50)}}, static_cast<w::AllocationMethod>(pick(3)), kT0});
        break;
      case 3: step(w::ReserveStock{order, line, "WIDGET", 1 + pick(3), kT0}); break;
      case 4: step(w::ReserveLines{order, {{1, "WIDGET", 1 + pick(2)}, {2, "WIDGET", 1 + pick(2)}}, kT0}); break;
      case 5: step(w::ConsumeReservation{order, line, kT0}); break;
      case 6: step(w::ReleaseReservation{order, line, kT0}); break;
      case 7: step(w::RequestPurchase{"p" + std::to_string(pick(3)), "WIDGET", 1 + pick(5), "short", kT0}); break;
      case 8: step(w::TransferOut{"t" + std::to_string(pick(4)), "w2", "acme", "WIDGET", 1 + pick(2), kT0}); break;
      case 9:
        step(w::TransferIn{"t" + std::to_string(pick(4)), "w2", "acme", "WIDGET", 1 + pick(2), 100, {}, kWarehouseCatalog, kT0});
        break;
      case 10: world.Restart(); break;
    }
  }
  // The live state is the model's hot part; the store holds exactly the model's ledger.
  w::State hot = model;
  hot.ledger = {};
  CHECK(world.Live() == hot);
  CHECK(w::CheckInvariants(world.Live()).empty());
  CHECK(StoredLedger(*world.store, w::LedgerKeys(model.ledger)) == model.ledger);
  world.Restart();
  CHECK(world.Live() == hot);
}

TEST_CASE("a transfer's id is remembered by both warehouses' ledgers, written with the joint append", "[actors][ledger]") {
  Restartable world;
  auto& client = *world.client;
  REQUIRE(client.Execute(WarehouseKey("acme", "w1"), CreateWarehouse("acme", "w1")));
  REQUIRE(client.Execute(WarehouseKey("acme", "w2"), CreateWarehouse("acme", "w2")));
  REQUIRE(client.Execute(WarehouseKey("acme", "w1"), Receive("r1", 10)));
  const w::Transfer transfer{"move-1", "WIDGET", 4, kWarehouseCatalog, kT0};
  auto moved = TransferStock(client, "acme", "w1", "w2", transfer, {});
  REQUIRE(moved);
  CHECK(world.store->LookupRecord(kStream, w::TransferOutKey("move-1")).value());
  CHECK(world.store->LookupRecord("t/acme/warehouse/w2", w::TransferInKey("move-1")).value());
  CHECK(world.store->LookupRecord("t/acme/warehouse/w2", "!ledger").value());  // created through the runtime

  world.Restart();
  const auto head = world.store->HeadPosition();
  auto again = TransferStock(*world.client, "acme", "w1", "w2", transfer, {});  // no idempotency key: the ids tell
  REQUIRE(again);
  CHECK(world.store->HeadPosition() == head);
  auto other = TransferStock(*world.client, "acme", "w1", "w2", w::Transfer{"move-1", "WIDGET", 3, kWarehouseCatalog, kT0}, {});
  REQUIRE_FALSE(other);
  CHECK(other.error().rejection.code == d::RejectionCode::kIdReused);
  CHECK(world.Live().stock.at("WIDGET").on_hand == 6);
  CHECK(StateOf<w::State>(*world.client->Get(WarehouseKey("acme", "w2"))).stock.at("WIDGET").on_hand == 4);
}
