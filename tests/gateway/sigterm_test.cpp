// `keel serve` stopped by SIGTERM while clients keep sending commands, many times over: every request
// the server read is answered (201 done, or 503 'draining' refused), none is cut off; the process exits
// 0 within 2 s; every command answered 201 is in the log after a restart. The one request a client may
// send without an answer is the first on a connection it opened after the signal, which the kernel
// queued but the server, no longer accepting, never took: it is reset, and its command is not in the log.
#include <atomic>
#include <chrono>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include "child_process.hpp"
#include "gateway_world.hpp"

using keel::test::Json;
using keel::test::RawHttp;

namespace {

struct Tally {
  std::mutex mu;
  std::size_t sent = 0, done = 0, refused = 0, other = 0, unanswered = 0;
  std::size_t never_accepted = 0;  // unanswered, first on a connection opened after the signal
  std::vector<std::string> created;  // partner ids answered 201
  std::vector<std::string> lost;     // partner ids sent and not answered
  std::vector<std::string> lost_how;
  std::vector<std::string> statuses;  // unexpected answers, for the report
};

// One client: keep-alive requests until the server stops taking connections. A request that was
// written in full and got no answer counts as unanswered.
void Client(std::uint16_t port, int trial, int client, const std::atomic<bool>& signalled, Tally& tally) {
  const std::string auth = std::string("Authorization: Bearer ") + keel::test::kOwnerKey + "\r\n";
  int n = 0;
  for (int connections = 0; connections < 1000; ++connections) {
    const bool after_signal = signalled;
    RawHttp http(port, std::chrono::seconds(5));
    int on_connection = 0;
    if (!http.connected()) {
      if (signalled) return;  // the listener is closed: the server is going away
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    for (;;) {
      const std::string id = "p-" + std::to_string(trial) + "-" + std::to_string(client) + "-" + std::to_string(n++);
      auto reply = http.Request("POST", "/v1/partners", Json{{"id", id}, {"name", id}}.dump(), auth);
      std::lock_guard lock(tally.mu);
      ++tally.sent;
      ++on_connection;
      if (reply.status == 0) {
        ++tally.unanswered;
        if (after_signal && on_connection == 1) ++tally.never_accepted;
        tally.lost.push_back(id);
        tally.lost_how.push_back(id + " request " + std::to_string(on_connection) + " on a connection opened " +
                                 (after_signal ? "after" : "before") + " the signal");
        break;
      }
      if (reply.status == 201) {
        ++tally.done;
        tally.created.push_back(id);
      } else if (reply.status == 503 && reply.body.find("draining") != std::string::npos) {
        ++tally.refused;
      } else {
        ++tally.other;
        if (tally.statuses.size() < 10) tally.statuses.push_back(std::to_string(reply.status) + " " + reply.body);
      }
      if (reply.Header("connection") == "close") break;
    }
  }
}

}  // namespace

TEST_CASE("keel serve under load answers every request it read when SIGTERM comes, and exits 0 within 2 s, 50 times",
          "[gateway][serve][sigterm]") {
  keel::eventstore::test::TempDir dir;
  ::setenv("KEEL_BOOTSTRAP_KEY", keel::test::kOwnerKey, 1);
  constexpr int kTrials = 50, kClients = 8;
  Tally tally;
  std::size_t slow_exits = 0, bad_exits = 0;
  double slowest_s = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    std::vector<std::thread> clients;
    std::atomic<bool> signalled{false};
    std::chrono::steady_clock::time_point signalled_at;
    auto run = keel::test::RunUntilKilled(
        KEEL_BINARY, {"serve", "--data", dir.str() + "/data", "--listen", "127.0.0.1:0"},
        [&](const std::string& out) {
          std::smatch m;
          if (!std::regex_search(out, m, std::regex("serving on http://127\\.0\\.0\\.1:([0-9]+)"))) return false;
          const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
          for (int c = 0; c < kClients; ++c)
            clients.emplace_back(Client, port, trial, c, std::cref(signalled), std::ref(tally));
          // Vary the moment of the signal across trials, so it falls at every stage of a request.
          std::this_thread::sleep_for(std::chrono::milliseconds(60 + (trial * 37) % 140));
          signalled = true;
          signalled_at = std::chrono::steady_clock::now();
          return true;
        },
        SIGTERM);
    const double exit_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled_at).count();
    for (auto& t : clients) t.join();
    INFO("trial " << trial << ": " << run.output);
    REQUIRE(run.spawned);
    if (run.exit_code != 0) ++bad_exits;
    if (exit_s >= 2.0) ++slow_exits;
    slowest_s = std::max(slowest_s, exit_s);
  }
  ::unsetenv("KEEL_BOOTSTRAP_KEY");
  INFO("sent " << tally.sent << ", 201 " << tally.done << ", 503 draining " << tally.refused << ", other "
               << tally.other << ", unanswered " << tally.unanswered << " (never accepted " << tally.never_accepted
               << "); slowest exit " << slowest_s << " s");
  for (const auto& s : tally.statuses) INFO(s);
  CHECK(tally.unanswered == tally.never_accepted);  // nothing the server took is left unanswered
  CHECK(tally.other == 0);
  CHECK(bad_exits == 0);
  CHECK(slow_exits == 0);
  CHECK(tally.done > 0);
  CHECK(tally.refused > 0);  // the signal did fall while requests were coming
  // Every command answered 201 is durable.
  auto store = keel::eventstore::EventStore::Open(dir.str() + "/data");
  REQUIRE(store.has_value());
  std::size_t missing = 0;
  for (const auto& id : tally.created)
    if ((*store)->StreamVersion("t/_platform/partner/" + id).value_or(0) != 1) ++missing;
  CHECK(missing == 0);
  std::size_t lost_but_done = 0;  // unanswered, and yet the command is in the log
  for (std::size_t i = 0; i < tally.lost.size(); ++i) {
    INFO(tally.lost_how[i]);
    if ((*store)->StreamVersion("t/_platform/partner/" + tally.lost[i]).value_or(0) != 0) ++lost_but_done;
  }
  CHECK(lost_but_done == 0);
}
