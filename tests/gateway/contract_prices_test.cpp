// Contract prices end to end over HTTP (issue 13): a customer's contract prices are set and read
// through the API and price that customer's orders before the partner's list (in the contract's
// currency only); clearing them brings the list price back; bad input is 400 naming the field, a SKU
// outside the catalog 422, and neither writes; analysts read but do not set; a suspended or
// terminated tenant refuses to set them.
#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;

namespace {

const std::string kPath = "/v1/tenants/p1:t1/customers/c1/contract-prices";

// Partner p1 (certified; hardware at 12,500 EUR), its live tenant t1 with BOLT in the catalog.
void Seed(GatewayWorld& w) {
  w.CallJson("POST", "/v1/partners", {{"id", "p1"}, {"name", "P1"}}, kOwnerKey, 201);
  w.CallJson("POST", "/v1/partners/p1/certification", nullptr, kOwnerKey, 200);
  w.CallJson("PUT", "/v1/partners/p1/price-list",
             {{"prices", {{"currency", "EUR"},
                          {"entries", Json::array({{{"category", "hardware"},
                                                    {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", 12500}}})}}})}}}},
             kOwnerKey, 200);
  w.CallJson("POST", "/v1/partners/p1/tenants",
             {{"reference", "t1"}, {"name", "p1:t1"}, {"template_id", "regional-distributor"}, {"environment", "production"}}, kOwnerKey, 201);
  w.CallJson("POST", "/v1/tenants/p1:t1/onboarding", nullptr, kOwnerKey, 200);
  const Json state = w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, kOwnerKey, 200);
  for (const auto& m : state["state"]["milestones"])
    w.CallJson("POST", "/v1/tenants/p1:t1/milestones/" + m["id"].get<std::string>() + "/completion", nullptr, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/go-live", nullptr, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/catalog/imports",
             {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}}})}},
             kOwnerKey, 200);
}

Json Prices(const std::string& currency, Json prices) {
  Json body{{"prices", std::move(prices)}};
  if (!currency.empty()) body["currency"] = currency;
  return body;
}

Json BoltAt(std::int64_t unit_price) { return Json::array({{{"sku", "BOLT"}, {"unit_price", unit_price}}}); }

// Places an order of two BOLTs for `customer` and returns the unit price it was placed at.
std::int64_t PlacedUnitPrice(GatewayWorld& w, const std::string& id, const std::string& customer,
                             const std::string& currency = "EUR") {
  const Json placed = w.CallJson(
      "POST", "/v1/tenants/p1:t1/orders",
      {{"id", id}, {"customer", customer}, {"currency", currency}, {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", 2}}})}},
      kOwnerKey, 201);
  return placed["events"][0]["data"]["lines"][0]["unit_price"].get<std::int64_t>();
}

}  // namespace

TEST_CASE("a customer's contract prices are set, read back, and win over the partner's list for that customer only",
          "[gateway][e2e][contracts]") {
  GatewayWorld w;
  Seed(w);
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  const std::string analyst = w.Key("analyst", "p1");

  const Json set = w.CallJson("PUT", kPath, Prices("EUR", BoltAt(9000)), op, 200);
  REQUIRE(set["events"].size() == 1);
  CHECK(set["events"][0]["type"] == "ContractPricesSet");

  const Json read = w.CallJson("GET", kPath, nullptr, analyst, 200);
  CHECK(read["customer"] == "c1");
  CHECK(read["currency"] == "EUR");
  CHECK(read["prices"] == Json::array({{{"sku", "BOLT"}, {"unit_price", 9000}, {"valid_from", 0}, {"valid_to", 0}}}));
  const Json none = w.CallJson("GET", "/v1/tenants/p1:t1/customers/c2/contract-prices", nullptr, analyst, 200);
  CHECK(none["prices"] == Json::array());
  CHECK(none["currency"] == "");

  CHECK(PlacedUnitPrice(w, "o1", "c1") == 9000);   // the contract
  CHECK(PlacedUnitPrice(w, "o2", "c2") == 12500);  // the partner's list

  // What a GET returns can be put back as it is; an unchanged list writes nothing.
  const Json again = w.CallJson("PUT", kPath, {{"currency", read["currency"]}, {"prices", read["prices"]}}, op, 200);
  CHECK(again["events"].empty());

  // Cleared, the customer pays the list price again.
  CHECK(w.CallJson("PUT", kPath, Prices("", Json::array()), op, 200)["events"].size() == 1);
  CHECK(w.CallJson("GET", kPath, nullptr, analyst, 200)["prices"] == Json::array());
  CHECK(PlacedUnitPrice(w, "o3", "c1") == 12500);
}

TEST_CASE("a contract price applies to orders in its currency, even when the partner's list is in another",
          "[gateway][e2e][contracts]") {
  GatewayWorld w;
  Seed(w);
  w.CallJson("PUT", kPath, Prices("USD", BoltAt(9900)), kOwnerKey, 200);
  CHECK(PlacedUnitPrice(w, "o1", "c1", "USD") == 9900);   // the list (EUR) would have refused a USD order
  CHECK(PlacedUnitPrice(w, "o2", "c1", "EUR") == 12500);  // a USD contract does not price an EUR order
  auto other = w.Call("POST", "/v1/tenants/p1:t1/orders",
                      {{"id", "o3"}, {"customer", "c2"}, {"currency", "USD"},
                       {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", 1}}})}});
  CHECK(other.status == 422);
  CHECK(ProblemType(other) == "currency_mismatch");
}

TEST_CASE("bad contract-price input is refused 400 naming the field, a SKU outside the catalog 422, and neither writes",
          "[gateway][e2e][contracts]") {
  GatewayWorld w;
  Seed(w);
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  const auto head = w.head();
  struct Case {
    std::string path;
    Json body;
    std::string field;
  };
  const Json bolt = {{"sku", "BOLT"}, {"unit_price", 100}};
  auto with = [&](Json entry, const std::string& key, Json value) {
    entry[key] = std::move(value);
    return entry;
  };
  const std::vector<Case> cases{
      {kPath, Json::object(), "prices"},
      {kPath, {{"currency", "EUR"}, {"prices", "BOLT"}}, "prices"},
      {kPath, {{"currency", 978}, {"prices", Json::array({bolt})}}, "currency"},
      {kPath, Prices("", Json::array({bolt})), "currency"},
      {kPath, Prices("EURO", Json::array({bolt})), "currency"},
      {kPath, Prices("eur", Json::array()), "currency"},
      {kPath, Prices("EUR", Json::array({{{"unit_price", 100}}})), "prices[0].sku"},
      {kPath, Prices("EUR", Json::array({with(bolt, "sku", "")})), "prices[0].sku"},
      {kPath, Prices("EUR", Json::array({{{"sku", "BOLT"}}})), "prices[0].unit_price"},
      {kPath, Prices("EUR", Json::array({with(bolt, "unit_price", "100")})), "prices[0].unit_price"},
      {kPath, Prices("EUR", Json::array({with(bolt, "unit_price", 1.5)})), "prices[0].unit_price"},
      {kPath, Prices("EUR", Json::array({bolt, with(bolt, "unit_price", -1)})), "prices[1].unit_price"},
      {kPath, Prices("EUR", Json::array({with(bolt, "valid_from", -1)})), "prices[0].valid_from"},
      {kPath, Prices("EUR", Json::array({with(with(bolt, "valid_from", 2000), "valid_to", 1000)})), "prices[0].valid_to"},
      {kPath, Prices("EUR", Json::array({bolt, with(bolt, "unit_price", 90)})), "prices[1].sku"},
      {kPath, Prices("EUR", Json::array({with(bolt, "customer", "c2")})), "prices[0].customer"},
      {kPath, {{"currency", "EUR"}, {"prices", Json::array({bolt})}, {"customer", "c2"}}, "customer"},
      {"/v1/tenants/p1:t1/customers/" + std::string(129, 'c') + "/contract-prices", Prices("EUR", Json::array({bolt})), "customer"},
  };
  for (const auto& c : cases) {
    auto r = w.Call("PUT", c.path, c.body, op);
    INFO(c.body.dump() << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(Json::parse(r.body, nullptr, false).value("field", "") == c.field);
  }
  auto ghost = w.Call("PUT", kPath, Prices("EUR", Json::array({bolt, {{"sku", "GHOST"}, {"unit_price", 1}}})), op);
  CHECK(ghost.status == 422);
  CHECK(ProblemType(ghost) == "unknown_sku");
  CHECK(w.KeyEventsSince(head).empty());
  CHECK(w.CallJson("GET", kPath, nullptr, op, 200)["prices"] == Json::array());
}

TEST_CASE("tenant operators and partner admins set contract prices, analysts only read them, other tenants see nothing",
          "[gateway][e2e][contracts]") {
  GatewayWorld w;
  Seed(w);
  const auto head = w.head();
  auto analyst_put = w.Call("PUT", kPath, Prices("EUR", BoltAt(1)), w.Key("analyst", "p1"));
  CHECK(analyst_put.status == 403);
  CHECK(w.KeyEventsSince(head).empty());
  CHECK(w.Call("PUT", kPath, Prices("EUR", BoltAt(8000)), w.Key("partner_admin", "p1")).status == 200);
  CHECK(w.Call("PUT", kPath, Prices("EUR", BoltAt(7000)), w.Key("tenant_operator", "p1", "p1:t1")).status == 200);
  CHECK(w.CallJson("GET", kPath, nullptr, w.Key("analyst", "p1"), 200)["prices"][0]["unit_price"] == 7000);
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t2"}, {"name", "p1:t2"}, {"template_id", "regional-distributor"}},
             kOwnerKey, 201);
  w.CallJson("POST", "/v1/partners", {{"id", "p2"}, {"name", "P2"}}, kOwnerKey, 201);
  CHECK(w.Call("GET", kPath, nullptr, w.Key("tenant_operator", "p1", "p1:t2")).status == 404);
  CHECK(w.Call("PUT", kPath, Prices("EUR", BoltAt(1)), w.Key("partner_admin", "p2")).status == 404);
  CHECK(w.Call("GET", "/v1/tenants/nope/customers/c1/contract-prices").status == 404);
}

TEST_CASE("a suspended or terminated tenant refuses to set contract prices and still shows them",
          "[gateway][e2e][contracts][lifecycle]") {
  GatewayWorld w;
  Seed(w);
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  w.CallJson("PUT", kPath, Prices("EUR", BoltAt(9000)), op, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/suspension", {{"reason", "fraud check"}}, kOwnerKey, 200);
  const auto head = w.head();
  auto suspended = w.Call("PUT", kPath, Prices("EUR", BoltAt(1)), op);
  CHECK(suspended.status == 422);
  CHECK(ProblemType(suspended) == "tenant_suspended");
  CHECK(ProblemType(w.Call("PUT", kPath, Prices("", Json::array()), op)) == "tenant_suspended");
  CHECK(w.CallJson("GET", kPath, nullptr, op, 200)["prices"][0]["unit_price"] == 9000);
  CHECK(w.KeyEventsSince(head).empty());

  w.CallJson("POST", "/v1/tenants/p1:t1/termination", {{"reason", "contract ended"}}, kOwnerKey, 200);
  const auto terminated_head = w.head();
  auto terminated = w.Call("PUT", kPath, Prices("EUR", BoltAt(1)));
  CHECK(terminated.status == 422);
  CHECK(ProblemType(terminated) == "tenant_terminated");
  CHECK(w.CallJson("GET", kPath, nullptr, kOwnerKey, 200)["prices"][0]["unit_price"] == 9000);
  CHECK(w.head() == terminated_head);
}
