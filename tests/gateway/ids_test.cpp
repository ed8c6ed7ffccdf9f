// Ids as the API takes them, over real sockets: the one id rule on every path parameter and body id
// (400 naming it, nothing written, no stream id in the detail), and a tenant that does not exist is
// 404 on every route for every role, at no cost (no actor activated).
#include <thread>

#include "error_world.hpp"

using keel::test::ExpectProblem;
using keel::test::GatewayWorld;
using keel::test::HttpReply;
using keel::test::Json;
using keel::test::kOrder;
using keel::test::RawHttp;
using keel::test::Seed;

TEST_CASE("ids with characters outside the id alphabet are 400 invalid_field naming the id, in a body or a path",
          "[gateway][e2e][ids]") {
  GatewayWorld w;
  Seed(w);
  const auto head = w.head();
  for (const std::string& bad : std::vector<std::string>{"a b", "o-\xc3\xa9", "tab\there", std::string(129, 'x')}) {
    INFO("id '" << bad << "'");
    Json order = kOrder;
    order["id"] = bad;
    auto placed = w.Call("POST", "/v1/tenants/p1:t1/orders", order);
    ExpectProblem(placed, 400, "invalid_field");
    CHECK(Json::parse(placed.body, nullptr, false).value("field", "") == "id");
    auto partner = w.Call("POST", "/v1/partners", {{"id", bad}, {"name", "P"}});
    ExpectProblem(partner, 400, "invalid_field");
    CHECK(Json::parse(partner.body, nullptr, false).value("field", "") == "id");
    auto tenant = w.Call("POST", "/v1/partners/p1/tenants", {{"reference", bad}, {"name", "T"}, {"template_id", "regional-distributor"}});
    ExpectProblem(tenant, 400, "invalid_field");
    CHECK(Json::parse(tenant.body, nullptr, false).value("field", "") == "reference");
  }
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/v1/tenants/p1:t1/orders/a%20b"}, {"POST", "/v1/tenants/p1:t1/orders/a%20b/cancellation"},
           {"GET", "/v1/tenants/p1:t1/orders/" + std::string(129, 'o')}}) {
    auto r = w.Call(method, path, method == "POST" ? Json::object() : Json(nullptr));
    ExpectProblem(r, 400, "invalid_field");
    CHECK(Json::parse(r.body, nullptr, false).value("field", "") == "order");
    CHECK(r.body.find('\0') == std::string::npos);  // the value is not echoed
  }
  auto bad_tenant = w.Call("GET", "/v1/tenants/a%20b/orders/o1");
  ExpectProblem(bad_tenant, 400, "invalid_field");
  CHECK(Json::parse(bad_tenant.body, nullptr, false).value("field", "") == "tenant");
  CHECK(w.head() == head);  // nothing written
}

TEST_CASE("every id in a body follows the id rule: 400 naming the field before any lookup, and nothing is written",
          "[gateway][e2e][ids]") {
  GatewayWorld w;
  Seed(w);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders", kOrder, keel::test::kOwnerKey, 201);
  w.CallJson("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"name", "bi"}}, keel::test::kOwnerKey, 201);
  // The order's fulfilment appends on its own: wait until the log is quiet.
  auto head = w.head();
  for (int quiet = 0, i = 0; quiet < 5 && i < 400; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    quiet = w.head() == head ? quiet + 1 : 0;
    head = w.head();
  }
  const std::string bad = "a b";
  struct Case {
    std::string method, path;
    Json body;
    std::string field;
  };
  const Json line = {{"sku", "BOLT"}, {"qty", 1}, {"unit_cost", 10}};
  const std::vector<Case> cases = {
      {"PUT", "/v1/partners/p1/price-list", {{"prices", {{"currency", "EUR"}, {"entries", Json::array({{{"sku", bad}}})}}}}, "prices.entries[0].sku"},
      {"POST", "/v1/tenants/p1:t1/tickets", {{"ticket", bad}, {"subject", "s"}}, "ticket"},
      {"POST", "/v1/tenants/p1:t1/catalog/suppliers", {{"suppliers", Json::array({{{"id", bad}, {"name", "S"}}})}}, "suppliers[0].id"},
      {"POST", "/v1/tenants/p1:t1/catalog/imports",
       {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "GEAR"}, {"name", "G"}, {"unit", "box"}, {"category", "hardware"}, {"supplier", bad}}}}})}},
       "rows[0].item.supplier"},
      {"POST", "/v1/tenants/p1:t1/catalog/imports",
       {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "x/y"}, {"name", "G"}, {"unit", "box"}, {"category", "hardware"}}}}})}},
       "rows[0].item.sku"},
      {"POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
       {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 1}, {"unit_cost", 10}, {"lot", bad}, {"expiry", 1}}})}},
       "lines[0].lot"},
      {"POST", "/v1/tenants/p1:t1/warehouses/w1/receipts", {{"receipt_id", "r1"}, {"lines", Json::array({{{"qty", 1}, {"unit_cost", 10}}})}},
       "lines[0].sku"},
      {"POST", "/v1/tenants/p1:t1/warehouses/w1/adjustments", {{"sku", "BOLT"}, {"delta", 1}, {"reason", "count"}, {"lot", bad}}, "lot"},
      {"POST", "/v1/tenants/p1:t1/warehouses/w1/purchase-requests", {{"request_id", "pr1"}, {"sku", bad}, {"qty", 1}}, "sku"},
      {"POST", "/v1/tenants/p1:t1/warehouses/w1/transfers", {{"transfer_id", "x1"}, {"to_warehouse", bad}, {"sku", "BOLT"}, {"qty", 1}}, "to_warehouse"},
      {"POST", "/v1/tenants/p1:t1/orders",
       {{"id", "o2"}, {"customer", bad}, {"currency", "EUR"}, {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", 1}}})}}, "customer"},
      {"POST", "/v1/tenants/p1:t1/orders/o1/shipments", {{"warehouse", bad}}, "warehouse"},
      {"POST", "/v1/tenants/p1:t1/orders/o1/invoice", {{"invoice_id", bad}}, "invoice_id"},
      {"POST", "/v1/tenants/p1:t1/orders/o1/returns", {{"rma", bad}, {"lines", Json::array()}}, "rma"},
      {"POST", "/v1/tenants/p1:t1/invoices/inv-1/payments", {{"payment_id", bad}, {"amount", 1}}, "payment_id"},
      {"POST", "/v1/tenants/p1:t1/invoices/inv-1/credit-notes", {{"note_id", bad}, {"amount", 1}}, "note_id"},
      {"POST", "/v1/keys", {{"role", "analyst"}, {"partner", bad}}, "partner"},
      {"PUT", "/v1/tenants/p1:t1/customers/c1/contract-prices", {{"currency", "EUR"}, {"prices", Json::array({{{"sku", bad}, {"unit_price", 1}}})}},
       "prices[0].sku"},
      {"PUT", "/v1/tenants/p1:t1/customers/c1/contract-prices",
       {{"currency", "EUR"}, {"prices", Json::array({{{"sku", std::string(65, 'S')}, {"unit_price", 1}}})}}, "prices[0].sku"},
      {"POST", "/v1/tenants/p1:t1/orders",
       {{"id", "o3"}, {"customer", "c1"}, {"currency", "EUR"}, {"lines", Json::array({{{"line", 1}, {"sku", std::string(65, 'S')}, {"qty", 1}}})}},
       "lines[0].sku"},
      {"PUT", "/v1/tenants/p1:t1/customers/../contract-prices", {{"currency", "EUR"}, {"prices", Json::array()}}, "customer"},
      {"POST", "/v1/tenants/p1:t1/orders/./cancellation", Json::object(), "order"},
      {"POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p1"}, {"tenant", bad}}, "tenant"},
  };
  for (const auto& c : cases) {
    auto r = w.Call(c.method, c.path, c.body);
    INFO(c.method << " " << c.path << " " << c.body.dump() << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(ProblemType(r) == "invalid_field");
    CHECK(Json::parse(r.body, nullptr, false).value("field", "") == c.field);
  }
  CHECK(w.head() == head);
}

TEST_CASE("a tenant that does not exist is 404 on every route for every role that may use it, and costs nothing",
          "[gateway][e2e][ids]") {
  GatewayWorld w;
  Seed(w);
  auto analyst = w.CallJson("POST", "/v1/keys", {{"role", "analyst"}, {"name", "platform bi"}}, keel::test::kOwnerKey, 201);
  const std::string analyst_key = analyst["token"];
  const auto head = w.head();
  const auto activations = w.node->runtime().Stats().activations;
  for (const std::string& key : {std::string(keel::test::kOwnerKey), analyst_key}) {
    for (const std::string path : {"/v1/tenants/ghost", "/v1/tenants/ghost/catalog", "/v1/tenants/ghost/billing",
                                    "/v1/tenants/ghost/warehouses/w1", "/v1/tenants/ghost/orders/o1",
                                    "/v1/tenants/ghost/customers/c1/contract-prices"}) {
      auto r = w.Call("GET", path, nullptr, key);
      INFO(path << " -> " << r.status << " " << r.body);
      CHECK(r.status == 404);
      CHECK(ProblemType(r) == "not_found");
    }
  }
  // Writes: the owner gets 404; the analyst, who may not write anywhere, 403 as for an existing tenant.
  const Json suppliers = {{"suppliers", Json::array({{{"id", "p1:s1"}, {"name", "S"}}})}};
  auto owner_write = w.Call("POST", "/v1/tenants/ghost/catalog/suppliers", suppliers);
  CHECK(owner_write.status == 404);
  CHECK(w.Call("POST", "/v1/tenants/ghost/catalog/suppliers", suppliers, analyst_key).status == 403);
  CHECK(w.Call("POST", "/v1/tenants/p1:t1/catalog/suppliers", suppliers, analyst_key).status == 403);
  CHECK(w.Call("PUT", "/v1/tenants/ghost/customers/c1/contract-prices",
               {{"currency", "EUR"}, {"prices", Json::array({{{"sku", "BOLT"}, {"unit_price", 1}}})}})
            .status == 404);
  CHECK(w.head() == head);  // nothing written for the ghost tenant
  CHECK(w.node->store().StreamVersion("t/ghost/catalog/main").value() == 0);
  CHECK(w.node->runtime().Stats().activations == activations);  // no actor was activated for it
}
