// `keel serve` as a process: it starts on the given data directory with the bootstrap key, serves a
// command, and on SIGTERM drains and exits 0 with the command durable.
#include <cstdlib>
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
      KEEL_BINARY, {"serve", "--data", dir.str() + "/data", "--listen", "127.0.0.1:0"},
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
