// The actor runtime end to end: commands decided, made durable, applied and answered by real actors
// over a real store; serialization per entity, idempotent retries, passivation, eviction, snapshots
// and version conflicts.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "actor_support.hpp"
#include "actors/snapshot_policy.hpp"
#include "codec/codec.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
using keel::eventstore::test::OpenOrDie;
using keel::eventstore::test::TempDir;
using keel::eventstore::Options;
namespace w = keel::domain::warehouse;
namespace o = keel::domain::order;

TEST_CASE("a command is decided, appended, applied and answered", "[actors]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  Runtime runtime(*store);
  Client client(runtime);
  const auto key = WarehouseKey("acme", "w1");
  auto created = client.Execute(key, CreateWarehouse("acme", "w1"));
  REQUIRE(created);
  CHECK(created->version == 1);
  CHECK(std::get<std::vector<w::Event>>(created->events).size() == 1);
  REQUIRE(client.Execute(key, Receive("r1", 10)));
  auto reserved = client.Execute(key, w::ReserveStock{"o1", 1, "WIDGET", 4, kT0});
  REQUIRE(reserved);
  CHECK(reserved->version == 3);

  auto refused = client.Execute(key, w::ReserveStock{"o2", 1, "WIDGET", 7, kT0});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == Failure::Kind::kRejected);
  CHECK(refused.error().rejection.code == domain::RejectionCode::kInsufficientStock);
  CHECK(store->StreamVersion("t/acme/warehouse/w1").value() == 3);  // the refusal wrote nothing

  auto state = client.Get(key);
  REQUIRE(state);
  CHECK(state->version == 3);
  CHECK(StateOf<w::State>(*state).stock.at("WIDGET").reserved == 4);

  auto wrong = client.Execute(key, PlaceOrder("acme", "o9", {{1, "WIDGET", 1, {}}}));
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().kind == Failure::Kind::kInvalid);
}

TEST_CASE("a read shares the entity state and a held snapshot never changes under its reader", "[actors]") {
  OneWarehouse world;
  auto& [dir, store, runtime, client, key] = world;
  REQUIRE(client.Execute(key, Receive("r1", 10)));
  auto first = client.Get(key);
  auto second = client.Get(key);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->state.get() == second->state.get());  // nothing changed in between: nothing copied
  const w::State before = StateOf<w::State>(*first);

  REQUIRE(client.Execute(key, Receive("r2", 5)));  // changes the state while `first` holds it
  auto after = client.Get(key);
  REQUIRE(after);
  CHECK(after->state.get() != first->state.get());
  CHECK(StateOf<w::State>(*first) == before);
  CHECK(StateOf<w::State>(*first).stock.at("WIDGET").on_hand == 10);
  CHECK(StateOf<w::State>(*after).stock.at("WIDGET").on_hand == 15);
  CHECK(after->version == first->version + 1);

  // Readers on other threads walk snapshots while commands change the entity.
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, reads{0};
  std::vector<std::thread> readers;
  struct StopAndJoin {  // also when a REQUIRE below throws: joinable threads must not be destroyed
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~StopAndJoin() {
      stop = true;
      for (auto& t : threads)
        if (t.joinable()) t.join();
    }
  } guard{stop, readers};
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      Client reader(runtime);
      while (!stop.load()) {
        auto s = reader.Get(key);
        if (!s) continue;
        const auto& st = StateOf<w::State>(*s);
        // Each later receipt adds 1 and one version: the state and its version agree, or it is torn.
        const auto on_hand = st.stock.at("WIDGET").on_hand;
        if (on_hand != 15 + static_cast<std::int64_t>(s->version - after->version)) ++torn;
        ++reads;
      }
    });
  }
  for (int i = 3; i < 203; ++i) REQUIRE(client.Execute(key, Receive("r" + std::to_string(i), 1)));
  stop = true;
  for (auto& t : readers) t.join();  // the guard finds nothing left to join
  CHECK(torn.load() == 0);
  CHECK(reads.load() > 0);
  CHECK(StateOf<w::State>(*client.Get(key)).stock.at("WIDGET").on_hand == 215);
  CHECK(StateOf<w::State>(*first).stock.at("WIDGET").on_hand == 10);
}

TEST_CASE("concurrent commands to one order are serialized and never lose an update", "[actors]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  Runtime runtime(*store);
  constexpr int kLines = 60;
  std::vector<o::LineInput> lines;
  for (int i = 1; i <= kLines; ++i) lines.push_back({static_cast<std::uint32_t>(i), "WIDGET", 2, 100});
  {
    Client client(runtime);
    REQUIRE(client.Execute(OrderKey("acme", "o1"), PlaceOrder("acme", "o1", lines)));
  }
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 12; ++t) {
    senders.emplace_back([&, t] {
      Client client(runtime);
      for (int line = 1 + t; line <= kLines; line += 12) {
        // Each allocation only fits the order's state after every earlier one was applied.
        auto r = client.Execute(OrderKey("acme", "o1"),
                                o::RecordAllocation{{{static_cast<std::uint32_t>(line), "w1", 2}},
                                                    o::ShortfallRule::kBackorder, kT0});
        (r ? ok : failed)++;
      }
    });
  }
  for (auto& s : senders) s.join();
  CHECK(ok.load() == kLines);
  CHECK(failed.load() == 0);
  Client client(runtime);
  auto order = StateOf<o::State>(*client.Get(OrderKey("acme", "o1")));
  CHECK(order.status == o::Status::kReserved);
  CHECK(order.allocations.size() == kLines);
  CHECK(store->StreamVersion("t/acme/order/o1").value() == 1 + kLines);
}

TEST_CASE("a retried command with the same idempotency key returns the same reply and appends nothing",
          "[actors]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  Runtime runtime(*store);
  Client client(runtime);
  const auto key = WarehouseKey("acme", "w1");
  REQUIRE(client.Execute(key, CreateWarehouse("acme", "w1")));
  const CommandMeta meta{"receipt-r1-attempt", "operator:u1", "corr-1", "", std::nullopt};
  auto first = client.Execute(key, Receive("r1", 10), meta);
  REQUIRE(first);
  const auto head = store->HeadPosition();
  // The retry's command differs (a new receipt id), but the key says it is the same request.
  auto retry = client.Execute(key, Receive("r2", 10), meta);
  REQUIRE(retry);
  CHECK(retry->duplicate);
  CHECK(retry->events == first->events);
  CHECK(retry->first_position == first->first_position);
  CHECK(retry->version == first->version);
  CHECK(store->HeadPosition() == head);
  CHECK(StateOf<w::State>(*client.Get(key)).stock.at("WIDGET").on_hand == 10);
  auto stored = store->ReadAll(first->first_position).value();
  REQUIRE(stored.size() == 1);
  CHECK(stored[0].principal == "operator:u1");
  CHECK(stored[0].correlation_id == "corr-1");
  CHECK(stored[0].idempotency_key == "receipt-r1-attempt");
}

TEST_CASE("an idle actor is passivated and comes back with the same state", "[actors]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  RuntimeConfig config;
  config.idle_timeout = std::chrono::milliseconds(40);
  Runtime runtime(*store, config);
  Client client(runtime);
  const auto key = WarehouseKey("acme", "w1");
  REQUIRE(client.Execute(key, CreateWarehouse("acme", "w1")));
  REQUIRE(client.Execute(key, Receive("r1", 10, 5)));
  REQUIRE(client.Execute(key, w::ReserveStock{"o1", 1, "BOLT", 2, kT0}));
  const auto before = *client.Get(key);
  REQUIRE(Eventually([&] { return runtime.Stats().live_actors == 0; }));
  CHECK(runtime.Stats().passivations >= 1);
  const auto after = *client.Get(key);  // a new activation, rebuilt from the log
  CHECK(after.version == before.version);
  CHECK(StateOf<w::State>(after) == StateOf<w::State>(before));
  CHECK(runtime.Stats().activations >= 2);
}

TEST_CASE("messages that race a passivation are not lost", "[actors]") {
  TempDir dir;
  Options options;
  options.durability = eventstore::Durability::kBuffered;
  auto store = OpenOrDie(dir.str(), options);
  RuntimeConfig config;
  config.idle_timeout = std::chrono::milliseconds(1);  // passivation races every command
  Runtime runtime(*store, config);
  Client client(runtime);
  const auto key = WarehouseKey("acme", "w1");
  REQUIRE(client.Execute(key, CreateWarehouse("acme", "w1")));
  REQUIRE(client.Execute(key, Receive("r1", 1000)));
  int ok = 0;
  for (int i = 0; i < 300; ++i) {
    if (client.Execute(key, w::ReserveStock{"o" + std::to_string(i), 1, "WIDGET", 1, kT0})) ++ok;
    if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }
  CHECK(ok == 300);
  CHECK(StateOf<w::State>(*client.Get(key)).stock.at("WIDGET").reserved == 300);
  CHECK(runtime.Stats().activations > 1);
}

TEST_CASE("the live-actor cap evicts the least recently used", "[actors]") {
  TempDir dir;
  Options options;
  options.durability = eventstore::Durability::kBuffered;
  auto store = OpenOrDie(dir.str(), options);
  RuntimeConfig config;
  config.max_live_actors = 8;
  config.registry_shards = 4;
  Runtime runtime(*store, config);
  Client client(runtime);
  for (int i = 0; i < 40; ++i) {
    const auto key = WarehouseKey("acme", "w" + std::to_string(i));
    REQUIRE(client.Execute(key, CreateWarehouse("acme", "w" + std::to_string(i))));
    REQUIRE(client.Execute(key, Receive("r", i + 1)));
  }
  CHECK(runtime.Stats().live_actors <= 8);
  for (int i = 0; i < 40; ++i) {
    auto s = client.Get(WarehouseKey("acme", "w" + std::to_string(i)));
    REQUIRE(s);
    CHECK(StateOf<w::State>(*s).stock.at("WIDGET").on_hand == i + 1);
  }
  CHECK(runtime.Stats().live_actors <= 8);
}

namespace {
// A warehouse's state folded from every event of its stream, without actors or snapshots, as the
// runtime holds it between commands: without the ledger (that is in the store, see ledger.hpp).
w::State FullReplay(keel::eventstore::EventStore& store, const std::string& stream_id) {
  w::State replayed;
  auto stream = store.ReadStream(stream_id, 1);
  if (!stream) FAIL(stream.error().ToString());
  for (const auto& r : *stream) {
    auto e = codec::DecodeWarehouse(r.type, r.schema_version, r.payload);
    if (!e) FAIL(e.error().message);
    replayed = w::Evolve(std::move(replayed), *e);
  }
  replayed.ledger = {};
  return replayed;
}
}  // namespace

TEST_CASE("snapshots plus the tail give the same state as a full replay", "[actors]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  const auto key = WarehouseKey("acme", "w1");
  {
    RuntimeConfig config;
    config.snapshot_every = 1000;
    config.snapshot_every_kind[Kind::kWarehouse] = 5;  // the per-kind setting wins
    config.snapshot_tail_ratio = 0;                      // exactly every 5 events
    Runtime runtime(*store, config);
    Client client(runtime);
    REQUIRE(client.Execute(key, CreateWarehouse("acme", "w1")));
    REQUIRE(client.Execute(key, Receive("r1", 100)));
    for (int i = 0; i < 21; ++i) REQUIRE(client.Execute(key, w::ReserveStock{"o" + std::to_string(i), 1, "WIDGET", 2, kT0}));
  }
  auto loaded = store->LoadSnapshot("t/acme/warehouse/w1");
  if (!loaded) FAIL(loaded.error().ToString());
  auto snapshot = *loaded;
  REQUIRE(snapshot);
  CHECK(snapshot->version >= 20);
  CHECK(snapshot->version < 23);  // a tail remains to replay

  const w::State replayed = FullReplay(*store, "t/acme/warehouse/w1");
  Runtime runtime(*store);
  Client client(runtime);
  auto state = client.Get(key);
  REQUIRE(state);
  CHECK(state->version == 23);
  CHECK(StateOf<w::State>(*state) == replayed);
}

TEST_CASE("the snapshot policy waits for the tail to amortize the snapshot, up to a cap", "[actors]") {
  // At least `every` events; then tail bytes of at least ratio x the last snapshot, or `max_tail` events.
  STATIC_REQUIRE(!SnapshotDue({4, 4000, 0}, 5, 1.0, 1000));      // too few events
  STATIC_REQUIRE(SnapshotDue({5, 10, 0}, 5, 1.0, 1000));         // no snapshot yet: `every` alone
  STATIC_REQUIRE(!SnapshotDue({500, 999, 1000}, 5, 1.0, 1000));  // the tail is smaller than the snapshot
  STATIC_REQUIRE(SnapshotDue({500, 1000, 1000}, 5, 1.0, 1000));
  STATIC_REQUIRE(SnapshotDue({500, 500, 1000}, 5, 0.5, 1000));
  STATIC_REQUIRE(!SnapshotDue({999, 1, 1'000'000}, 5, 1.0, 1000));  // a big state that stopped growing...
  STATIC_REQUIRE(SnapshotDue({1000, 1, 1'000'000}, 5, 1.0, 1000));  // ...is snapshotted at the cap
  STATIC_REQUIRE(!SnapshotDue({5000, 1, 1'000'000}, 5, 1.0, 0));    // no cap
  STATIC_REQUIRE(SnapshotDue({5, 1, 1'000'000}, 5, 0.0, 1000));     // ratio 0: every `every` events
  STATIC_REQUIRE(SnapshotDue({5, 1, 1'000'000}, 5, -1.0, 1000));
  STATIC_REQUIRE(SnapshotDue({5, 1, 1'000'000}, 5, __builtin_nan(""), 1000));  // not a number: likewise
  STATIC_REQUIRE(SnapshotDue({5, 1, 1'000'000}, 5, __builtin_inf(), 1000));
  STATIC_REQUIRE(!SnapshotDue({1'000'000, 1'000'000, 0}, 0, 0.0, 0));  // every 0: never
}

namespace {
// Sends `receipts` commands that each leave the state bigger (a reservation held for another order;
// receipts no longer do: they go to the ledger) to one warehouse with a snapshot allowed after every
// event; returns the store's count and bytes of snapshots written, and the last snapshot's version.
struct SnapshotRun {
  std::uint64_t snapshots = 0, snapshot_bytes = 0;
  std::uint64_t last_version = 0;
};
SnapshotRun GrowWarehouse(keel::eventstore::EventStore& store, double ratio, int receipts, std::uint64_t max_tail = 1000) {
  RuntimeConfig config;
  config.snapshot_every = 1;
  config.snapshot_tail_ratio = ratio;
  config.snapshot_max_tail = max_tail;
  {
    Runtime runtime(store, config);
    Client client(runtime);
    const auto key = WarehouseKey("acme", "w1");
    REQUIRE(client.Execute(key, CreateWarehouse("acme", "w1")));
    REQUIRE(client.Execute(key, Receive("receipt", receipts)));
    for (int i = 1; i < receipts; ++i)
      REQUIRE(client.Execute(key, w::ReserveStock{"order-" + std::to_string(i), 1, "WIDGET", 1, kT0}));
    // Answered once the last append is applied, and so after its snapshot job went to the writer
    // (the command's own answer may come straight from the writer, before that).
    REQUIRE(client.Get(key));
  }
  // A synchronous write queued behind that snapshot job: once it returns, the snapshot is committed.
  REQUIRE(store.SaveCheckpoint("flush", 1));
  SnapshotRun run;
  const auto stats = store.writer_stats();
  run.snapshots = stats.snapshots;
  run.snapshot_bytes = stats.snapshot_bytes;
  auto snap = store.LoadSnapshot("t/acme/warehouse/w1");
  REQUIRE(snap);
  REQUIRE(*snap);
  run.last_version = (*snap)->version;
  return run;
}
}  // namespace

TEST_CASE("a growing state is snapshotted less often as it grows, and still loads exactly", "[actors]") {
  constexpr int kReceipts = 400;
  TempDir every_dir, amortized_dir;
  auto every_store = OpenOrDie(every_dir.str());
  auto amortized_store = OpenOrDie(amortized_dir.str());
  const auto every = GrowWarehouse(*every_store, 0.0, kReceipts);
  const auto amortized = GrowWarehouse(*amortized_store, 1.0, kReceipts);
  // Without the ratio: a snapshot after every command, the whole state each time.
  CHECK(every.snapshots == kReceipts + 1);
  CHECK(every.last_version == kReceipts + 1);
  // With it, each snapshot waits for as many event bytes as the last one held: a few dozen
  // snapshots instead of hundreds, and a small fraction of the bytes (linear, not quadratic).
  CHECK(amortized.snapshots < 60);
  CHECK(amortized.snapshots > 5);
  CHECK(amortized.snapshot_bytes * 10 < every.snapshot_bytes);
  // The tail an activation replays holds no more bytes than the snapshot (plus one event): the
  // newest snapshot covers most of the history.
  CHECK(amortized.last_version > (kReceipts + 1) / 2);
  // The cap on the tail wins over the ratio: at least one snapshot every 10 events.
  TempDir capped_dir;
  auto capped_store = OpenOrDie(capped_dir.str());
  const auto capped = GrowWarehouse(*capped_store, 1.0, kReceipts, 10);
  CHECK(capped.snapshots >= (kReceipts + 1) / 10);
  CHECK(capped.last_version + 10 > kReceipts + 1);

  // Snapshot + tail == full replay, on a fresh runtime.
  const w::State replayed = FullReplay(*amortized_store, "t/acme/warehouse/w1");
  Runtime runtime(*amortized_store);
  Client client(runtime);
  auto state = client.Get(WarehouseKey("acme", "w1"));
  REQUIRE(state);
  CHECK(state->version == kReceipts + 1);
  CHECK(StateOf<w::State>(*state) == replayed);
}

TEST_CASE("a version conflict from another writer reloads and retries", "[actors]") {
  OneWarehouse world;
  auto& [dir, store, runtime, client, key] = world;
  REQUIRE(client.Execute(key, Receive("r1", 5)));
  // Another writer (another node, a tool) appends behind the actor's back.
  auto foreign = [&](std::string receipt, std::uint64_t expected) {
    auto e = codec::Encode(w::Event(w::StockReceived{std::move(receipt), {{"WIDGET", 10, 100, "", 0}}, kT0}));
    REQUIRE(store->Append("t/acme/warehouse/w1", eventstore::ExpectedVersion::Exact(expected),
                          std::vector<eventstore::EventData>{{e.type, e.schema_version, e.payload}}));
  };
  foreign("r-foreign-1", 2);
  // Accepted on the actor's stale state, refused by the store as a conflict, decided again and kept.
  auto accepted = client.Execute(key, w::ReserveStock{"o1", 1, "WIDGET", 3, kT0});
  REQUIRE(accepted);
  CHECK(accepted->version == 4);
  foreign("r-foreign-2", 4);
  // Refused on the stale state (only 12 of 25 visible), so the actor checks freshness first.
  auto fresh = client.Execute(key, w::ReserveStock{"o2", 1, "WIDGET", 20, kT0});
  if (!fresh) FAIL(fresh.error().message << fresh.error().rejection.message);
  CHECK(fresh->version == 6);
  CHECK(StateOf<w::State>(*client.Get(key)).stock.at("WIDGET").on_hand == 25);
}

TEST_CASE("the asynchronous bridge answers commands and reads across a passivation", "[actors]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  RuntimeConfig config;
  config.idle_timeout = std::chrono::milliseconds(40);
  Runtime runtime(*store, config);
  const auto key = WarehouseKey("acme", "w1");
  auto execute = [&](AnyCommand command) {
    std::promise<Reply> answered;
    runtime.ExecuteAsync(key, std::move(command), {}, [&](Reply r) { answered.set_value(std::move(r)); });
    return answered.get_future().get();
  };
  auto get = [&] {
    std::promise<std::optional<Snapshot>> answered;
    runtime.GetAsync(key, [&](std::optional<Snapshot> s) { answered.set_value(std::move(s)); });
    return answered.get_future().get();
  };
  REQUIRE(execute(CreateWarehouse("acme", "w1")));
  auto received = execute(Receive("r1", 10));
  REQUIRE(received);
  CHECK(received->version == 2);
  auto refused = execute(w::ReserveStock{"o1", 1, "WIDGET", 99, kT0});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().rejection.code == domain::RejectionCode::kInsufficientStock);
  // The entity passivates; the bridge's remembered handle is stale, the command still lands.
  REQUIRE(Eventually([&] { return runtime.Stats().live_actors == 0; }));
  auto after = execute(w::ReserveStock{"o1", 1, "WIDGET", 4, kT0});
  REQUIRE(after);
  CHECK(after->version == 3);
  auto state = get();
  REQUIRE(state);
  CHECK(state->version == 3);
  CHECK(StateOf<w::State>(*state).stock.at("WIDGET").reserved == 4);
  auto wrong = execute(PlaceOrder("acme", "o9", {{1, "WIDGET", 1, {}}}));
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().kind == Failure::Kind::kInvalid);
}
