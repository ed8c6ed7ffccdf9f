// The list routes as partner apps use them over HTTP: a partner's tenants and a tenant's orders from
// the read models, filtered, paginated with the cursor, read-your-writes with min_position, scoped as
// the entities are (another partner's listing is 404, a tenant key sees its own tenant's orders only),
// bad parameters 400 naming them; the read models' administration on the admin listener.
#include <chrono>
#include <set>
#include <thread>

#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;
using keel::test::ProblemType;

namespace {

void Expect(const keel::test::HttpReply& r, int status, const std::string& type, const std::string& field = {}) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(ProblemType(r) == type);
  if (!field.empty()) CHECK(Json::parse(r.body, nullptr, false).value("field", "") == field);
}

std::set<std::string> Ids(const Json& page) {
  std::set<std::string> out;
  for (const auto& row : page["items"]) out.insert(row["id"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("a partner lists its tenants by status, page by page, and reads its own writes", "[gateway][e2e][lists]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:t1");
  w.LiveTenant("p2", "p2:t9");
  const std::string admin1 = w.Key("partner_admin", "p1"), admin2 = w.Key("partner_admin", "p2");
  std::uint64_t position = 0;
  for (const std::string ref : {"t2", "t3", "t4"}) {
    auto r = w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", ref}, {"name", ref}, {"template_id", "regional-distributor"}},
                        admin1, 201);
    position = r["position"];
  }
  // Read-your-writes: the last provisioning's position.
  auto all = w.CallJson("GET", "/v1/partners/p1/tenants?min_position=" + std::to_string(position), nullptr, admin1, 200);
  CHECK(Ids(all) == std::set<std::string>{"p1:t1", "p1:t2", "p1:t3", "p1:t4"});
  CHECK(all["next_cursor"].is_null());
  CHECK(all["projection"]["name"] == "tenants");
  CHECK(all["projection"]["position"].get<std::uint64_t>() >= position);
  CHECK(all["items"][0]["reference"] == "t1");
  CHECK(all["items"][0]["status"] == "active");
  // Filtered by status through the index, and by plan.
  auto active = w.CallJson("GET", "/v1/partners/p1/tenants?status=active", nullptr, admin1, 200);
  CHECK(Ids(active) == std::set<std::string>{"p1:t1"});
  auto provisioning = w.CallJson("GET", "/v1/partners/p1/tenants?status=provisioning&plan=growth", nullptr, admin1, 200);
  CHECK(Ids(provisioning) == std::set<std::string>{"p1:t2", "p1:t3", "p1:t4"});
  CHECK(w.CallJson("GET", "/v1/partners/p1/tenants?plan=nothing", nullptr, admin1, 200)["items"].empty());
  // Pages of 3: the cursor goes on, nothing lost or repeated.
  auto first = w.CallJson("GET", "/v1/partners/p1/tenants?limit=3", nullptr, admin1, 200);
  REQUIRE(first["items"].size() == 3);
  REQUIRE(first["next_cursor"].is_string());
  auto second = w.CallJson("GET", "/v1/partners/p1/tenants?limit=3&cursor=" + first["next_cursor"].get<std::string>(), nullptr, admin1, 200);
  CHECK(Ids(second) == std::set<std::string>{"p1:t4"});
  CHECK(second["next_cursor"].is_null());
  // Another partner's listing does not exist for this one; the platform owner sees both.
  Expect(w.Call("GET", "/v1/partners/p2/tenants", nullptr, admin1), 404, "not_found");
  CHECK(Ids(w.CallJson("GET", "/v1/partners/p2/tenants", nullptr, admin2, 200)) == std::set<std::string>{"p2:t9"});
  CHECK(Ids(w.CallJson("GET", "/v1/partners/p2/tenants", nullptr, kOwnerKey, 200)) == std::set<std::string>{"p2:t9"});
  // A cursor of another listing, an unknown parameter, bad values: 400 naming them.
  Expect(w.Call("GET", "/v1/partners/p2/tenants?cursor=" + first["next_cursor"].get<std::string>(), nullptr, kOwnerKey), 400,
         "invalid_field", "cursor");
  Expect(w.Call("GET", "/v1/partners/p1/tenants?stauts=active", nullptr, admin1), 400, "invalid_field", "stauts");
  Expect(w.Call("GET", "/v1/partners/p1/tenants?status=sleeping", nullptr, admin1), 400, "invalid_field", "status");
  Expect(w.Call("GET", "/v1/partners/p1/tenants?limit=0", nullptr, admin1), 400, "invalid_field", "limit");
  Expect(w.Call("GET", "/v1/partners/p1/tenants?limit=501", nullptr, admin1), 400, "invalid_field", "limit");
  Expect(w.Call("GET", "/v1/partners/p1/tenants?min_position=-1", nullptr, admin1), 400, "invalid_field", "min_position");
  // A position the log has not reached was no command's: 400 at once, no wait.
  Expect(w.Call("GET", "/v1/partners/p1/tenants?min_position=" + std::to_string(w.head() + 1000), nullptr, admin1), 400,
         "invalid_field", "min_position");
  // Empty filters are refused; a partner that does not exist is 404 even for the owner.
  Expect(w.Call("GET", "/v1/partners/p1/tenants?status=", nullptr, admin1), 400, "invalid_field", "status");
  Expect(w.Call("GET", "/v1/partners/nobody/tenants", nullptr, kOwnerKey), 404, "not_found");
  // A tenant-bound key lists no partner's tenants.
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  Expect(w.Call("GET", "/v1/partners/p1/tenants", nullptr, op), 404, "not_found");
}

TEST_CASE("a tenant's orders are listed by status, customer and placement time, in its scope only", "[gateway][e2e][lists]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:t1");
  w.LiveTenant("p1", "p1:t2");
  w.CallJson("POST", "/v1/partners", {{"id", "p2"}, {"name", "P2"}}, kOwnerKey, 201);
  for (const std::string t : {"p1:t1", "p1:t2"})
    w.CallJson("POST", "/v1/tenants/" + t + "/catalog/imports",
               {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}}})}},
               kOwnerKey, 200);
  w.CallJson("PUT", "/v1/partners/p1/price-list",
             {{"prices", {{"currency", "EUR"}, {"entries", Json::array({{{"category", "hardware"}, {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", 100}}})}}})}}}},
             kOwnerKey, 200);
  const std::string op1 = w.Key("tenant_operator", "p1", "p1:t1"), op2 = w.Key("tenant_operator", "p1", "p1:t2");
  std::uint64_t position = 0;
  std::int64_t second_placed = 0;
  for (int i = 1; i <= 5; ++i) {
    w.clock.Advance(1000);
    if (i == 2) second_placed = w.clock.NowMs();
    const Json order{{"id", "o" + std::to_string(i)}, {"customer", i % 2 == 0 ? "c-even" : "c-odd"}, {"currency", "EUR"},
                     {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", i}}})}};
    position = w.CallJson("POST", "/v1/tenants/p1:t1/orders", order, op1, 201)["position"];
  }
  w.CallJson("POST", "/v1/tenants/p1:t2/orders",
             {{"id", "x1"}, {"customer", "c-odd"}, {"currency", "EUR"}, {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", 1}}})}},
             op2, 201);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o3/cancellation", {{"reason", "customer changed mind"}}, op1, 200);
  position = w.head();

  auto all = w.CallJson("GET", "/v1/tenants/p1:t1/orders?min_position=" + std::to_string(position), nullptr, op1, 200);
  CHECK(Ids(all) == std::set<std::string>{"o1", "o2", "o3", "o4", "o5"});  // never t2's x1
  const Json& o2 = all["items"][1];
  CHECK(o2["id"] == "o2");
  CHECK(o2["customer"] == "c-even");
  CHECK(o2["total"] == 200);
  CHECK(o2["units"] == 2);
  CHECK(o2["placed_at"] == second_placed);
  CHECK(Ids(w.CallJson("GET", "/v1/tenants/p1:t1/orders?status=cancelled", nullptr, op1, 200)) == std::set<std::string>{"o3"});
  CHECK(Ids(w.CallJson("GET", "/v1/tenants/p1:t1/orders?customer=c-even", nullptr, op1, 200)) == std::set<std::string>{"o2", "o4"});
  CHECK(Ids(w.CallJson("GET", "/v1/tenants/p1:t1/orders?customer=c-odd&channel=direct", nullptr, op1, 200)) ==
        std::set<std::string>{"o1", "o3", "o5"});
  // A placement window orders by placement time, whatever the other filters (o5 placed last, o1 first).
  auto odd_window = w.CallJson("GET", "/v1/tenants/p1:t1/orders?customer=c-odd&placed_from=1", nullptr, op1, 200);
  REQUIRE(odd_window["items"].size() == 3);
  CHECK(odd_window["items"][0]["id"] == "o1");
  CHECK(odd_window["items"][2]["id"] == "o5");
  // A placement window, ends included, in placement order.
  auto window = w.CallJson("GET", "/v1/tenants/p1:t1/orders?placed_from=" + std::to_string(second_placed) +
                                      "&placed_to=" + std::to_string(second_placed + 2000),
                           nullptr, op1, 200);
  REQUIRE(window["items"].size() == 3);
  CHECK(window["items"][0]["id"] == "o2");
  CHECK(window["items"][2]["id"] == "o4");
  // Pages through the window.
  auto page = w.CallJson("GET", "/v1/tenants/p1:t1/orders?limit=2&placed_from=" + std::to_string(second_placed), nullptr, op1, 200);
  REQUIRE(page["items"].size() == 2);
  auto rest = w.CallJson("GET", "/v1/tenants/p1:t1/orders?limit=2&placed_from=" + std::to_string(second_placed) + "&cursor=" +
                                    page["next_cursor"].get<std::string>(),
                         nullptr, op1, 200);
  CHECK(Ids(rest) == std::set<std::string>{"o4", "o5"});
  // Scope: the other tenant's key, and another partner's admin, see nothing of t1.
  Expect(w.Call("GET", "/v1/tenants/p1:t1/orders", nullptr, op2), 404, "not_found");
  const std::string admin2 = w.Key("partner_admin", "p2");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/orders", nullptr, admin2), 404, "not_found");
  const std::string analyst = w.Key("analyst", "p1", "p1:t1");
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1/orders", nullptr, analyst, 200)["items"].size() == 5);
  // Bad values name their parameter.
  Expect(w.Call("GET", "/v1/tenants/p1:t1/orders?status=lost", nullptr, op1), 400, "invalid_field", "status");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/orders?channel=fax", nullptr, op1), 400, "invalid_field", "channel");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/orders?placed_from=yesterday", nullptr, op1), 400, "invalid_field", "placed_from");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/orders?placed_from=9&placed_to=1", nullptr, op1), 400, "invalid_field", "placed_from");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/orders?customer=a%20b", nullptr, op1), 400, "invalid_field", "customer");
}

TEST_CASE("the read models are run from the admin listener: status, online rebuild, parked events", "[gateway][e2e][lists]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:t1");
  auto status = w.CallJson("GET", "/v1/admin/projections", nullptr, kOwnerKey, 200);
  REQUIRE(status["projections"].size() == 11);
  for (const auto& p : status["projections"]) {
    CHECK(p["generation"] == 1);
    CHECK(p["parked"].empty());
  }
  // Only the platform owner.
  const std::string admin = w.Key("partner_admin", "p1");
  Expect(w.Call("GET", "/v1/admin/projections", nullptr, admin), 403, "forbidden");
  auto started = w.Call("POST", "/v1/admin/projections/tenants/rebuild", nullptr, kOwnerKey);
  CHECK(started.status == 202);
  Expect(w.Call("POST", "/v1/admin/projections/nothing/rebuild", nullptr, kOwnerKey), 404, "not_found");
  // The rebuilt generation serves once it has caught up, with the same rows.
  Json tenants;
  for (int i = 0; i < 300; ++i) {
    const Json now = w.CallJson("GET", "/v1/admin/projections", nullptr, kOwnerKey, 200);
    for (const auto& p : now["projections"])
      if (p["name"] == "tenants") tenants = p;
    if (tenants["generation"] == 2 && tenants["rebuild"].is_null()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  INFO(tenants.dump());
  CHECK(tenants["generation"] == 2);
  CHECK(Ids(w.CallJson("GET", "/v1/partners/p1/tenants", nullptr, admin, 200)) == std::set<std::string>{"p1:t1"});
  // The admin commands take no body.
  Expect(w.Call("POST", "/v1/admin/projections/orders/rebuild", {{"x", 1}}, kOwnerKey), 400, "invalid_field", "x");
  // No parked event at a position: 404; not a position: 400.
  Expect(w.Call("POST", "/v1/admin/projections/tenants/parked/1/retry", nullptr, kOwnerKey), 404, "not_found");
  Expect(w.Call("POST", "/v1/admin/projections/tenants/parked/x/skip", nullptr, kOwnerKey), 400, "invalid_field", "position");
  // The metrics carry each read model's position and lag.
  auto metrics = w.Call("GET", "/metrics");
  CHECK(metrics.body.find("keel_projection{projection=\"orders\",what=\"lag_events\"}") != std::string::npos);
}

TEST_CASE("the partners and a tenant's warehouses are listed in the caller's scope", "[gateway][e2e][lists]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:t1");
  w.LiveTenant("p2", "p2:t1");
  w.CallJson("PUT", "/v1/partners/p2/level", {{"level", "gold"}}, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w1"}, {"name", "Main"}, {"currency", "EUR"}}, kOwnerKey, 201);
  auto created = w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w2"}, {"name", "North"}, {"currency", "SEK"}}, kOwnerKey, 201);
  const std::string at = "?min_position=" + std::to_string(w.head());
  // The platform owner sees every partner; a filter by level; a partner admin its own only.
  CHECK(Ids(w.CallJson("GET", "/v1/partners" + at, nullptr, kOwnerKey, 200)) == std::set<std::string>{"p1", "p2"});
  auto gold = w.CallJson("GET", "/v1/partners?level=gold", nullptr, kOwnerKey, 200);
  CHECK(Ids(gold) == std::set<std::string>{"p2"});
  CHECK(gold["items"][0]["certified"] == true);
  const std::string admin1 = w.Key("partner_admin", "p1");
  CHECK(Ids(w.CallJson("GET", "/v1/partners", nullptr, admin1, 200)) == std::set<std::string>{"p1"});
  // A tenant-bound key reads no partner, in the list as by id.
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  CHECK(w.CallJson("GET", "/v1/partners", nullptr, op, 200)["items"].empty());
  Expect(w.Call("GET", "/v1/partners/p1", nullptr, op), 404, "not_found");
  Expect(w.Call("GET", "/v1/partners?level=diamond", nullptr, kOwnerKey), 400, "invalid_field", "level");
  // Warehouses of a tenant, in order, with what they were created with.
  auto warehouses = w.CallJson("GET", "/v1/tenants/p1:t1/warehouses" + at, nullptr, admin1, 200);
  REQUIRE(warehouses["items"].size() == 2);
  CHECK(warehouses["items"][1] == Json{{"id", "w2"}, {"name", "North"}, {"currency", "SEK"}, {"lot_tracking", false},
                                       {"landed_cost", false}, {"created_at", keel::test::kStart}});
  CHECK(created["entity"]["id"] == "w2");
  CHECK(w.CallJson("GET", "/v1/tenants/p2:t1/warehouses", nullptr, kOwnerKey, 200)["items"].empty());
  Expect(w.Call("GET", "/v1/tenants/p2:t1/warehouses", nullptr, admin1), 404, "not_found");
}

TEST_CASE("a tenant's entitlements: plan, modules by source, limits and this period's usage", "[gateway][e2e][entitlements]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:t1");
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w1"}, {"name", "Main"}, {"currency", "EUR"}}, kOwnerKey, 201);
  w.CallJson("POST", "/v1/tenants/p1:t1/usage", {{"api_calls", 7}}, kOwnerKey, 200);
  const Json tenant = w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, kOwnerKey, 200)["state"];
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  auto e = w.CallJson("GET", "/v1/tenants/p1:t1/entitlements", nullptr, op, 200);
  CHECK(e["plan"] == tenant["plan"]);
  CHECK(e["limits"]["warehouses"] == tenant["limits"]["warehouses"]);
  CHECK(e["usage"]["warehouses"]["used"] == 1);
  CHECK(e["usage"]["api_calls"]["used"] == 7);
  CHECK(e["usage"]["orders"]["used"] == 0);
  CHECK(e["modules"].size() == tenant["modules"].size());
  for (const auto& m : e["modules"]) CHECK((m["source"] == "plan" || m["source"] == "addon"));
  CHECK(e["period_end"] == tenant["period_end"]);
  CHECK(e["pending_downgrade"].is_null());
  // Scope as the tenant's.
  w.CallJson("POST", "/v1/partners", {{"id", "p2"}, {"name", "P2"}}, kOwnerKey, 201);
  const std::string other = w.Key("partner_admin", "p2");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/entitlements", nullptr, other), 404, "not_found");
}
