// Many threads appending at once: positions stay gapless, versions contiguous, no update lost.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <thread>

#include "test_support.hpp"

using namespace keel::eventstore;
using namespace keel::eventstore::test;

TEST_CASE("concurrent appenders get gapless positions and contiguous versions",
          "[eventstore][concurrency]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  constexpr int kThreads = 16;
  constexpr int kAppends = 60;
  std::vector<std::thread> threads;
  std::vector<std::vector<AppendResult>> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        // Own stream with exact versions, plus a stream every thread shares with "any".
        AppendRequest r;
        r.streams.push_back({"t/acme/order/" + std::to_string(t), ExpectedVersion::Exact(i * 2),
                             {Ev("A", std::to_string(i)), Ev("B")}});
        r.streams.push_back({"t/acme/audit/shared", ExpectedVersion::Any(), {Ev("Touched")}});
        auto res = store->Append(std::move(r));
        if (res) results[t].push_back(*res);
      }
    });
  }
  for (auto& th : threads) th.join();

  const std::uint64_t total = kThreads * kAppends * 3;
  CHECK(store->HeadPosition() == total);
  std::set<std::uint64_t> positions;
  for (int t = 0; t < kThreads; ++t) {
    REQUIRE(results[t].size() == kAppends);
    for (const auto& r : results[t]) {
      CHECK(r.last_position - r.first_position == 2);  // one append's events are contiguous
      for (auto p = r.first_position; p <= r.last_position; ++p) positions.insert(p);
    }
  }
  CHECK(positions.size() == total);
  CHECK(*positions.begin() == 1);
  CHECK(*positions.rbegin() == total);

  auto all = store->ReadAll(1).value();
  REQUIRE(all.size() == total);
  std::map<std::string, std::uint64_t> last_version;
  for (std::uint64_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].position == i + 1);
    CHECK(all[i].version == last_version[all[i].stream] + 1);
    last_version[all[i].stream] = all[i].version;
  }
  CHECK(last_version["t/acme/audit/shared"] == kThreads * kAppends);
  CHECK(store->Verify().value().ok);
}

TEST_CASE("racing writers on one stream never lose an update", "[eventstore][concurrency]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  constexpr int kThreads = 8;
  constexpr int kIncrements = 40;
  std::atomic<int> conflicts{0};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int done = 0; done < kIncrements;) {
        auto version = store->StreamVersion("t/acme/counter/1").value();
        auto r = store->Append("t/acme/counter/1", ExpectedVersion::Exact(version), {Ev("Incremented")});
        if (r) {
          ++done;
        } else if (r.error().code == Errc::kVersionConflict) {
          ++conflicts;
        } else {
          ++unexpected;
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  REQUIRE(unexpected.load() == 0);
  CHECK(store->StreamVersion("t/acme/counter/1").value() == kThreads * kIncrements);
  CHECK(store->ReadStream("t/acme/counter/1", 1).value().size() == kThreads * kIncrements);
  INFO("conflicts seen: " << conflicts.load());
}

TEST_CASE("readers never see part of an append while writers commit", "[eventstore][concurrency]") {
  TempDir dir;
  Options options;
  options.durability = Durability::kBuffered;  // many commits quickly; atomicity is what is tested
  auto store = OpenOrDie(dir.str(), options);
  std::atomic<int> finished{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 150; ++i) {
        AppendRequest r;  // three events on one stream and one on another, atomically
        r.streams.push_back({"t/acme/order/" + std::to_string(t), ExpectedVersion::Any(),
                             {Ev("A"), Ev("B"), Ev("C")}});
        r.streams.push_back({"t/acme/ledger/" + std::to_string(t), ExpectedVersion::Any(), {Ev("D")}});
        (void)store->Append(std::move(r));
      }
      ++finished;
    });
  }
  int reads = 0, torn = 0, gaps = 0;
  for (bool last = false; !last;) {
    last = finished.load() == 4;  // one more full read after the writers are done
    auto all = store->ReadAll(1).value();
    ++reads;
    if (all.size() % 4 != 0) ++torn;
    std::map<std::string, std::uint64_t> count;
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (all[i].position != i + 1) ++gaps;
      ++count[all[i].stream];
    }
    for (int t = 0; t < 4; ++t) {
      if (count["t/acme/order/" + std::to_string(t)] != 3 * count["t/acme/ledger/" + std::to_string(t)]) ++torn;
      auto stream = store->ReadStream("t/acme/order/" + std::to_string(t), 1).value();
      if (stream.size() % 3 != 0) ++torn;
    }
  }
  for (auto& w : writers) w.join();
  INFO("reads while writing: " << reads);
  CHECK(reads > 1);
  CHECK(store->HeadPosition() == 4 * 150 * 4);
  CHECK(torn == 0);
  CHECK(gaps == 0);
}
