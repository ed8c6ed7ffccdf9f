// Orders end to end over HTTP (issue 13): backorders complete when stock arrives or when their
// remainder is cancelled, and the order's total and invoice agree; placed orders are metered and a
// hard cap refuses the next; client prices need advanced_pricing and a permitted role; the key that
// placed an order may not approve it.
#include <functional>
#include <thread>

#include "fault_fs.hpp"
#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;

namespace {

// Partner p1 (certified, hardware at 12,500), tenant `tenant` of `segment` live, BOLT in its
// catalog, warehouse w1 with `bolts` (none: no receipt).
void Seed(GatewayWorld& w, const std::string& tenant = "p1:t1", const std::string& segment = "regional-distributor",
          const std::string& environment = "production", int bolts = 2) {
  if (w.Call("GET", "/v1/partners/p1").status == 404) {
    w.CallJson("POST", "/v1/partners", {{"id", "p1"}, {"name", "P1"}}, kOwnerKey, 201);
    w.CallJson("POST", "/v1/partners/p1/certification", nullptr, kOwnerKey, 200);
    w.CallJson("PUT", "/v1/partners/p1/price-list",
               {{"prices", {{"currency", "EUR"},
                            {"entries", Json::array({{{"category", "hardware"},
                                                      {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", 12500}}})}}})}}}},
               kOwnerKey, 200);
  }
  w.CallJson("POST", "/v1/partners/p1/tenants",
             {{"reference", GatewayWorld::Reference(tenant)}, {"name", tenant}, {"template_id", segment}, {"environment", environment}}, kOwnerKey, 201);
  const std::string base = "/v1/tenants/" + tenant;
  w.CallJson("POST", base + "/onboarding", nullptr, kOwnerKey, 200);
  const Json state = w.CallJson("GET", base, nullptr, kOwnerKey, 200);
  for (const auto& m : state["state"]["milestones"])
    w.CallJson("POST", base + "/milestones/" + m["id"].get<std::string>() + "/completion", nullptr, kOwnerKey, 200);
  w.CallJson("POST", base + "/go-live", nullptr, kOwnerKey, 200);
  w.CallJson("POST", base + "/catalog/imports",
             {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}}})}},
             kOwnerKey, 200);
  w.CallJson("POST", base + "/warehouses", {{"id", "w1"}, {"name", "Main"}, {"currency", "EUR"}}, kOwnerKey, 201);
  if (bolts > 0)
    w.CallJson("POST", base + "/warehouses/w1/receipts",
               {{"receipt_id", "r0"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", bolts}, {"unit_cost", 400}}})}}, kOwnerKey, 200);
}

Json Order(const std::string& id, int bolts, std::optional<int> unit_price = std::nullopt) {
  Json line = {{"line", 1}, {"sku", "BOLT"}, {"qty", bolts}};
  if (unit_price) line["unit_price"] = *unit_price;
  return {{"id", id}, {"customer", "c1"}, {"currency", "EUR"}, {"lines", Json::array({line})}};
}

// Polls `path` until `pred` holds on its state (the process managers run on their own).
Json WaitFor(GatewayWorld& w, const std::string& path, const std::function<bool(const Json&)>& pred) {
  Json last;
  for (int i = 0; i < 1000; ++i) {
    last = w.CallJson("GET", path);
    if (last.contains("state") && pred(last["state"])) return last["state"];
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  INFO(last.dump());
  FAIL("never reached the expected state");
  return last;
}

std::string Type(const keel::test::HttpReply& r) {
  auto j = Json::parse(r.body, nullptr, false);
  return j.is_discarded() ? r.body : j.value("code", j.value("type", std::string()));
}

}  // namespace

TEST_CASE("a backordered order is allocated when stock arrives, then shipped, delivered and invoiced at its total",
          "[gateway][e2e][orders]") {
  GatewayWorld w;
  Seed(w);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders", Order("o1", 3), kOwnerKey, 201);
  auto s = WaitFor(w, "/v1/tenants/p1:t1/orders/o1", [](const Json& s) { return s["status"] == "backordered"; });
  CHECK(s["lines"]["1"]["allocated"] == 2);
  CHECK(s["total"] == 37500);

  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
             {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 5}, {"unit_cost", 400}}})}}, kOwnerKey, 200);
  s = WaitFor(w, "/v1/tenants/p1:t1/orders/o1", [](const Json& s) { return s["status"] == "reserved"; });
  CHECK(s["lines"]["1"]["allocated"] == 3);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/pick", nullptr, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/shipments", {{"warehouse", "w1"}}, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/delivery", nullptr, kOwnerKey, 200);
  auto invoiced = w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/invoice", {{"invoice_id", "inv-1"}}, kOwnerKey, 200);
  CHECK(invoiced["events"][0]["data"]["amount"] == 37500);
}

TEST_CASE("a partly shipped order's remainder can be cancelled, it is then delivered and invoiced for what shipped, "
          "and its total is the invoice's",
          "[gateway][e2e][orders]") {
  GatewayWorld w;
  Seed(w);
  const std::string operator_key = w.Key("tenant_operator", "p1", "p1:t1");
  w.CallJson("POST", "/v1/tenants/p1:t1/orders", Order("o1", 3), operator_key, 201);
  WaitFor(w, "/v1/tenants/p1:t1/orders/o1", [](const Json& s) { return s["status"] == "backordered"; });
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/pick", nullptr, operator_key, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/shipments", {{"warehouse", "w1"}}, operator_key, 200);
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1/orders/o1")["state"]["status"] == "partially_shipped");
  CHECK(Type(w.Call("POST", "/v1/tenants/p1:t1/orders/o1/delivery", nullptr, operator_key)) == "illegal_transition");
  CHECK(Type(w.Call("POST", "/v1/tenants/p1:t1/orders/o1/cancellation", {{"reason", "x"}}, operator_key)) == "illegal_transition");

  SECTION("bad input names the field, an unknown line is 404, an analyst is refused") {
    auto bad_line = w.Call("POST", "/v1/tenants/p1:t1/orders/o1/lines/one/cancellation", {{"reason", "x"}}, operator_key);
    CHECK(bad_line.status == 400);
    CHECK(Json::parse(bad_line.body)["field"] == "line");
    auto zero = w.Call("POST", "/v1/tenants/p1:t1/orders/o1/lines/0/cancellation", {{"reason", "x"}}, operator_key);
    CHECK(zero.status == 400);
    auto no_reason = w.Call("POST", "/v1/tenants/p1:t1/orders/o1/lines/1/cancellation", Json::object(), operator_key);
    CHECK(no_reason.status == 400);
    CHECK(Json::parse(no_reason.body)["field"] == "reason");
    auto stray = w.Call("POST", "/v1/tenants/p1:t1/orders/o1/lines/1/cancellation", {{"reason", "x"}, {"qty", 1}}, operator_key);
    CHECK(stray.status == 400);
    CHECK(w.Call("POST", "/v1/tenants/p1:t1/orders/o1/lines/9/cancellation", {{"reason", "x"}}, operator_key).status == 404);
    CHECK(w.Call("POST", "/v1/tenants/p1:t1/orders/nope/lines/1/cancellation", {{"reason", "x"}}, operator_key).status == 404);
    CHECK(w.Call("POST", "/v1/tenants/p1:t1/orders/o1/lines/1/cancellation", {{"reason", "x"}}, w.Key("analyst", "p1")).status == 403);
  }
  auto cancelled = w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/lines/1/cancellation", {{"reason", "no more coming"}},
                              operator_key, 200);
  CHECK(cancelled["events"][0]["type"] == "OrderLineCancelled");
  CHECK(cancelled["events"][0]["data"]["qty"] == 1);
  auto s = w.CallJson("GET", "/v1/tenants/p1:t1/orders/o1")["state"];
  CHECK(s["status"] == "shipped");
  CHECK(s["total"] == 25000);
  CHECK(Type(w.Call("POST", "/v1/tenants/p1:t1/orders/o1/lines/1/cancellation", {{"reason", "again"}}, operator_key)) ==
        "illegal_transition");
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/delivery", nullptr, operator_key, 200);
  auto invoiced = w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/invoice", {{"invoice_id", "inv-1"}}, operator_key, 200);
  CHECK(invoiced["events"][0]["data"]["amount"] == 25000);
  // Stock arriving later is not allocated to the cancelled remainder.
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
             {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 5}, {"unit_cost", 400}}})}}, kOwnerKey, 200);
  WaitFor(w, "/v1/tenants/p1:t1/warehouses/w1", [](const Json& s) { return s["stock"]["BOLT"]["on_hand"] == 5; });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1/warehouses/w1")["state"]["stock"]["BOLT"]["reserved"] == 0);
}

TEST_CASE("placed orders are metered on the tenant, clients report only other usage, and not as implementation",
          "[gateway][e2e][orders][usage]") {
  GatewayWorld w;
  Seed(w, "p1:t1", "regional-distributor", "production", 10);
  for (const char* id : {"o1", "o2", "o3"}) w.CallJson("POST", "/v1/tenants/p1:t1/orders", Order(id, 1), kOwnerKey, 201);
  WaitFor(w, "/v1/tenants/p1:t1", [](const Json& s) { return s["period_orders"] == 3; });

  auto orders = w.Call("POST", "/v1/tenants/p1:t1/usage", {{"orders", 5}});
  CHECK(orders.status == 400);
  CHECK(Json::parse(orders.body)["field"] == "orders");
  CHECK(w.Call("POST", "/v1/tenants/p1:t1/usage", {{"api_calls", 40}}, w.Key("implementation", "p1")).status == 403);
  w.CallJson("POST", "/v1/tenants/p1:t1/usage", {{"api_calls", 40}}, w.Key("partner_admin", "p1"), 200);
  auto tenant = w.CallJson("GET", "/v1/tenants/p1:t1")["state"];
  CHECK(tenant["period_orders"] == 3);
  CHECK(tenant["period_api_calls"] == 40);
}

TEST_CASE("on a plan with a hard cap the order past the monthly limit is refused 422 limit_exceeded",
          "[gateway][e2e][orders][usage]") {
  GatewayWorld w;
  Seed(w, "p1:s1", "ecommerce-merchant", "sandbox", 0);  // starter: hard cap; sandbox: 200 orders a month
  for (int i = 0; i < 200; ++i) w.CallJson("POST", "/v1/tenants/p1:s1/orders", Order("o" + std::to_string(i), 1), kOwnerKey, 201);
  WaitFor(w, "/v1/tenants/p1:s1", [](const Json& s) { return s["period_orders"] == 200; });
  auto refused = w.Call("POST", "/v1/tenants/p1:s1/orders", Order("o200", 1));
  CHECK(refused.status == 422);
  CHECK(Type(refused) == "limit_exceeded");
  CHECK(w.Call("GET", "/v1/tenants/p1:s1/orders/o200").status == 404);
}

TEST_CASE("a client unit price needs advanced_pricing and a role allowed to override", "[gateway][e2e][orders][pricing]") {
  GatewayWorld w;
  Seed(w);
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  const std::string finance = w.Key("tenant_operator", "p1", "p1:t1", "finance");
  auto no_module = w.Call("POST", "/v1/tenants/p1:t1/orders", Order("o1", 1, 0), kOwnerKey);
  CHECK(no_module.status == 422);
  CHECK(Type(no_module) == "module_not_entitled");
  w.CallJson("POST", "/v1/tenants/p1:t1/modules", {{"module", "advanced_pricing"}}, kOwnerKey, 200);
  auto operator_price = w.Call("POST", "/v1/tenants/p1:t1/orders", Order("o1", 1, 0), op);
  CHECK(operator_price.status == 422);
  CHECK(Type(operator_price) == "not_permitted");
  auto given = w.CallJson("POST", "/v1/tenants/p1:t1/orders", Order("o1", 1, 9000), finance, 201);
  CHECK(given["events"][0]["data"]["lines"][0]["unit_price"] == 9000);
  // Without a given price anyone placing orders gets the price list's.
  auto listed = w.CallJson("POST", "/v1/tenants/p1:t1/orders", Order("o2", 1), op, 201);
  CHECK(listed["events"][0]["data"]["lines"][0]["unit_price"] == 12500);
}

TEST_CASE("the key that placed an order may not approve it", "[gateway][e2e][orders][approval]") {
  GatewayWorld w;
  Seed(w, "p1:t1", "regional-distributor", "production", 50);
  const Json placer_key = w.CallJson("POST", "/v1/keys",
                                     {{"role", "tenant_operator"}, {"partner", "p1"}, {"tenant", "p1:t1"}, {"name", "placer"},
                                      {"workflow_role", "finance"}},
                                     keel::test::kOwnerKey, 201);
  const std::string placer = placer_key["token"];
  const std::string other = w.Key("tenant_operator", "p1", "p1:t1", "finance");
  w.CallJson("POST", "/v1/tenants/p1:t1/orders", Order("o1", 41), placer, 201);  // 512,500 > 500,000
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1/orders/o1")["state"]["status"] == "awaiting_approval");
  auto own = w.Call("POST", "/v1/tenants/p1:t1/orders/o1/approval", nullptr, placer);
  CHECK(own.status == 422);
  CHECK(Type(own) == "not_permitted");
  // A rotation gives the placer a new secret, not a new identity: still refused.
  auto rotated = w.CallJson("POST", "/v1/keys/" + placer_key["id"].get<std::string>() + "/rotation", {{"grace_seconds", 0}},
                            keel::test::kOwnerKey, 201);
  auto again = w.Call("POST", "/v1/tenants/p1:t1/orders/o1/approval", nullptr, rotated["token"].get<std::string>());
  CHECK(again.status == 422);
  CHECK(Type(again) == "not_permitted");
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/approval", nullptr, other, 200);
  WaitFor(w, "/v1/tenants/p1:t1/orders/o1", [](const Json& s) { return s["status"] == "reserved"; });
}

// A full disk (the fault-injecting file system plays it) while orders come in: writes are refused
// with 503 and Retry-After, reads and /readyz go on ('degraded'); once the disk has room writes resume
// on their own, and the order whose fulfilment the full disk cut short ends reserved all the same.
TEST_CASE("a full disk: writes 503 with Retry-After, reads go on, with room again writes resume and fulfilment catches up",
          "[gateway][e2e][full_disk]") {
  auto switches = std::make_shared<keel::eventstore::test::FaultSwitches>();
  keel::test::WorldOptions o;
  o.store_env = keel::eventstore::test::MakeFaultEnv(switches);
  o.store_recovery_interval = std::chrono::milliseconds(50);
  o.store_resume_free_bytes = 1;
  GatewayWorld w(o);
  Seed(w, "p1:t1", "regional-distributor", "production", 10);
  CHECK(w.CallJson("GET", "/readyz", nullptr, "")["status"] == "ready");
  w.CallJson("POST", "/v1/tenants/p1:t1/orders", Order("o-before", 2), kOwnerKey, 201);
  switches->disk_full = true;  // fulfilment of o-before may or may not have written yet

  auto refused = w.Call("POST", "/v1/tenants/p1:t1/orders", Order("o-during", 3));
  CHECK(refused.status == 503);
  CHECK(keel::test::ProblemType(refused) == "store_unavailable");
  CHECK(refused.Header("retry-after") == "5");
  auto receipt = w.Call("POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
                        {{"receipt_id", "r-full"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 1}, {"unit_cost", 400}}})}});
  CHECK(receipt.status == 503);
  CHECK(w.Call("GET", "/v1/tenants/p1:t1/orders/o-before").status == 200);
  CHECK(w.Call("GET", "/v1/tenants/p1:t1/warehouses/w1").status == 200);
  CHECK(w.CallJson("GET", "/readyz", nullptr, "")["status"] == "degraded");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // recovery looks, and the disk is still full
  CHECK(w.Call("POST", "/v1/tenants/p1:t1/orders", Order("o-during", 3)).status == 503);

  switches->disk_full = false;
  bool ready = false;
  for (int i = 0; i < 500 && !ready; ++i) {
    ready = w.CallJson("GET", "/readyz", nullptr, "")["status"] == "ready";
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(ready);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders", Order("o-during", 3), kOwnerKey, 201);
  WaitFor(w, "/v1/tenants/p1:t1/orders/o-before", [](const Json& s) { return s["status"] == "reserved"; });
  WaitFor(w, "/v1/tenants/p1:t1/orders/o-during", [](const Json& s) { return s["status"] == "reserved"; });
  auto stock = WaitFor(w, "/v1/tenants/p1:t1/warehouses/w1", [](const Json& s) { return s["stock"]["BOLT"]["reserved"] == 5; });
  CHECK(stock["stock"]["BOLT"]["on_hand"] == 10);
  CHECK(switches->no_space.load() >= 1);
}
