// What every answer carries over plain HTTP: an X-Request-Id (the client's when usable, else a new
// one) that a problem document also names as its `instance`; CORS for configured browser origins,
// preflights included, and nothing for others.
#include <regex>

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
}

TEST_CASE("CORS answers configured origins, preflights included, and no one else", "[gateway][e2e][http]") {
  WorldOptions o;
  o.cors_origins = {"https://app.example.com"};
  GatewayWorld w(o);
  auto allowed = w.Call("GET", "/v1/plans", nullptr, kOwnerKey, "Origin: https://app.example.com\r\n");
  CHECK(allowed.Header("access-control-allow-origin") == "https://app.example.com");
  CHECK(allowed.Header("access-control-expose-headers").find("X-Request-Id") != std::string::npos);
  auto other = w.Call("GET", "/v1/plans", nullptr, kOwnerKey, "Origin: https://evil.example.com\r\n");
  CHECK(other.status == 200);
  CHECK(other.Header("access-control-allow-origin").empty());

  RawHttp http(w.port());
  auto preflight = http.Request("OPTIONS", "/v1/tenants/t1/orders", "",
                                "Origin: https://app.example.com\r\nAccess-Control-Request-Method: POST\r\n"
                                "Access-Control-Request-Headers: authorization, content-type, idempotency-key\r\n");
  CHECK(preflight.status == 204);
  CHECK(preflight.Header("access-control-allow-origin") == "https://app.example.com");
  CHECK(preflight.Header("access-control-allow-methods").find("POST") != std::string::npos);
  CHECK(preflight.Header("access-control-allow-headers").find("Idempotency-Key") != std::string::npos);
  RawHttp http2(w.port());
  auto refused = http2.Request("OPTIONS", "/v1/tenants/t1/orders", "",
                               "Origin: https://evil.example.com\r\nAccess-Control-Request-Method: POST\r\n");
  CHECK(refused.status == 403);
  CHECK(refused.Header("access-control-allow-origin").empty());

  // Without configured origins: no CORS headers at all.
  GatewayWorld plain;
  CHECK(plain.Call("GET", "/v1/plans", nullptr, kOwnerKey, "Origin: https://app.example.com\r\n").Header("access-control-allow-origin").empty());
}
