// What every answer carries over plain HTTP: an X-Request-Id (the client's when usable, else a new
// one) that a problem document also names as its `instance`; CORS for configured browser origins,
// preflights included, and nothing for others.
#include <mutex>
#include <regex>
#include <thread>

#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;
using keel::test::RawHttp;
using keel::test::WorldOptions;

TEST_CASE("every answer carries a request id, echoed from the client when usable and named in problems", "[gateway][e2e][http]") {
  GatewayWorld w;
  auto ok = w.Call("GET", "/v1/plans");
  const std::string generated = ok.Header("x-request-id");
  CHECK(std::regex_match(generated, std::regex("[0-9a-f]{16}")));
  CHECK(w.Call("GET", "/v1/plans").Header("x-request-id") != generated);  // one per request
  auto echoed = w.Call("GET", "/v1/plans", nullptr, kOwnerKey, "X-Request-Id: client-req:42\r\n");
  CHECK(echoed.Header("x-request-id") == "client-req:42");
  auto replaced = w.Call("GET", "/v1/plans", nullptr, kOwnerKey, "X-Request-Id: not usable\r\n");
  CHECK(std::regex_match(replaced.Header("x-request-id"), std::regex("[0-9a-f]{16}")));

  auto missing = w.Call("GET", "/v1/tenants/nope", nullptr, kOwnerKey, "X-Request-Id: trace-1\r\n");
  CHECK(missing.status == 404);
  CHECK(Json::parse(missing.body)["instance"] == "urn:keel:request:trace-1");
  auto unauthorized = w.Call("GET", "/v1/plans/x", nullptr, "");
  CHECK(Json::parse(unauthorized.body, nullptr, false).value("instance", "").starts_with("urn:keel:request:"));
  // Refused before the request is even parsed (too large): still an id.
  RawHttp http(w.port());
  auto big = http.Request("POST", "/v1/partners", std::string(2 * 1024 * 1024, 'x'),
                          "Authorization: Bearer " + std::string(kOwnerKey) + "\r\nContent-Type: application/json\r\n");
  CHECK(big.status == 413);
  CHECK(std::regex_match(big.Header("x-request-id"), std::regex("[0-9a-f]{16}")));
  RawHttp http2(w.port());
  auto big_named = http2.Request("POST", "/v1/partners", std::string(2 * 1024 * 1024, 'x'),
                                 "Authorization: Bearer " + std::string(kOwnerKey) + "\r\nContent-Type: application/json\r\nX-Request-Id: big-1\r\n");
  CHECK(big_named.status == 413);
  CHECK(big_named.Header("x-request-id") == "big-1");
}

TEST_CASE("CORS answers configured origins, preflights included, and no one else", "[gateway][e2e][http]") {
  WorldOptions o;
  o.cors_origins = {"https://app.example.com"};
  std::mutex mu;
  std::vector<std::string> lines;
  o.log_sink = [&](const std::string& line) {
    std::lock_guard lock(mu);
    lines.push_back(line);
  };
  GatewayWorld w(o);
  auto allowed = w.Call("GET", "/v1/plans", nullptr, kOwnerKey, "Origin: https://app.example.com\r\n");
  CHECK(allowed.Header("access-control-allow-origin") == "https://app.example.com");
  CHECK(allowed.Header("access-control-expose-headers").find("X-Request-Id") != std::string::npos);
  CHECK(allowed.Header("access-control-expose-headers").find("RateLimit-Remaining") != std::string::npos);
  RawHttp admin_http(w.admin_port());
  auto admin_preflight = admin_http.Request("OPTIONS", "/metrics", "",
                                            "Origin: https://app.example.com\r\nAccess-Control-Request-Method: GET\r\n");
  CHECK(admin_preflight.status == 403);  // no browser calls the admin listener
  auto other = w.Call("GET", "/v1/plans", nullptr, kOwnerKey, "Origin: https://evil.example.com\r\n");
  CHECK(other.status == 200);
  CHECK(other.Header("access-control-allow-origin").empty());

  RawHttp http(w.port());
  auto preflight = http.Request("OPTIONS", "/v1/tenants/p1:t1/orders", "",
                                "Origin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\n"
                                "Access-Control-Request-Headers: authorization, content-type, idempotency-key\r\n");
  CHECK(preflight.status == 204);
  CHECK(preflight.Header("access-control-allow-origin") == "https://app.example.com");
  CHECK(preflight.Header("access-control-allow-methods").find("POST") != std::string::npos);
  CHECK(preflight.Header("access-control-allow-headers").find("Idempotency-Key") != std::string::npos);
  RawHttp http2(w.port());
  auto refused = http2.Request("OPTIONS", "/v1/tenants/p1:t1/orders", "",
                               "Origin: https://evil.example.com\r\nAccess-Control-Request-Method: POST\r\n");
  CHECK(refused.status == 403);
  CHECK(refused.Header("access-control-allow-origin").empty());
  // The refused preflight is in the request log, with where it came from.
  bool logged = false;
  for (int i = 0; i < 200 && !logged; ++i) {
    {
      std::lock_guard lock(mu);
      for (const auto& l : lines) {
        const Json j = Json::parse(l, nullptr, false);
        logged = logged || (j.value("route", "") == "preflight" && j.value("status", 0) == 403 &&
                            j.value("source", "").starts_with("127.0.0.1:"));
      }
    }
    if (!logged) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(logged);

  // Without configured origins: no CORS headers at all.
  GatewayWorld plain;
  CHECK(plain.Call("GET", "/v1/plans", nullptr, kOwnerKey, "Origin: https://app.example.com\r\n").Header("access-control-allow-origin").empty());
}

TEST_CASE("the request log has one line per request with who, what and how it went, and never a secret",
          "[gateway][e2e][http][log]") {
  std::mutex mu;
  std::vector<std::string> lines;
  WorldOptions o;
  o.log_sink = [&](const std::string& line) {
    std::lock_guard lock(mu);
    lines.push_back(line);
  };
  GatewayWorld w(o);
  w.CallJson("POST", "/v1/partners", {{"id", "p1"}, {"name", "P1"}}, kOwnerKey, 201);
  auto issued = w.CallJson("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"name", "bi"}}, kOwnerKey, 201);
  const std::string token = issued["token"];
  auto refused = w.Call("POST", "/v1/partners", {{"id", "p1"}, {"name", "again"}}, kOwnerKey, "X-Request-Id: dup-1\r\n");
  CHECK(refused.status == 422);
  CHECK(w.Call("GET", "/v1/partners/p1?key=" + token, nullptr, "").status == 401);
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, token).status == 200);
  CHECK(w.Call("GET", "/v1/tenants/p1:zz", nullptr, kOwnerKey).status == 404);
  std::vector<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mu);
      seen = lines;
    }
    if (seen.size() >= 6) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(seen.size() == 6);
  std::vector<Json> parsed;
  for (const auto& l : seen) {
    INFO(l);
    CHECK(l.find(kOwnerKey) == std::string::npos);
    CHECK(l.find(token) == std::string::npos);
    auto j = Json::parse(l, nullptr, false);
    REQUIRE(j.is_object());
    for (const char* field : {"time", "level", "request_id", "source", "method", "route", "path", "status", "latency_ms",
                              "bytes_in", "bytes_out", "key", "role", "tenant"})
      CHECK(j.contains(field));
    CHECK(j["source"].get<std::string>().starts_with("127.0.0.1:"));
    parsed.push_back(j);
  }
  CHECK(parsed[0]["route"] == "register_partner");
  CHECK(parsed[0]["status"] == 201);
  CHECK(parsed[0]["level"] == "info");
  CHECK(parsed[0]["role"] == "platform_owner");
  CHECK(parsed[2]["request_id"] == "dup-1");
  CHECK(parsed[2]["level"] == "warn");
  CHECK(parsed[2]["problem"] == "already_exists");
  CHECK(parsed[3]["status"] == 401);
  CHECK(parsed[3]["path"] == "/v1/partners/p1");  // no query string
  CHECK(parsed[3]["key"] == "");
  CHECK(parsed[2]["bytes_out"] == refused.body.size());  // what was sent, `instance` included
  CHECK(parsed[4]["key"] == issued["id"]);
  CHECK(parsed[4]["role"] == "analyst");
  CHECK(parsed[4]["partner"] == "p1");
  CHECK(parsed[5]["tenant"] == "p1:zz");  // the tenant the request is about, not the key's binding
}

TEST_CASE("metrics, detailed readiness and /v1/admin are on the admin listener only, the API on the public one only",
          "[gateway][e2e][http][admin]") {
  GatewayWorld w;
  REQUIRE(w.admin_port() != 0);
  REQUIRE(w.admin_port() != w.port());
  auto on = [&](std::uint16_t port, const std::string& method, const std::string& path) {
    RawHttp http(port);
    return http.Request(method, path, "", "Authorization: Bearer " + std::string(kOwnerKey) + "\r\n");
  };
  // Public: the API, /healthz and a status-only /readyz; no metrics, no admin routes.
  CHECK(on(w.port(), "GET", "/v1/plans").status == 200);
  CHECK(on(w.port(), "GET", "/healthz").status == 200);
  auto ready = Json::parse(on(w.port(), "GET", "/readyz").body);
  CHECK(ready == Json{{"status", "ready"}});
  CHECK(on(w.port(), "GET", "/metrics").status == 404);
  CHECK(on(w.port(), "GET", "/v1/admin/clock").status == 404);
  // Admin: metrics, a detailed /readyz, the admin routes; none of the API, no WebSocket.
  auto metrics = on(w.admin_port(), "GET", "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("keel_") != std::string::npos);
  auto detailed = Json::parse(on(w.admin_port(), "GET", "/readyz").body);
  CHECK(detailed["status"] == "ready");
  CHECK(detailed.contains("head"));
  CHECK(detailed["store"]["writable"] == true);
  CHECK(on(w.admin_port(), "GET", "/v1/admin/clock").status == 200);
  CHECK(on(w.admin_port(), "GET", "/v1/plans").status == 404);
  RawHttp ws(w.admin_port());
  auto upgrade = ws.Request("GET", "/v1/ws", "",
                            "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " + std::string(kOwnerKey) + "\r\n");
  CHECK(upgrade.status == 404);
}
