// Support SLAs over HTTP on the simulated clock, as a partner's support desk works tickets: priority
// and due times from the tenant's support tier, an internal note that is no response, a first
// response breached when the clock passes its due time (recorded once, routed to the inbox like an
// integration exception, resolved with the ticket), a wait on the customer that stops the
// resolution clock, assignment and status history, support load and SLA attainment in the caller's
// scope, and bad requests refused naming the field with nothing written.
#include <chrono>
#include <thread>

#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;
using keel::test::ProblemType;
using keel::test::WorldOptions;

namespace {

constexpr std::int64_t kMin = 60'000;

WorldOptions Simulated() {
  WorldOptions w;
  w.simulated_admin_clock = true;
  return w;
}

void Expect(const keel::test::HttpReply& r, int status, const std::string& type, const std::string& field = {}) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(ProblemType(r) == type);
  if (!field.empty()) CHECK(Json::parse(r.body, nullptr, false).value("field", "") == field);
}

Json Advance(GatewayWorld& w, std::int64_t minutes) {
  return w.CallJson("POST", "/v1/admin/clock/advance", {{"minutes", minutes}}, kOwnerKey, 200);
}

// The ticket as the inbox read model has it once `done` holds (the model follows the log).
Json TicketWhen(GatewayWorld& w, const std::string& path, const std::function<bool(const Json&)>& done) {
  Json last;
  for (int i = 0; i < 250; ++i) {
    auto r = w.Call("GET", path);
    if (r.status == 200) {
      last = Json::parse(r.body);
      if (done(last)) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("never reached the expected state; last: " << last.dump());
  return last;
}

// The standard tier's targets in config/data/plans.json, minutes: {first response, resolution}.
std::pair<std::int64_t, std::int64_t> Standard(const std::string& priority) {
  if (priority == "p1") return {240, 2880};
  if (priority == "p2") return {480, 4320};
  if (priority == "p3") return {1440, 7200};
  return {2880, 14400};
}

}  // namespace

TEST_CASE("a ticket's first response is breached on the simulated clock and routed and its wait on the customer stops the resolution clock",
          "[gateway][e2e][support]") {
  GatewayWorld w(Simulated());
  w.LiveTenant("p1", "p1:t1");  // regional-distributor: the standard support tier
  const std::string base = "/v1/tenants/p1:t1";
  w.CallJson("POST", base + "/tickets", {{"ticket", "T1"}, {"subject", "EDI 856 rejected"}, {"severity", "high"}}, kOwnerKey, 200);
  Json t1 = TicketWhen(w, base + "/tickets/T1", [](const Json& j) { return j.contains("priority"); });
  const std::string band = t1["risk_band"];
  const std::string priority = t1["priority"];
  CHECK(priority == (band == "high" ? "p1" : "p2"));  // high severity, one step up for an at-risk tenant
  const auto [respond, resolve] = Standard(priority);
  const std::int64_t t0 = t1["opened_at"];
  CHECK(t1["first_response_due"] == t0 + respond * kMin);
  CHECK(t1["resolution_due"] == t0 + resolve * kMin);
  CHECK(t1["status"] == "open");
  CHECK(t1["history"][0]["event"] == "opened");

  // Work on it: assigned, in progress, an internal note (no response to the customer).
  w.CallJson("POST", base + "/tickets/T1/assignment", {{"assignee", "dana"}}, kOwnerKey, 200);
  const Json same = w.CallJson("POST", base + "/tickets/T1/assignment", {{"assignee", "dana"}}, kOwnerKey, 200);
  CHECK(same["events"].empty());  // hers already
  w.CallJson("PUT", base + "/tickets/T1/status", {{"status", "in_progress"}}, kOwnerKey, 200);
  w.CallJson("POST", base + "/tickets/T1/comments", {{"from", "agent"}, {"body", "checking the AS2 logs"}, {"internal", true}}, kOwnerKey, 200);

  // Just before the first response is due: nothing. Past it: one breach, routed to the template's role.
  CHECK(Advance(w, respond - 1)["support"]["sla_breaches"] == 0);
  CHECK(Advance(w, 2)["support"]["sla_breaches"] == 1);
  CHECK(Advance(w, 5)["support"]["sla_breaches"] == 0);  // recorded once
  t1 = TicketWhen(w, base + "/tickets/T1", [](const Json& j) { return !j["breaches"].empty(); });
  REQUIRE(t1["breaches"].size() == 1);
  CHECK(t1["breaches"][0]["target"] == "first_response");
  CHECK(t1["breaches"][0]["due"] == t0 + respond * kMin);
  CHECK(t1["assignee"] == "dana");
  CHECK(t1["status"] == "in_progress");
  CHECK(t1["responded_at"].is_null());
  CHECK(t1["comment_list"].size() == 1);
  CHECK(t1["comment_list"][0]["internal"] == true);
  const Json open = w.CallJson("GET", base + "/exceptions?status=open&kind=sla_breach", nullptr, kOwnerKey, 200);
  REQUIRE(open["items"].size() == 1);
  CHECK(open["items"][0]["ticket"] == "T1");
  CHECK(open["items"][0]["routed_to"] == "partner_support");
  CHECK(open["items"][0]["integration"].is_null());

  // T2: answered at once, then waiting on the customer well past its resolution due time: no breach.
  w.CallJson("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", "Question on pick lists"}, {"severity", "low"}}, kOwnerKey, 200);
  w.CallJson("POST", base + "/tickets/T2/comments", {{"from", "agent"}, {"body", "Which warehouse?"}}, kOwnerKey, 200);
  w.CallJson("PUT", base + "/tickets/T2/status", {{"status", "waiting_on_customer"}, {"reason", "asked which warehouse"}}, kOwnerKey, 200);
  Json t2 = TicketWhen(w, base + "/tickets/T2", [](const Json& j) { return j["status"] == "waiting_on_customer"; });
  CHECK(t2["responded_at"].is_number());
  const std::int64_t due_before = t2["resolution_due"];
  const std::int64_t waited = 20'000;  // minutes: past T2's resolution target, whatever its priority
  CHECK(Advance(w, waited)["support"]["sla_breaches"] == 1);  // T1's resolution; T2 waits
  // The customer answers: back in progress, its due time moved on by the wait.
  w.CallJson("POST", base + "/tickets/T2/comments", {{"from", "customer"}, {"body", "Main warehouse"}}, kOwnerKey, 200);
  t2 = TicketWhen(w, base + "/tickets/T2", [](const Json& j) { return j["status"] == "in_progress"; });
  CHECK(t2["resolution_due"].get<std::int64_t>() > due_before + (waited - 10) * kMin);
  CHECK(t2["breaches"].empty());
  CHECK(t2["history"].back()["event"] == "status_changed");
  CHECK(t2["history"].back()["reason"] == "the customer replied");

  // T1 resolved: its breaches leave the open inbox.
  w.CallJson("POST", base + "/tickets/T1/resolution", nullptr, kOwnerKey, 200);
  TicketWhen(w, base + "/exceptions?kind=sla_breach&status=resolved", [](const Json& j) { return j["items"].size() == 2; });
  CHECK(w.CallJson("GET", base + "/exceptions?status=open&kind=sla_breach", nullptr, kOwnerKey, 200)["items"].empty());
  CHECK(w.CallJson("GET", base + "/tickets?status=waiting_on_customer", nullptr, kOwnerKey, 200)["items"].empty());
  CHECK(w.CallJson("GET", base + "/tickets?status=in_progress", nullptr, kOwnerKey, 200)["items"].size() == 1);
  CHECK(w.CallJson("GET", base + "/tickets?assignee=dana", nullptr, kOwnerKey, 200)["items"].size() == 1);

  // Support load per tier and SLA attainment per partner.
  const Json load = TicketWhen(w, "/v1/analytics/support-load", [](const Json& j) {
    for (const auto& item : j["items"])
      if (item["tier"] == "standard") return item["resolved"] == 1;
    return false;
  });
  for (const auto& item : load["items"]) {
    if (item["tier"] != "standard") continue;
    CHECK(item["opened"] == 2);
    CHECK(item["open"] == 1);
    CHECK(item["comments"] == 3);
    CHECK(item["mean_resolution_minutes"].is_number());
  }
  const Json sla = w.CallJson("GET", "/v1/analytics/sla-attainment", nullptr, w.Key("partner_admin", "p1"), 200);
  REQUIRE(sla["items"].size() == 1);
  CHECK(sla["items"][0]["partner"] == "p1");
  CHECK(sla["items"][0]["first_response"]["met"] == 1);       // T2
  CHECK(sla["items"][0]["first_response"]["breached"] == 1);  // T1
  CHECK(sla["items"][0]["first_response"]["attainment"] == 0.5);
  CHECK(sla["items"][0]["resolution"]["breached"] == 1);      // T1, resolved after its due time
  w.CallJson("POST", "/v1/partners", {{"id", "p2"}, {"name", "Partner p2"}}, kOwnerKey, 201);
  const Json other = w.CallJson("GET", "/v1/analytics/sla-attainment", nullptr, w.Key("partner_admin", "p2"), 200);
  REQUIRE(other["items"].size() == 1);  // its own row only, nothing met or breached yet
  CHECK(other["items"][0]["partner"] == "p2");
  CHECK(other["items"][0]["first_response"]["attainment"].is_null());
  Expect(w.Call("GET", "/v1/analytics/sla-attainment?partner=p1", nullptr, w.Key("partner_admin", "p2")), 404, "not_found");
  Expect(w.Call("GET", "/v1/analytics/support-load", nullptr, w.Key("tenant_operator", "p1", "p1:t1")), 403, "forbidden");
}

TEST_CASE("bad ticket requests are refused naming the field and write nothing", "[gateway][e2e][support]") {
  GatewayWorld w(Simulated());
  w.LiveTenant("p1", "p1:t1");
  const std::string base = "/v1/tenants/p1:t1";
  w.CallJson("POST", base + "/tickets", {{"ticket", "T1"}, {"subject", "s"}}, kOwnerKey, 200);  // severity: medium
  const Json before = w.CallJson("GET", base, nullptr, kOwnerKey, 200);
  Expect(w.Call("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", "s"}, {"severity", "urgent"}}), 400, "invalid_field", "severity");
  Expect(w.Call("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", "s"}, {"priority", "p1"}}), 400, "invalid_field", "priority");
  Expect(w.Call("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", std::string(201, 'x')}}), 400, "invalid_field", "subject");
  Expect(w.Call("POST", base + "/tickets/T1/assignment", {{"assignee", ""}}), 400, "invalid_field", "assignee");
  Expect(w.Call("POST", base + "/tickets/T1/assignment", Json::object()), 400, "invalid_field", "assignee");
  Expect(w.Call("POST", base + "/tickets/T1/comments", {{"from", "bot"}, {"body", "hi"}}), 400, "invalid_field", "from");
  Expect(w.Call("POST", base + "/tickets/T1/comments", {{"from", "agent"}, {"body", ""}}), 400, "invalid_field", "body");
  Expect(w.Call("POST", base + "/tickets/T1/comments", {{"from", "customer"}, {"body", "x"}, {"internal", true}}), 400, "invalid_field",
         "internal");
  Expect(w.Call("PUT", base + "/tickets/T1/status", {{"status", "resolved"}}), 400, "invalid_field", "status");
  Expect(w.Call("PUT", base + "/tickets/T1/status", {{"status", "closed"}}), 400, "invalid_field", "status");
  Expect(w.Call("GET", base + "/tickets?status=closed"), 400, "invalid_field", "status");
  Expect(w.Call("GET", base + "/tickets?priority=p9"), 400, "invalid_field", "priority");
  Expect(w.Call("POST", base + "/tickets/T9/comments", {{"from", "agent"}, {"body", "hi"}}), 404, "not_found");
  Expect(w.Call("GET", base + "/tickets/T9"), 404, "not_found");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/exceptions?kind=outage"), 400, "invalid_field", "kind");
  // Blank, control characters, lengths in characters (not bytes).
  Expect(w.Call("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", ""}}), 400, "invalid_field", "subject");
  Expect(w.Call("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", "   "}}), 400, "invalid_field", "subject");
  Expect(w.Call("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", std::string("a\0b", 3)}}), 400, "invalid_field", "subject");
  Expect(w.Call("POST", base + "/tickets/T1/comments", {{"from", "agent"}, {"body", " \n "}}), 400, "invalid_field", "body");
  Expect(w.Call("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", "\xc2\xa0\xe2\x80\x83"}}), 400, "invalid_field", "subject");  // NBSP, em space
  Expect(w.Call("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", "\xe2\x80\x8b"}}), 400, "invalid_field", "subject");  // zero width
  Expect(w.Call("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", "a\xc2\x85" "b"}}), 400, "invalid_field", "subject");  // C1 NEL
  Expect(w.Call("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", "a\xe2\x80\xae" "b"}}), 400, "invalid_field", "subject");  // RLO
  Expect(w.Call("PUT", base + "/tickets/T1/status", {{"status", "open"}, {"reason", "   "}}), 400, "invalid_field", "reason");
  Expect(w.Call("PUT", base + "/tickets/T1/status", {{"status", "open"}, {"reason", std::string(4001, 'r')}}), 400, "invalid_field", "reason");
  // The platform naming a partner that does not exist.
  Expect(w.Call("GET", "/v1/analytics/sla-attainment?partner=nosuch"), 404, "not_found");
  Expect(w.Call("GET", "/v1/analytics/support-load?partner=nosuch"), 404, "not_found");
  // Nothing was written: the tenant's state is as it was.
  const Json after = w.CallJson("GET", base, nullptr, kOwnerKey, 200);
  INFO(after.dump());
  CHECK(after["state"]["tickets"] == before["state"]["tickets"]);
  CHECK(after["version"] == before["version"]);
  const Json t1 = TicketWhen(w, base + "/tickets/T1", [](const Json& j) { return j.contains("severity"); });
  CHECK(t1["severity"] == "medium");
  CHECK(t1["comments"] == 0);
  std::string accents;
  for (int i = 0; i < 150; ++i) accents += "\xc3\xa9";  // 150 characters, 300 bytes: within 200
  w.CallJson("POST", base + "/tickets", {{"ticket", "T3"}, {"subject", accents}}, kOwnerKey, 200);
  CHECK(w.CallJson("GET", base, nullptr, kOwnerKey, 200)["state"]["tickets"].size() == 2);
}

TEST_CASE("the customer side of a ticket writes no agent comments and sees no internal notes and a resolved ticket is worked no more",
          "[gateway][e2e][support]") {
  GatewayWorld w(Simulated());
  w.LiveTenant("p1", "p1:t1");
  const std::string base = "/v1/tenants/p1:t1/tickets";
  const std::string customer = w.Key("tenant_operator", "p1", "p1:t1");
  w.CallJson("POST", base, {{"ticket", "T1"}, {"subject", "Labels"}, {"severity", "high"}}, customer, 200);
  Expect(w.Call("POST", base + "/T1/comments", {{"from", "agent"}, {"body", "answered myself"}}, customer), 400, "invalid_field", "from");
  w.CallJson("POST", base + "/T1/comments", {{"from", "customer"}, {"body", "Still broken"}}, customer, 200);
  w.CallJson("POST", base + "/T1/comments", {{"from", "agent"}, {"body", "customer misconfigured"}, {"internal", true}}, kOwnerKey, 200);
  w.CallJson("POST", base + "/T1/comments", {{"from", "agent"}, {"body", "Fixed the template"}}, kOwnerKey, 200);
  const Json agents = TicketWhen(w, base + "/T1", [](const Json& j) { return j["comment_list"].size() == 3; });
  CHECK(agents["comment_list"][1]["internal"] == true);
  CHECK(agents["comment_list"][0]["opening"] == 1);
  const Json theirs = w.CallJson("GET", base + "/T1", nullptr, customer, 200);
  REQUIRE(theirs["comment_list"].size() == 2);  // the note is the agents'
  for (const auto& comment : theirs["comment_list"]) CHECK(comment["internal"] == false);
  for (const auto& entry : theirs["history"]) CHECK_FALSE(entry.value("internal", false));
  CHECK(theirs["responded_at"].is_number());  // the agent's public answer
  CHECK(theirs["comments"] == 2);
  CHECK(theirs["comment_list"][1]["comment"] == 2);  // numbered without the note's gap
  const Json listed = w.CallJson("GET", base, nullptr, customer, 200);
  REQUIRE(listed["items"].size() == 1);
  CHECK(listed["items"][0]["comments"] == 2);
  for (const auto& entry : listed["items"][0]["history"]) CHECK_FALSE(entry.value("internal", false));
  CHECK_FALSE(listed["items"][0].contains("public_comments"));
  CHECK(w.CallJson("GET", base, nullptr, kOwnerKey, 200)["items"][0]["comments"] == 3);
  // Assignment and working status are the support desk's.
  Expect(w.Call("POST", base + "/T1/assignment", {{"assignee", "me"}}, customer), 403, "forbidden");
  Expect(w.Call("PUT", base + "/T1/status", {{"status", "waiting_on_customer"}}, customer), 403, "forbidden");

  // Waiting on the customer, then resolved out of the wait long after the due time: met, not breached.
  w.CallJson("PUT", base + "/T1/status", {{"status", "waiting_on_customer"}}, kOwnerKey, 200);
  const Json waiting = TicketWhen(w, base + "/T1", [](const Json& j) { return j["waiting_since"].is_number(); });
  CHECK(waiting["status"] == "waiting_on_customer");
  w.CallJson("POST", "/v1/admin/clock/advance", {{"days", 30}}, kOwnerKey, 200);
  w.CallJson("POST", base + "/T1/resolution", nullptr, kOwnerKey, 200);
  const Json sla = TicketWhen(w, "/v1/analytics/sla-attainment?partner=p1", [](const Json& j) {
    return j["items"][0]["resolution"]["met"] == 1;
  });
  CHECK(sla["items"][0]["resolution"]["breached"] == 0);
  CHECK(sla["items"][0]["first_response"]["met"] == 1);
  // Its resolution due time moved on by the wait it ended: it does not look late.
  const Json done = TicketWhen(w, base + "/T1", [](const Json& j) { return j["status"] == "resolved"; });
  CHECK(done["resolution_due"].get<std::int64_t>() > done["resolved_at"].get<std::int64_t>());
  CHECK(done["waiting_since"].is_null());

  // A resolved ticket: 409 ticket_resolved for more work, resolving again included; reopened by opening it.
  TicketWhen(w, base + "/T1", [](const Json& j) { return j["status"] == "resolved"; });
  Expect(w.Call("POST", base + "/T1/comments", {{"from", "customer"}, {"body", "thanks"}}, customer), 409, "ticket_resolved");
  Expect(w.Call("POST", base + "/T1/assignment", {{"assignee", "dana"}}), 409, "ticket_resolved");
  Expect(w.Call("PUT", base + "/T1/status", {{"status", "in_progress"}}), 409, "ticket_resolved");
  Expect(w.Call("POST", base + "/T1/resolution"), 409, "ticket_resolved");
  w.CallJson("POST", base, {{"ticket", "T1"}, {"subject", "Labels again"}}, customer, 200);
  w.CallJson("POST", base + "/T1/comments", {{"from", "customer"}, {"body", "It is back"}}, customer, 200);
  const Json reopened = TicketWhen(w, base + "/T1", [](const Json& j) { return j["times_opened"] == 2 && j["comments"] == 1; });
  CHECK(reopened["comment_list"].back()["opening"] == 2);
  CHECK(reopened["comment_list"].back()["comment"] == 1);
}
