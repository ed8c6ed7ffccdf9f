// The simulated business clock over HTTP: only the platform owner moves it, only forward, only when
// the node runs on it (`keel serve --clock simulated`); billing periods close as it moves; the wall
// clock stays apart, so a retried command is never applied twice however far business time moves.
#include <regex>

#include "child_process.hpp"
#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::RawHttp;

namespace {

constexpr std::int64_t kDay = 86'400'000;

using keel::test::ProblemType;

keel::test::WorldOptions Simulated() {
  keel::test::WorldOptions o;
  o.simulated_admin_clock = true;
  return o;
}

}  // namespace

TEST_CASE("the platform owner moves simulated business time and billing follows it", "[gateway][e2e][clock]") {
  GatewayWorld w(Simulated());
  w.LiveTenant("p1", "p1:t1");
  auto clock = w.CallJson("GET", "/v1/admin/clock", nullptr, keel::test::kOwnerKey, 200);
  CHECK(clock["mode"] == "simulated");
  CHECK(clock["now"] == keel::test::kStart);

  const Json before = w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, keel::test::kOwnerKey, 200);
  const std::int64_t period_end = before["state"]["period_end"];
  auto moved = w.CallJson("POST", "/v1/admin/clock/advance", {{"days", 31}, {"hours", 1}}, keel::test::kOwnerKey, 200);
  CHECK(moved["from"] == keel::test::kStart);
  CHECK(moved["now"] == keel::test::kStart + 31 * kDay + 3'600'000);
  CHECK(moved["billing"]["invoices"] == 1);
  CHECK(moved["billing"]["renewals"] == 1);
  CHECK(w.clock.NowMs() == keel::test::kStart + 31 * kDay + 3'600'000);
  CHECK(w.wall.NowMs() == keel::test::kStart);  // the wall clock did not move

  const Json billing = w.CallJson("GET", "/v1/tenants/p1:t1/billing", nullptr, keel::test::kOwnerKey, 200);
  CHECK(billing["state"]["invoices"].size() == 1);
  const Json after = w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, keel::test::kOwnerKey, 200);
  CHECK(after["state"]["period_start"] == period_end);  // renewed into the next period
  // Commands take their time from business time.
  auto ticket = w.CallJson("POST", "/v1/tenants/p1:t1/tickets", {{"ticket", "tk1"}, {"subject", "Hi"}, {"severity", "low"}},
                           keel::test::kOwnerKey, 200);
  CHECK(ticket["events"][0]["data"]["at"] == keel::test::kStart + 31 * kDay + 3'600'000);

  // A long move closes every period that ended, not only the first two years of them.
  auto far = w.CallJson("POST", "/v1/admin/clock/advance", {{"days", 800}}, keel::test::kOwnerKey, 200);
  const std::int64_t now = far["now"];
  const std::int64_t period_days = (period_end - keel::test::kStart) / kDay;
  const std::int64_t periods = (now - keel::test::kStart) / (period_days * kDay);
  CHECK(far["billing"]["invoices"] == periods - 1);
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, keel::test::kOwnerKey, 200)["state"]["period_end"].get<std::int64_t>() > now);
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1/billing", nullptr, keel::test::kOwnerKey, 200)["state"]["invoices"].size() ==
        static_cast<std::size_t>(periods));
}

TEST_CASE("only the platform owner moves the clock, only forward, with a body that says how far", "[gateway][e2e][clock]") {
  GatewayWorld w(Simulated());
  w.LiveTenant("p1", "p1:t1");
  const std::string admin = w.Key("partner_admin", "p1");
  auto denied = w.Call("POST", "/v1/admin/clock/advance", {{"days", 1}}, admin);
  CHECK(denied.status == 403);
  CHECK(w.Call("GET", "/v1/admin/clock", nullptr, admin).status == 403);
  CHECK(w.Call("POST", "/v1/admin/clock/advance", {{"days", 1}}, "").status == 401);

  const std::vector<std::pair<Json, std::string>> bad = {
      {Json::object(), "days"},         {{{"days", 0}}, "days"},         {{{"days", -1}}, "days"},       {{{"minutes", 0}}, "minutes"},
      {{{"hours", -5}}, "hours"},       {{{"days", "two"}}, "days"},     {{{"ms", 1.5}}, "ms"},
      {{{"weeks", 1}}, "weeks"},        {{{"days", 4000}}, "days"},      {{{"days", 3000}, {"hours", 30000}}, "days"},
      {{{"minutes", 9223372036854775807LL}}, "minutes"}};
  for (const auto& [body, field] : bad) {
    auto r = w.Call("POST", "/v1/admin/clock/advance", body);
    INFO(body.dump() << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(ProblemType(r) == "invalid_field");
    CHECK(Json::parse(r.body)["field"] == field);
  }
  CHECK(w.clock.NowMs() == keel::test::kStart);  // nothing moved
}

TEST_CASE("moving business time never lets a retried command apply twice", "[gateway][e2e][clock]") {
  GatewayWorld w(Simulated());
  w.LiveTenant("p1", "p1:t1");
  const std::string idem = "Idempotency-Key: open-tk1\r\n";
  auto first = w.Call("POST", "/v1/tenants/p1:t1/tickets", {{"ticket", "tk1"}, {"subject", "Hi"}, {"severity", "low"}},
                      keel::test::kOwnerKey, idem);
  REQUIRE(first.status == 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/tickets/tk1/resolution", nullptr, keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/admin/clock/advance", {{"days", 400}}, keel::test::kOwnerKey, 200);
  const auto head = w.head();
  // 400 days of business time later (and seconds of wall time), the retry gets the first answer.
  auto retry = w.Call("POST", "/v1/tenants/p1:t1/tickets", {{"ticket", "tk1"}, {"subject", "Hi"}, {"severity", "low"}},
                      keel::test::kOwnerKey, idem);
  CHECK(retry.status == 200);
  CHECK(retry.body == first.body);
  CHECK(w.head() == head);
  // Past the wall clock's retention it is a new request again.
  w.wall.Advance(25LL * 3'600'000);
  auto later = w.Call("POST", "/v1/tenants/p1:t1/tickets", {{"ticket", "tk1"}, {"subject", "Hi"}, {"severity", "low"}},
                      keel::test::kOwnerKey, idem);
  CHECK(later.status == 200);
  CHECK(later.body != first.body);
  CHECK(w.head() > head);
}

TEST_CASE("on the system clock the clock routes say so and nothing moves", "[gateway][e2e][clock]") {
  GatewayWorld w;  // a node whose business time is not simulated for the API
  auto r = w.Call("POST", "/v1/admin/clock/advance", {{"days", 1}});
  CHECK(r.status == 404);
  CHECK(ProblemType(r) == "not_found");
  CHECK(w.CallJson("GET", "/v1/admin/clock", nullptr, keel::test::kOwnerKey, 200)["mode"] == "system");
  CHECK(w.clock.NowMs() == keel::test::kStart);
}

TEST_CASE("keel serve --clock simulated serves a clock the owner moves", "[gateway][serve][clock]") {
  keel::eventstore::test::TempDir dir;
  ::setenv("KEEL_BOOTSTRAP_KEY", keel::test::kOwnerKey, 1);
  int status = 0;
  std::int64_t now = 0;
  auto run = keel::test::RunUntilKilled(
      KEEL_BINARY,
      {"serve", "--data", dir.str() + "/data", "--listen", "127.0.0.1:0", "--clock", "simulated", "--clock-start",
       std::to_string(keel::test::kStart)},
      [&](const std::string& out) {
        std::smatch m;
        if (!std::regex_search(out, m, std::regex("admin on http://127\\.0\\.0\\.1:([0-9]+)"))) return false;
        RawHttp http(static_cast<std::uint16_t>(std::stoi(m[1])));
        auto r = http.Request("POST", "/v1/admin/clock/advance", Json{{"days", 30}}.dump(),
                              std::string("Authorization: Bearer ") + keel::test::kOwnerKey + "\r\n");
        status = r.status;
        if (r.status == 200) now = Json::parse(r.body)["now"];
        return true;
      },
      SIGTERM);
  ::unsetenv("KEEL_BOOTSTRAP_KEY");
  INFO(run.output);
  REQUIRE(run.spawned);
  CHECK(status == 200);
  CHECK(now == keel::test::kStart + 30 * kDay);
  CHECK(run.output.find("business time is simulated") != std::string::npos);
  CHECK(run.exit_code == 0);

  auto bad = keel::test::RunUntilKilled(KEEL_BINARY, {"serve", "--data", dir.str() + "/data", "--clock", "fast"},
                                        [](const std::string& out) { return out.find("serving on") != std::string::npos; },
                                        SIGTERM, true);
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("--clock: expected 'system' or 'simulated'") != std::string::npos);
  auto start_alone = keel::test::RunUntilKilled(KEEL_BINARY, {"serve", "--data", dir.str() + "/data", "--clock-start", "5"},
                                                [](const std::string& out) { return out.find("serving on") != std::string::npos; },
                                                SIGTERM, true);
  CHECK(start_alone.exit_code == 2);
}
