// `keel serve` as a process: it starts on the given data directory with the bootstrap key, serves a
// command, and on SIGTERM drains and exits 0 with the command durable.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <thread>

#include "child_process.hpp"
#include "demo.hpp"
#include "gateway_world.hpp"

using keel::test::Json;
using keel::test::RawHttp;

TEST_CASE("keel serve serves and stops gracefully on SIGTERM", "[gateway][serve]") {
  keel::eventstore::test::TempDir dir;
  ::setenv("KEEL_BOOTSTRAP_KEY", keel::test::kOwnerKey, 1);
  int created = 0;
  auto run = keel::test::RunUntilKilled(
      KEEL_BINARY, {"serve", "--data", dir.str() + "/data", "--listen", "127.0.0.1:0", "--audit-retention-days", "30",
                    "--idempotency-retention-hours", "48"},
      [&](const std::string& out) {
        std::smatch m;
        if (!std::regex_search(out, m, std::regex("serving on http://127\\.0\\.0\\.1:([0-9]+)"))) return false;
        RawHttp http(static_cast<std::uint16_t>(std::stoi(m[1])));
        created = http.Request("POST", "/v1/partners", Json{{"id", "p1"}, {"name", "P1"}}.dump(),
                               std::string("Authorization: Bearer ") + keel::test::kOwnerKey + "\r\n")
                      .status;
        return true;
      },
      SIGTERM);
  ::unsetenv("KEEL_BOOTSTRAP_KEY");
  INFO(run.output);
  REQUIRE(run.spawned);
  CHECK(created == 201);
  CHECK(run.exit_code == 0);
  CHECK(run.output.find("draining") != std::string::npos);
  CHECK(run.output.find("keel: stopped") != std::string::npos);
  CHECK(run.output.find(keel::test::kOwnerKey) == std::string::npos);  // keys are never printed back
  auto store = keel::eventstore::EventStore::Open(dir.str() + "/data");
  REQUIRE(store.has_value());
  CHECK((*store)->StreamVersion("t/_platform/partner/p1").value() == 1);
}

TEST_CASE("keel serve refuses a retention that is not a whole number in range, before touching the data", "[gateway][serve]") {
  keel::eventstore::test::TempDir dir;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--audit-retention-days", "abc"}, {"--audit-retention-days", "0"},     {"--audit-retention-days", "-5"},
      {"--audit-retention-days", "3651"}, {"--audit-retention-days", "12x"}, {"--audit-retention-days", ""},
      {"--idempotency-retention-hours", "0"}, {"--idempotency-retention-hours", "8761"},
      {"--idempotency-retention-hours", "1.5"}, {"--idempotency-retention-hours", "99999999999999999999"}};
  for (const auto& [flag, value] : bad) {
    // Were a bad value accepted, the server would start: stop it then, and the checks below fail.
    auto run = keel::test::RunUntilKilled(KEEL_BINARY, {"serve", "--data", dir.str() + "/data", "--listen", "127.0.0.1:0", flag, value},
                                          [](const std::string& out) { return out.find("serving on") != std::string::npos; },
                                          SIGTERM, /*with_stderr=*/true);
    INFO(flag << " " << value << ": " << run.output);
    REQUIRE(run.spawned);
    CHECK(run.exit_code == 2);
    CHECK(run.output.find(flag + ": expected a whole number") != std::string::npos);
    CHECK(run.output.find("usage: keel serve") != std::string::npos);
  }
  auto missing = keel::test::RunUntilKilled(KEEL_BINARY, {"serve", "--audit-retention-days"},
                                            [](const std::string& out) { return out.find("serving on") != std::string::npos; },
                                            SIGTERM, true);
  CHECK(missing.exit_code == 2);
  CHECK(missing.output.find("--audit-retention-days needs a value") != std::string::npos);
  CHECK(!std::filesystem::exists(dir.str() + "/data"));  // refused before the store was opened
}

namespace {
// A port that was free a moment ago (the kernel hands out ephemeral ports round-robin).
std::uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}
}  // namespace

TEST_CASE("keel serve --demo answers /readyz 503 'starting' until the demo data is in, then ready", "[gateway][serve][ready]") {
  keel::eventstore::test::TempDir dir;
  const auto port = FreePort();
  std::atomic<bool> done{false};
  std::vector<std::string> answers;  // every /readyz answer, in order
  int order_when_ready = 0, partner_key_when_ready = 0;
  std::thread poller([&] {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done && std::chrono::steady_clock::now() < until) {
      RawHttp http(port, std::chrono::seconds(5));
      if (!http.connected()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      auto r = http.Request("GET", "/readyz");
      if (r.status == 0) continue;
      answers.push_back(std::to_string(r.status) + " " + (r.status == 200 ? std::string("ready") : keel::test::ProblemType(r)));
      if (r.status != 200) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      // What a client asks next, trusting the answer: the last tenant's demo order, with the demo keys.
      order_when_ready = http.Request("GET", "/v1/tenants/bluepeak:pixel-shop/orders/ord-1001", {},
                                      "Authorization: Bearer " + std::string(keel::app::kDemoOwnerKey) + "\r\n")
                             .status;
      partner_key_when_ready = http.Request("GET", "/v1/tenants/northwind:acme-dist", {},
                                            "Authorization: Bearer " + std::string(keel::app::kDemoPartnerKey) + "\r\n")
                                   .status;
      break;
    }
    done = true;
  });
  auto run = keel::test::RunUntilKilled(
      KEEL_BINARY, {"serve", "--data", dir.str() + "/data", "--listen", "127.0.0.1:" + std::to_string(port), "--demo"},
      [&](const std::string& out) {
        if (out.find("serving on") == std::string::npos) return false;
        poller.join();
        return true;
      },
      SIGTERM);
  done = true;
  if (poller.joinable()) poller.join();
  INFO(run.output);
  REQUIRE(run.spawned);
  CHECK(run.exit_code == 0);
  REQUIRE(!answers.empty());
  std::string seen;
  for (const auto& a : answers) seen += a + "; ";
  INFO("readyz answers: " << seen);
  CHECK(answers.front() == "503 starting");  // the port was open while seeding went on
  CHECK(answers.back() == "200 ready");
  for (std::size_t i = 0; i + 1 < answers.size(); ++i) CHECK(answers[i] == "503 starting");
  CHECK(order_when_ready == 200);
  CHECK(partner_key_when_ready == 200);
}

TEST_CASE("keel serve says on stderr what opening the store found, and restarts leave no pile of info logs",
          "[gateway][serve][start_line]") {
  keel::eventstore::test::TempDir dir;
  ::setenv("KEEL_BOOTSTRAP_KEY", keel::test::kOwnerKey, 1);
  std::vector<std::string> lines;
  std::uint64_t last_head = 0;
  for (int start = 0; start < 4; ++start) {
    auto run = keel::test::RunUntilKilled(
        KEEL_BINARY, {"serve", "--data", dir.str() + "/data", "--listen", "127.0.0.1:0"},
        [&](const std::string& out) {
          std::smatch m;
          if (!std::regex_search(out, m, std::regex("serving on http://127\\.0\\.0\\.1:([0-9]+)"))) return false;
          RawHttp http(static_cast<std::uint16_t>(std::stoi(m[1])));
          http.Request("POST", "/v1/partners", Json{{"id", "p" + std::to_string(start)}, {"name", "P"}}.dump(),
                       std::string("Authorization: Bearer ") + keel::test::kOwnerKey + "\r\n");
          return true;
        },
        SIGTERM, /*with_stderr=*/true);
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(run.output, m, std::regex("keel: event store [^\\n]* opened in [0-9.]+ ms: head ([0-9]+) \\(([0-9]+) events\\); verify on open: ([^\\n]*)")));
    lines.push_back(m[0]);
    const std::uint64_t head = std::stoull(m[1]);
    if (start == 0) {
      CHECK(head == 0);
      CHECK(m[3] == "nothing to check");
    } else {
      CHECK(head > last_head);  // the partner the run before created is in the recovered head
      CHECK(m[3].str() == "positions 1.." + std::to_string(head) + " re-hashed, chain intact");
    }
    last_head = head;
  }
  ::unsetenv("KEEL_BOOTSTRAP_KEY");
  std::size_t info_logs = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.str() + "/data"))
    if (e.path().filename().string().starts_with("LOG")) ++info_logs;
  CHECK(info_logs <= 2);  // LOG and at most one LOG.old, however many starts
}

namespace {
// Starts `keel serve` on `data` with --demo when asked, runs `probe(port)` once it serves, then stops
// it with SIGTERM. The environment is set by the caller.
keel::test::KilledRun ServeOnce(const std::string& data, bool demo, const std::function<void(std::uint16_t)>& probe) {
  std::vector<std::string> args{"serve", "--data", data, "--listen", "127.0.0.1:0"};
  if (demo) args.push_back("--demo");
  return keel::test::RunUntilKilled(
      KEEL_BINARY, args,
      [&](const std::string& out) {
        std::smatch m;
        if (!std::regex_search(out, m, std::regex("serving on http://127\\.0\\.0\\.1:([0-9]+)"))) return false;
        probe(static_cast<std::uint16_t>(std::stoi(m[1])));
        return true;
      },
      SIGTERM, /*with_stderr=*/true);
}
int StatusWith(std::uint16_t port, const std::string& method, const std::string& target, const std::string& key) {
  RawHttp http(port);
  return http.Request(method, target, "", "Authorization: Bearer " + key + "\r\n").status;
}
}  // namespace

TEST_CASE("keel serve keeps revoked demo and bootstrap keys revoked across restarts and refuses weak or foreign keys",
          "[gateway][serve][keys]") {
  keel::eventstore::test::TempDir dir;
  const std::string data = dir.str() + "/data";
  const std::string owner = keel::test::kOwnerKey, demo_owner = keel::app::kDemoOwnerKey;
  ::setenv("KEEL_BOOTSTRAP_KEY", owner.c_str(), 1);
  // 1. A fresh data dir with --demo: both owner keys work; the bootstrap owner revokes the demo owner key.
  int revoked = 0, demo_after_revoke = 0;
  auto first = ServeOnce(data, true, [&](std::uint16_t port) {
    RawHttp http(port);
    auto keys = Json::parse(http.Request("GET", "/v1/keys", "", "Authorization: Bearer " + owner + "\r\n").body, nullptr, false);
    for (const auto& k : keys["keys"])
      if (k["name"] == "demo owner") revoked = StatusWith(port, "DELETE", "/v1/keys/" + k["id"].get<std::string>(), owner);
    demo_after_revoke = StatusWith(port, "GET", "/v1/keys", demo_owner);
  });
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(revoked == 200);
  CHECK(demo_after_revoke == 401);
  // The master key file was created beside the data directory, readable by its owner only.
  struct stat st {};
  REQUIRE(::stat((data + ".master-key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(first.output.find("created the master key file") != std::string::npos);

  // 2. Restarted with --demo again (the data dir has data): the demo owner key stays revoked.
  int demo_again = 0, owner_again = 0;
  auto second = ServeOnce(data, true, [&](std::uint16_t port) {
    demo_again = StatusWith(port, "GET", "/v1/keys", demo_owner);
    owner_again = StatusWith(port, "GET", "/v1/keys", owner);
  });
  INFO(second.output);
  CHECK(second.exit_code == 0);
  CHECK(demo_again == 401);
  CHECK(owner_again == 200);
  CHECK(second.output.find("not seeding") != std::string::npos);

  // 3. Another KEEL_BOOTSTRAP_KEY later is not imported: the data dir has platform-owner keys.
  const std::string other = "another_strong_owner_key_9876543210";
  ::setenv("KEEL_BOOTSTRAP_KEY", other.c_str(), 1);
  int other_status = 0;
  auto third = ServeOnce(data, false, [&](std::uint16_t port) { other_status = StatusWith(port, "GET", "/v1/keys", other); });
  INFO(third.output);
  CHECK(third.exit_code == 0);
  CHECK(other_status == 401);
  CHECK(third.output.find("KEEL_BOOTSTRAP_KEY ignored") != std::string::npos);

  // 4. A weak bootstrap key is refused before anything starts (exit 2), short or with few characters.
  for (const std::string weak : {"short_key", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababababababab"}) {
    ::setenv("KEEL_BOOTSTRAP_KEY", weak.c_str(), 1);
    auto refused = ServeOnce(data, false, [](std::uint16_t) {});
    INFO(weak << ": " << refused.output);
    CHECK(refused.exit_code == 2);
    CHECK(refused.output.find("KEEL_BOOTSTRAP_KEY refused") != std::string::npos);
  }
  ::unsetenv("KEEL_BOOTSTRAP_KEY");

  // 5. A master key other than the one the keys were made under is refused with a clear message.
  ::setenv("KEEL_MASTER_KEY", std::string(64, 'a').c_str(), 1);
  auto foreign = ServeOnce(data, false, [](std::uint16_t) {});
  ::unsetenv("KEEL_MASTER_KEY");
  INFO(foreign.output);
  CHECK(foreign.exit_code == 2);  // an environment error
  CHECK(foreign.output.find("master key") != std::string::npos);
  // With the right one (the file), the owner key still works.
  int owner_last = 0;
  auto last = ServeOnce(data, false, [&](std::uint16_t port) { owner_last = StatusWith(port, "GET", "/v1/keys", owner); });
  CHECK(owner_last == 200);
}

TEST_CASE("keel serve writes its request log at the level and in the format asked, and refuses unknown ones",
          "[gateway][serve][log]") {
  keel::eventstore::test::TempDir dir;
  ::setenv("KEEL_BOOTSTRAP_KEY", keel::test::kOwnerKey, 1);
  const std::string data = dir.str() + "/data";
  auto run = keel::test::RunUntilKilled(
      KEEL_BINARY, {"serve", "--data", data, "--listen", "127.0.0.1:0", "--log-format", "text", "--log-level", "warn"},
      [&](const std::string& out) {
        std::smatch m;
        if (!std::regex_search(out, m, std::regex("serving on http://127\\.0\\.0\\.1:([0-9]+)"))) return false;
        const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
        StatusWith(port, "GET", "/v1/plans", keel::test::kOwnerKey);           // 200: info, below the level
        StatusWith(port, "GET", "/v1/partners/nope", keel::test::kOwnerKey);   // 404: warn
        std::this_thread::sleep_for(std::chrono::milliseconds(200));          // the log is written off the request's thread
        return true;
      },
      SIGTERM, /*with_stderr=*/true);
  ::unsetenv("KEEL_BOOTSTRAP_KEY");
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(std::regex_search(run.output, std::regex("WARN  [0-9a-f]{16} 127\\.0\\.0\\.1:[0-9]+ GET /v1/partners/nope get_partner 404 ")));
  CHECK(run.output.find("/v1/plans") == std::string::npos);
  CHECK(run.output.find(keel::test::kOwnerKey) == std::string::npos);
  for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{{"--log-format", "xml"}, {"--log-level", "loud"}}) {
    auto refused = keel::test::RunUntilKilled(KEEL_BINARY, {"serve", "--data", data, "--listen", "127.0.0.1:0", flag, value},
                                              [](const std::string& out) { return out.find("serving on") != std::string::npos; },
                                              SIGTERM, true);
    INFO(flag << " " << value << ": " << refused.output);
    CHECK(refused.exit_code == 2);
  }
}

TEST_CASE("a failed first start of keel serve --demo leaves nothing behind and the next one seeds", "[gateway][serve]") {
  keel::eventstore::test::TempDir dir;
  const std::string data = dir.str() + "/data";
  // A start that cannot listen (the port is taken) exits 2, and removes the store and key it made.
  const int taken = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(taken, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(taken, 1) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(taken, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  auto failed = keel::test::RunUntilKilled(
      KEEL_BINARY, {"serve", "--data", data, "--listen", "127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), "--demo"},
      [](const std::string&) { return false; }, SIGTERM, /*with_stderr=*/true);
  ::close(taken);
  INFO(failed.output);
  CHECK(failed.exit_code == 2);
  CHECK_FALSE(std::filesystem::exists(data));
  CHECK_FALSE(std::filesystem::exists(data + ".master-key"));
  // The next --demo start seeds it: the demo partner admin reads a demo tenant.
  int demo_tenant = 0;
  auto second = ServeOnce(data, true, [&](std::uint16_t port) {
    demo_tenant = StatusWith(port, "GET", "/v1/tenants/northwind:acme-dist", keel::app::kDemoPartnerKey);
  });
  INFO(second.output);
  CHECK(second.exit_code == 0);
  CHECK(demo_tenant == 200);
  CHECK(second.output.find("demo data: 2 partners") != std::string::npos);
}
