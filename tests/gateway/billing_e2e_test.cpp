// Billing over HTTP, end to end with the simulated clock: a mid-period upgrade is charged by the
// day (not the new plan's full fee plus the proration), a payment id reused with another amount is a
// 409, the revenue split is shown to the partner and the platform owner only, and dunning lifts what
// it imposed once everything overdue is paid, but never an operator's suspension.
#include <thread>

#include "codec/codec.hpp"
#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;

namespace {

constexpr std::int64_t kDay = 86'400'000;

// Partner p1 (20% revenue share, certified) with live regional-distributor tenants on plan growth
// (shared, 89,900 a month; its edi is an add-on on growth, included in scale).
void Seed(GatewayWorld& w, std::initializer_list<const char*> tenants) {
  w.CallJson("POST", "/v1/partners", {{"id", "p1"}, {"name", "Partner One"}}, kOwnerKey, 201);
  w.CallJson("PUT", "/v1/partners/p1/revenue-share", {{"partner_bps", 2000}}, kOwnerKey, 200);
  w.CallJson("POST", "/v1/partners/p1/certification", nullptr, kOwnerKey, 200);
  for (const char* t : tenants) {
    w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", GatewayWorld::Reference(t)}, {"name", t}, {"template_id", "regional-distributor"}}, kOwnerKey,
               201);
    const std::string base = std::string("/v1/tenants/") + t;
    w.CallJson("POST", base + "/onboarding", nullptr, kOwnerKey, 200);
    const Json tenant = w.CallJson("GET", base, nullptr, kOwnerKey, 200);
    for (const auto& m : tenant["state"]["milestones"])
      w.CallJson("POST", base + "/milestones/" + m["id"].get<std::string>() + "/completion", nullptr, kOwnerKey, 200);
    w.CallJson("POST", base + "/go-live", nullptr, kOwnerKey, 200);
  }
}

Json Invoices(GatewayWorld& w, const std::string& tenant, const std::string& key = kOwnerKey) {
  return w.CallJson("GET", "/v1/tenants/" + tenant + "/billing", nullptr, key, 200)["state"]["invoices"];
}

void PayEverything(GatewayWorld& w, const std::string& tenant) {
  const Json invoices = Invoices(w, tenant);
  for (const auto& [id, invoice] : invoices.items()) {
    const auto owed = invoice["total"].get<std::int64_t>() - invoice["paid"].get<std::int64_t>() -
                      invoice["credited"].get<std::int64_t>();
    if (owed > 0)
      w.CallJson("POST", "/v1/tenants/" + tenant + "/invoices/" + id + "/payments",
                 {{"payment_id", "pay-" + id}, {"amount", owed}}, kOwnerKey, 200);
  }
}

// Polls the tenant until `pred` holds on its state (the dunning relief runs on its own thread).
Json WaitTenant(GatewayWorld& w, const std::string& tenant, const std::function<bool(const Json&)>& pred) {
  Json last;
  for (int i = 0; i < 1000; ++i) {
    last = w.CallJson("GET", "/v1/tenants/" + tenant, nullptr, kOwnerKey, 200)["state"];
    if (pred(last)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  INFO(last.dump());
  FAIL("the tenant never reached the expected state");
  return last;
}

}  // namespace

TEST_CASE("a mid-period upgrade is invoiced by the day: the old plan's days and the new plan's, not the new fee twice",
          "[gateway][e2e][billing]") {
  GatewayWorld w;
  Seed(w, {"p1:t1"});
  w.clock.Advance(10 * kDay);  // day 10 of 30: 10 days of growth, 20 of scale
  w.CallJson("PUT", "/v1/tenants/p1:t1/plan", {{"plan", "scale"}}, kOwnerKey, 200);
  w.clock.Advance(20 * kDay + 60'000);  // just past the period end
  CHECK(w.CallJson("POST", "/v1/billing/period-close", nullptr, kOwnerKey, 200)["invoices"] == 1);
  const Json invoices = Invoices(w, "p1:t1");
  REQUIRE(invoices.size() == 1);
  const Json& invoice = invoices.begin().value();
  INFO(invoice.dump());
  REQUIRE(invoice["lines"].size() == 2);
  CHECK(invoice["lines"][0] == Json({{"kind", "plan"}, {"description", "plan growth (shared)"}, {"amount", 89900}}));
  CHECK(invoice["lines"][1]["kind"] == "proration");
  CHECK(invoice["lines"][1]["amount"] == (249900 - 89900) * 20 / 30);
  // (10 × 89,900 + 20 × 249,900) / 30 = 196,566.67: rounded down, short by less than one cent.
  CHECK(invoice["total"] == 196566);
  CHECK(invoice["partner_share"] == 196566 / 5);
  CHECK(invoice["partner_share"].get<std::int64_t>() + invoice["platform_share"].get<std::int64_t>() == 196566);
  // The next period opens on scale: its full fee, no proration.
  w.clock.Advance(30 * kDay);
  w.CallJson("POST", "/v1/billing/period-close", nullptr, kOwnerKey, 200);
  const Json next = Invoices(w, "p1:t1");
  REQUIRE(next.size() == 2);
  for (const auto& [id, inv] : next.items()) {
    if (id == invoices.begin().key()) continue;
    CHECK(inv["total"] == 249900);
  }
}

TEST_CASE("a payment id reused with another amount is a 409 id_reused, with the same amount a no-op",
          "[gateway][e2e][billing]") {
  GatewayWorld w;
  Seed(w, {"p1:t1"});
  w.clock.Advance(31 * kDay);
  w.CallJson("POST", "/v1/billing/period-close", nullptr, kOwnerKey, 200);
  const std::string invoice = Invoices(w, "p1:t1").begin().key();
  const std::string path = "/v1/tenants/p1:t1/invoices/" + invoice + "/payments";
  auto first = w.CallJson("POST", path, {{"payment_id", "pay-1"}, {"amount", 100}}, kOwnerKey, 200);
  CHECK(first["events"].size() == 1);
  auto again = w.CallJson("POST", path, {{"payment_id", "pay-1"}, {"amount", 100}}, kOwnerKey, 200);
  CHECK(again["events"].empty());
  auto other = w.Call("POST", path, Json{{"payment_id", "pay-1"}, {"amount", 200}});
  CHECK(other.status == 409);
  CHECK(other.Header("content-type") == "application/problem+json");
  CHECK(Json::parse(other.body)["code"] == "id_reused");
  CHECK(Invoices(w, "p1:t1")[invoice]["paid"] == 100);  // paid once
}

TEST_CASE("the billing read shows the revenue split to the partner and the platform owner only",
          "[gateway][e2e][billing]") {
  GatewayWorld w;
  Seed(w, {"p1:t1"});
  w.clock.Advance(31 * kDay);
  w.CallJson("POST", "/v1/billing/period-close", nullptr, kOwnerKey, 200);
  for (const auto& [key, sees_split] : std::vector<std::pair<std::string, bool>>{
           {kOwnerKey, true},
           {w.Key("partner_admin", "p1"), true},
           {w.Key("analyst", "p1"), true},
           {w.Key("tenant_operator", "p1", "p1:t1"), false},
           {w.Key("analyst", "p1", "p1:t1"), false}}) {
    const Json invoice = Invoices(w, "p1:t1", key).begin().value();
    INFO(invoice.dump());
    CHECK(invoice["total"].get<std::int64_t>() > 0);
    CHECK(invoice["lines"].size() >= 1);
    CHECK(invoice.contains("partner_share") == sees_split);
    CHECK(invoice.contains("platform_share") == sees_split);
  }
}

TEST_CASE("paying everything overdue lifts dunning's suspension and block, but not an operator's suspension",
          "[gateway][e2e][billing][dunning]") {
  GatewayWorld w;
  Seed(w, {"p1:t1", "p1:t2"});
  w.CallJson("POST", "/v1/tenants/p1:t2/suspension", {{"reason", "fraud review"}}, kOwnerKey, 200);  // by hand
  w.clock.Advance(30 * kDay + 60'000);
  w.CallJson("POST", "/v1/billing/period-close", nullptr, kOwnerKey, 200);
  w.clock.Advance(30 * kDay + 46 * kDay);  // the first invoices are 46 days overdue
  w.CallJson("POST", "/v1/billing/period-close", nullptr, kOwnerKey, 200);
  auto t1 = w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, kOwnerKey, 200)["state"];
  REQUIRE(t1["status"] == "suspended");
  CHECK(t1["suspended_by"] == "dunning");
  CHECK(t1["plan_changes_blocked"] == true);
  CHECK(t1["plan_changes_blocked_by"] == "dunning");
  CHECK(w.Call("PUT", "/v1/tenants/p1:t1/plan", Json{{"plan", "scale"}}).status == 422);

  PayEverything(w, "p1:t2");  // first: the relief handles payments in log order
  PayEverything(w, "p1:t1");
  t1 = WaitTenant(w, "p1:t1", [](const Json& s) { return s["status"] == "active" && s["plan_changes_blocked"] == false; });
  w.CallJson("PUT", "/v1/tenants/p1:t1/plan", {{"plan", "scale"}}, kOwnerKey, 200);
  const auto t2 = w.CallJson("GET", "/v1/tenants/p1:t2", nullptr, kOwnerKey, 200)["state"];
  CHECK(t2["status"] == "suspended");
  CHECK(t2["suspended_by"] == "operator");

  // The tenant's log says why it was suspended and why it came back.
  auto log = w.node->store().ReadStream("t/p1:t1/tenant/p1:t1", 1);
  REQUIRE(log.has_value());
  int suspended = 0, reinstated = 0;
  for (const auto& r : *log) {
    auto e = keel::codec::DecodeTenant(r.type, r.schema_version, r.payload);
    REQUIRE(e.has_value());
    if (const auto* s = std::get_if<keel::domain::tenant::TenantSuspended>(&*e)) {
      CHECK(s->by == keel::domain::tenant::ImposedBy::kDunning);
      ++suspended;
    }
    if (const auto* s = std::get_if<keel::domain::tenant::TenantReinstated>(&*e)) {
      CHECK(s->by == keel::domain::tenant::ImposedBy::kDunning);
      ++reinstated;
    }
  }
  CHECK(suspended == 1);
  CHECK(reinstated == 1);
}
