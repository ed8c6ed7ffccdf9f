// Every error status the API promises, provoked over real sockets and checked for its problem type;
// idempotent retries, If-Match, and a client that disconnects mid-request.
#include <thread>

#include "fault_fs.hpp"
#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::HttpReply;
using keel::test::Json;
using keel::test::RawHttp;

namespace {

void ExpectProblem(const HttpReply& r, int status, const std::string& type) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(r.Header("content-type") == "application/problem+json");
  CHECK(ProblemType(r) == type);
  auto j = Json::parse(r.body, nullptr, false);
  CHECK(j.value("status", 0) == status);
}

// A partner with one active tenant and a warehouse, made through the API.
void Seed(GatewayWorld& w) {
  w.CallJson("POST", "/v1/partners", {{"id", "p1"}, {"name", "P1"}}, keel::test::kOwnerKey, 201);
  w.CallJson("POST", "/v1/partners/p1/certification", nullptr, keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t1"}, {"name", "T1"}, {"template_id", "regional-distributor"}},
             keel::test::kOwnerKey, 201);
  w.CallJson("POST", "/v1/tenants/p1:t1/onboarding", nullptr, keel::test::kOwnerKey, 200);
  const Json tenant = w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, keel::test::kOwnerKey, 200);
  for (const auto& m : tenant["state"]["milestones"])
    w.CallJson("POST", "/v1/tenants/p1:t1/milestones/" + m["id"].get<std::string>() + "/completion", nullptr, keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/go-live", nullptr, keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/catalog/imports",
             {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}}})}},
             keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w1"}, {"name", "Main"}, {"currency", "EUR"}}, keel::test::kOwnerKey, 201);
  // kOrder gives its unit price: that needs advanced_pricing (the owner may override).
  w.CallJson("POST", "/v1/tenants/p1:t1/modules", {{"module", "advanced_pricing"}}, keel::test::kOwnerKey, 200);
}

const Json kOrder = {{"id", "o1"}, {"customer", "c1"}, {"currency", "EUR"},
                     {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", 1}, {"unit_price", 100}}})}};

}  // namespace

TEST_CASE("each error status comes as problem+json with its stable type", "[gateway][e2e]") {
  GatewayWorld w;
  Seed(w);
  const auto before = w.head();

  SECTION("400: malformed JSON, wrong field types naming the field, unknown fields") {
    ExpectProblem(w.Call("POST", "/v1/partners", "x"), 400, "invalid_field");  // a JSON string, not an object
    RawHttp http(w.port());
    ExpectProblem(http.Request("POST", "/v1/partners", "{\"id\": ", "Authorization: Bearer " + std::string(keel::test::kOwnerKey) + "\r\n"),
                  400, "malformed_json");
    auto wrong = w.Call("POST", "/v1/tenants/p1:t1/orders", {{"id", "o9"}, {"customer", "c"}, {"currency", "EUR"}, {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", "ten"}}})}});
    ExpectProblem(wrong, 400, "invalid_field");
    CHECK(Json::parse(wrong.body)["field"] == "lines[0].qty");
    auto unknown = w.Call("POST", "/v1/partners", {{"id", "p2"}, {"name", "x"}, {"at", 5}});
    ExpectProblem(unknown, 400, "invalid_field");
    CHECK(Json::parse(unknown.body)["field"] == "at");
    auto missing = w.Call("POST", "/v1/partners", {{"name", "x"}});
    CHECK(Json::parse(missing.body)["field"] == "id");
    ExpectProblem(w.Call("POST", "/v1/tenants/p1:t1/orders/o1/shipments", nullptr, keel::test::kOwnerKey, "If-Match: abc\r\n"), 400,
                  "invalid_if_match");
  }
  SECTION("401: no key, an unknown key") {
    auto none = w.Call("GET", "/v1/tenants/p1:t1", nullptr, "");
    ExpectProblem(none, 401, "unauthorized");
    CHECK(none.Header("www-authenticate") == "Bearer");
    ExpectProblem(w.Call("GET", "/v1/tenants/p1:t1", nullptr, "not-a-key-at-all-but-long-enough"), 401, "unauthorized");
  }
  SECTION("403: the role forbids it") {
    const auto analyst = w.Key("analyst", "p1");
    ExpectProblem(w.Call("POST", "/v1/tenants/p1:t1/orders", kOrder, analyst), 403, "forbidden");
    const auto impl = w.Key("implementation", "p1");
    ExpectProblem(w.Call("PUT", "/v1/tenants/p1:t1/plan", {{"plan", "scale"}}, impl), 403, "forbidden");
  }
  SECTION("404: unknown route, unknown entity, an entity outside the caller's scope") {
    ExpectProblem(w.Call("GET", "/v1/nothing-here"), 404, "not_found");
    ExpectProblem(w.Call("GET", "/v1/tenants/p1:t1/orders/nope"), 404, "not_found");
    w.CallJson("POST", "/v1/partners", {{"id", "p2"}, {"name", "P2"}}, keel::test::kOwnerKey, 201);
    const auto other = w.Key("partner_admin", "p2");
    auto hidden = w.Call("GET", "/v1/tenants/p1:t1", nullptr, other);
    auto absent = w.Call("GET", "/v1/tenants/no-such-tenant", nullptr, other);
    ExpectProblem(hidden, 404, "not_found");
    ExpectProblem(absent, 404, "not_found");
    // Existence is not revealed: the same answer, apart from the name.
    CHECK(Json::parse(hidden.body)["title"] == Json::parse(absent.body)["title"]);
  }
  SECTION("405: a known path with another method") {
    auto r = w.Call("DELETE", "/v1/tenants/p1:t1/orders");
    ExpectProblem(r, 405, "method_not_allowed");
    CHECK(r.Header("allow") == "POST, GET");
  }
  SECTION("409: If-Match on a stale version, an Idempotency-Key reused for another body") {
    ExpectProblem(w.Call("POST", "/v1/tenants/p1:t1/warehouses/w1/adjustments", {{"sku", "BOLT"}, {"delta", 1}, {"reason", "count"}},
                         keel::test::kOwnerKey, "If-Match: \"7\"\r\n"),
                  409, "version_conflict");
    CHECK(w.Call("POST", "/v1/tenants/p1:t1/warehouses/w1/adjustments", {{"sku", "BOLT"}, {"delta", 1}, {"reason", "count"}},
                 keel::test::kOwnerKey, "If-Match: \"1\"\r\n").status == 200);
    CHECK(w.Call("POST", "/v1/tenants/p1:t1/orders", kOrder, keel::test::kOwnerKey, "Idempotency-Key: k-1\r\n").status == 201);
    Json other = kOrder;
    other["customer"] = "c2";
    ExpectProblem(w.Call("POST", "/v1/tenants/p1:t1/orders", other, keel::test::kOwnerKey, "Idempotency-Key: k-1\r\n"), 409,
                  "idempotency_key_reused");
  }
  SECTION("413: a body over the limit") {
    RawHttp http(w.port());
    std::string big(1024 * 1024 + 10, ' ');
    ExpectProblem(http.Request("POST", "/v1/partners", big, "Authorization: Bearer " + std::string(keel::test::kOwnerKey) + "\r\n"),
                  413, "payload_too_large");
  }
  SECTION("415: a body that is not JSON") {
    RawHttp http(w.port());
    ExpectProblem(http.Request("POST", "/v1/partners", "id=p9", "Authorization: Bearer " + std::string(keel::test::kOwnerKey) + "\r\n",
                               "application/x-www-form-urlencoded"),
                  415, "unsupported_media_type");
  }
  SECTION("422: a domain rejection carries its code") {
    auto r = w.Call("POST", "/v1/tenants/p1:t1/warehouses/w1/adjustments", {{"sku", "BOLT"}, {"delta", -5}, {"reason", "count"}});
    ExpectProblem(r, 422, "insufficient_stock");
    CHECK(Json::parse(r.body)["code"] == "insufficient_stock");
    auto unknown_sku = w.Call("POST", "/v1/tenants/p1:t1/orders", {{"id", "o7"}, {"customer", "c"}, {"currency", "EUR"}, {"lines", Json::array({{{"line", 1}, {"sku", "NOPE"}, {"qty", 1}}})}});
    ExpectProblem(unknown_sku, 422, "unknown_sku");
  }
  // Refusals write nothing (the successful commands of the 404 and 409 sections aside).
  for (const auto& e : w.KeyEventsSince(before)) {
    INFO(e.type << " " << e.stream << " by " << e.principal);
    CHECK((e.type == "StockAdjusted" || e.type == "OrderPlaced" || e.type == "PartnerRegistered"));
  }
}

TEST_CASE("429 over the tenant's rate with Retry-After", "[gateway][e2e]") {
  keel::test::WorldOptions o;
  o.rate_limits = true;
  GatewayWorld w(o);
  Seed(w);  // regional-distributor: 30 requests per second
  const auto partner = w.Key("partner_admin", "p1");
  // The platform owner is not throttled by a tenant's plan.
  for (int i = 0; i < 40; ++i) REQUIRE(w.Call("GET", "/v1/tenants/p1:t1").status == 200);
  int limited = 0;
  HttpReply last;
  for (int i = 0; i < 80 && limited == 0; ++i) {
    auto r = w.Call("GET", "/v1/tenants/p1:t1", nullptr, partner);
    if (r.status == 429) {
      limited++;
      last = r;
    }
  }
  REQUIRE(limited == 1);
  ExpectProblem(last, 429, "rate_limited");
  CHECK(std::stoi(last.Header("retry-after")) >= 1);
  // Another tenant's budget is its own; the time moves on and the bucket refills.
  w.clock.Advance(2000);
  CHECK(w.Call("GET", "/v1/tenants/p1:t1", nullptr, partner).status == 200);
}

TEST_CASE("503 when more requests are in flight than the server takes", "[gateway][e2e]") {
  keel::test::WorldOptions o;
  o.max_in_flight = 0;  // nothing is accepted: every request is answered at once with 503
  GatewayWorld w(o);
  auto r = w.Call("GET", "/v1/plans");
  ExpectProblem(r, 503, "overloaded");
  CHECK(r.Header("retry-after") == "1");
}

TEST_CASE("503 once the store is fail-stopped: commands refused and not ready", "[gateway][e2e]") {
  auto switches = std::make_shared<keel::eventstore::test::FaultSwitches>();
  keel::test::WorldOptions o;
  o.store_env = keel::eventstore::test::MakeFaultEnv(switches);
  GatewayWorld w(o);
  w.CallJson("POST", "/v1/partners", {{"id", "p1"}, {"name", "P1"}}, keel::test::kOwnerKey, 201);
  const auto head = w.head();
  switches->fail_wal_sync = true;
  ExpectProblem(w.Call("PUT", "/v1/partners/p1/revenue-share", {{"partner_bps", 1000}}), 503, "store_unavailable");
  switches->fail_wal_sync = false;  // too late: a failed sync stops the store for good
  ExpectProblem(w.Call("POST", "/v1/partners", {{"id", "p2"}, {"name", "P2"}}), 503, "store_unavailable");
  ExpectProblem(w.Call("GET", "/readyz", nullptr, ""), 503, "store_fail_stopped");
  CHECK(w.Call("GET", "/healthz", nullptr, "").status == 200);
  CHECK(w.Call("GET", "/v1/partners/p1").status == 200);  // reads still work
  CHECK(w.head() == head);
}

TEST_CASE("a retried command with its Idempotency-Key returns the first response byte for byte", "[gateway][e2e]") {
  GatewayWorld w;
  Seed(w);
  // Partner registration: no process manager reacts to it, so the log's head is only ours to move.
  const Json partner{{"id", "p9"}, {"name", "Partner Nine"}};
  auto first = w.Call("POST", "/v1/partners", partner, keel::test::kOwnerKey, "Idempotency-Key: partner-p9\r\n");
  REQUIRE(first.status == 201);
  const auto head = w.head();
  auto again = w.Call("POST", "/v1/partners", partner, keel::test::kOwnerKey, "Idempotency-Key: partner-p9\r\n");
  CHECK(again.status == 201);
  CHECK(again.body == first.body);
  CHECK(again.Header("etag") == first.Header("etag"));
  CHECK(w.head() == head);
  // The same JSON written otherwise (whitespace, key order) is the same body: the first answer again.
  keel::test::RawHttp raw(w.port());
  auto respaced = raw.Request("POST", "/v1/partners", "{ \"name\" : \"Partner Nine\",\n  \"id\":\"p9\" }",
                              "Authorization: Bearer " + std::string(keel::test::kOwnerKey) +
                                  "\r\nContent-Type: application/json\r\nIdempotency-Key: partner-p9\r\n");
  CHECK(respaced.status == 201);
  CHECK(respaced.body == first.body);
  CHECK(w.head() == head);
  // Without the key the same command is a new attempt, refused by the domain.
  CHECK(w.Call("POST", "/v1/partners", partner).status == 422);
  // The first response survives a restart of the whole node.
  w.node->Stop();
  w.node.reset();
  keel::app::NodeOptions o;
  o.data_dir = w.dir.str();
  o.server.port = 0;
  o.clock = &w.clock;
  o.wall_clock = &w.clock;  // the same wall time as before the restart: the answer is within its retention
  o.billing_interval = std::chrono::milliseconds(0);
  o.bootstrap_key = keel::test::kOwnerKey;
  o.master_key = keel::test::kMasterKey;
  auto restarted = keel::app::Node::Start(o);
  REQUIRE(restarted.has_value());
  w.node = std::move(*restarted);
  auto after = w.Call("POST", "/v1/partners", partner, keel::test::kOwnerKey, "Idempotency-Key: partner-p9\r\n");
  CHECK(after.body == first.body);
  CHECK(w.head() == head);
}

// A crash between the append and the stored HTTP answer leaves only the store's record of the key.
// The gateway's stored answers are dropped here (a purge far in the future) to reach that state.
TEST_CASE("an Idempotency-Key reused with another body is 409 even when its stored answer was lost",
          "[gateway][e2e][idempotency]") {
  GatewayWorld w;
  Seed(w);
  Json order = kOrder;
  order["id"] = "o-idem";
  auto first = w.Call("POST", "/v1/tenants/p1:t1/orders", order, keel::test::kOwnerKey, "Idempotency-Key: place-o-idem\r\n");
  REQUIRE(first.status == 201);
  const Json partner{{"id", "p-idem"}, {"name", "Partner"}};
  REQUIRE(w.Call("POST", "/v1/partners", partner, keel::test::kOwnerKey, "Idempotency-Key: reg-p-idem\r\n").status == 201);
  auto purged = w.node->api().PurgeExpiredIdempotency(w.clock.NowMs() + 100LL * 365 * 24 * 3600 * 1000);
  REQUIRE(purged.has_value());
  REQUIRE(*purged == 2);
  const auto head = w.head();

  Json other = order;
  other["lines"][0]["qty"] = 7;
  ExpectProblem(w.Call("POST", "/v1/tenants/p1:t1/orders", other, keel::test::kOwnerKey, "Idempotency-Key: place-o-idem\r\n"),
                409, "idempotency_key_reused");
  ExpectProblem(w.Call("POST", "/v1/partners", Json{{"id", "p-idem"}, {"name", "Renamed"}}, keel::test::kOwnerKey,
                       "Idempotency-Key: reg-p-idem\r\n"),
                409, "idempotency_key_reused");
  // Another key's holder sending the same key is another command.
  const auto analyst = w.Key("platform_owner");
  ExpectProblem(w.Call("POST", "/v1/tenants/p1:t1/orders", order, analyst, "Idempotency-Key: place-o-idem\r\n"), 422,
                "already_exists");
  CHECK(w.KeyEventsSince(head).empty());  // (fulfilment may still be writing for the order)

  // The same command again, even with its body laid out differently, is the first one's answer.
  RawHttp http(w.port());
  const std::string reordered = R"({ "lines": [ {"unit_price": 100, "qty": 1, "sku": "BOLT", "line": 1} ],
                                     "currency": "EUR", "customer": "c1", "id": "o-idem" })";
  auto again = http.Request("POST", "/v1/tenants/p1:t1/orders", reordered,
                            "Authorization: Bearer " + std::string(keel::test::kOwnerKey) + "\r\nIdempotency-Key: place-o-idem\r\n");
  INFO(again.body);
  CHECK(again.status == 201);
  CHECK(again.body.find("o-idem") != std::string::npos);
  CHECK(w.KeyEventsSince(head).empty());
}

TEST_CASE("a client that disconnects mid-request loses nothing", "[gateway][e2e]") {
  GatewayWorld w;
  Seed(w);
  for (int i = 0; i < 20; ++i) {
    RawHttp http(w.port());
    Json order = kOrder;
    order["id"] = "gone-" + std::to_string(i);
    const std::string body = order.dump();
    http.SendRaw("POST /v1/tenants/p1:t1/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + std::string(keel::test::kOwnerKey) +
                 "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    http.Close();  // before any answer
  }
  // Every command completes: each order exists (placed exactly once), the server still serves.
  for (int i = 0; i < 20; ++i) {
    int status = 0;
    for (int t = 0; t < 200 && status != 200; ++t) {
      status = w.Call("GET", "/v1/tenants/p1:t1/orders/gone-" + std::to_string(i)).status;
      if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(status == 200);
  }
  CHECK(w.Call("GET", "/healthz").status == 200);
}

namespace {

// Records in the audit read model.
std::size_t Audits(GatewayWorld& w) {
  std::size_t n = 0;
  (void)w.node->store().ReadModelScan("audit", "", [&](std::string_view, std::string_view) { return ++n, true; });
  return n;
}

// The same once every audit record committed so far has landed: they go through the store's writer,
// which is first in, first out, so a synchronous write queued after them returns only after them.
std::size_t SettledAudits(GatewayWorld& w) {
  REQUIRE(w.node->store().SaveCheckpoint("test.probe", 1).has_value());
  return Audits(w);
}

}  // namespace

TEST_CASE("a flood of bad keys is counted but audited at a bounded rate, per source and overall", "[gateway][e2e]") {
  GatewayWorld w;
  auto settled = [&] { return SettledAudits(w); };
  RawHttp http(w.port());
  for (int i = 0; i < 500; ++i) REQUIRE(http.Request("GET", "/v1/plans", "", "Authorization: Bearer nope\r\n").status == 401);
  CHECK(settled() == 20);  // one source: one simulated second's worth of its own budget, not one more
  std::string metrics = w.Call("GET", "/metrics", nullptr, "").body;
  CHECK(metrics.find("keel_denied_requests_total 500") != std::string::npos);
  CHECK(metrics.find("keel_audit_dropped_total{cap=\"per_source\"} 480") != std::string::npos);
  // Many sources at once: the overall budget holds too.
  keel::actors::Client client(w.node->runtime());
  for (int i = 0; i < 300; ++i) {
    keel::gateway::Request req;
    req.method = "GET";
    req.target = "/v1/plans";
    req.headers["authorization"] = "Bearer nope";
    req.source = "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ":4000";
    REQUIRE(w.node->api().Handle(req, client).status == 401);
  }
  CHECK(settled() == 200);  // 20 + 180 more from other sources, then the overall cap
  metrics = w.Call("GET", "/metrics", nullptr, "").body;
  CHECK(metrics.find("keel_audit_dropped_total{cap=\"overall\"} 120") != std::string::npos);
  w.clock.Advance(1000);
  CHECK(w.Call("GET", "/v1/plans", nullptr, "bad-key-bad-key-bad-key").status == 401);
  CHECK(settled() == 201);
  // What a record holds: who, route, status, source, request id; never the key it was refused with.
  bool found = false;
  REQUIRE(w.node->store().ReadModelScan("audit", "", [&](std::string_view, std::string_view v) {
    auto rec = Json::parse(v);
    if (rec["source"] == "10.0.0.5:4000") {
      found = true;
      CHECK(rec["who"] == "anonymous");
      CHECK(rec["route"] == "list_plans");
      CHECK(rec["status"] == 401);
      CHECK(rec["method"] == "GET");
      CHECK(v.find("nope") == std::string_view::npos);
    }
    return true;
  }));
  CHECK(found);
}

TEST_CASE("audit records are purged once their retention ends, oldest first, in bounded batches", "[gateway][e2e]") {
  GatewayWorld w;
  auto audits = [&] { return Audits(w); };
  auto settled = [&] { return SettledAudits(w); };
  constexpr std::int64_t kDay = 24LL * 3600 * 1000;
  const std::int64_t retention = keel::gateway::ApiOptions{}.audit_retention_ms;
  auto refuse = [&] { CHECK(w.Call("GET", "/v1/plans", nullptr, "bad-key-bad-key-bad-key").status == 401); };
  refuse();
  w.clock.Advance(1000);
  refuse();
  w.clock.Advance(1000);
  refuse();  // three old records, a second apart
  w.clock.Advance(retention - kDay);
  refuse();  // a recent one
  REQUIRE(settled() == 4);
  auto& api = w.node->api();
  CHECK(api.PurgeExpiredAudit(w.clock.NowMs()).value() == 0);  // none is past its retention yet
  w.clock.Advance(kDay + 1);  // the first three expire, the fourth is one day old
  CHECK(api.PurgeExpiredAudit(w.clock.NowMs(), 2).value() == 2);  // the limit holds
  CHECK(audits() == 2);
  CHECK(api.PurgeExpiredAudit(w.clock.NowMs(), 2).value() == 1);
  CHECK(api.PurgeExpiredAudit(w.clock.NowMs(), 2).value() == 0);
  CHECK(audits() == 1);
  std::string kept;
  (void)w.node->store().ReadModelScan("audit", "", [&](std::string_view, std::string_view v) {
    kept = std::string(v);
    return false;
  });
  CHECK(Json::parse(kept)["at"].get<std::int64_t>() == keel::test::kStart + 2000 + retention - kDay);
}

TEST_CASE("stored Idempotency-Key responses are purged once their retention ends, and only then", "[gateway][e2e]") {
  GatewayWorld w;
  Seed(w);
  auto stored = [&] {
    std::size_t n = 0;
    REQUIRE(w.node->store().ReadModelScan("http_idempotency", "", [&](std::string_view, std::string_view) {
      ++n;
      return true;
    }));
    return n;
  };
  const std::size_t before = stored();
  const Json p8{{"id", "p8"}, {"name", "Partner Eight"}};
  const Json p7{{"id", "p7"}, {"name", "Partner Seven"}};
  auto first = w.Call("POST", "/v1/partners", p8, keel::test::kOwnerKey, "Idempotency-Key: purge-a\r\n");
  REQUIRE(first.status == 201);
  REQUIRE(w.Call("POST", "/v1/partners", p7, keel::test::kOwnerKey, "Idempotency-Key: purge-b\r\n").status == 201);
  CHECK(stored() == before + 4);  // each response and its expiry entry

  // Within the retention nothing goes.
  w.clock.Advance(23LL * 3600 * 1000);
  auto none = w.node->api().PurgeExpiredIdempotency(w.clock.NowMs());
  REQUIRE(none.has_value());
  CHECK(*none == 0);
  CHECK(w.Call("POST", "/v1/partners", p8, keel::test::kOwnerKey, "Idempotency-Key: purge-a\r\n").body == first.body);

  // Past it, "purge-a" is used again: a new attempt (the partner exists now: 422) whose answer is stored anew.
  w.clock.Advance(2LL * 3600 * 1000);
  auto again = w.Call("POST", "/v1/partners", p8, keel::test::kOwnerKey, "Idempotency-Key: purge-a\r\n");
  CHECK(again.status == 422);
  auto purged = w.node->api().PurgeExpiredIdempotency(w.clock.NowMs());
  REQUIRE(purged.has_value());
  CHECK(*purged == 1);  // "purge-b"; "purge-a" was stored again and keeps its new answer
  CHECK(stored() == before + 2);
  // The stored answer again (a problem names each occurrence in `instance`: the rest is the same bytes).
  auto without_instance = [](const std::string& body) {
    Json j = Json::parse(body);
    j.erase("instance");
    return j;
  };
  CHECK(without_instance(w.Call("POST", "/v1/partners", p8, keel::test::kOwnerKey, "Idempotency-Key: purge-a\r\n").body) ==
        without_instance(again.body));

  // A day later the rest goes too, and a limit bounds each call.
  w.clock.Advance(25LL * 3600 * 1000);
  auto limited = w.node->api().PurgeExpiredIdempotency(w.clock.NowMs(), 0);
  REQUIRE(limited.has_value());
  CHECK(*limited == 0);
  CHECK(stored() == before + 2);
  auto rest = w.node->api().PurgeExpiredIdempotency(w.clock.NowMs());
  REQUIRE(rest.has_value());
  CHECK(*rest == 1);
  CHECK(stored() == before);
}

TEST_CASE("the node applies the retentions it is given (keel serve's retention flags)", "[gateway][e2e]") {
  constexpr std::int64_t kHour = 3600LL * 1000;
  keel::test::WorldOptions options;
  options.idempotency_retention_ms = 2 * kHour;
  options.audit_retention_ms = 3 * kHour;
  GatewayWorld w(options);
  auto& api = w.node->api();
  REQUIRE(w.Call("POST", "/v1/partners", Json{{"id", "p9"}, {"name", "Partner Nine"}}, keel::test::kOwnerKey,
                 "Idempotency-Key: short-lived\r\n")
              .status == 201);
  CHECK(w.Call("GET", "/v1/plans", nullptr, "bad-key-bad-key-bad-key").status == 401);
  REQUIRE(SettledAudits(w) == 1);
  w.clock.Advance(2 * kHour - 1);  // within both
  CHECK(api.PurgeExpiredIdempotency(w.clock.NowMs()).value() == 0);
  CHECK(api.PurgeExpiredAudit(w.clock.NowMs()).value() == 0);
  w.clock.Advance(2);  // past the 2 h of Idempotency-Key answers (the default is 24 h)
  CHECK(api.PurgeExpiredIdempotency(w.clock.NowMs()).value() == 1);
  CHECK(api.PurgeExpiredAudit(w.clock.NowMs()).value() == 0);
  w.clock.Advance(kHour);  // past the 3 h of audit records (the default is 90 days)
  CHECK(api.PurgeExpiredAudit(w.clock.NowMs()).value() == 1);
  CHECK(Audits(w) == 0);
}

TEST_CASE("an Idempotency-Key retention beyond the store's default raises the store's as well", "[gateway][e2e]") {
  constexpr std::int64_t kHour = 3600LL * 1000;
  // A retry of an attempt that got no answer (5xx) reaches the store with the same key; the store must
  // still know the key for as long as the gateway promises to.
  auto retried_after = [](std::int64_t retention_ms, std::int64_t later_ms) {
    keel::test::WorldOptions options;
    options.idempotency_retention_ms = retention_ms;
    GatewayWorld w(options);
    auto& store = w.node->store();
    auto append = [&] {
      auto r = store.Append("t/acme/test/probe", keel::eventstore::ExpectedVersion::Any(), {{"Probe", 1, "x"}}, {},
                            "http:k1:retry-me");
      REQUIRE(r);
      return r->duplicate;
    };
    CHECK(!append());
    w.clock.Advance(later_ms);
    return append();
  };
  CHECK(retried_after(48 * kHour, 30 * kHour));   // still a duplicate at 30 h: the store keeps keys 48 h
  CHECK(!retried_after(24 * kHour, 30 * kHour));  // the default: forgotten after 24 h
}

// An id no entity can have (a space, a non-ASCII letter, a tab, over 128 characters) is bad input
// naming the field when it would create one, and 404 in a path — never a 503, and nothing is written.
TEST_CASE("ids with characters outside the id alphabet are 400 invalid_field naming the id, in a body or a path",
          "[gateway][e2e][ids]") {
  GatewayWorld w;
  Seed(w);
  const auto head = w.head();
  for (const std::string& bad : std::vector<std::string>{"a b", "o-\xc3\xa9", "tab\there", std::string(129, 'x')}) {
    INFO("id '" << bad << "'");
    Json order = kOrder;
    order["id"] = bad;
    auto placed = w.Call("POST", "/v1/tenants/p1:t1/orders", order);
    ExpectProblem(placed, 400, "invalid_field");
    CHECK(Json::parse(placed.body, nullptr, false).value("field", "") == "id");
    auto partner = w.Call("POST", "/v1/partners", {{"id", bad}, {"name", "P"}});
    ExpectProblem(partner, 400, "invalid_field");
    CHECK(Json::parse(partner.body, nullptr, false).value("field", "") == "id");
    auto tenant = w.Call("POST", "/v1/partners/p1/tenants", {{"reference", bad}, {"name", "T"}, {"template_id", "regional-distributor"}});
    ExpectProblem(tenant, 400, "invalid_field");
    CHECK(Json::parse(tenant.body, nullptr, false).value("field", "") == "reference");
  }
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v1/tenants/p1:t1/orders/a%20b"}, {"POST", "/v1/tenants/p1:t1/orders/a%20b/cancellation"},
           {"GET", "/v1/tenants/p1:t1/orders/" + std::string(129, 'o')}}) {
    auto r = w.Call(method, path, method == "POST" ? Json::object() : Json(nullptr));
    ExpectProblem(r, 400, "invalid_field");
    CHECK(Json::parse(r.body, nullptr, false).value("field", "") == "order");
    CHECK(r.body.find('\0') == std::string::npos);  // the value is not echoed
  }
  auto bad_tenant = w.Call("GET", "/v1/tenants/a%20b/orders/o1");
  ExpectProblem(bad_tenant, 400, "invalid_field");
  CHECK(Json::parse(bad_tenant.body, nullptr, false).value("field", "") == "tenant");
  CHECK(w.head() == head);  // nothing written
}

TEST_CASE("every id in a body follows the id rule: 400 naming the field before any lookup, and nothing is written",
          "[gateway][e2e][ids]") {
  GatewayWorld w;
  Seed(w);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders", kOrder, keel::test::kOwnerKey, 201);
  w.CallJson("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"name", "bi"}}, keel::test::kOwnerKey, 201);
  // The order's fulfilment appends on its own: wait until the log is quiet.
  auto head = w.head();
  for (int quiet = 0, i = 0; quiet < 5 && i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    quiet = w.head() == head ? quiet + 1 : 0;
    head = w.head();
  }
  const std::string bad = "a b";
  struct Case {
    std::string method, path;
    Json body;
    std::string field;
  };
  const Json line = {{"sku", "BOLT"}, {"qty", 1}, {"unit_cost", 10}};
  const std::vector<Case> cases = {
      {"PUT", "/v1/partners/p1/price-list", {{"prices", {{"currency", "EUR"}, {"entries", Json::array({{{"sku", bad}}})}}}}, "prices.entries[0].sku"},
      {"POST", "/v1/tenants/p1:t1/tickets", {{"ticket", bad}, {"subject", "s"}}, "ticket"},
      {"POST", "/v1/tenants/p1:t1/catalog/suppliers", {{"suppliers", Json::array({{{"id", bad}, {"name", "S"}}})}}, "suppliers[0].id"},
      {"POST", "/v1/tenants/p1:t1/catalog/imports",
       {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "GEAR"}, {"name", "G"}, {"unit", "box"}, {"category", "hardware"}, {"supplier", bad}}}}})}},
       "rows[0].item.supplier"},
      {"POST", "/v1/tenants/p1:t1/catalog/imports",
       {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "x/y"}, {"name", "G"}, {"unit", "box"}, {"category", "hardware"}}}}})}},
       "rows[0].item.sku"},
      {"POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
       {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 1}, {"unit_cost", 10}, {"lot", bad}, {"expiry", 1}}})}},
       "lines[0].lot"},
      {"POST", "/v1/tenants/p1:t1/warehouses/w1/receipts", {{"receipt_id", "r1"}, {"lines", Json::array({{{"qty", 1}, {"unit_cost", 10}}})}},
       "lines[0].sku"},
      {"POST", "/v1/tenants/p1:t1/warehouses/w1/adjustments", {{"sku", "BOLT"}, {"delta", 1}, {"reason", "count"}, {"lot", bad}}, "lot"},
      {"POST", "/v1/tenants/p1:t1/warehouses/w1/purchase-requests", {{"request_id", "pr1"}, {"sku", bad}, {"qty", 1}}, "sku"},
      {"POST", "/v1/tenants/p1:t1/warehouses/w1/transfers", {{"transfer_id", "x1"}, {"to_warehouse", bad}, {"sku", "BOLT"}, {"qty", 1}}, "to_warehouse"},
      {"POST", "/v1/tenants/p1:t1/orders",
       {{"id", "o2"}, {"customer", bad}, {"currency", "EUR"}, {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", 1}}})}}, "customer"},
      {"POST", "/v1/tenants/p1:t1/orders/o1/shipments", {{"warehouse", bad}}, "warehouse"},
      {"POST", "/v1/tenants/p1:t1/orders/o1/invoice", {{"invoice_id", bad}}, "invoice_id"},
      {"POST", "/v1/tenants/p1:t1/orders/o1/returns", {{"rma", bad}, {"lines", Json::array()}}, "rma"},
      {"POST", "/v1/tenants/p1:t1/invoices/inv-1/payments", {{"payment_id", bad}, {"amount", 1}}, "payment_id"},
      {"POST", "/v1/tenants/p1:t1/invoices/inv-1/credit-notes", {{"note_id", bad}, {"amount", 1}}, "note_id"},
      {"POST", "/v1/keys", {{"role", "analyst"}, {"partner", bad}}, "partner"},
      {"PUT", "/v1/tenants/p1:t1/customers/c1/contract-prices", {{"currency", "EUR"}, {"prices", Json::array({{{"sku", bad}, {"unit_price", 1}}})}},
       "prices[0].sku"},
      {"PUT", "/v1/tenants/p1:t1/customers/c1/contract-prices",
       {{"currency", "EUR"}, {"prices", Json::array({{{"sku", std::string(65, 'S')}, {"unit_price", 1}}})}}, "prices[0].sku"},
      {"POST", "/v1/tenants/p1:t1/orders",
       {{"id", "o3"}, {"customer", "c1"}, {"currency", "EUR"}, {"lines", Json::array({{{"line", 1}, {"sku", std::string(65, 'S')}, {"qty", 1}}})}},
       "lines[0].sku"},
      {"PUT", "/v1/tenants/p1:t1/customers/../contract-prices", {{"currency", "EUR"}, {"prices", Json::array()}}, "customer"},
      {"POST", "/v1/tenants/p1:t1/orders/./cancellation", Json::object(), "order"},
      {"POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p1"}, {"tenant", bad}}, "tenant"},
  };
  for (const auto& c : cases) {
    auto r = w.Call(c.method, c.path, c.body);
    INFO(c.method << " " << c.path << " " << c.body.dump() << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(ProblemType(r) == "invalid_field");
    CHECK(Json::parse(r.body, nullptr, false).value("field", "") == c.field);
  }
  CHECK(w.head() == head);
}

TEST_CASE("a tenant that does not exist is 404 on every route for every role that may use it, and costs nothing",
          "[gateway][e2e][ids]") {
  GatewayWorld w;
  Seed(w);
  auto analyst = w.CallJson("POST", "/v1/keys", {{"role", "analyst"}, {"name", "platform bi"}}, keel::test::kOwnerKey, 201);
  const std::string analyst_key = analyst["token"];
  const auto head = w.head();
  const auto activations = w.node->runtime().Stats().activations;
  for (const std::string& key : {std::string(keel::test::kOwnerKey), analyst_key}) {
    for (const std::string path : {"/v1/tenants/ghost", "/v1/tenants/ghost/catalog", "/v1/tenants/ghost/billing",
                                    "/v1/tenants/ghost/warehouses/w1", "/v1/tenants/ghost/orders/o1",
                                    "/v1/tenants/ghost/customers/c1/contract-prices"}) {
      auto r = w.Call("GET", path, nullptr, key);
      INFO(path << " -> " << r.status << " " << r.body);
      CHECK(r.status == 404);
      CHECK(ProblemType(r) == "not_found");
    }
  }
  // Writes: the owner gets 404; the analyst, who may not write anywhere, 403 as for an existing tenant.
  const Json suppliers = {{"suppliers", Json::array({{{"id", "p1:s1"}, {"name", "S"}}})}};
  auto owner_write = w.Call("POST", "/v1/tenants/ghost/catalog/suppliers", suppliers);
  CHECK(owner_write.status == 404);
  CHECK(w.Call("POST", "/v1/tenants/ghost/catalog/suppliers", suppliers, analyst_key).status == 403);
  CHECK(w.Call("POST", "/v1/tenants/p1:t1/catalog/suppliers", suppliers, analyst_key).status == 403);
  CHECK(w.Call("PUT", "/v1/tenants/ghost/customers/c1/contract-prices",
               {{"currency", "EUR"}, {"prices", Json::array({{{"sku", "BOLT"}, {"unit_price", 1}}})}})
            .status == 404);
  CHECK(w.head() == head);  // nothing written for the ghost tenant
  CHECK(w.node->store().StreamVersion("t/ghost/catalog/main").value() == 0);
  CHECK(w.node->runtime().Stats().activations == activations);  // no actor was activated for it
}
