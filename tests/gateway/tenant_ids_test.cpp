// Tenant ids namespaced by their partner ("<partner>:<reference>"), as partners meet them over HTTP:
// two partners may both call a customer "acme"; provisioning tells a partner nothing of another's
// tenants; another partner's tenant and a missing one get the same answer without any look-up (the
// gateway's tenant look-ups, counted in /metrics, do not move); keys cannot be bound across namespaces.
#include <regex>

#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;
using keel::test::ProblemType;

namespace {

void Expect(const keel::test::HttpReply& r, int status, const std::string& type) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(ProblemType(r) == type);
}

// The gateway's tenant look-ups so far (keel_reference_data_total{what="tenant_lookups"}).
double TenantLookups(GatewayWorld& w) {
  auto r = w.Call("GET", "/metrics");
  REQUIRE(r.status == 200);
  std::smatch m;
  static const std::regex kLine(R"re(keel_reference_data_total\{what="tenant_lookups"\} ([0-9.e+]+))re");
  REQUIRE(std::regex_search(r.body, m, kLine));
  return std::stod(m[1]);
}

// The detail of a problem with the tenant's id replaced, to compare two answers' shapes.
std::string Shape(const keel::test::HttpReply& r, const std::string& id) {
  Json j = Json::parse(r.body, nullptr, false);
  std::string detail = j.value("detail", "");
  if (auto at = detail.find(id); at != std::string::npos) detail.replace(at, id.size(), "<id>");
  return std::to_string(r.status) + " " + j.value("type", "") + " " + detail;
}

}  // namespace

TEST_CASE("tenant ids are namespaced by partner: the same reference twice, nothing learnt of another partner",
          "[gateway][e2e][tenant-ids]") {
  GatewayWorld w;
  for (const std::string p : {"p1", "p2"}) {
    w.CallJson("POST", "/v1/partners", {{"id", p}, {"name", p}}, kOwnerKey, 201);
    w.CallJson("POST", "/v1/partners/" + p + "/certification", nullptr, kOwnerKey, 200);
  }
  const std::string admin1 = w.Key("partner_admin", "p1"), admin2 = w.Key("partner_admin", "p2");
  const Json provision = {{"reference", "acme"}, {"name", "Acme"}, {"template_id", "regional-distributor"}};

  // Both partners provision "acme": two tenants, each in its partner's namespace.
  auto one = w.CallJson("POST", "/v1/partners/p1/tenants", provision, admin1, 201);
  CHECK(one["entity"]["id"] == "p1:acme");
  auto two = w.CallJson("POST", "/v1/partners/p2/tenants", provision, admin2, 201);
  CHECK(two["entity"]["id"] == "p2:acme");
  auto state = w.CallJson("GET", "/v1/tenants/p2:acme", nullptr, admin2, 200)["state"];
  CHECK(state["id"] == "p2:acme");
  CHECK(state["partner"] == "p2");
  // Its own reference again is the partner's own conflict.
  Expect(w.Call("POST", "/v1/partners/p1/tenants", provision, admin1), 422, "already_exists");
  // A reference follows the id rule, and with the namespace fits in 128 characters.
  auto long_ref = w.Call("POST", "/v1/partners/p1/tenants",
                         {{"reference", std::string(126, 'r')}, {"name", "R"}, {"template_id", "regional-distributor"}}, admin1);
  Expect(long_ref, 400, "invalid_field");
  CHECK(Json::parse(long_ref.body)["field"] == "reference");
  auto bad_ref = w.Call("POST", "/v1/partners/p1/tenants", {{"reference", "a b"}, {"name", "R"}, {"template_id", "regional-distributor"}}, admin1);
  Expect(bad_ref, 400, "invalid_field");
  CHECK(Json::parse(bad_ref.body)["field"] == "reference");
  auto colon_ref = w.Call("POST", "/v1/partners/p1/tenants", {{"reference", "p2:acme"}, {"name", "R"}, {"template_id", "regional-distributor"}}, admin1);
  Expect(colon_ref, 400, "invalid_field");
  CHECK(Json::parse(colon_ref.body)["field"] == "reference");
  // An id no tenant can have is 400 for a partner-bound caller too (it exists in no scope).
  auto bad_path = w.Call("GET", "/v1/tenants/p1:a%20b", nullptr, admin1);
  Expect(bad_path, 400, "invalid_field");
  CHECK(Json::parse(bad_path.body)["field"] == "tenant");
  // A name is required; the old field is no field.
  auto no_name = w.Call("POST", "/v1/partners/p1/tenants", {{"reference", "x"}, {"template_id", "regional-distributor"}}, admin1);
  Expect(no_name, 400, "invalid_field");
  CHECK(Json::parse(no_name.body)["field"] == "name");
  Expect(w.Call("POST", "/v1/partners/p1/tenants", {{"id", "x"}, {"name", "X"}, {"template_id", "regional-distributor"}}, admin1), 400, "invalid_field");
  // A partner id holds no ':' (it would make namespaces ambiguous).
  auto colon = w.Call("POST", "/v1/partners", {{"id", "p1:x"}, {"name", "X"}});
  Expect(colon, 400, "invalid_field");
  CHECK(Json::parse(colon.body)["field"] == "id");

  // p1's admin asks for p2's existing tenant and for a missing one: the same answer, and the gateway
  // looked neither up (no tenant look-up at all: the namespace decides).
  const double before = TenantLookups(w);
  for (const std::string& path : {std::string("/v1/tenants/p2:acme"), std::string("/v1/tenants/p2:acme/orders/o1"),
                                  std::string("/v1/tenants/p2:acme/catalog")}) {
    auto existing = w.Call("GET", path, nullptr, admin1);
    auto missing = w.Call("GET", std::regex_replace(path, std::regex("p2:acme"), "p2:nobody"), nullptr, admin1);
    CHECK(Shape(existing, "p2:acme") == Shape(missing, "p2:nobody"));
    Expect(existing, 404, "not_found");
  }
  auto write_existing = w.Call("POST", "/v1/tenants/p2:acme/suspension", {{"reason", "x"}}, admin1);
  auto write_missing = w.Call("POST", "/v1/tenants/p2:nobody/suspension", {{"reason", "x"}}, admin1);
  CHECK(Shape(write_existing, "p2:acme") == Shape(write_missing, "p2:nobody"));
  // A tenant-bound key: its partner's other tenant is answered by name too.
  const std::string op = w.Key("tenant_operator", "p1", "p1:acme");
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "beta"}, {"name", "Beta"}, {"template_id", "regional-distributor"}}, admin1, 201);
  const double after_provision = TenantLookups(w);
  CHECK(after_provision - before <= 2);  // the provisioning's own look-ups, none for the refusals
  Expect(w.Call("GET", "/v1/tenants/p1:beta", nullptr, op), 404, "not_found");
  Expect(w.Call("GET", "/v1/tenants/p2:acme", nullptr, op), 404, "not_found");
  CHECK(TenantLookups(w) == after_provision);
  // Its own tenant is looked up and served.
  w.CallJson("GET", "/v1/tenants/p1:acme", nullptr, op, 200);
  CHECK(TenantLookups(w) > after_provision);

  // Keys: a tenant of another namespace is answered as a missing tenant of the caller's partner.
  auto key_existing = w.Call("POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p1"}, {"tenant", "p2:acme"}, {"name", "x"}}, admin1);
  auto key_missing = w.Call("POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p1"}, {"tenant", "p2:nobody"}, {"name", "x"}}, admin1);
  CHECK(Shape(key_existing, "p2:acme") == Shape(key_missing, "p2:nobody"));
  Expect(key_existing, 404, "not_found");
  // Naming the other partner is refused for the partner, whatever the tenant.
  Expect(w.Call("POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p2"}, {"tenant", "p2:acme"}, {"name", "x"}}, admin1), 403, "forbidden");
  Expect(w.Call("POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p2"}, {"tenant", "p2:nobody"}, {"name", "x"}}, admin1), 403, "forbidden");
  // The platform owner sees both namespaces.
  w.CallJson("GET", "/v1/tenants/p1:acme", nullptr, kOwnerKey, 200);
  w.CallJson("GET", "/v1/tenants/p2:acme", nullptr, kOwnerKey, 200);
  Expect(w.Call("GET", "/v1/tenants/p2:nobody", nullptr, kOwnerKey), 404, "not_found");
}
