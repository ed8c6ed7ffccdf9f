// Every error status the API promises, provoked over real sockets and checked for its problem type;
// idempotent retries, If-Match, and a client that disconnects mid-request.
#include <thread>

#include "fault_fs.hpp"
#include "error_world.hpp"

using keel::test::GatewayWorld;
using keel::test::HttpReply;
using keel::test::Json;
using keel::test::RawHttp;

using keel::test::ExpectProblem;
using keel::test::kOrder;
using keel::test::Seed;

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
  (void)w.node->store().ReadModelScan("audit", "r/", [&](std::string_view, std::string_view) { return ++n, true; });
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
  REQUIRE(w.node->store().ReadModelScan("audit", "r/", [&](std::string_view, std::string_view v) {
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
  (void)w.node->store().ReadModelScan("audit", "r/", [&](std::string_view, std::string_view v) {
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
