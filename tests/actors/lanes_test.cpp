// Asynchronous process-manager machinery: Tasks awaiting the runtime, lanes (one piece of work at a
// time per lane, lanes side by side) and the asynchronous ProcessManager's low-water mark (its
// checkpoint never passes an event whose work has not finished, so a restart replays it).
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "actors/lanes.hpp"
#include "actors/task.hpp"
#include "managed_world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
namespace w = keel::domain::warehouse;

namespace {

// An awaitable the test opens by hand, from another thread.
struct Latch {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  std::coroutine_handle<> waiter;
  int waiting = 0;

  struct Awaiter {
    Latch& latch;
    bool await_ready() {
      std::lock_guard lock(latch.mu);
      return latch.open;
    }
    bool await_suspend(std::coroutine_handle<> h) {
      std::lock_guard lock(latch.mu);
      if (latch.open) return false;
      latch.waiter = h;
      ++latch.waiting;
      latch.cv.notify_all();
      return true;
    }
    void await_resume() {}
  };
  Awaiter operator co_await() { return Awaiter{*this}; }

  void Open() {
    std::coroutine_handle<> h;
    {
      std::lock_guard lock(mu);
      open = true;
      h = std::exchange(waiter, {});
    }
    if (h) h.resume();
  }
  bool WaitForWaiter(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, limit, [&] { return waiting > 0; });
  }
};

Task Record(std::vector<int>& log, std::mutex& mu, int id, Latch* latch) {
  {
    std::lock_guard lock(mu);
    log.push_back(id);
  }
  if (latch != nullptr) co_await *latch;
  std::lock_guard lock(mu);
  log.push_back(-id);
}

}  // namespace

TEST_CASE("work in one lane runs one piece at a time in the order posted, other lanes run meanwhile",
          "[actors][lanes]") {
  Lanes lanes;
  std::vector<int> log;
  std::mutex mu;
  Latch first;
  std::atomic<int> done{0};
  lanes.Post("a", [&] { return Record(log, mu, 1, &first); }, [&] { ++done; });
  lanes.Post("a", [&] { return Record(log, mu, 2, nullptr); }, [&] { ++done; });
  lanes.Post("b", [&] { return Record(log, mu, 3, nullptr); }, [&] { ++done; });
  REQUIRE(first.WaitForWaiter());
  {
    std::lock_guard lock(mu);
    // 1 waits; 2 is queued behind it in lane a; 3 ran to the end in lane b.
    CHECK(log == std::vector<int>{1, 3, -3});
  }
  CHECK(done == 1);
  CHECK(lanes.busy() == 1);
  first.Open();
  CHECK(log == std::vector<int>{1, 3, -3, -1, 2, -2});
  CHECK(done == 3);
  CHECK(lanes.busy() == 0);
}

TEST_CASE("a long queue of work that never waits does not nest on the stack", "[actors][lanes]") {
  Lanes lanes;
  std::vector<int> log;
  std::mutex mu;
  Latch gate;
  lanes.Post("a", [&] { return Record(log, mu, 1, &gate); });
  constexpr int kQueued = 200'000;  // deep enough to overflow the stack if each started the next inside itself
  for (int i = 0; i < kQueued; ++i) lanes.Post("a", [&, i] { return Record(log, mu, i + 2, nullptr); });
  REQUIRE(gate.WaitForWaiter());
  gate.Open();
  CHECK(log.size() == 2u * (kQueued + 1));
  CHECK(log.back() == -(kQueued + 1));
  CHECK(lanes.busy() == 0);
}

TEST_CASE("a task awaits commands and reads on the runtime, one or several at once", "[actors][lanes]") {
  OneWarehouse world;
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  std::vector<Reply> replies;
  std::optional<Snapshot> after;
  auto work = [&]() -> Task {
    std::vector<SendCommand> sends;
    sends.push_back({world.key, Receive("r1", 5), {"k1", "test", "", "", std::nullopt}});
    sends.push_back({world.key, Receive("r2", 7), {"k2", "test", "", "", std::nullopt}});
    sends.push_back({OrderKey("acme", "o1"), w::Command(w::ReleaseReservation{"o1", 1, kT0}), {}});  // wrong kind
    auto all = AwaitExecuteAll(world.runtime, std::move(sends));
    replies = co_await all;
    auto read = AwaitRead(world.runtime, world.key);
    after = co_await read;
  };
  Task::Start(work(), [&] {
    std::lock_guard lock(mu);
    finished = true;
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return finished; }));
  REQUIRE(replies.size() == 3);
  CHECK(replies[0].has_value());
  CHECK(replies[1].has_value());
  REQUIRE_FALSE(replies[2].has_value());
  CHECK(replies[2].error().kind == Failure::Kind::kInvalid);
  REQUIRE(after);
  CHECK(after->As<w::State>().stock.at("WIDGET").on_hand == 12);
}

TEST_CASE("an asynchronous manager runs lanes side by side and never checkpoints past unfinished work",
          "[actors][lanes]") {
  ManagedWorld world;
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), CreateWarehouse("acme", "w1")));
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w2"), CreateWarehouse("acme", "w2")));
  auto lanes = std::make_shared<Lanes>();
  Latch held;  // the first receipt's work waits on it
  std::mutex mu;
  std::vector<std::string> finished;  // receipt ids whose work finished
  std::uint64_t first_position = 0;
  auto handler = [&](const DomainEvent& e) -> std::vector<ProcessManager::Work> {
    const auto& received = std::get<w::StockReceived>(std::get<w::Event>(e.event));
    const bool hold = received.receipt_id == "r1";
    if (hold) first_position = e.position;
    const std::string id = received.receipt_id;
    return {ProcessManager::Work{e.key.id, [&, hold, id]() -> Task {
                                  if (hold) co_await held;
                                  std::lock_guard lock(mu);
                                  finished.push_back(id);
                                }}};
  };
  auto manager = std::make_unique<ProcessManager>("test.async", *world.store, world.runtime, lanes, handler,
                                                  std::set<std::string, std::less<>>{"StockReceived"});
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), Receive("r1", 1)));  // lane w1, held
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w2"), Receive("r2", 1)));  // lane w2: runs meanwhile
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), Receive("r3", 1)));  // lane w1: waits behind r1
  const auto head = world.store->HeadPosition();
  REQUIRE(held.WaitForWaiter());
  REQUIRE(Eventually([&] {
    std::lock_guard lock(mu);
    return finished.size() == 1;
  }));
  // r3 reaches the manager on its subscription thread, maybe after r2 has finished.
  CHECK(Eventually([&] { return manager->in_flight() == 2; }));
  {
    std::lock_guard lock(mu);
    CHECK(finished == std::vector<std::string>{"r2"});
  }
  // Handled only up to the event before the unfinished one, however far the others got.
  CHECK_FALSE(manager->WaitUntilProcessed(first_position, std::chrono::milliseconds(50)));
  CHECK(manager->next_position() == first_position);
  held.Open();
  REQUIRE(manager->WaitUntilProcessed(head, std::chrono::seconds(10)));
  CHECK(finished == std::vector<std::string>{"r2", "r1", "r3"});
  CHECK(manager->in_flight() == 0);
  manager.reset();  // stops and saves the checkpoint
  auto checkpoint = world.store->LoadCheckpoint("test.async");
  REQUIRE(checkpoint);
  REQUIRE(checkpoint->has_value());
  CHECK(**checkpoint == head);
}

TEST_CASE("an asynchronous manager stopped with work held finishes it first and restarts after it",
          "[actors][lanes]") {
  ManagedWorld world;
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), CreateWarehouse("acme", "w1")));
  auto lanes = std::make_shared<Lanes>();
  Latch held;
  std::atomic<int> runs{0};
  auto handler = [&](const DomainEvent&) -> std::vector<ProcessManager::Work> {
    return {ProcessManager::Work{"w1", [&]() -> Task {
                                  ++runs;
                                  co_await held;
                                }}};
  };
  auto manager = std::make_unique<ProcessManager>("test.async.stop", *world.store, world.runtime, lanes, handler,
                                                  std::set<std::string, std::less<>>{"StockReceived"});
  REQUIRE(world.client.Execute(WarehouseKey("acme", "w1"), Receive("r1", 1)));
  REQUIRE(held.WaitForWaiter());
  std::thread opener([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    held.Open();
  });
  manager->Stop();  // waits for the held work
  opener.join();
  CHECK(runs == 1);
  CHECK(manager->in_flight() == 0);
  const auto checkpoint = world.store->LoadCheckpoint("test.async.stop");
  REQUIRE(checkpoint);
  REQUIRE(checkpoint->has_value());
  CHECK(**checkpoint == world.store->HeadPosition());
}
