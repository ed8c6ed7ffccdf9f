// A malformed-input corpus against a live server: truncated, deeply nested, huge, wrong types,
// invalid UTF-8, oversized headers, garbage framing. Every answer is a 4xx (or a closed connection
// for bytes that are not HTTP), the server keeps serving, and no event is written.
#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::RawHttp;

namespace {
const std::string kAuth = std::string("Authorization: Bearer ") + keel::test::kOwnerKey + "\r\n";
}

TEST_CASE("malformed input gets 4xx and writes nothing while the server keeps serving", "[gateway][e2e][malformed]") {
  GatewayWorld w;
  w.CallJson("POST", "/v1/partners", {{"id", "p1"}, {"name", "P1"}}, keel::test::kOwnerKey, 201);
  w.CallJson("POST", "/v1/partners/p1/certification", nullptr, keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t1"}, {"name", "T1"}, {"template_id", "regional-distributor"}},
             keel::test::kOwnerKey, 201);
  const auto head = w.head();

  const std::vector<std::pair<std::string, std::string>> bodies{
      {"truncated", R"({"id": "o1", "customer": "c", "lines": [{"line": 1, "sku": "A")"},
      {"deeply nested", std::string(100000, '[') + std::string(100000, ']')},
      {"nested objects", [] { std::string s; for (int i = 0; i < 5000; ++i) s += "{\"a\":"; s += "1"; for (int i = 0; i < 5000; ++i) s += "}"; return s; }()},
      {"wrong types", R"({"id": 5, "customer": ["c"], "currency": {}, "lines": "many"})"},
      {"negative line", R"({"id": "o1", "customer": "c", "currency": "EUR", "lines": [{"line": -1, "sku": "A", "qty": 1}]})"},
      {"float quantity", R"({"id": "o1", "customer": "c", "currency": "EUR", "lines": [{"line": 1, "sku": "A", "qty": 1.5}]})"},
      {"huge integer", R"({"id": "o1", "customer": "c", "currency": "EUR", "lines": [{"line": 1, "sku": "A", "qty": 99999999999999999999999}]})"},
      {"invalid utf-8", "{\"id\": \"o\xff\xfe\", \"customer\": \"c\", \"currency\": \"EUR\", \"lines\": []}"},
      {"overlong utf-8", "{\"id\": \"\xc0\xaf\", \"customer\": \"c\", \"currency\": \"EUR\", \"lines\": []}"},
      {"nul in string", std::string("{\"id\": \"a\0b\", \"customer\": \"c\"}", 30)},
      {"array body", "[1,2,3]"},
      {"bare number", "42"},
      {"empty object", "{}"},
      {"trailing garbage", R"({"id": "o1"} xyz)"},
      {"duplicate keys", R"({"id": "o1", "id": "o2"})"},
      {"not json", "\x01\x02\x03\x04"},
      {"huge string", "{\"id\": \"" + std::string(900000, 'a') + "\"}"},
  };
  for (const auto& [name, body] : bodies) {
    RawHttp http(w.port());
    auto r = http.Request("POST", "/v1/tenants/p1:t1/orders", body, kAuth);
    INFO(name << " -> " << r.status << " " << r.body.substr(0, 300));
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    CHECK(r.Header("content-type") == "application/problem+json");
  }

  SECTION("framing and header abuse") {
    {
      RawHttp http(w.port());
      std::string huge_header = "X-Filler: " + std::string(20000, 'h') + "\r\n";
      auto r = http.Request("GET", "/v1/plans", "", kAuth + huge_header);
      CHECK(r.status == 431);
    }
    {
      RawHttp http(w.port());
      auto r = http.Request("GET", "/" + std::string(10000, 'p'), "", kAuth);
      CHECK(r.status == 431);
    }
    {
      RawHttp http(w.port());
      http.SendRaw("THIS IS NOT HTTP\r\n\r\n");
      auto r = http.Read();
      CHECK((r.status == 400 || r.status == 0));
    }
    {
      RawHttp http(w.port());
      http.SendRaw("POST /v1/partners HTTP/1.1\r\nHost: x\r\n" + kAuth + "Content-Length: 99999999999999999999\r\n\r\n{}");
      auto r = http.Read();
      CHECK((r.status == 400 || r.status == 413));
    }
    {
      RawHttp http(w.port());
      http.SendRaw("POST /v1/partners HTTP/1.1\r\nHost: x\r\n" + kAuth + "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n");
      auto r = http.Read();
      CHECK(r.status == 400);
    }
    {
      RawHttp http(w.port(), std::chrono::milliseconds(3000));
      http.SendRaw("POST /v1/partners HTTP/1.1\r\nHost: x\r\n" + kAuth + "Content-Type: application/json\r\nContent-Length: 50\r\n\r\n{\"id\":");
      http.Close();  // truncated body, then gone
    }
    {
      RawHttp http(w.port());
      auto r = http.Request("GET", "/v1/tenants/%ZZ/orders/%00", "", kAuth);
      CHECK(r.status == 404);
    }
  }
  CHECK(w.head() == head);
  CHECK(w.Call("GET", "/healthz").status == 200);
  CHECK(w.Call("GET", "/v1/tenants/p1:t1").status == 200);
}
