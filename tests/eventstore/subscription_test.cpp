// Subscriptions: catch up from disk, follow live appends, and fall back to disk when slow, always
// delivering every event exactly once and in order.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "test_support.hpp"

using namespace keel::eventstore;
using namespace keel::eventstore::test;
using namespace std::chrono_literals;

namespace {

// Collects delivered positions; thread-safe.
struct Collector {
  std::mutex mu;
  std::vector<std::uint64_t> positions;
  void operator()(const EventView& v) {
    std::lock_guard lock(mu);
    positions.push_back(v.position);
  }
  std::vector<std::uint64_t> Snapshot() {
    std::lock_guard lock(mu);
    return positions;
  }
};

// Polls `done` for at most `limit`; returns whether it became true.
template <class F>
bool WaitFor(F done, std::chrono::milliseconds limit = 30s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return done();
}

void CheckExactlyOnceInOrder(const std::vector<std::uint64_t>& got, std::uint64_t from, std::uint64_t to) {
  REQUIRE(got.size() == to - from + 1);
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != from + i) FAIL("position " << got[i] << " delivered at index " << i);
  }
}

// Catch2 assertions are not thread-safe: writers count failures and the test thread checks them.
void AppendMany(EventStore& store, int threads, int appends) {
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < appends; ++i) {
        if (!store.Append("t/acme/order/w" + std::to_string(t), ExpectedVersion::Any(),
                          {Ev("Tick"), Ev("Tock")})) {
          ++failures;
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  REQUIRE(failures.load() == 0);
}

}  // namespace

TEST_CASE("a subscription started behind the head while writers append gets every event once and in order",
          "[eventstore][subscription]") {
  TempDir dir;
  Options options;
  options.durability = Durability::kBuffered;  // the property under test is ordering, not fsync
  auto store = OpenOrDie(dir.str(), options);
  AppendMany(*store, 2, 500);  // 2,000 events already on disk
  Collector got;
  auto sub = store->Subscribe(1, std::ref(got), SubscriptionOptions{256, 64});
  AppendMany(*store, 4, 400);  // 3,200 more while it catches up and goes live
  const std::uint64_t head = store->HeadPosition();
  REQUIRE(head == 5200);
  REQUIRE(WaitFor([&] { return sub->next_position() == head + 1; }));
  sub->Stop();
  CheckExactlyOnceInOrder(got.Snapshot(), 1, head);
  CHECK(sub->stats().went_live >= 1);
  CHECK_FALSE(sub->error());
}

TEST_CASE("a gathering subscription waits before delivering and still delivers every event once, in order",
          "[eventstore][subscription]") {
  TempDir dir;
  Options options;
  options.durability = Durability::kBuffered;
  auto store = OpenOrDie(dir.str(), options);
  // With a 50 ms gather, the first commit wakes the subscription, which then waits 50 ms before it
  // delivers anything; every commit of that window arrives in one delivery round.
  std::atomic<int> deliveries{0};
  Collector got;
  SubscriptionOptions gathering;
  gathering.gather = std::chrono::milliseconds(50);
  auto sub = store->Subscribe(1, [&](const EventView& v) {
    ++deliveries;
    got(v);
  }, gathering);
  REQUIRE(WaitFor([&] { return sub->stats().live; }));
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i) {  // 40 commits of two events over ~40 ms: most arrive within one gather
    REQUIRE(store->Append("t/acme/order/g", ExpectedVersion::Any(), {Ev("Tick"), Ev("Tock")}));
    std::this_thread::sleep_for(1ms);
  }
  // Nothing is delivered before the gather interval ends (unless this thread was descheduled).
  if (std::chrono::steady_clock::now() - start < 45ms) CHECK(deliveries.load() == 0);
  REQUIRE(WaitFor([&] { return sub->next_position() == 81; }));
  AppendMany(*store, 3, 50);  // concurrent writers: still exactly once, in order
  REQUIRE(WaitFor([&] { return sub->next_position() == 381; }));
  // Stopping does not wait for more than one gather interval.
  const auto stopping = std::chrono::steady_clock::now();
  sub->Stop();
  CHECK(std::chrono::steady_clock::now() - stopping < 2s);
  CheckExactlyOnceInOrder(got.Snapshot(), 1, 380);
  CHECK_FALSE(sub->error());
}

TEST_CASE("a subscription from the middle starts at its position", "[eventstore][subscription]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  for (int i = 0; i < 10; ++i) REQUIRE(store->Append("t/acme/order/1", ExpectedVersion::Any(), {Ev("E")}));
  Collector got;
  auto sub = store->Subscribe(7, std::ref(got));
  REQUIRE(store->Append("t/acme/order/1", ExpectedVersion::Any(), {Ev("E")}));
  REQUIRE(WaitFor([&] { return sub->next_position() == 12; }));
  CheckExactlyOnceInOrder(got.Snapshot(), 7, 11);
}

TEST_CASE("a slow consumer falls back to disk instead of growing memory or blocking writers",
          "[eventstore][subscription]") {
  TempDir dir;
  Options options;
  options.durability = Durability::kBuffered;
  auto store = OpenOrDie(dir.str(), options);
  std::mutex gate;
  std::unique_lock hold(gate);  // the consumer blocks on its first event until we let go
  Collector got;
  auto sub = store->Subscribe(1, [&](const EventView& v) {
    if (v.position == 1) std::lock_guard wait(gate);
    got(v);
  }, SubscriptionOptions{16, 8});
  REQUIRE(WaitFor([&] { return sub->stats().live; }));

  // Writers must finish although the consumer is stuck and its buffer holds only 16 events.
  AppendMany(*store, 2, 100);
  CHECK(store->HeadPosition() == 400);
  hold.unlock();

  REQUIRE(WaitFor([&] { return sub->next_position() == 401; }));
  AppendMany(*store, 1, 10);  // and it follows live again afterwards
  REQUIRE(WaitFor([&] { return sub->next_position() == 421; }));
  sub->Stop();
  auto stats = sub->stats();
  CHECK(stats.fell_behind >= 1);
  CHECK(stats.went_live >= 2);
  CheckExactlyOnceInOrder(got.Snapshot(), 1, 420);
}

TEST_CASE("a handler that throws stops its subscription with an error", "[eventstore][subscription]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  for (int i = 0; i < 5; ++i) REQUIRE(store->Append("t/acme/order/1", ExpectedVersion::Any(), {Ev("E")}));
  auto sub = store->Subscribe(1, [](const EventView& v) {
    if (v.position == 3) throw std::runtime_error("projection bug");
  });
  REQUIRE(WaitFor([&] { return sub->error().has_value(); }));
  CHECK(sub->next_position() == 3);  // 1 and 2 were delivered; 3 was not
  CHECK(sub->error()->message.find("projection bug") != std::string::npos);
}

TEST_CASE("closing the store stops its subscriptions", "[eventstore][subscription]") {
  TempDir dir;
  Collector got;
  std::unique_ptr<Subscription> sub;
  {
    auto store = OpenOrDie(dir.str());
    REQUIRE(store->Append("t/acme/order/1", ExpectedVersion::Any(), {Ev("E")}));
    sub = store->Subscribe(1, std::ref(got));
    REQUIRE(WaitFor([&] { return sub->next_position() == 2; }));
  }
  sub->Stop();  // after the store is gone: a no-op, not a crash
  CHECK(got.Snapshot() == std::vector<std::uint64_t>{1});
}
