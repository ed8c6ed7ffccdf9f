// Reference data over HTTP (issue 14): orders are placed from tenant facts, price lists and catalogs
// the gateway keeps in memory (gateway/src/reference_data.hpp), and those are never stale: a new
// price list or contract price prices the next order, a suspension refuses the very next request, a
// template upgrade's limits and a new module apply at once; what cannot be priced or is not
// catalogued stays a clear problem+json.
#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;
using keel::test::ProblemType;

namespace {

Json PriceList(const std::string& currency, std::int64_t unit_price) {
  return {{"prices",
           {{"currency", currency},
            {"entries", Json::array({{{"category", "hardware"}, {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", unit_price}}})}}})}}}};
}

Json ImportRows(const std::string& sku, bool lot_tracked = false) {
  return {{"rows", Json::array({{{"row", 1},
                                 {"item", {{"sku", sku}, {"name", sku}, {"unit", "box"}, {"category", "hardware"},
                                           {"lot_tracked", lot_tracked}}}}})}};
}

// Partner p1 (hardware at 1,000 EUR) and its live tenant t1 with BOLT in the catalog.
void Seed(GatewayWorld& w) {
  w.LiveTenant("p1", "p1:t1");
  w.CallJson("PUT", "/v1/partners/p1/price-list", PriceList("EUR", 1000), kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/catalog/imports", ImportRows("BOLT"), kOwnerKey, 200);
}

keel::test::HttpReply Place(GatewayWorld& w, const std::string& id, const std::string& key = kOwnerKey,
                            const std::string& sku = "BOLT", const std::string& currency = "EUR",
                            const std::string& tenant = "p1:t1") {
  return w.Call("POST", "/v1/tenants/" + tenant + "/orders",
                {{"id", id}, {"customer", "c1"}, {"currency", currency},
                 {"lines", Json::array({{{"line", 1}, {"sku", sku}, {"qty", 2}}})}},
                key);
}

std::int64_t UnitPrice(const keel::test::HttpReply& r) {
  INFO(r.status << " " << r.body);
  REQUIRE(r.status == 201);
  return Json::parse(r.body)["events"][0]["data"]["lines"][0]["unit_price"].get<std::int64_t>();
}

// A clear refusal: problem+json with the stable type.
void RequireProblem(const keel::test::HttpReply& r, int status, const std::string& type) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(r.Header("content-type") == "application/problem+json");
  CHECK(ProblemType(r) == type);
}

}  // namespace

TEST_CASE("an order placed after the partner's price list or the customer's contract changed uses the new price",
          "[gateway][e2e][reference]") {
  GatewayWorld w;
  Seed(w);
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  CHECK(UnitPrice(Place(w, "o1", op)) == 1000);
  CHECK(UnitPrice(Place(w, "o2", op)) == 1000);  // served from memory: nothing changed

  w.CallJson("PUT", "/v1/partners/p1/price-list", PriceList("EUR", 1250), kOwnerKey, 200);
  CHECK(UnitPrice(Place(w, "o3", op)) == 1250);

  // The catalog changes too: a contract price for c1 wins over the list at once, and clearing it
  // brings the list back.
  w.CallJson("PUT", "/v1/tenants/p1:t1/customers/c1/contract-prices",
             {{"currency", "EUR"}, {"prices", Json::array({{{"sku", "BOLT"}, {"unit_price", 800}}})}}, op, 200);
  CHECK(UnitPrice(Place(w, "o4", op)) == 800);
  w.CallJson("PUT", "/v1/tenants/p1:t1/customers/c1/contract-prices", {{"prices", Json::array()}}, op, 200);
  CHECK(UnitPrice(Place(w, "o5", op)) == 1250);

  // A SKU catalogued after the first orders is known to the very next one.
  RequireProblem(Place(w, "o6", op, "NUT"), 422, "unknown_sku");
  w.CallJson("POST", "/v1/tenants/p1:t1/catalog/imports", ImportRows("NUT"), op, 200);
  CHECK(UnitPrice(Place(w, "o6", op, "NUT")) == 1250);
}

TEST_CASE("a tenant suspended by one request is refused on the very next request, and trades again once reinstated",
          "[gateway][e2e][reference][lifecycle]") {
  GatewayWorld w;
  Seed(w);
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  for (int round = 0; round < 5; ++round) {
    const std::string n = std::to_string(round);
    REQUIRE(Place(w, "a" + n, op).status == 201);  // the tenant's facts are cached and current
    w.CallJson("POST", "/v1/tenants/p1:t1/suspension", {{"reason", "check " + n}}, kOwnerKey, 200);
    RequireProblem(Place(w, "b" + n, op), 422, "tenant_suspended");
    // Routes the io thread answers without the worker pool see the suspension as well.
    RequireProblem(w.Call("POST", "/v1/tenants/p1:t1/orders/a" + n + "/pick", Json::object(), op), 422, "tenant_suspended");
    w.CallJson("POST", "/v1/tenants/p1:t1/reinstatement", nullptr, kOwnerKey, 200);
    CHECK(Place(w, "c" + n, op).status == 201);
  }
}

TEST_CASE("after a template upgrade its new limits apply to the very next request, and a new module at once",
          "[gateway][e2e][reference]") {
  keel::test::WorldOptions rate_limited;
  rate_limited.rate_limits = true;  // the clock stands still: a tenant's bucket holds api_rps requests
  GatewayWorld w(rate_limited);
  Seed(w);
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  const std::string op2 = w.Key("tenant_operator", "p1", "p1:t1");
  const std::string bi = w.Key("analyst", "p1", "p1:t1");
  auto admitted = [&](const std::string& key) {
    int n = 0;
    while (n < 100 && w.Call("GET", "/v1/tenants/p1:t1", nullptr, key).status == 200) ++n;
    return n;
  };
  // regional-distributor v1: 30 requests per second for the tenant, half of it at most for one key.
  auto first = w.Call("GET", "/v1/tenants/p1:t1", nullptr, bi);
  CHECK(first.Header("ratelimit-limit") == "15");
  CHECK(first.Header("ratelimit-remaining") == "14");
  CHECK(admitted(bi) == 14);  // the analyst's dashboard takes its share, not the tenant's budget
  auto refused = w.Call("GET", "/v1/tenants/p1:t1", nullptr, bi);
  CHECK(refused.status == 429);
  CHECK(refused.Header("ratelimit-remaining") == "0");
  CHECK(!refused.Header("retry-after").empty());
  CHECK(admitted(op) == 15);  // the tenant's own keys still get through
  CHECK(admitted(op2) == 0);  // the tenant's 30 are spent

  // v2 allows 5 warehouses and 40 requests per second (the owner's requests are not throttled).
  for (const char* id : {"w1", "w2", "w3"})
    w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", id}, {"name", id}, {"currency", "EUR"}}, kOwnerKey, 201);
  RequireProblem(w.Call("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w4"}, {"name", "w4"}, {"currency", "EUR"}}),
                 422, "limit_exceeded");
  w.CallJson("PUT", "/v1/tenants/p1:t1/template", {{"version", 2}}, kOwnerKey, 200);
  CHECK(w.Call("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w4"}, {"name", "w4"}, {"currency", "EUR"}}).status == 201);
  w.clock.Advance(1000);  // the buckets refill to the new rate
  CHECK(admitted(op) == 20);
  CHECK(admitted(op2) == 20);

  // v2 brings lot tracking (an add-on of the plan): the upgrade switches it on with its milestone, so a
  // lot-tracked item is accepted at once, and activating it again is already done.
  w.CallJson("POST", "/v1/tenants/p1:t1/catalog/imports", ImportRows("LOT1", true), kOwnerKey, 200);
  RequireProblem(w.Call("POST", "/v1/tenants/p1:t1/modules", {{"module", "lot_tracking"}}), 422, "already_done");
  const Json tenant = w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, kOwnerKey, 200);
  bool lot_setup = false;
  for (const auto& m : tenant["state"]["milestones"]) lot_setup = lot_setup || m["id"] == "lot_setup";
  CHECK(lot_setup);
}

TEST_CASE("what cannot be priced or is not catalogued is a clear problem+json, and an unknown tenant is 404",
          "[gateway][e2e][reference]") {
  GatewayWorld w;
  Seed(w);
  RequireProblem(Place(w, "o1", kOwnerKey, "NO-SUCH-SKU"), 422, "unknown_sku");
  RequireProblem(Place(w, "o2", kOwnerKey, "BOLT", "USD"), 422, "currency_mismatch");

  // A tenant with nothing catalogued yet, of a partner without a price list.
  w.LiveTenant("p2", "p2:t2");
  RequireProblem(Place(w, "o3", kOwnerKey, "BOLT", "EUR", "p2:t2"), 422, "unknown_sku");
  w.CallJson("POST", "/v1/tenants/p2:t2/catalog/imports", ImportRows("BOLT"), kOwnerKey, 200);
  const auto no_list = Place(w, "o4", kOwnerKey, "BOLT", "EUR", "p2:t2");
  RequireProblem(no_list, 422, "currency_mismatch");
  CHECK(no_list.body.find("no price list") != std::string::npos);  // not "the price list is in , ..."


  RequireProblem(Place(w, "o5", kOwnerKey, "BOLT", "EUR", "nobody"), 404, "not_found");
  const std::string partner_key = w.Key("partner_admin", "p1");
  RequireProblem(Place(w, "o6", partner_key, "BOLT", "EUR", "p2:t2"), 404, "not_found");  // not its tenant
}
