// How commands are answered: a lone append is answered straight from the store's writer, and no
// answer is ever ahead of the entity's state; every command in flight gets exactly one answer when
// the runtime stops; a synchronous caller's timeout holds and loses nothing.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "actor_support.hpp"
#include "fault_fs.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
using keel::eventstore::test::OpenOrDie;
using keel::eventstore::test::TempDir;
namespace w = keel::domain::warehouse;

TEST_CASE("an answer is never ahead of the entity: a read right after it sees the command applied", "[actors]") {
  OneWarehouse world;
  auto& [dir, store, runtime, client, key] = world;
  // One caller at a time: each append commits alone, so the writer answers before the actor applies.
  for (int i = 1; i <= 150; ++i) {
    auto received = client.Execute(key, Receive("r" + std::to_string(i), 1));
    REQUIRE(received);
    CHECK(received->version == static_cast<std::uint64_t>(i + 1));
    auto state = client.Get(key);
    REQUIRE(state);
    REQUIRE(state->version == received->version);
    REQUIRE(StateOf<w::State>(*state).stock.at("WIDGET").on_hand == i);
  }
  // The same from inside the answer itself (the writer's thread): a read sent from there, and the
  // next command, both find the events applied.
  std::promise<std::pair<std::uint64_t, std::uint64_t>> seen;  // (reply version, read version)
  runtime.ExecuteAsync(key, Receive("r-async", 1), {}, [&](Reply r) {
    const std::uint64_t replied = r ? r->version : 0;
    runtime.GetAsync(key, [&, replied](std::optional<Snapshot> s) { seen.set_value({replied, s ? s->version : 0}); });
  });
  auto [replied, read] = seen.get_future().get();
  CHECK(replied == 152);
  CHECK(read == 152);
  auto next = client.Execute(key, w::ReserveStock{"o1", 1, "WIDGET", 151, kT0});
  REQUIRE(next);
  CHECK(next->version == 153);
}

TEST_CASE("every command in flight when the runtime stops gets exactly one answer", "[actors]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  auto runtime = std::make_unique<Runtime>(*store);
  constexpr int kWarehouses = 20, kCommands = 400;
  {
    Client client(*runtime);
    for (int i = 0; i < kWarehouses; ++i) {
      const auto id = "w" + std::to_string(i);
      REQUIRE(client.Execute(WarehouseKey("acme", id), CreateWarehouse("acme", id)));
    }
  }
  std::atomic<int> answers{0}, succeeded{0}, unavailable{0}, other{0};
  for (int i = 0; i < kCommands; ++i) {
    const auto id = "w" + std::to_string(i % kWarehouses);
    runtime->ExecuteAsync(WarehouseKey("acme", id), Receive("r" + std::to_string(i), 1), {}, [&](Reply r) {
      ++answers;
      if (r) {
        ++succeeded;
      } else if (r.error().kind == Failure::Kind::kUnavailable) {
        ++unavailable;
      } else {
        ++other;
      }
    });
  }
  runtime.reset();  // with most of those still queued in actors or at the writer
  CHECK(answers.load() == kCommands);
  CHECK(other.load() == 0);
  CHECK(succeeded.load() + unavailable.load() == kCommands);
  // What was answered as a success is in the log; nothing else is.
  std::uint64_t received = 0;
  for (int i = 0; i < kWarehouses; ++i) {
    received += store->StreamVersion("t/acme/warehouse/w" + std::to_string(i)).value() - 1;
  }
  CHECK(received >= static_cast<std::uint64_t>(succeeded.load()));
  CHECK(received <= static_cast<std::uint64_t>(kCommands));
}

TEST_CASE("a synchronous caller's timeout gives up without losing or doubling the command", "[actors]") {
  TempDir dir;
  auto switches = std::make_shared<keel::eventstore::test::FaultSwitches>();
  keel::eventstore::Options options;
  options.env = keel::eventstore::test::MakeFaultEnv(switches);
  auto store = OpenOrDie(dir.str(), options);
  Runtime runtime(*store);
  Client client(runtime);
  const auto key = WarehouseKey("acme", "w1");
  REQUIRE(client.Execute(key, CreateWarehouse("acme", "w1")));

  switches->wal_sync_delay_ms = 400;  // a disk that stalls
  CommandMeta meta;
  meta.idempotency_key = "receipt-r1";
  auto slow = client.Execute(key, Receive("r1", 5), meta, std::chrono::milliseconds(50));
  REQUIRE_FALSE(slow);
  CHECK(slow.error().kind == Failure::Kind::kUnavailable);
  CHECK(slow.error().message.find("no answer within 50 ms") != std::string::npos);

  // The command was not dropped: it lands once the disk catches up, and a retry with its key
  // gets the first outcome without appending again.
  REQUIRE(Eventually([&] { return store->StreamVersion("t/acme/warehouse/w1").value() == 2; }));
  switches->wal_sync_delay_ms = 0;
  auto retried = client.Execute(key, Receive("r1", 5), meta);
  REQUIRE(retried);
  CHECK(retried->duplicate);
  CHECK(retried->version == 2);
  CHECK(store->StreamVersion("t/acme/warehouse/w1").value() == 2);
  CHECK(StateOf<w::State>(*client.Get(key)).stock.at("WIDGET").on_hand == 5);
}
