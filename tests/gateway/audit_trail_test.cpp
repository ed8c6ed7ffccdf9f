// The audit trail as an auditor follows it over HTTP: a follower that has read past the last refusal
// still gets the refusals made after it (none lost, in log order), and records written by an earlier
// version (their keys began with the wall-clock time) are moved at start, keep their order, are
// purged by time and are followed by new ones.
#include <cstdio>
#include <functional>
#include <set>
#include <thread>

#include "eventstore/store.hpp"
#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;

namespace {

// Follows the tenant's trail from `cursor`, two entries a page, until `want(entry)` (bounded); at the
// trail's end it goes on from resume_cursor, as a follower does. Entries are appended to `seen`.
bool FollowUntil(GatewayWorld& w, std::string& cursor, std::vector<Json>& seen, const std::function<bool(const Json&)>& want) {
  for (int i = 0; i < 1000; ++i) {
    auto page = w.CallJson("GET", "/v1/audit?tenant=p1:t1&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), nullptr, kOwnerKey, 200);
    bool found = false;
    for (const auto& e : page["items"]) {
      seen.push_back(e);
      found = found || want(e);
    }
    REQUIRE(page["resume_cursor"].is_string());
    if (page["next_cursor"].is_string()) CHECK(page["next_cursor"] == page["resume_cursor"]);
    cursor = page["resume_cursor"].get<std::string>();
    if (found) return true;
    if (page["items"].empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

bool RefusedTicket(const Json& e, const std::string& ticket) {
  return e["result"] == "refused" && e.value("target", "").find("/tickets/" + ticket + "/") != std::string::npos;
}

}  // namespace

TEST_CASE("a follower of the audit trail gets a refusal made after it read the last one, in log order", "[gateway][e2e][audit]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:t1");
  const std::string base = "/v1/tenants/p1:t1";
  // Early in the trail: a refusal, then more commands.
  CHECK(w.Call("POST", base + "/tickets/T404/resolution", nullptr, kOwnerKey).status == 404);
  for (const char* t : {"T1", "T2", "T3"})
    w.CallJson("POST", base + "/tickets", {{"ticket", t}, {"subject", "s"}, {"severity", "low"}}, kOwnerKey, 200);
  // The follower reads until it has the refusal: the audit records are now read to their end, the
  // commands are not.
  std::string cursor;
  std::vector<Json> seen;
  REQUIRE(FollowUntil(w, cursor, seen, [](const Json& e) { return RefusedTicket(e, "T404"); }));
  REQUIRE_FALSE(cursor.empty());
  // A second refusal now, then a command: the follower gets both, the refusal first.
  CHECK(w.Call("POST", base + "/tickets/T405/resolution", nullptr, kOwnerKey).status == 404);
  const auto t4 = w.CallJson("POST", base + "/tickets", {{"ticket", "T4"}, {"subject", "s"}, {"severity", "low"}}, kOwnerKey, 200);
  REQUIRE(FollowUntil(w, cursor, seen, [&](const Json& e) { return e.value("position", std::uint64_t{0}) == t4["position"]; }));
  std::size_t refusal = seen.size(), command = seen.size();
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (RefusedTicket(seen[i], "T405")) refusal = i;
    if (seen[i].value("position", std::uint64_t{0}) == t4["position"]) command = i;
  }
  CHECK(refusal < command);
  CHECK(command < seen.size());
  // Everything the follower got is the trail as one read gives it: none lost, none twice.
  const auto whole = w.CallJson("GET", "/v1/audit?tenant=p1:t1&limit=500", nullptr, kOwnerKey, 200);
  std::vector<std::string> a, b;
  for (const auto& e : seen) a.push_back(e.dump());
  for (const auto& e : whole["items"]) b.push_back(e.dump());
  CHECK(a == b);
}

TEST_CASE("audit records of the earlier layout are moved at start and keep their order, purge and sequence", "[gateway][e2e][audit]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:t1");
  const std::uint64_t head = w.head();
  const std::int64_t now = w.clock.NowMs();
  auto count = [&](std::size_t& records, std::size_t& index, std::size_t& other) {
    records = index = other = 0;
    REQUIRE(w.node->store().ReadModelScan("audit", "", [&](std::string_view k, std::string_view) {
      (k.starts_with("r/") ? records : k.starts_with("w/") ? index : other) += 1;
      return true;
    }));
  };
  std::size_t records_before = 0, index_before = 0, other = 0;
  count(records_before, index_before, other);
  CHECK(records_before == index_before);
  // Records as the earlier version wrote them: "<wall20>-<head20>-<seq10>", keyed by wall time first.
  // Their log order (by head) is not their wall order.
  w.Restart([&](const std::string& data_dir) {
    auto store = keel::eventstore::EventStore::Open(data_dir);
    REQUIRE(store.has_value());
    keel::eventstore::ReadModelBatch batch;
    batch.model = "audit";
    auto old = [&](std::int64_t wall, std::uint64_t at_head, int seq, const std::string& what) {
      char key[64];
      std::snprintf(key, sizeof key, "%020lld-%020llu-%010d", static_cast<long long>(wall), static_cast<unsigned long long>(at_head), seq);
      const Json rec{{"at", wall},         {"who", "anonymous"},  {"role", ""},       {"scope", {{"partner", ""}, {"tenant", ""}}},
                     {"route", "resolve_ticket"}, {"method", "POST"}, {"target", "/v1/tenants/p1:t1/tickets/" + what + "/resolution"},
                     {"status", 401},      {"result", "denied"},  {"tenant", "p1:t1"}, {"partner", "p1"},
                     {"source", "127.0.0.1:1"}, {"request_id", ""}};
      batch.puts.emplace_back(key, rec.dump());
    };
    old(now - 3000, head - 1, 0, "OLD-B");  // made earlier in wall time, later in the log
    old(now - 5000, head - 2, 7, "OLD-A");
    old(now, head, 1, "OLD-C");
    REQUIRE((*store)->CommitReadModel(std::move(batch)).has_value());
  });
  // Moved: three records and their wall-time index, nothing of the old layout left.
  std::size_t records = 0, index = 0;
  count(records, index, other);
  CHECK(records == records_before + 3);
  CHECK(index == index_before + 3);
  CHECK(other == 0);
  // A new refusal at the same head comes after them.
  CHECK(w.Call("POST", "/v1/tenants/p1:t1/tickets/NEW/resolution", nullptr, kOwnerKey).status == 404);
  std::vector<std::string> order;
  for (int i = 0; i < 1000 && order.size() < 4; ++i) {
    order.clear();
    const auto all = w.CallJson("GET", "/v1/audit?tenant=p1:t1&limit=500", nullptr, kOwnerKey, 200);
    for (const auto& e : all["items"]) {
      const std::string target = e.value("target", "");
      for (const char* t : {"OLD-A", "OLD-B", "OLD-C", "/NEW/"})
        if (target.find(t) != std::string::npos) order.push_back(t);
    }
    if (order.size() < 4) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(order == std::vector<std::string>{"OLD-A", "OLD-B", "OLD-C", "/NEW/"});
  // Purged by wall time: the two oldest go once past their retention, the index with them.
  auto& api = w.node->api();
  const std::int64_t retention = keel::gateway::ApiOptions{}.audit_retention_ms;
  CHECK(api.PurgeExpiredAudit(now - 2000 + retention).value() == 2);
  count(records, index, other);
  CHECK(records == records_before + 2);  // OLD-C and the new one
  CHECK(index == index_before + 2);
}

TEST_CASE("key acts in the audit trail name the key and its binding, and a foreign tenant's key is a denial", "[gateway][e2e][audit]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:t1");
  w.LiveTenant("p2", "p2:t9");
  const std::string admin1 = w.Key("partner_admin", "p1"), admin2 = w.Key("partner_admin", "p2");
  // The platform owner issues a key for p1:t1; p1's admin rotates it and revokes the new one.
  const auto issued = w.CallJson("POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p1"}, {"tenant", "p1:t1"}, {"name", "shop"}},
                                 kOwnerKey, 201);
  const std::string k1 = issued["id"];
  const auto rotated = w.CallJson("POST", "/v1/keys/" + k1 + "/rotation", {{"grace_seconds", 0}}, admin1, 201);
  const std::string k2 = rotated["id"];
  // The new key acts as the holder it replaced; the trail finds its acts by either id.
  const auto opened = w.CallJson("POST", "/v1/tenants/p1:t1/tickets", {{"ticket", "R1"}, {"subject", "s"}, {"severity", "low"}},
                                 rotated["token"].get<std::string>(), 200);
  for (const std::string& id : {k1, k2}) {
    const auto by = w.CallJson("GET", "/v1/audit?principal=key:" + id + "&min_position=" + std::to_string(opened["position"].get<std::uint64_t>()),
                               nullptr, kOwnerKey, 200);
    bool found = false;
    for (const auto& e : by["items"]) {
      CHECK(e["principal"] == "key:" + k1);
      found = found || e["position"] == opened["position"];
    }
    CHECK(found);
  }
  w.CallJson("DELETE", "/v1/keys/" + k2, nullptr, admin1, 200);
  // p2's admin asks for a key on p1's tenant: as if it did not exist, and a denial in the trail.
  CHECK(w.Call("POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p2"}, {"tenant", "p1:t1"}, {"name", "x"}}, admin2).status == 404);

  auto key_acts = [&](const std::string& query, const std::string& key) {
    std::vector<Json> acts;
    for (int i = 0; i < 1000; ++i) {
      acts.clear();
      const auto trail = w.CallJson("GET", "/v1/audit?limit=500" + query, nullptr, key, 200);
      for (const auto& e : trail["items"])  // the acts on k1 and k2 (the admins' own keys were issued too)
        if (e.contains("subject") && (e["subject"] == "key:" + k1 || e["subject"] == "key:" + k2)) acts.push_back(e);
      if (acts.size() >= 3) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return acts;
  };
  for (const std::string query : {"&tenant=p1:t1", "&partner=p1"}) {
    INFO(query);
    const auto acts = key_acts(query, kOwnerKey);
    REQUIRE(acts.size() == 3);
    CHECK(acts[0]["route"] == "create_key");
    CHECK(acts[0]["subject"] == "key:" + k1);
    CHECK(acts[1]["route"] == "rotate_key");
    CHECK(acts[1]["subject"] == "key:" + k1);
    CHECK(acts[1]["issued"] == "key:" + k2);
    CHECK(acts[2]["route"] == "revoke_key");
    CHECK(acts[2]["subject"] == "key:" + k2);
    for (const auto& a : acts) {
      CHECK(a["result"] == "accepted");
      CHECK(a["tenant"] == "p1:t1");
      CHECK(a["partner"] == "p1");
    }
  }
  // p1's admin sees the owner's act on its scope as well as its own; p2's admin sees none of them.
  const auto p1_acts = key_acts("", admin1);
  CHECK(p1_acts.size() == 3);
  const auto p2_trail = w.CallJson("GET", "/v1/audit?limit=500", nullptr, admin2, 200);
  bool p2_attempt = false;
  for (const auto& e : p2_trail["items"]) {
    CHECK_FALSE((e.contains("subject") && e["partner"] == "p1"));
    p2_attempt = p2_attempt || (e.value("route", "") == "create_key" && e["result"] == "denied");
  }
  CHECK(p2_attempt);  // its own attempt, as a denial
  // The owner finds that attempt under the tenant it named.
  bool named = false;
  const Json denied = w.CallJson("GET", "/v1/audit?tenant=p1:t1&result=denied&limit=500", nullptr, kOwnerKey, 200);
  for (const auto& e : denied["items"])
    named = named || e.value("route", "") == "create_key";
  CHECK(named);
}

TEST_CASE("moving business time is an operator's act in the audit trail", "[gateway][e2e][audit]") {
  keel::test::WorldOptions options;
  options.simulated_admin_clock = true;
  GatewayWorld w(options);
  w.CallJson("POST", "/v1/admin/clock/advance", {{"days", 2}}, kOwnerKey, 200);
  bool found = false;
  for (int i = 0; i < 1000 && !found; ++i) {
    const Json trail = w.CallJson("GET", "/v1/audit?result=accepted&limit=500", nullptr, kOwnerKey, 200);
    for (const auto& e : trail["items"])
      found = found || (e.value("route", "") == "advance_clock" && e.value("principal", "").starts_with("key:"));
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(found);
}
