// Every route's happy path over real sockets: one platform walked from partner registration to
// refunds, billing and key revocation. Each 2xx marks its route; the test ends by checking that every
// route of the router was served successfully at least once (the WebSocket route: see websocket_test).
#include <set>
#include <thread>

#include "gateway/router.hpp"
#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;

namespace {

struct Walk {
  GatewayWorld& w;
  std::set<std::string> served;

  Json Ok(const std::string& method, const std::string& path, const Json& body = nullptr,
          const std::string& key = keel::test::kOwnerKey) {
    auto r = w.Call(method, path, body, key);
    INFO(method << " " << path << " -> " << r.status << " " << r.body);
    REQUIRE(r.status >= 200);
    REQUIRE(r.status < 300);
    auto m = keel::gateway::Match(method, path);
    REQUIRE(m.has_value());
    served.insert(std::string(m->route->id));
    if (r.Header("content-type").find("json") == std::string::npos) return r.body;
    return Json::parse(r.body);
  }

  // Polls an order until `pred` holds on its state (the fulfilment process manager runs on its own).
  Json WaitOrder(const std::string& tenant, const std::string& order, const std::function<bool(const Json&)>& pred) {
    Json last;
    for (int i = 0; i < 1500; ++i) {  // up to 15 s: the suite runs two test programs side by side
      last = Json::parse(w.Call("GET", "/v1/tenants/" + tenant + "/orders/" + order).body);
      if (pred(last["state"])) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    INFO(last.dump());
    FAIL("the order never reached the expected state");
    return last;
  }
};

Json Lines(std::initializer_list<std::pair<const char*, int>> items) {
  Json lines = Json::array();
  int n = 1;
  for (const auto& [sku, qty] : items) lines.push_back({{"line", n++}, {"sku", sku}, {"qty", qty}});
  return lines;
}

}  // namespace

TEST_CASE("every route answers its happy path over HTTP", "[gateway][e2e]") {
  keel::test::WorldOptions simulated;
  simulated.simulated_admin_clock = true;  // as keel serve --clock simulated: the admin clock routes answer
  GatewayWorld w(simulated);
  Walk k{w, {}};

  // -- system and configuration --
  CHECK(k.Ok("GET", "/healthz")["status"] == "ok");
  CHECK(k.Ok("GET", "/readyz")["status"] == "ready");
  CHECK(k.Ok("GET", "/v1/openapi.json")["openapi"] == "3.1.0");
  CHECK(k.Ok("GET", "/v1/plans")["plans"].size() == 4);
  CHECK(k.Ok("GET", "/v1/templates")["templates"].size() >= 5);

  // -- partner --
  auto reg = k.Ok("POST", "/v1/partners", {{"id", "p1"}, {"name", "Partner One"}});
  CHECK(reg["entity"]["kind"] == "partner");
  CHECK(reg["version"] == 1);
  CHECK(reg["position"].get<std::uint64_t>() >= 1);
  CHECK(reg["events"][0]["type"] == "PartnerRegistered");
  k.Ok("PUT", "/v1/partners/p1/branding",
       {{"branding", {{"display_name", "P1"}, {"logo_url", "https://p1.example/logo.svg"}, {"primary_colour", "#000000"}, {"secondary_colour", "#ffffff"}, {"support_email", "help@p1.example"}}}});
  k.Ok("PUT", "/v1/partners/p1/price-list",
       {{"prices",
         {{"currency", "EUR"},
          {"entries", Json::array({{{"category", "hardware"}, {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", 1000}}})}},
                                   {{"category", "parts"}, {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", 500}}})}}})}}}});
  k.Ok("PUT", "/v1/partners/p1/revenue-share", {{"partner_bps", 2000}});
  k.Ok("POST", "/v1/partners/p1/certification");
  k.Ok("PUT", "/v1/partners/p1/level", {{"level", "silver"}});
  auto partner = k.Ok("GET", "/v1/partners/p1");
  CHECK(partner["state"]["certified"] == true);
  CHECK(partner["state"]["partner_bps"] == 2000);

  // -- tenants: t1 (midmarket importer: landed cost), t2 (regional distributor v1: plan and template moves) --
  for (const char* t : {"p1:t1", "p1:t2"}) {
    const std::string segment = std::string(t) == "p1:t1" ? "midmarket-importer" : "regional-distributor";
    auto prov = k.Ok("POST", "/v1/partners/p1/tenants",
                     {{"reference", GatewayWorld::Reference(t)}, {"name", std::string("Tenant ") + t}, {"template_id", segment}, {"template_version", 1}});
    CHECK(prov["entity"]["kind"] == "tenant");
    const std::string base = std::string("/v1/tenants/") + t;
    k.Ok("POST", base + "/onboarding");
    const Json tenant = k.Ok("GET", base);
    for (const auto& m : tenant["state"]["milestones"])
      k.Ok("POST", base + "/milestones/" + m["id"].get<std::string>() + "/completion");
    k.Ok("POST", base + "/go-live");
  }
  CHECK(k.Ok("GET", "/v1/tenants/p1:t1")["state"]["status"] == "active");
  k.Ok("PUT", "/v1/tenants/p1:t2/template", {{"version", 2}});
  k.Ok("POST", "/v1/tenants/p1:t2/modules", {{"module", "crm_integration"}});
  k.Ok("DELETE", "/v1/tenants/p1:t2/modules/crm_integration");
  k.Ok("PUT", "/v1/tenants/p1:t2/plan", {{"plan", "scale"}});
  CHECK(k.Ok("GET", "/v1/tenants/p1:t2")["state"]["plan"] == "scale");
  k.Ok("POST", "/v1/tenants/p1:t2/usage", {{"api_calls", 40}});  // orders are metered as placed
  k.Ok("POST", "/v1/tenants/p1:t2/tickets", {{"ticket", "tk-1"}, {"subject", "Printer labels"}, {"severity", "low"}});
  k.Ok("POST", "/v1/tenants/p1:t2/tickets/tk-1/assignment", {{"assignee", "dana"}});
  k.Ok("POST", "/v1/tenants/p1:t2/tickets/tk-1/comments", {{"from", "agent"}, {"body", "Which printer?"}});
  k.Ok("PUT", "/v1/tenants/p1:t2/tickets/tk-1/status", {{"status", "waiting_on_customer"}});
  k.Ok("POST", "/v1/tenants/p1:t2/tickets/tk-1/resolution");
  k.Ok("POST", "/v1/tenants/p1:t2/integration-events", {{"kind", "failure"}, {"integration", "edi"}, {"detail", "AS2 timeout"}});
  k.Ok("POST", "/v1/tenants/p1:t2/integration-events", {{"kind", "sync_latency"}, {"integration", "edi"}, {"latency_ms", 500000}});
  k.Ok("POST", "/v1/tenants/p1:t2/integration-events", {{"kind", "recovery"}, {"integration", "edi"}});
  k.Ok("PUT", "/v1/tenants/p1:t2/plan-changes-block", {{"blocked", true}, {"reason", "manual hold"}});
  k.Ok("PUT", "/v1/tenants/p1:t2/plan-changes-block", {{"blocked", false}, {"reason", "released"}});

  // -- catalog and warehouses (t1) --
  k.Ok("POST", "/v1/tenants/p1:t1/catalog/suppliers", {{"suppliers", Json::array({{{"id", "p1:s1"}, {"name", "Supplier"}}})}});
  auto imported = k.Ok("POST", "/v1/tenants/p1:t1/catalog/imports",
                       {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}},
                                              {{"row", 2}, {"item", {{"sku", "GEAR"}, {"name", "Gear"}, {"unit", "each"}, {"category", "parts"}, {"supplier", "p1:s1"}}}}})}});
  CHECK(imported["events"].size() == 1);
  CHECK(k.Ok("GET", "/v1/tenants/p1:t1/catalog")["state"]["items"].size() == 2);
  k.Ok("PUT", "/v1/tenants/p1:t1/customers/contract-c/contract-prices",
       {{"currency", "EUR"}, {"prices", Json::array({{{"sku", "GEAR"}, {"unit_price", 150}}})}});
  CHECK(k.Ok("GET", "/v1/tenants/p1:t1/customers/contract-c/contract-prices")["prices"][0]["unit_price"] == 150);
  auto wh = k.Ok("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w1"}, {"name", "Main"}, {"currency", "EUR"}});
  CHECK(wh["entity"]["id"] == "w1");
  k.Ok("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w2"}, {"name", "East"}, {"currency", "EUR"}});
  k.Ok("POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
       {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 100}, {"unit_cost", 400}}, {{"sku", "GEAR"}, {"qty", 50}, {"unit_cost", 200}}})}});
  k.Ok("POST", "/v1/tenants/p1:t1/warehouses/w1/receipts/r1/landed-costs",
       {{"allocation_id", "freight-1"}, {"charges", Json::array({{{"kind", "freight"}, {"amount", 1500}}})}, {"method", "quantity"}});
  CHECK(k.Ok("GET", "/v1/tenants/p1:t1/warehouses/w1/receipts/r1")["lines"][0]["landed_cost"] == 1000);  // 1500 over 100 and 50
  k.Ok("POST", "/v1/tenants/p1:t1/warehouses/w1/adjustments", {{"sku", "BOLT"}, {"delta", -2}, {"reason", "cycle count"}});
  auto moved = k.Ok("POST", "/v1/tenants/p1:t1/warehouses/w1/transfers", {{"transfer_id", "x1"}, {"to_warehouse", "w2"}, {"sku", "GEAR"}, {"qty", 5}});
  CHECK(moved["in"]["entity"]["id"] == "w2");
  k.Ok("PUT", "/v1/tenants/p1:t1/warehouses/w1/replenishment-rules/BOLT", {{"min", 10}, {"max", 200}, {"multiple", 10}});
  k.Ok("POST", "/v1/tenants/p1:t1/warehouses/w1/purchase-requests", {{"request_id", "pr1"}, {"sku", "BOLT"}, {"qty", 50}, {"reason", "season"}});
  CHECK(k.Ok("GET", "/v1/tenants/p1:t1/warehouses/w1/expired-lots")["lots"].empty());
  auto stock = k.Ok("GET", "/v1/tenants/p1:t1/warehouses/w2");
  CHECK(stock["version"].get<int>() >= 2);

  // -- orders (t1): place, allocate (fulfilment), pick, ship, deliver, invoice, return, refund --
  auto placed = k.Ok("POST", "/v1/tenants/p1:t1/orders", {{"id", "o1"}, {"customer", "c1"}, {"currency", "EUR"}, {"lines", Lines({{"BOLT", 10}, {"GEAR", 4}})}});
  CHECK(placed["entity"]["id"] == "o1");
  k.WaitOrder("p1:t1", "o1", [](const Json& s) { return s["status"] == "reserved"; });
  k.Ok("POST", "/v1/tenants/p1:t1/orders/o1/pick");
  k.Ok("POST", "/v1/tenants/p1:t1/orders/o1/shipments", {{"warehouse", "w1"}, {"tracking", "TRK1"}});
  k.Ok("POST", "/v1/tenants/p1:t1/orders/o1/delivery");
  k.Ok("POST", "/v1/tenants/p1:t1/orders/o1/invoice", {{"invoice_id", "inv-o1"}});
  k.Ok("POST", "/v1/tenants/p1:t1/orders/o1/returns", {{"rma", "rma1"}, {"lines", Json::array({{{"line", 1}, {"qty", 2}}})}});
  k.Ok("POST", "/v1/tenants/p1:t1/orders/o1/returns/rma1/authorization");
  k.Ok("POST", "/v1/tenants/p1:t1/orders/o1/returns/rma1/receipt", {{"disposition", "restock"}, {"warehouse", "w1"}});
  // Restocked with the receipt; the returns process manager refunds.
  k.WaitOrder("p1:t1", "o1", [](const Json& s) { return s["returns"]["rma1"]["status"] == "refunded"; });
  // Approval: above the template's threshold (2500000) the order waits for an approver.
  k.Ok("POST", "/v1/tenants/p1:t1/orders", {{"id", "o2"}, {"customer", "c1"}, {"currency", "EUR"}, {"lines", Lines({{"BOLT", 3000}})}});
  CHECK(k.Ok("GET", "/v1/tenants/p1:t1/orders/o2")["state"]["status"] == "awaiting_approval");
  k.Ok("POST", "/v1/tenants/p1:t1/orders/o2/approval", nullptr, w.Key("tenant_operator", "p1", "p1:t1", "finance"));  // not the placer
  k.Ok("POST", "/v1/tenants/p1:t1/orders", {{"id", "o3"}, {"customer", "c1"}, {"currency", "EUR"}, {"lines", Lines({{"BOLT", 3000}})}});
  k.Ok("POST", "/v1/tenants/p1:t1/orders/o3/rejection", {{"reason", "credit hold"}});
  k.Ok("POST", "/v1/tenants/p1:t1/orders", {{"id", "o4"}, {"customer", "c2"}, {"currency", "EUR"}, {"lines", Lines({{"GEAR", 1}})}});
  k.Ok("POST", "/v1/tenants/p1:t1/orders/o4/cancellation", {{"reason", "customer changed mind"}});
  // A backorder's remainder: 50 gears are there (less the 4 shipped and 5 transferred), 60 asked.
  k.Ok("POST", "/v1/tenants/p1:t1/orders", {{"id", "o5"}, {"customer", "c2"}, {"currency", "EUR"}, {"lines", Lines({{"GEAR", 60}})}});
  k.WaitOrder("p1:t1", "o5", [](const Json& s) { return s["status"] == "backordered"; });
  k.Ok("POST", "/v1/tenants/p1:t1/orders/o5/lines/1/cancellation", {{"reason", "supplier discontinued"}});

  // -- billing: the period ends, the cycle invoices and renews; payments, credit notes, dunning --
  w.clock.Advance(40LL * 86'400'000);
  auto closed = k.Ok("POST", "/v1/billing/period-close");
  CHECK(closed["invoices"].get<int>() >= 2);
  auto billing = k.Ok("GET", "/v1/tenants/p1:t1/billing");
  REQUIRE(!billing["state"]["invoices"].empty());
  const std::string invoice = billing["state"]["invoices"].begin().key();
  k.Ok("POST", "/v1/tenants/p1:t1/invoices/" + invoice + "/payments", {{"payment_id", "pay1"}, {"amount", 100}});
  k.Ok("POST", "/v1/tenants/p1:t1/invoices/" + invoice + "/credit-notes", {{"note_id", "cn1"}, {"reason", "goodwill"}, {"amount", 50}});
  CHECK(k.Ok("GET", "/v1/admin/clock")["mode"] == "simulated");
  CHECK(k.Ok("POST", "/v1/admin/clock/advance", {{"days", 20}})["advanced_ms"] == 20LL * 86'400'000);
  {
    keel::eventstore::test::TempDir backups;
    CHECK(k.Ok("POST", "/v1/admin/backup", {{"to", backups.str() + "/b"}})["id"] == 1);
  }
  k.Ok("POST", "/v1/tenants/p1:t1/billing/overdue-assessment");
  w.clock.Advance(40LL * 86'400'000);
  k.Ok("POST", "/v1/tenants/p1:t2/subscription/renewal");
  k.Ok("POST", "/v1/tenants/p1:t2/subscription/cancellation", {{"reason", "moving on"}});

  // -- lifecycle ends: tenant and partner suspension, reinstatement, termination --
  k.Ok("POST", "/v1/tenants/p1:t2/suspension", {{"reason", "unpaid"}});
  k.Ok("POST", "/v1/tenants/p1:t2/reinstatement");
  k.Ok("POST", "/v1/tenants/p1:t2/termination", {{"reason", "contract ended"}});
  k.Ok("POST", "/v1/partners/p1/suspension", {{"reason", "audit"}});
  k.Ok("POST", "/v1/partners/p1/reinstatement");

  // -- keys --
  auto key = k.Ok("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"name", "bi"}});
  const std::string token = key["token"];
  CHECK(w.Call("GET", "/v1/tenants/p1:t1", nullptr, token).status == 200);
  CHECK(k.Ok("GET", "/v1/keys")["keys"].size() >= 2);
  auto rotated = k.Ok("POST", "/v1/keys/" + key["id"].get<std::string>() + "/rotation", {{"grace_seconds", 0}});
  CHECK(rotated["replaces"]["id"] == key["id"]);
  k.Ok("DELETE", "/v1/keys/" + rotated["id"].get<std::string>());
  CHECK(w.Call("GET", "/v1/tenants/p1:t1", nullptr, token).status == 401);

  // The extension catalog: submit, review, approve, install, read; a second version rejected; uninstall; withdraw.
  const Json manifest{{"id", "bridge"}, {"version", "1.0.0"}, {"name", "Bridge"}, {"kind", "edi_connector"},
                      {"commands", {"open_ticket"}}, {"scopes", {"orders:read"}}, {"events", {"OrderPlaced"}},
                      {"config_schema", {{"type", "object"}, {"properties", {{"url", {{"type", "string"}, {"format", "uri"}}}}}}}};
  CHECK(k.Ok("POST", "/v1/extensions", manifest)["entity"]["id"] == "bridge");
  k.Ok("POST", "/v1/extensions/bridge/versions/1.0.0/review");
  k.Ok("POST", "/v1/extensions/bridge/versions/1.0.0/approval");
  Json second = manifest;
  second["version"] = "1.1.0";
  k.Ok("POST", "/v1/extensions", second);
  k.Ok("POST", "/v1/extensions/bridge/versions/1.1.0/review");
  k.Ok("POST", "/v1/extensions/bridge/versions/1.1.0/rejection", {{"reasons", {"asks for more than it needs"}}});
  CHECK(k.Ok("GET", "/v1/extensions?status=approved")["items"].size() == 1);
  CHECK(k.Ok("GET", "/v1/extensions/bridge")["state"]["versions"].size() == 2);
  auto installed = k.Ok("POST", "/v1/tenants/p1:t1/extensions", {{"extension", "bridge"}, {"config", {{"url", "https://x.example/in"}}}});
  CHECK(installed["key"]["token"].is_string());
  CHECK(k.Ok("GET", "/v1/tenants/p1:t1/extensions")["items"].size() == 1);
  Json installations;
  for (int i = 0; i < 500; ++i) {  // the notices process keeps it from the log
    installations = k.Ok("GET", "/v1/extensions/bridge/installations?version=1.0.0");
    if (!installations["items"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(installations["items"] == Json::array({{{"tenant", "p1:t1"}, {"version", "1.0.0"}}}));
  k.Ok("DELETE", "/v1/tenants/p1:t1/extensions/bridge");
  k.Ok("POST", "/v1/extensions/bridge/versions/1.0.0/withdrawal", {{"reason", "retired"}});

  // A staged template rollout: started (a canary of one shop), read, listed, paused, resumed, rolled back.
  w.LiveTenant("p1", "p1:shop", "ecommerce-merchant");
  CHECK(k.Ok("POST", "/v1/rollouts", {{"template", "ecommerce-merchant"}, {"version", 2}, {"canary", {{"tenants", {"p1:shop"}}}},
                                      {"waves", {100}}, {"soak_minutes", 60}})["entity"]["kind"] == "rollout");
  CHECK(k.Ok("GET", "/v1/rollouts/ecommerce-merchant.v2?min_position=" + std::to_string(w.head()))["status"] == "running");
  CHECK(k.Ok("GET", "/v1/rollouts?template=ecommerce-merchant&min_position=" + std::to_string(w.head()))["items"].size() == 1);
  k.Ok("POST", "/v1/rollouts/ecommerce-merchant.v2/pause", {{"reason", "look first"}});
  k.Ok("POST", "/v1/rollouts/ecommerce-merchant.v2/resumption");
  k.Ok("POST", "/v1/rollouts/ecommerce-merchant.v2/rollback", {{"reason", "not now"}});

  // The list routes, reading their own writes.
  const std::string head = std::to_string(w.head());
  CHECK(!k.Ok("GET", "/v1/partners/p1/tenants?min_position=" + head)["items"].empty());
  CHECK(!k.Ok("GET", "/v1/tenants/p1:t1/orders?min_position=" + head)["items"].empty());
  CHECK(!k.Ok("GET", "/v1/partners?min_position=" + head)["items"].empty());
  CHECK(k.Ok("GET", "/v1/tenants/p1:t1/entitlements")["tenant"] == "p1:t1");
  CHECK(!k.Ok("GET", "/v1/tenants/p1:t1/warehouses?min_position=" + head)["items"].empty());
  CHECK(!k.Ok("GET", "/v1/tenants/p1:t1/inventory?min_position=" + head)["items"].empty());
  CHECK(k.Ok("GET", "/v1/tenants/p1:t1/invoices?min_position=" + head)["items"].is_array());
  CHECK(k.Ok("GET", "/v1/partners/p1/statements?period=2026-01")["partner"] == "p1");
  CHECK(k.Ok("GET", "/v1/tenants/p1:t1/exceptions?min_position=" + head)["items"].is_array());
  CHECK(k.Ok("GET", "/v1/tenants/p1:t1/tickets?min_position=" + head)["items"].is_array());
  CHECK(!k.Ok("GET", "/v1/audit?tenant=p1:t1&min_position=" + head)["items"].empty());
  // The analytics routes (their figures: analytics_e2e_test.cpp).
  CHECK(k.Ok("GET", "/v1/analytics/revenue?group_by=segment,month&min_position=" + head)["items"].is_array());
  CHECK(k.Ok("GET", "/v1/analytics/margin?group_by=partner")["items"].is_array());
  CHECK(k.Ok("GET", "/v1/analytics/support?tenant=p1:t1")["items"].size() == 1);
  CHECK(k.Ok("GET", "/v1/analytics/usage?group_by=tenant")["items"].is_array());
  CHECK(k.Ok("GET", "/v1/analytics/renewal-risk")["items"].is_array());
  CHECK(k.Ok("GET", "/v1/analytics/onboarding?group_by=segment")["items"].is_array());
  CHECK(k.Ok("GET", "/v1/analytics/support-load?min_position=" + head)["items"].size() == 3);
  CHECK(k.Ok("GET", "/v1/analytics/sla-attainment?partner=p1")["items"].size() == 1);
  CHECK(k.Ok("GET", "/v1/tenants/p1:t2/tickets/tk-1?min_position=" + head)["status"] == "resolved");
  // The dashboard's files (drawn in a browser: tests/dashboard); an unknown file is 404.
  CHECK(k.Ok("GET", "/dashboard").get<std::string>().find("<canvas id=\"chart-mrr\">") != std::string::npos);
  CHECK(k.Ok("GET", "/dashboard/dashboard.js").get<std::string>().find("keelDashboard") != std::string::npos);
  CHECK(w.Call("GET", "/dashboard/passwd").status == 404);
  CHECK(w.Call("GET", "/dashboard/..%2Fapi.hpp").status == 404);
  // The read models' administration: an event the orders model cannot read is parked (its stream
  // only), a retry leaves it parked, a skip drops it; a rebuild starts.
  REQUIRE(w.node->store().Append("t/p1:t1/order/garbled", keel::eventstore::ExpectedVersion::Any(), {{"OrderPlaced", 1, "not capnp"}})
              .has_value());
  const std::string garbled = std::to_string(w.head());
  bool parked = false;
  for (int i = 0; i < 300 && !parked; ++i) {
    const Json status = k.Ok("GET", "/v1/admin/projections");
    for (const auto& p : status["projections"])
      for (const auto& e : p["parked"]) parked = parked || (p["name"] == "orders" && std::to_string(e["position"].get<std::uint64_t>()) == garbled);
    if (!parked) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(parked);
  CHECK(k.Ok("POST", "/v1/admin/projections/orders/parked/" + garbled + "/retry")["still_parked"] == 1);
  CHECK(k.Ok("POST", "/v1/admin/projections/orders/parked/" + garbled + "/skip")["skipped"] == true);
  CHECK(k.Ok("POST", "/v1/admin/projections/orders/rebuild")["name"] == "orders");

  // Metrics last, so they include what happened above.
  const std::string metrics = k.Ok("GET", "/metrics").get<std::string>();
  CHECK(metrics.find("keel_http_requests_total{route=\"place_order\",status=\"201\"}") != std::string::npos);
  CHECK(metrics.find("keel_store_append_batch_size_bucket") != std::string::npos);
  CHECK(metrics.find("keel_commands_total") != std::string::npos);
  CHECK(metrics.find("keel_store_totals{what=\"store_snapshots\"}") != std::string::npos);

  std::set<std::string> missing;
  for (const auto& r : keel::gateway::Routes())
    if (!k.served.contains(std::string(r.id)) && r.id != "websocket") missing.insert(std::string(r.id));
  INFO("routes without a happy path: " << [&] { std::string s; for (auto& m : missing) s += m + " "; return s; }());
  CHECK(missing.empty());
}
