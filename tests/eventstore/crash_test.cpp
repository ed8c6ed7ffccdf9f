// Crash safety: a child process appending from several threads is killed with SIGKILL; the reopened
// store holds every acknowledged append, whole batches only, gapless positions and an intact chain.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "child_process.hpp"
#include "test_support.hpp"

using namespace keel::eventstore;
using namespace keel::eventstore::test;

namespace {

struct Ack {
  int thread;
  std::uint64_t first_position, last_position, order_version, ledger_version;
};

// Runs the writer until it has acknowledged `min_acks` appends, kills it, returns every ack it printed.
std::vector<Ack> RunAndKill(const std::string& dir, int threads, std::size_t min_acks) {
  auto run = keel::test::RunUntilKilled(KEEL_CRASH_WRITER, {dir, std::to_string(threads)},
                                        [&](const std::string& out) { return keel::test::CountOf(out, "\n") >= min_acks; });
  REQUIRE(run.spawned);
  REQUIRE(run.killed);  // mid-append: other threads have appends in flight
  CHECK(run.died_of_sigkill);
  const std::string& text = run.output;

  std::vector<Ack> acks;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    Ack a{};
    if (fields >> a.thread >> a.first_position >> a.last_position >> a.order_version >> a.ledger_version) {
      acks.push_back(a);
    }  // a torn last line (killed mid-write) is not an ack
  }
  return acks;
}

}  // namespace

TEST_CASE("after SIGKILL mid-append every acknowledged append is present and no batch is partial",
          "[eventstore][crash]") {
  TempDir dir;
  constexpr int kThreads = 8;
  std::vector<Ack> acks;
  for (int round = 0; round < 3; ++round) {  // crash, reopen, crash again on the same directory
    auto more = RunAndKill(dir.str(), kThreads, 150);
    acks.insert(acks.end(), more.begin(), more.end());
  }
  REQUIRE(acks.size() >= 450);

  auto store = OpenOrDie(dir.str(), [] { Options o; o.verify_on_open = VerifyOnOpen::kFull; return o; }());
  const std::uint64_t head = store->HeadPosition();
  auto report = store->Verify().value();
  CHECK(report.ok);
  CHECK(report.checked == head);  // gapless 1..head with an intact chain

  for (const auto& a : acks) {
    auto events = store->ReadAll(a.first_position, 3).value();
    REQUIRE(events.size() == 3);
    CHECK(events[0].stream == "t/crash/order/" + std::to_string(a.thread));
    CHECK(events[1].version == a.order_version);
    CHECK(events[2].stream == "t/crash/ledger/" + std::to_string(a.thread));
    CHECK(events[2].version == a.ledger_version);
    CHECK(events[2].position == a.last_position);
  }
  // Whole batches only: each thread's order stream holds exactly two events per ledger event.
  for (int t = 0; t < kThreads; ++t) {
    const auto orders = store->StreamVersion("t/crash/order/" + std::to_string(t)).value();
    const auto ledger = store->StreamVersion("t/crash/ledger/" + std::to_string(t)).value();
    CHECK(orders == 2 * ledger);
  }
  std::uint64_t total = 0;
  for (int t = 0; t < kThreads; ++t) total += 3 * store->StreamVersion("t/crash/ledger/" + std::to_string(t)).value();
  CHECK(total == head);
}
