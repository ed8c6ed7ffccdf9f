// Socket-free tests of the gateway's pure parts: the router (matching, 404 / 405, decoding), the
// OpenAPI document against the route table, the access rules, and the JSON field reader.
#include <fstream>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "gateway/access.hpp"
#include "gateway/openapi_schema.hpp"
#include "gateway/router.hpp"
#include "json_fields.hpp"
#include "secret_box.hpp"
#include "ws_protocols.hpp"

using namespace keel::gateway;

namespace {
std::string Lower(std::string_view method) {
  std::string out(method);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}
}  // namespace

TEST_CASE("the router matches methods and paths and decodes parameters", "[gateway][router]") {
  auto m = Match("GET", "/v1/tenants/acme/orders/o%2D1?expand=lines&x=%41");
  REQUIRE(m.has_value());
  CHECK(m->route->id == "get_order");
  CHECK(m->params.at("tenant") == "acme");
  CHECK(m->params.at("order") == "o-1");
  CHECK(m->query.at("x") == "A");
  CHECK(Match("POST", "/v1/tenants/acme/orders/")->route->id == "place_order");  // a trailing slash is tolerated

  auto wrong_method = Match("PATCH", "/v1/tenants/acme/orders/o1");
  REQUIRE(!wrong_method.has_value());
  CHECK(wrong_method.error().status == 405);
  CHECK(wrong_method.error().allow == std::vector<std::string>{"GET"});

  CHECK(Match("GET", "/v1/tenants/acme/nothing").error().status == 404);
  CHECK(Match("GET", "/v1/tenants//orders/o1").error().status == 404);      // empty parameter
  CHECK(Match("GET", "/v1/tenants/a%2Fb/orders/o1").error().status == 404); // an encoded '/' is not an id
  CHECK(Match("GET", "/v1/tenants/a%00/orders/o1").error().status == 404);  // nor a NUL
  CHECK(Match("GET", "/v1/tenants/a%G1/orders/o1").error().status == 404);  // bad escape
  CHECK(Match("GET", "no-slash").error().status == 404);
}

TEST_CASE("route ids are unique and every command route is a write method", "[gateway][router]") {
  std::set<std::string_view> ids;
  for (const auto& r : Routes()) {
    CHECK(ids.insert(r.id).second);
    if (r.command) CHECK(r.method != "GET");
    else CHECK(r.method == "GET");
  }
}

TEST_CASE("the OpenAPI document and the router agree", "[gateway][openapi]") {
  std::ifstream in(KEEL_OPENAPI_PATH);
  std::stringstream text;
  text << in.rdbuf();
  auto doc = nlohmann::json::parse(text.str());
  CHECK(doc["openapi"] == "3.1.0");
  std::set<std::pair<std::string, std::string>> documented;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string upper = method;
      for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented.insert({upper, path});
      // Every documented operation exists in the router, under the same operation id.
      bool found = false;
      for (const auto& r : Routes())
        if (r.method == upper && r.pattern == path) {
          found = true;
          CHECK(op["operationId"] == std::string(r.id));
        }
      INFO(upper << " " << path);
      CHECK(found);
    }
  }
  for (const auto& r : Routes()) {
    INFO(r.method << " " << r.pattern);
    CHECK(documented.contains({std::string(r.method), std::string(r.pattern)}));
  }
}

TEST_CASE("the OpenAPI document's types are the code's: every generated schema is in place", "[gateway][openapi]") {
  std::ifstream in(KEEL_OPENAPI_PATH);
  std::stringstream text;
  text << in.rdbuf();
  const auto doc = nlohmann::ordered_json::parse(text.str());
  const auto synced = keel::gateway::SyncOpenApi(doc);
  // On failure: build/bin/keel-openapi-sync gateway/openapi.json, then review the diff.
  for (const auto& [path, ops] : synced["paths"].items()) {
    INFO(path);
    CHECK(ops == doc["paths"][path]);
  }
  for (const auto& [name, schema] : synced["components"]["schemas"].items()) {
    INFO(name);
    CHECK(schema == doc["components"]["schemas"][name]);
  }
  CHECK(synced == doc);
  // Every command route's body is generated, and every route with a generated schema exists.
  std::set<std::string> generated;
  for (const auto& id : keel::gateway::RoutesWithSchemas()) generated.insert(id);
  std::set<std::string> routes;
  for (const auto& r : Routes()) {
    routes.insert(std::string(r.id));
    if (r.command && doc["paths"][std::string(r.pattern)][Lower(r.method)].contains("requestBody")) {
      INFO(r.id);
      CHECK(generated.contains(std::string(r.id)));
    }
  }
  for (const auto& id : generated) {
    INFO(id);
    CHECK(routes.contains(id));
  }
}

TEST_CASE("roles allow their categories only and scopes contain only their own", "[gateway][access]") {
  CHECK(RoleAllows(Role::kPlatformOwner, Category::kPlatformAdmin));
  CHECK_FALSE(RoleAllows(Role::kPartnerAdmin, Category::kPlatformAdmin));
  CHECK(RoleAllows(Role::kPartnerAdmin, Category::kBilling));
  CHECK_FALSE(RoleAllows(Role::kImplementation, Category::kBilling));
  CHECK_FALSE(RoleAllows(Role::kImplementation, Category::kPlan));
  CHECK(RoleAllows(Role::kImplementation, Category::kLifecycle));
  CHECK(RoleAllows(Role::kTenantOperator, Category::kOperations));
  CHECK_FALSE(RoleAllows(Role::kTenantOperator, Category::kLifecycle));
  CHECK_FALSE(RoleAllows(Role::kAnalyst, Category::kOperations));
  CHECK(RoleAllows(Role::kAnalyst, Category::kRead));

  Principal owner{"k", Role::kPlatformOwner, "", "", ""};
  Principal partner{"k", Role::kPartnerAdmin, "p1", "", ""};
  Principal op{"k", Role::kTenantOperator, "p1", "t1", ""};
  CHECK(Sees(owner, "", "t9"));
  CHECK(Sees(partner, "p1", "t1"));
  CHECK(Sees(partner, "p1", ""));
  CHECK_FALSE(Sees(partner, "p2", "t2"));
  CHECK_FALSE(Sees(partner, "", "t-unknown"));
  CHECK(Sees(op, "p1", "t1"));
  CHECK_FALSE(Sees(op, "p1", "t2"));
  CHECK_FALSE(Sees(op, "p1", ""));

  CHECK(MayIssue(owner, Role::kPartnerAdmin, "p1", ""));
  CHECK(MayIssue(partner, Role::kTenantOperator, "p1", "t1"));
  CHECK_FALSE(MayIssue(partner, Role::kPlatformOwner, "", ""));
  CHECK_FALSE(MayIssue(partner, Role::kAnalyst, "p2", ""));
  CHECK_FALSE(MayIssue(op, Role::kAnalyst, "p1", "t1"));
  CHECK_FALSE(ValidBinding(Role::kTenantOperator, "p1", ""));
  CHECK_FALSE(ValidBinding(Role::kPlatformOwner, "p1", ""));
}

namespace {
struct Line {
  std::uint32_t line = 0;
  std::int64_t qty = 0;
  std::optional<std::string> note;
};
struct Body {
  std::string id;
  std::vector<Line> lines;
  std::set<std::string> tags;
};
}  // namespace
namespace keel::gateway::json {
template <>
struct Describe<Line> {
  static constexpr auto fields = std::make_tuple(Req("line", &Line::line), Req("qty", &Line::qty), Opt("note", &Line::note));
};
template <>
struct Describe<Body> {
  static constexpr auto fields = std::make_tuple(Req("id", &Body::id), Opt("lines", &Body::lines), Opt("tags", &Body::tags));
};
}  // namespace keel::gateway::json

TEST_CASE("the JSON reader names the offending field", "[gateway][json]") {
  auto read = [](const std::string& text) {
    Body b;
    return json::FromJson(nlohmann::json::parse(text), b, "");
  };
  CHECK_FALSE(read(R"({"id":"a","lines":[{"line":1,"qty":2,"note":null}],"tags":["x"]})").has_value());
  CHECK(read(R"({"lines":[]})")->field == "id");
  CHECK(read(R"({"id":"a","lines":[{"line":1,"qty":2},{"line":2,"qty":"3"}]})")->field == "lines[1].qty");
  CHECK(read(R"({"id":"a","lines":[{"line":-1,"qty":2}]})")->message == "integer out of range");
  CHECK(read(R"({"id":"a","lines":[{"line":4294967296,"qty":2}]})")->message == "integer out of range");
  CHECK(read(R"({"id":"a","lines":[{"line":1,"qty":2.5}]})")->message == "expected an integer");
  CHECK(read(R"({"id":"a","extra":1})")->field == "extra");
  CHECK(read(R"({"id":"a","tags":["x","x"]})")->field == "tags[1]");
  CHECK(read(R"({"id":7})")->message == "expected a string");
  CHECK(json::NestingDepth(R"({"a":[{"b":"[[[["}]})") == 3);
  CHECK(json::NestingDepth(std::string(1000, '[')) == 1000);
}

TEST_CASE("the WebSocket subprotocols carry keel.v1 and the key, and nothing else counts", "[gateway][ws]") {
  auto both = ParseOfferedProtocols("keel.v1, keel.bearer.abc_123");
  CHECK(both.keel);
  CHECK(both.bearer == "abc_123");
  auto spaced = ParseOfferedProtocols("  keel.bearer.k1 ,\tkeel.v1  ");
  CHECK(spaced.keel);
  CHECK(spaced.bearer == "k1");
  CHECK(!ParseOfferedProtocols("").keel);
  CHECK(ParseOfferedProtocols("").bearer.empty());
  CHECK(ParseOfferedProtocols("keel.bearer.").bearer.empty());  // no key after the prefix
  CHECK(!ParseOfferedProtocols("keel.v10, xkeel.v1, keel.v1x").keel);
  CHECK(ParseOfferedProtocols("chat, keel.bearer.k2").bearer == "k2");
  CHECK(ParseOfferedProtocols(",,keel.v1,,").keel);
}

TEST_CASE("sealed secrets open with their key only and a changed byte is refused", "[gateway][secrets]") {
  const std::string key(32, 'k'), other(32, 'o');
  const keel::gateway::SecretBox box(key);
  const std::string plain = R"({"password": "s3cret", "endpoint": "https://as2.example.com"})";
  const std::string sealed = box.Seal(plain);
  CHECK(keel::gateway::SecretBox::IsSealed(sealed));
  CHECK(sealed.find("s3cret") == std::string::npos);
  CHECK(box.Seal(plain) != sealed);  // a fresh nonce each time
  CHECK(box.Open(sealed) == plain);
  CHECK_FALSE(keel::gateway::SecretBox(other).Open(sealed).has_value());
  CHECK_FALSE(keel::gateway::SecretBox().Open(sealed).has_value());  // no key: sealed text stays closed
  std::string changed = sealed;
  changed[changed.size() - 3] = changed[changed.size() - 3] == 'a' ? 'b' : 'a';
  CHECK_FALSE(box.Open(changed).has_value());
  CHECK_FALSE(box.Open("sb1:zz").has_value());
  CHECK_FALSE(box.Open("sb1:").has_value());
  CHECK(box.Open("{\"stored\": \"before sealing\"}") == "{\"stored\": \"before sealing\"}");  // read as it is
  CHECK(keel::gateway::SecretBox().Seal(plain) == plain);   // a node without a master key
  CHECK(keel::gateway::SecretBox("short").Seal(plain) == plain);  // never a short key
}
