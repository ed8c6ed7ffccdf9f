// The analytics routes as partner admins and analysts use them over HTTP, with the runtime, its
// process managers and the billing cycle running and business time passing: MRR moved by an upgrade
// mid-month and a churned tenant (its cancellation applied at the period's close), orders and GMV,
// billed revenue and cost to serve (margin = revenue - cost, against the invoices read model), tickets,
// usage, renewal risk and onboarding; every role sees its scope only; CSV; every bad parameter 400
// naming it.
#include <chrono>
#include <thread>

#include "gateway_world.hpp"
#include "projections/query.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;
using keel::test::kStart;
using keel::test::ProblemType;

namespace {

constexpr std::int64_t kDay = 86'400'000;

void Expect(const keel::test::HttpReply& r, int status, const std::string& type, const std::string& field = {}) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(ProblemType(r) == type);
  if (!field.empty()) CHECK(Json::parse(r.body, nullptr, false).value("field", "") == field);
}

// Stock and one order of `total` placed for a live tenant, as a client does.
void Order(GatewayWorld& w, const std::string& tenant, const std::string& id, int qty) {
  const std::string base = "/v1/tenants/" + tenant;
  if (w.Call("GET", base + "/warehouses/main").status == 404) {
    w.CallJson("POST", base + "/catalog/imports",
               {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}}})}},
               kOwnerKey, 200);
    w.CallJson("POST", base + "/warehouses", {{"id", "main"}, {"name", "Main"}, {"currency", "EUR"}}, kOwnerKey, 201);
    w.CallJson("POST", base + "/warehouses/main/receipts",
               {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 1000}, {"unit_cost", 100}}})}}, kOwnerKey, 200);
  }
  w.CallJson("POST", base + "/orders",
             {{"id", id}, {"customer", "c1"}, {"currency", "EUR"}, {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", qty}}})}},
             kOwnerKey, 201);
}

// The analytics read model has folded the whole log.
std::string Caught(GatewayWorld& w) { return "min_position=" + std::to_string(w.head()); }

const Json* Find(const Json& items, const std::string& field, const std::string& value, const std::string& period = "") {
  for (const auto& item : items)
    if (item.value(field, "") == value && (period.empty() || item.value("period", "") == period)) return &item;
  return nullptr;
}

}  // namespace

TEST_CASE("analytics over HTTP: MRR movements, margin, support, usage, risk and onboarding in each scope", "[gateway][e2e][analytics]") {
  GatewayWorld w;
  // 2026-01-01: two regional distributors (growth + the edi add-on: 89900 + 9900) and an ecommerce
  // merchant (starter + the marketplace add-on: 29900 + 4900).
  w.LiveTenant("p1", "p1:t1");
  w.LiveTenant("p1", "p1:t2", "ecommerce-merchant");
  w.LiveTenant("p2", "p2:t3");
  const Json breaks = Json::array({{{"min_qty", 1}, {"unit_price", 500}}});
  const Json prices = {{"currency", "EUR"}, {"entries", Json::array({{{"category", "hardware"}, {"breaks", breaks}}})}};
  for (const std::string partner : {"p1", "p2"})
    w.CallJson("PUT", "/v1/partners/" + partner + "/price-list", {{"prices", prices}}, kOwnerKey, 200);
  Order(w, "p1:t1", "o1", 3);
  Order(w, "p1:t1", "o2", 2);
  Order(w, "p2:t3", "o3", 7);
  w.CallJson("POST", "/v1/tenants/p1:t1/tickets", {{"ticket", "tk1"}, {"subject", "Labels"}, {"severity", "high"}}, kOwnerKey, 200);
  // 2026-01-15: t1 upgrades to scale (249900, edi included): an expansion of 150100.
  w.clock.Advance(14 * kDay);
  w.CallJson("PUT", "/v1/tenants/p1:t1/plan", {{"plan", "scale"}}, kOwnerKey, 200);
  // t2 cancels; on 2026-02-05 the periods (ended 2026-01-31) close: invoices, and t2 terminated.
  w.CallJson("POST", "/v1/tenants/p1:t2/subscription/cancellation", {{"reason", "moving on"}}, kOwnerKey, 200);
  w.clock.Advance(21 * kDay);
  w.CallJson("POST", "/v1/billing/period-close", nullptr, kOwnerKey, 200);
  const std::string caught = Caught(w);

  SECTION("revenue by segment and month: new, expansion, churn, MRR at each month's end") {
    const Json r = w.CallJson("GET", "/v1/analytics/revenue?from=2026-01-01&to=2026-02-28&group_by=segment,month&" + caught,
                              nullptr, kOwnerKey, 200);
    CHECK(r["group_by"] == Json::array({"segment", "month"}));
    CHECK(r["currency"] == "EUR");
    const Json& items = r["items"];
    const Json* jan = Find(items, "segment", "regional-distributor", "2026-01");
    const Json* feb = Find(items, "segment", "regional-distributor", "2026-02");
    REQUIRE(jan);
    REQUIRE(feb);
    CHECK((*jan)["mrr_start"] == 0);
    CHECK((*jan)["mrr_movements"]["new"] == 2 * 99800);
    CHECK((*jan)["mrr_movements"]["expansion"] == 150100);
    CHECK((*jan)["mrr"] == 99800 + 249900);
    CHECK((*jan)["arr"] == 12 * (99800 + 249900));
    CHECK((*jan)["orders"] == 3);
    CHECK((*jan)["units"] == 12);
    CHECK((*jan)["tenants"] == 2);
    CHECK((*feb)["mrr_start"] == 99800 + 249900);
    CHECK((*feb)["mrr"] == 99800 + 249900);
    const Json* shop_jan = Find(items, "segment", "ecommerce-merchant", "2026-01");
    const Json* shop_feb = Find(items, "segment", "ecommerce-merchant", "2026-02");
    REQUIRE(shop_jan);
    REQUIRE(shop_feb);
    CHECK((*shop_jan)["mrr"] == 34800);
    CHECK((*shop_feb)["mrr_movements"]["churn"] == 34800);
    CHECK((*shop_feb)["mrr"] == 0);
    CHECK((*shop_feb)["tenants_churned"] == 1);
    CHECK((*shop_feb)["tenants"] == 0);
  }
  SECTION("the upgrade moves one tenant's MRR on the day it takes effect") {
    const Json r = w.CallJson("GET", "/v1/analytics/revenue?tenant=p1:t1&from=2026-01-14&to=2026-01-15&group_by=day&" + caught,
                              nullptr, kOwnerKey, 200);
    REQUIRE(r["items"].size() == 2);
    CHECK(r["items"][0]["period"] == "2026-01-14");
    CHECK(r["items"][0]["mrr"] == 99800);
    CHECK(r["items"][1]["mrr"] == 249900);
    CHECK(r["items"][1]["mrr_movements"]["expansion"] == 150100);
    CHECK(r["items"][1]["tenant"] == "p1:t1");
  }
  SECTION("margin by segment equals the invoices' totals less the cost to serve") {
    std::int64_t regional_billed = 0;
    for (const std::string t : {"p1:t1", "p2:t3"}) {
      const Json invoices = w.CallJson("GET", "/v1/tenants/" + t + "/invoices?" + caught, nullptr, kOwnerKey, 200);
      for (const auto& inv : invoices["items"]) regional_billed += inv["total"].get<std::int64_t>();
    }
    REQUIRE(regional_billed > 0);
    const Json m = w.CallJson("GET", "/v1/analytics/margin?from=2026-01-01&to=2026-02-28&group_by=segment&" + caught,
                              nullptr, kOwnerKey, 200);
    const Json* regional = Find(m["items"], "segment", "regional-distributor");
    REQUIRE(regional);
    CHECK((*regional)["billed"] == regional_billed);
    // Cost: shared infrastructure 6000 each, one integration (edi) 4000 each, t1's ticket 2500.
    CHECK((*regional)["cost"] == 2 * 6000 + 2 * 4000 + 2500);
    CHECK((*regional)["margin"] == regional_billed - (2 * 6000 + 2 * 4000 + 2500));
    CHECK((*regional)["margin_bps"] == ((*regional)["margin"].get<std::int64_t>() * 10'000 / regional_billed));
  }
  SECTION("a partner admin sees its own book only; another partner's is 404") {
    const std::string admin = w.Key("partner_admin", "p1");
    const Json r = w.CallJson("GET", "/v1/analytics/revenue?from=2026-01-01&to=2026-02-28&" + caught, nullptr, admin, 200);
    REQUIRE(r["items"].size() == 1);
    CHECK(r["items"][0]["partner"] == "p1");
    CHECK(r["items"][0]["mrr"] == 249900);  // t1 after its upgrade; t2 churned; p2's t3 not in the book
    CHECK(r["items"][0]["orders"] == 2);
    CHECK(r["scope"]["partner"] == "p1");
    Expect(w.Call("GET", "/v1/analytics/revenue?partner=p2", nullptr, admin), 404, "not_found");
    Expect(w.Call("GET", "/v1/analytics/revenue?tenant=p2:t3", nullptr, admin), 404, "not_found");
    const Json by_tenant = w.CallJson("GET", "/v1/analytics/usage?group_by=tenant&from=2026-01-01&" + caught, nullptr, admin, 200);
    REQUIRE(by_tenant["items"].size() == 2);  // t2 terminated: still listed with what it did
    CHECK(by_tenant["items"][0]["tenant"] == "p1:t1");
    CHECK(by_tenant["items"][1]["tenant"] == "p1:t2");
    // A cursor of another partner's listing is not one of this one.
    const std::string foreign = keel::projections::EncodeCursor("p2:t3");
    Expect(w.Call("GET", "/v1/analytics/usage?group_by=tenant&cursor=" + foreign, nullptr, admin), 400, "invalid_field", "cursor");
    // The platform by partner: both.
    const Json platform = w.CallJson("GET", "/v1/analytics/revenue?group_by=partner&from=2026-01-01&" + caught, nullptr, kOwnerKey, 200);
    CHECK(platform["items"].size() == 2);
    CHECK((*Find(platform["items"], "partner", "p2"))["mrr"] == 99800);
  }
  SECTION("tenant-bound keys and analysts see their binding") {
    const std::string op = w.Key("tenant_operator", "p1", "p1:t1");
    const Json own = w.CallJson("GET", "/v1/analytics/support?from=2026-01-01&" + caught, nullptr, op, 200);
    REQUIRE(own["items"].size() == 1);
    CHECK(own["items"][0]["tenant"] == "p1:t1");
    CHECK(own["items"][0]["tickets_opened"] == 1);
    CHECK(own["items"][0]["open_tickets"] == 1);
    CHECK(own["items"][0]["oldest_open_age_days"] == 35);
    Expect(w.Call("GET", "/v1/analytics/support?tenant=p1:t2", nullptr, op), 404, "not_found");
    const std::string analyst = w.Key("analyst", "p2");
    const Json risk = w.CallJson("GET", "/v1/analytics/renewal-risk?" + caught, nullptr, analyst, 200);
    REQUIRE(risk["items"].size() == 1);
    CHECK(risk["items"][0]["tenant"] == "p2:t3");
    // The reseller's own figures are not a tenant's to see.
    Expect(w.Call("GET", "/v1/analytics/margin", nullptr, op), 403, "forbidden");
    Expect(w.Call("GET", "/v1/analytics/renewal-risk", nullptr, op), 403, "forbidden");
    const std::string implementation = w.Key("implementation", "p1");
    CHECK(w.CallJson("GET", "/v1/analytics/onboarding?" + caught, nullptr, implementation, 200)["items"][0]["tenants"] == 2);  // t1, and t2 churned
  }
  SECTION("renewal risk: every factor with its weight from analytics.json, the score their sum") {
    const Json r = w.CallJson("GET", "/v1/analytics/renewal-risk?" + caught, nullptr, kOwnerKey, 200);
    REQUIRE(r["items"].size() == 2);  // t2 terminated
    for (const auto& row : r["items"]) {
      double sum = 0;
      for (const auto& [name, f] : row["factors"].items()) sum += f["contribution"].get<double>();
      CHECK(row["score"] == static_cast<std::int64_t>(sum + 0.5 + 1e-9) );
      CHECK(row["factors"]["order_trend"]["weight"] == 25);
      CHECK(row["factors"].size() == 8);
    }
    // Both placed orders 35 days ago and none since: the trend is down 100 %.
    const Json* t1 = Find(r["items"], "tenant", "p1:t1");
    REQUIRE(t1);
    CHECK((*t1)["factors"]["order_trend"]["value"] == -100);
    CHECK((*t1)["factors"]["open_tickets"]["value"] == 1);
    CHECK((*t1)["factors"]["ticket_age"]["value"] == 35);
    const Json high = w.CallJson("GET", "/v1/analytics/renewal-risk?min_score=100", nullptr, kOwnerKey, 200);
    CHECK(high["items"].empty());
    const Json by_segment = w.CallJson("GET", "/v1/analytics/renewal-risk?group_by=segment", nullptr, kOwnerKey, 200);
    REQUIRE(by_segment["items"].size() == 1);
    CHECK(by_segment["items"][0]["tenants"] == 2);
  }
  SECTION("onboarding: milestones, time to go-live, stage, and the funnel") {
    const Json r = w.CallJson("GET", "/v1/analytics/onboarding?group_by=tenant&" + caught, nullptr, kOwnerKey, 200);
    CHECK(r["from"].is_null());  // no cohort asked for: every tenant
    REQUIRE(r["items"].size() == 3);
    const Json* t2 = Find(r["items"], "tenant", "p1:t2");
    REQUIRE(t2);
    CHECK((*t2)["stage"] == "churned");
    const Json* t1 = Find(r["items"], "tenant", "p1:t1");
    const Json* t3 = Find(r["items"], "tenant", "p2:t3");
    REQUIRE(t1);
    REQUIRE(t3);
    CHECK((*t3)["milestones_pending"].empty());
    CHECK((*t1)["milestones_pending"].size() == 1);  // the upgrade to scale brought landed cost's milestone
    for (const auto& row : r["items"]) {
      CHECK(row["days_to_go_live"] == 0);
      CHECK(row["days_since_provisioning"] == 35);
      CHECK(row["stage"] != "onboarding");
    }
    // A new tenant that has not gone live: onboarding, its milestones pending.
    w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t4"}, {"name", "New"}, {"template_id", "regional-distributor"}},
               kOwnerKey, 201);
    const Json funnel = w.CallJson("GET", "/v1/analytics/onboarding?partner=p1&" + Caught(w), nullptr, kOwnerKey, 200);
    REQUIRE(funnel["items"].size() == 1);
    CHECK(funnel["items"][0]["tenants"] == 3);
    CHECK(funnel["items"][0]["stages"]["onboarding"] == 1);
    CHECK(funnel["items"][0]["stages"]["churned"] == 1);
    CHECK(funnel["items"][0]["live"] == 2);  // t1, and t2 before it churned
    CHECK(funnel["items"][0]["median_days_to_go_live"] == 0);
    CHECK(funnel["items"][0]["milestones_pending"] == 6 + 1);
    // Cohorts by provisioning day.
    const Json cohort = w.CallJson("GET", "/v1/analytics/onboarding?partner=p1&group_by=tenant&from=2026-02-01", nullptr, kOwnerKey, 200);
    REQUIRE(cohort["items"].size() == 1);
    CHECK(cohort["items"][0]["tenant"] == "p1:t4");
    CHECK(cohort["items"][0]["stage"] == "onboarding");
    CHECK(cohort["items"][0]["required_pending"] == 5);
  }
  SECTION("usage: modules entitled vs used, warehouses active, orders against the plan's volume") {
    const Json r = w.CallJson("GET", "/v1/analytics/usage?tenant=p1:t1&from=2026-01-01&to=2026-01-30&" + caught, nullptr, kOwnerKey, 200);
    REQUIRE(r["items"].size() == 1);
    const Json& u = r["items"][0];
    CHECK(u["orders"] == 2);
    CHECK(u["orders_per_30_days"] == 2);
    CHECK(u["monthly_volume"] == 150000);  // scale's limit since the upgrade
    CHECK(u["warehouses_active"] == 1);
    CHECK(u["modules_used"] == Json::array({"inventory"}));
    const auto entitled = u["modules_entitled"].size();
    CHECK(u["adoption_bps"] == static_cast<std::int64_t>(10'000 / entitled));
  }
  SECTION("group_by=tenant pages with a cursor") {
    const Json first = w.CallJson("GET", "/v1/analytics/revenue?group_by=tenant&limit=2&" + caught, nullptr, kOwnerKey, 200);
    REQUIRE(first["items"].size() == 2);
    REQUIRE(first["next_cursor"].is_string());
    const Json second = w.CallJson("GET", "/v1/analytics/revenue?group_by=tenant&limit=2&cursor=" +
                                              first["next_cursor"].get<std::string>(), nullptr, kOwnerKey, 200);
    REQUIRE(second["items"].size() == 1);
    CHECK(second["items"][0]["tenant"] == "p2:t3");
    CHECK(second["next_cursor"].is_null());
  }
  SECTION("CSV: a header of dotted columns and a row per item") {
    auto r = w.Call("GET", "/v1/analytics/revenue?group_by=segment&from=2026-01-01&format=csv&" + caught);
    REQUIRE(r.status == 200);
    CHECK(r.Header("content-type").starts_with("text/csv"));
    const std::string header = r.body.substr(0, r.body.find("\r\n"));
    CHECK(header.find("segment") != std::string::npos);
    CHECK(header.find("mrr_movements.expansion") != std::string::npos);
    CHECK(header.find("gmv.EUR") != std::string::npos);
    std::size_t lines = 0;
    for (std::size_t at = 0; (at = r.body.find("\r\n", at)) != std::string::npos; at += 2) ++lines;
    CHECK(lines == 3);  // header + regional + ecommerce
    CHECK(header.starts_with("segment,"));  // the labels first
    CHECK(r.body.find("regional-distributor,") != std::string::npos);
    // A figure another row has as a number is 0 where a row lacks it (a currency's GMV): never blank.
    auto months = w.Call("GET", "/v1/analytics/revenue?group_by=month&from=2026-01-01&to=2026-02-28&format=csv&" + caught);
    REQUIRE(months.status == 200);
    CHECK(months.body.find(",,") == std::string::npos);
  }
  SECTION("bad parameters: 400 naming each") {
    Expect(w.Call("GET", "/v1/analytics/revenue?from=2026-13-01"), 400, "invalid_field", "from");
    Expect(w.Call("GET", "/v1/analytics/revenue?from=2026-02-30"), 400, "invalid_field", "from");
    Expect(w.Call("GET", "/v1/analytics/revenue?to=yesterday"), 400, "invalid_field", "to");
    Expect(w.Call("GET", "/v1/analytics/revenue?from=2026-02-02&to=2026-02-01"), 400, "invalid_field", "from");
    Expect(w.Call("GET", "/v1/analytics/revenue?from=2000-01-01&to=2026-01-01"), 400, "invalid_field", "to");
    Expect(w.Call("GET", "/v1/analytics/revenue?group_by=segment,tier"), 400, "invalid_field", "group_by");
    Expect(w.Call("GET", "/v1/analytics/revenue?group_by=day,month"), 400, "invalid_field", "group_by");
    Expect(w.Call("GET", "/v1/analytics/revenue?group_by=week"), 400, "invalid_field", "group_by");
    Expect(w.Call("GET", "/v1/analytics/usage?group_by=month"), 400, "invalid_field", "group_by");
    Expect(w.Call("GET", "/v1/analytics/revenue?format=xml"), 400, "invalid_field", "format");
    Expect(w.Call("GET", "/v1/analytics/revenue?segment=x"), 400, "invalid_field", "segment");
    Expect(w.Call("GET", "/v1/analytics/revenue?tenant=a%20b"), 400, "invalid_field", "tenant");
    Expect(w.Call("GET", "/v1/analytics/revenue?tenant=a%2Fb"), 400, "invalid_field", "tenant");  // never dropped
    Expect(w.Call("GET", "/v1/audit?tenant=p1%2Ft1"), 400, "invalid_field", "tenant");
    Expect(w.Call("GET", "/v1/analytics/revenue?to=%zz"), 400, "invalid_field", "to");
    Expect(w.Call("GET", "/v1/analytics/revenue?partner="), 400, "invalid_field", "partner");
    Expect(w.Call("GET", "/v1/analytics/revenue?group_by=tenant&cursor=zz"), 400, "invalid_field", "cursor");
    Expect(w.Call("GET", "/v1/analytics/renewal-risk?from=2026-01-01"), 400, "invalid_field", "from");
    Expect(w.Call("GET", "/v1/analytics/renewal-risk?band=red"), 400, "invalid_field", "band");
    Expect(w.Call("GET", "/v1/analytics/renewal-risk?min_score=101"), 400, "invalid_field", "min_score");
    Expect(w.Call("GET", "/v1/analytics/revenue?min_position=999999999"), 400, "invalid_field", "min_position");
    Expect(w.Call("GET", "/v1/analytics/revenue?tenant=p1:nobody"), 404, "not_found");
    Expect(w.Call("GET", "/v1/analytics/revenue?partner=nosuch"), 404, "not_found");
    Expect(w.Call("GET", "/v1/analytics/revenue?cursor=abcd"), 400, "invalid_field", "cursor");
    Expect(w.Call("GET", "/v1/analytics/revenue?limit=5"), 400, "invalid_field", "limit");
    Expect(w.Call("GET", "/v1/analytics/renewal-risk?cursor=abcd"), 400, "invalid_field", "cursor");
    Expect(w.Call("GET", "/v1/analytics/renewal-risk?group_by=segment&limit=1"), 400, "invalid_field", "limit");
    Expect(w.Call("GET", "/v1/analytics/revenue", nullptr, ""), 401, "unauthorized");
  }
}
