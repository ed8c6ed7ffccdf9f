// `keel serve` as a process: it starts on the given data directory with the bootstrap key, serves a
// command, and on SIGTERM drains and exits 0 with the command durable.
#include <cstdlib>
#include <filesystem>
#include <regex>

#include "child_process.hpp"
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
