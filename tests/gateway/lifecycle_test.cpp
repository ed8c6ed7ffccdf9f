// The lifecycle table over HTTP: what a suspended or terminated tenant and a suspended partner may
// still do, route by route, and that a refusal writes nothing. Suspensions by hand and by dunning.
#include <thread>

#include "gateway/router.hpp"
#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
namespace lifecycle = keel::domain::lifecycle;

namespace {

constexpr std::int64_t kDay = 86'400'000;

using keel::test::ProblemType;

// A path for `route` with every parameter filled by a plausible id of the world below.
std::string PathOf(const keel::gateway::Route& route) {
  static const std::map<std::string, std::string> kIds{
      {"tenant", "p1:t1"},  {"warehouse", "w1"}, {"receipt", "r1"},      {"sku", "BOLT"},  {"order", "o1"},
      {"rma", "rma1"},   {"ticket", "tk1"},   {"milestone", "m1"},    {"module", "crm_integration"},
      {"invoice", "i1"}, {"partner", "p1"},   {"key", "k1"},          {"line", "1"}};
  std::string out;
  std::string_view p = route.pattern;
  while (!p.empty()) {
    auto open = p.find('{');
    if (open == std::string_view::npos) {
      out += p;
      break;
    }
    out += p.substr(0, open);
    auto close = p.find('}', open);
    const std::string name(p.substr(open + 1, close - open - 1));
    auto it = kIds.find(name);
    out += it == kIds.end() ? "x1" : it->second;
    p.remove_prefix(close + 1);
  }
  return out;
}

keel::test::HttpReply PlaceOrder(GatewayWorld& w, const std::string& id, const std::string& key = keel::test::kOwnerKey) {
  return w.Call("POST", "/v1/tenants/p1:t1/orders",
                {{"id", id}, {"customer", "c1"}, {"currency", "EUR"},
                 {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", 2}}})}},
                key);
}

// A partner p1 (certified, with prices), its live tenant t1 with a catalog, a stocked warehouse w1
// and a reserved order o1.
void Seed(GatewayWorld& w) {
  w.LiveTenant("p1", "p1:t1");
  w.CallJson("PUT", "/v1/partners/p1/price-list",
             {{"prices",
               {{"currency", "EUR"},
                {"entries", Json::array({{{"category", "hardware"}, {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", 1000}}})}}})}}}},
             keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/catalog/imports",
             {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}}})}},
             keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w1"}, {"name", "Main"}, {"currency", "EUR"}},
             keel::test::kOwnerKey, 201);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
             {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 100}, {"unit_cost", 400}}})}},
             keel::test::kOwnerKey, 200);
  REQUIRE(PlaceOrder(w, "o1").status == 201);
  for (int i = 0; i < 500; ++i) {  // the fulfilment process reserves it on its own
    if (w.CallJson("GET", "/v1/tenants/p1:t1/orders/o1")["state"]["status"] == "reserved") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("order o1 was never reserved");
}

// Sends every tenant-scoped command route that `status` does not admit and requires the refusal
// `type` for each; nothing may be written.
void EveryRefusedRouteAnswers(GatewayWorld& w, keel::domain::tenant::Status status, const std::string& type) {
  const auto head = w.head();
  int refused = 0;
  for (const auto& route : keel::gateway::Routes()) {
    if (route.scope != keel::gateway::Scope::kTenant || !route.command) continue;
    if (!lifecycle::TenantAdmits(status, keel::gateway::RouteActivity(route))) continue;
    const auto path = PathOf(route);
    auto r = w.Call(std::string(route.method), path, Json::object());
    INFO(route.method << " " << path << " -> " << r.status << " " << r.body);
    CHECK(r.status == 422);
    CHECK(ProblemType(r) == type);
    ++refused;
  }
  CHECK(refused >= 30);
  CHECK(w.KeyEventsSince(head).empty());  // a refusal writes nothing
}

}  // namespace

TEST_CASE("a suspended tenant admits reads, payments, credit notes, tickets and reinstatement only", "[gateway][e2e][lifecycle]") {
  GatewayWorld w;
  Seed(w);
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  w.CallJson("POST", "/v1/tenants/p1:t1/suspension", {{"reason", "fraud check"}}, keel::test::kOwnerKey, 200);

  // The refusal is immediate (no cache lets a suspended tenant trade) and names the state.
  auto placed = PlaceOrder(w, "o2", op);
  CHECK(placed.status == 422);
  CHECK(ProblemType(placed) == "tenant_suspended");
  EveryRefusedRouteAnswers(w, keel::domain::tenant::Status::kSuspended, "tenant_suspended");

  // What a suspended tenant still does.
  CHECK(w.Call("GET", "/v1/tenants/p1:t1/orders/o1", nullptr, op).status == 200);
  CHECK(w.Call("GET", "/v1/tenants/p1:t1/warehouses/w1", nullptr, op).status == 200);
  CHECK(w.Call("POST", "/v1/tenants/p1:t1/tickets", {{"ticket", "tk1"}, {"subject", "Why suspended?"}, {"severity", "high"}}, op).status == 200);
  CHECK(w.Call("POST", "/v1/tenants/p1:t1/tickets/tk1/resolution").status == 200);
  auto pay = w.Call("POST", "/v1/tenants/p1:t1/invoices/i1/payments", {{"payment_id", "pay1"}, {"amount", 100}});
  CHECK(ProblemType(pay) != "tenant_suspended");  // no such invoice, but payments pass the gate
  auto note = w.Call("POST", "/v1/tenants/p1:t1/invoices/i1/credit-notes", {{"note_id", "cn1"}, {"reason", "x"}, {"amount", 1}});
  CHECK(ProblemType(note) != "tenant_suspended");
  CHECK(w.Call("PUT", "/v1/tenants/p1:t1/plan-changes-block", {{"blocked", true}, {"reason", "hold"}}).status == 200);

  // Reinstated, it trades again at once.
  w.CallJson("POST", "/v1/tenants/p1:t1/reinstatement", nullptr, keel::test::kOwnerKey, 200);
  CHECK(PlaceOrder(w, "o2", op).status == 201);
}

TEST_CASE("a terminated tenant admits reads only", "[gateway][e2e][lifecycle]") {
  GatewayWorld w;
  Seed(w);
  w.CallJson("POST", "/v1/tenants/p1:t1/suspension", {{"reason", "unpaid"}}, keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/termination", {{"reason", "contract ended"}}, keel::test::kOwnerKey, 200);
  EveryRefusedRouteAnswers(w, keel::domain::tenant::Status::kTerminated, "tenant_terminated");
  // Reads go on: nothing of the tenant's history is hidden.
  CHECK(w.Call("GET", "/v1/tenants/p1:t1").status == 200);
  CHECK(w.Call("GET", "/v1/tenants/p1:t1/orders/o1").status == 200);
  CHECK(w.Call("GET", "/v1/tenants/p1:t1/catalog").status == 200);
  CHECK(w.Call("GET", "/v1/tenants/p1:t1/billing").status == 200);
  auto pay = w.Call("POST", "/v1/tenants/p1:t1/invoices/i1/payments", {{"payment_id", "pay1"}, {"amount", 100}});
  CHECK(ProblemType(pay) == "tenant_terminated");
}

TEST_CASE("a tenant suspended by dunning stops trading at once", "[gateway][e2e][lifecycle]") {
  GatewayWorld w;
  Seed(w);
  // The first period ends: its invoice is due; the template suspends at 45 days overdue.
  w.clock.Advance(31 * kDay);
  w.CallJson("POST", "/v1/billing/period-close", nullptr, keel::test::kOwnerKey, 200);
  w.clock.Advance(80 * kDay);
  CHECK(PlaceOrder(w, "o2").status == 201);  // overdue, not yet assessed
  w.CallJson("POST", "/v1/billing/period-close", nullptr, keel::test::kOwnerKey, 200);
  const Json tenant = w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, keel::test::kOwnerKey, 200);
  REQUIRE(tenant["state"]["status"] == "suspended");
  auto placed = PlaceOrder(w, "o3");
  CHECK(placed.status == 422);
  CHECK(ProblemType(placed) == "tenant_suspended");
}

TEST_CASE("a suspended partner's own writes are refused while its tenants keep operating", "[gateway][e2e][lifecycle]") {
  GatewayWorld w;
  Seed(w);
  const std::string admin = w.Key("partner_admin", "p1");
  const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
  w.CallJson("POST", "/v1/partners/p1/suspension", {{"reason", "audit"}}, keel::test::kOwnerKey, 200);
  const auto head = w.head();

  auto expect_refused = [&](const std::string& method, const std::string& path, const Json& body, const std::string& key) {
    auto r = w.Call(method, path, body, key);
    INFO(method << " " << path << " -> " << r.status << " " << r.body);
    CHECK(r.status == 422);
    CHECK(ProblemType(r) == "partner_suspended");
  };
  expect_refused("PUT", "/v1/partners/p1/branding",
                 {{"branding", {{"display_name", "P1"}, {"logo_url", "https://p1.example/l.svg"}, {"primary_colour", "#000000"},
                                {"secondary_colour", "#ffffff"}, {"support_email", "a@p1.example"}}}},
                 admin);
  expect_refused("PUT", "/v1/partners/p1/price-list",
                 {{"prices", {{"currency", "EUR"}, {"entries", Json::array({{{"category", "hardware"}, {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", 900}}})}}})}}}},
                 admin);
  expect_refused("PUT", "/v1/partners/p1/revenue-share", {{"partner_bps", 2500}}, keel::test::kOwnerKey);
  expect_refused("POST", "/v1/partners/p1/tenants",
                 {{"reference", "t9"}, {"name", "Nine"}, {"template_id", "regional-distributor"}, {"template_version", 1}}, admin);
  expect_refused("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"name", "bi"}}, admin);
  expect_refused("POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p1"}, {"tenant", "p1:t1"}, {"name", "op2"}},
                 keel::test::kOwnerKey);
  CHECK(w.KeyEventsSince(head).empty());

  // Its customers do not suffer: the tenant trades, its keys work, and keys can still be revoked.
  CHECK(PlaceOrder(w, "o2", op).status == 201);
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, admin).status == 200);

  w.CallJson("POST", "/v1/partners/p1/reinstatement", nullptr, keel::test::kOwnerKey, 200);
  CHECK(w.Call("PUT", "/v1/partners/p1/revenue-share", {{"partner_bps", 2500}}).status == 200);
  CHECK(w.Call("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"name", "bi"}}, admin).status == 201);
}

TEST_CASE("a retry of a command that succeeded before a suspension gets its first answer", "[gateway][e2e][lifecycle]") {
  GatewayWorld w;
  Seed(w);
  const Json body{{"id", "o7"}, {"customer", "c1"}, {"currency", "EUR"},
                  {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", 1}}})}};
  auto first = w.Call("POST", "/v1/tenants/p1:t1/orders", body, keel::test::kOwnerKey, "Idempotency-Key: place-o7\r\n");
  REQUIRE(first.status == 201);
  w.CallJson("POST", "/v1/tenants/p1:t1/suspension", {{"reason", "audit"}}, keel::test::kOwnerKey, 200);
  auto retry = w.Call("POST", "/v1/tenants/p1:t1/orders", body, keel::test::kOwnerKey, "Idempotency-Key: place-o7\r\n");
  CHECK(retry.status == 201);
  CHECK(retry.body == first.body);
  // A new key is a new command, which the suspended tenant refuses.
  auto fresh = w.Call("POST", "/v1/tenants/p1:t1/orders", body, keel::test::kOwnerKey, "Idempotency-Key: place-o7-b\r\n");
  CHECK(fresh.status == 422);
  CHECK(ProblemType(fresh) == "tenant_suspended");
}
