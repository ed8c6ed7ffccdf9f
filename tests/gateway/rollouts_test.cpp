// Staged template rollouts over HTTP, as the platform owner runs them, on the simulated clock: a canary
// cohort then waves, incompatible and suspended tenants skipped with their reasons, a moved tenant's
// trouble holding the next wave back, pause and resume, roll back returning every moved tenant (the
// modules its upgrade brought taken away again), new tenants kept off a version under trial or rolled
// back, bad requests refused naming the field with nothing written, and a restart mid-rollout.
#include <chrono>
#include <thread>

#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;
using keel::test::ProblemType;
using keel::test::WorldOptions;

namespace {

WorldOptions Simulated() {
  WorldOptions w;
  w.simulated_admin_clock = true;
  return w;
}

// The rollout's progress once `done` holds (the moves are made by a process, moments after a step).
Json WaitFor(GatewayWorld& w, const std::string& id, const std::function<bool(const Json&)>& done) {
  Json last;
  for (int i = 0; i < 500; ++i) {
    auto r = w.Call("GET", "/v1/rollouts/" + id);
    if (r.status == 200) {
      last = Json::parse(r.body);
      if (done(last)) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("rollout " << id << " never reached the expected state; last: " << last.dump());
  return last;
}

Json Tenant(GatewayWorld& w, const std::string& id) { return w.CallJson("GET", "/v1/tenants/" + id, nullptr, kOwnerKey, 200)["state"]; }

bool HasModule(const Json& state, const std::string& module) {
  for (const auto& m : state["modules"])
    if (m == module) return true;
  return false;
}

std::string StatusOf(const Json& progress, const std::string& tenant) {
  for (const auto& wave : progress["waves"])
    for (const auto& t : wave["tenants"])
      if (t["tenant"] == tenant) return t["status"];
  return "";
}

Json Advance(GatewayWorld& w, int minutes) {
  return w.CallJson("POST", "/v1/admin/clock/advance", {{"minutes", minutes}}, kOwnerKey, 200);
}

int PendingIn(const Json& progress, int wave) { return progress["waves"][wave]["counts"]["pending"].get<int>(); }

}  // namespace

TEST_CASE("a rollout moves a canary then waves, skips whom the version does not fit, waits out failures, pauses and rolls back",
          "[gateway][e2e][rollouts]") {
  GatewayWorld w(Simulated());
  for (const char* t : {"p1:a", "p1:b", "p1:c"}) w.LiveTenant("p1", t);
  for (const char* t : {"p2:d", "p2:e"}) w.LiveTenant("p2", t);
  // p1:c runs a module version 2 does not have; p2:e is suspended.
  w.CallJson("POST", "/v1/tenants/p1:c/modules", {{"module", "crm_integration"}}, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p2:e/suspension", {{"reason", "fraud check"}}, kOwnerKey, 200);

  const Json good{{"template", "regional-distributor"}, {"version", 2}, {"canary", {{"partners", {"p1"}}}},
                  {"waves", {50, 100}}, {"soak_minutes", 60}};
  {  // bad requests: 400 naming the field, nothing written
    const auto before = w.head();
    auto bad = [&](Json body, const std::string& field) {
      auto r = w.Call("POST", "/v1/rollouts", body);
      INFO(body.dump() << " -> " << r.status << " " << r.body);
      CHECK(r.status == 400);
      CHECK(Json::parse(r.body).value("field", "") == field);
    };
    Json b = good;
    b["template"] = "nope";
    bad(b, "template");
    b = good;
    b["version"] = 7;
    bad(b, "version");
    b = good;
    b["waves"] = Json::array();
    bad(b, "waves");
    b["waves"] = {50, 40, 100};
    bad(b, "waves[1]");
    b["waves"] = {50, 90};
    bad(b, "waves[1]");
    b["waves"] = {0, 100};
    bad(b, "waves[0]");
    b = good;
    b["soak_minutes"] = -1;
    bad(b, "soak_minutes");
    b = good;
    b["canary"] = {{"partners", {"ghost"}}};
    bad(b, "canary.partners");
    b = good;
    b["canary"] = {{"tenants", {"p9:zzz"}}};
    bad(b, "canary.tenants");
    b = good;
    b.erase("waves");
    bad(b, "waves");
    b = good;
    b["at"] = 5;  // the server's clock, not the client's
    bad(b, "at");
    CHECK(w.head() == before);
    // Not the partner admin's to start, and a rollout nobody started is 404.
    auto admin = w.Key("partner_admin", "p1");
    CHECK(w.Call("POST", "/v1/rollouts", good, admin).status == 403);
    CHECK(w.Call("GET", "/v1/rollouts", nullptr, admin).status == 403);
    CHECK(w.Call("GET", "/v1/rollouts/regional-distributor.v2").status == 404);
    CHECK(w.Call("POST", "/v1/rollouts/regional-distributor.v2/pause", {{"reason", "x"}}).status == 404);
    CHECK(w.Call("GET", "/v1/rollouts/not-an-id").status == 404);
  }

  auto started = w.CallJson("POST", "/v1/rollouts", good, kOwnerKey, 201);
  CHECK(started["events"][0]["type"] == "RolloutStarted");
  const std::string id = "regional-distributor.v2";
  // The canary: p1's three tenants; p2's two spread over the two waves.
  auto canary = WaitFor(w, id, [](const Json& p) { return PendingIn(p, 0) == 0; });
  REQUIRE(canary["waves"].size() == 3);
  CHECK(canary["waves"][0]["name"] == "canary");
  CHECK(canary["waves"][0]["tenants"].size() == 3);
  CHECK(canary["waves"][1]["tenants"].size() == 1);
  CHECK(canary["waves"][2]["tenants"].size() == 1);
  CHECK(StatusOf(canary, "p1:a") == "upgraded");
  CHECK(StatusOf(canary, "p1:b") == "upgraded");
  CHECK(StatusOf(canary, "p1:c") == "skipped");
  for (const auto& t : canary["waves"][0]["tenants"])
    if (t["tenant"] == "p1:c") CHECK(t["reason"].get<std::string>().find("crm_integration") != std::string::npos);
  CHECK(canary["waves"][0]["status"] == "soaking");
  CHECK(canary["waves"][1]["status"] == "waiting");
  // The move is the tenant's own upgrade, in full: version 2 brings lot tracking.
  CHECK(Tenant(w, "p1:a")["template_version"] == 2);
  CHECK(HasModule(Tenant(w, "p1:a"), "lot_tracking"));
  CHECK(Tenant(w, "p1:c")["template_version"] == 1);

  auto release = [&](int version) {
    const Json list = w.CallJson("GET", "/v1/templates", nullptr, kOwnerKey, 200);  // kept: ranging over a temporary's member dangles
    for (const auto& t : list["templates"])
      if (t["id"] == "regional-distributor" && t["version"] == version) return t["release"].get<std::string>() + " " + t["rollout"].dump();
    return std::string("missing");
  };
  CHECK(release(1) == "released null");
  CHECK(release(2) == "rolling_out \"regional-distributor.v2\"");
  // One rollout at a time per template; a tenant provisioned meanwhile gets the released version.
  CHECK(ProblemType(w.Call("POST", "/v1/rollouts", good)) == "illegal_transition");
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "new"}, {"name", "New"}, {"template_id", "regional-distributor"}},
             kOwnerKey, 201);
  CHECK(Tenant(w, "p1:new")["template_version"] == 1);
  // The version under trial is reached through the rollout only: not by hand, not by provisioning.
  CHECK(ProblemType(w.Call("PUT", "/v1/tenants/p1:a/template", {{"version", 2}})) == "incompatible_template");  // on it already
  CHECK(ProblemType(w.Call("PUT", "/v1/tenants/p1:c/template", {{"version", 2}})) == "version_not_released");
  CHECK(ProblemType(w.Call("POST", "/v1/partners/p1/tenants", {{"reference", "pinned"}, {"name", "Pinned"},
                                                              {"template_id", "regional-distributor"}, {"template_version", 2}})) ==
        "version_not_released");

  // A moved tenant's trouble holds the next wave back: the soak starts again from it.
  Advance(w, 40);
  w.CallJson("POST", "/v1/tenants/p1:a/integration-events", {{"kind", "failure"}, {"integration", "edi"}, {"detail", "AS2 down"}},
             kOwnerKey, 200);
  auto failed = WaitFor(w, id, [](const Json& p) { return p["failures"].size() == 1; });
  CHECK(failed["failures"][0]["tenant"] == "p1:a");
  CHECK(failed["failures"][0]["signal"].get<std::string>().find("AS2 down") != std::string::npos);
  auto moved = Advance(w, 30);  // 70 minutes after the moves, 30 after the failure
  CHECK(moved["rollouts"]["waves_started"] == 0);
  CHECK(WaitFor(w, id, [](const Json&) { return true; })["waves"][1]["status"] == "waiting");
  moved = Advance(w, 31);  // 61 minutes after the failure
  CHECK(moved["rollouts"]["waves_started"] == 1);
  auto wave1 = WaitFor(w, id, [](const Json& p) { return p["waves"][0]["status"] == "passed" && PendingIn(p, 1) == 0; });
  CHECK(wave1["current_wave"] == 1);

  // Paused: nothing passes, however long.
  w.CallJson("POST", "/v1/rollouts/" + id + "/pause", {{"reason", "checking the canary"}}, kOwnerKey, 200);
  CHECK(Advance(w, 600)["rollouts"]["waves_started"] == 0);
  auto paused = WaitFor(w, id, [](const Json& p) { return p["status"] == "paused"; });
  CHECK(paused["waves"][1]["status"] == "stopped");
  CHECK(paused["pause_reason"] == "checking the canary");
  CHECK(w.Call("POST", "/v1/rollouts/" + id + "/pause", {{"reason", ""}}).status == 400);
  w.CallJson("POST", "/v1/rollouts/" + id + "/resumption", nullptr, kOwnerKey, 200);
  WaitFor(w, id, [](const Json& p) { return p["status"] == "running"; });

  // Rolled back: every moved tenant returns to version 1, and loses what version 2 brought.
  auto rb = w.CallJson("POST", "/v1/rollouts/" + id + "/rollback", {{"reason", "EDI failures at the canary"}}, kOwnerKey, 200);
  CHECK(rb["events"][0]["type"] == "RollbackStarted");
  auto back = WaitFor(w, id, [](const Json& p) { return p["status"] == "rolled_back"; });
  CHECK(back["totals"]["upgraded"] == 0);
  CHECK(back["totals"]["rolled_back"].get<int>() >= 2);
  for (const char* t : {"p1:a", "p1:b"}) {
    INFO(t);
    CHECK(StatusOf(back, t) == "rolled_back");
    const Json s = Tenant(w, t);
    CHECK(s["template_version"] == 1);
    CHECK_FALSE(HasModule(s, "lot_tracking"));
    CHECK(s["limits"]["warehouses"] == 3);
  }
  // The tenants' own logs say so.
  int returns = 0;
  auto stream = w.node->store().ReadStream("t/p1:a/tenant/p1:a", 1);
  REQUIRE(stream.has_value());
  for (const auto& e : *stream) returns += e.type == "TemplateRolledBack" && e.principal == "process:rollouts";
  CHECK(returns == 1);
  // A rolled-back version is handed to no new tenant, and is not rolled out again.
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "newer"}, {"name", "Newer"}, {"template_id", "regional-distributor"}},
             kOwnerKey, 201);
  CHECK(Tenant(w, "p1:newer")["template_version"] == 1);
  CHECK(ProblemType(w.Call("PUT", "/v1/tenants/p1:c/template", {{"version", 2}})) == "version_not_released");
  CHECK(ProblemType(w.Call("POST", "/v1/rollouts", good)) == "already_exists");
  CHECK(release(2) == "rolled_back \"regional-distributor.v2\"");
  // Listed with its status, and every step audited.
  auto listed = w.CallJson("GET", "/v1/rollouts?status=rolled_back", nullptr, kOwnerKey, 200);
  REQUIRE(listed["items"].size() == 1);
  CHECK(listed["items"][0]["id"] == id);
  CHECK_FALSE(listed["items"][0]["waves"][0].contains("tenants"));
  CHECK(w.CallJson("GET", "/v1/rollouts?status=running", nullptr, kOwnerKey, 200)["items"].empty());
  CHECK(w.Call("GET", "/v1/rollouts?status=sideways").status == 400);
  int steps = 0;  // the audit trail is written behind the answers: looked at until it has them
  for (int i = 0; i < 200 && steps < 4; ++i) {
    steps = 0;
    auto audit = w.CallJson("GET", "/v1/audit?limit=500", nullptr, kOwnerKey, 200);
    for (const auto& a : audit["items"]) steps += a.value("subject", "") == "rollout:" + id;
    if (steps < 4) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(steps == 4);  // start, pause, resumption, rollback
}

TEST_CASE("a rollout without soak completes and is then the released version", "[gateway][e2e][rollouts]") {
  GatewayWorld w(Simulated());
  for (const char* t : {"p1:a", "p1:b", "p1:c"}) w.LiveTenant("p1", t);
  w.CallJson("POST", "/v1/tenants/p1:c/termination", {{"reason", "left"}}, kOwnerKey, 200);
  w.CallJson("POST", "/v1/rollouts", {{"template", "regional-distributor"}, {"version", 2}, {"waves", {100}}}, kOwnerKey, 201);
  auto done = WaitFor(w, "regional-distributor.v2", [](const Json& p) { return p["status"] == "completed"; });
  CHECK(done["totals"]["tenants"] == 2);  // terminated tenants take no part
  CHECK(done["totals"]["upgraded"] == 2);
  CHECK(done["finished_at"].get<std::int64_t>() > 0);
  CHECK(ProblemType(w.Call("POST", "/v1/rollouts/regional-distributor.v2/rollback", {{"reason", "late"}})) == "illegal_transition");
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "new"}, {"name", "New"}, {"template_id", "regional-distributor"}},
             kOwnerKey, 201);
  CHECK(Tenant(w, "p1:new")["template_version"] == 2);
  // A completed version may go again to whoever is still below it (here a tenant pinned to version 1
  // later); its id then names the latest rollout.
  w.LiveTenant("p1", "p1:late");
  w.CallJson("POST", "/v1/rollouts", {{"template", "regional-distributor"}, {"version", 2}, {"waves", {100}}}, kOwnerKey, 201);
  auto again = WaitFor(w, "regional-distributor.v2", [](const Json& p) { return p["status"] == "completed" && p["totals"]["tenants"] == 1; });
  CHECK(again["totals"]["upgraded"] == 1);
  CHECK(Tenant(w, "p1:late")["template_version"] == 2);
  auto missing = w.Call("POST", "/v1/partners/p1/tenants", {{"reference", "x"}, {"name", "X"}, {"template_id", "regional-distributor"},
                                                          {"template_version", 9}});
  CHECK(Json::parse(missing.body).value("field", "") == "template_version");
  // Released: a tenant may move to it by hand too.
  w.LiveTenant("p1", "p1:later");
  w.CallJson("PUT", "/v1/tenants/p1:later/template", {{"version", 2}}, kOwnerKey, 200);
  // Nobody left below version 2: nothing to roll out again.
  CHECK(w.Call("POST", "/v1/rollouts", {{"template", "regional-distributor"}, {"version", 2}, {"waves", {100}}}).status == 422);
}

TEST_CASE("a rollout interrupted by a restart finishes with every tenant where its record says", "[gateway][e2e][rollouts]") {
  GatewayWorld w(Simulated());
  std::vector<std::string> tenants;
  for (int i = 0; i < 12; ++i) tenants.push_back("p1:t" + std::to_string(i));
  for (const auto& t : tenants) w.LiveTenant("p1", t);
  w.CallJson("POST", "/v1/rollouts", {{"template", "regional-distributor"}, {"version", 2}, {"waves", {100}}}, kOwnerKey, 201);
  w.Restart();  // wherever the process was: between a move and its record, or before either
  Advance(w, 1);  // the tick picks up what is left
  auto done = WaitFor(w, "regional-distributor.v2", [](const Json& p) {
    if (p["status"] == "completed") return true;
    return false;
  });
  CHECK(done["totals"]["upgraded"] == 12);
  for (const auto& t : tenants) {
    INFO(t);
    const Json s = Tenant(w, t);
    CHECK(s["template_version"] == 2);
    CHECK(s["template_steps"].size() == 1);  // moved once, never twice
  }
}
