// The read side as partner apps, analysts and auditors use it over HTTP: stock per SKU across
// warehouses (reserved by a real order, lots expiring as business time passes), invoices and the
// partner's revenue-share statement after a period close, the exceptions inbox and tickets with
// their age, and the audit trail merging accepted commands with refused and denied requests; each
// scoped as its entities are, bad parameters 400 naming them.
#include <atomic>
#include <set>
#include <thread>

#include "gateway_world.hpp"
#include "projections/read_models.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;
using keel::test::ProblemType;

namespace {

constexpr std::int64_t kDay = 86'400'000;

void Expect(const keel::test::HttpReply& r, int status, const std::string& type, const std::string& field = {}) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(ProblemType(r) == type);
  if (!field.empty()) CHECK(Json::parse(r.body, nullptr, false).value("field", "") == field);
}

std::string At(GatewayWorld& w) { return "min_position=" + std::to_string(w.head()); }

// A live midmarket-importer tenant p1:t1 with BOLT and the lot-tracked SERUM, warehouses w1 and w2.
void Stocked(GatewayWorld& w) {
  w.LiveTenant("p1", "p1:t1", "midmarket-importer");
  w.CallJson("POST", "/v1/tenants/p1:t1/catalog/imports",
             {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}},
                                    {{"row", 2}, {"item", {{"sku", "SERUM"}, {"name", "Serum"}, {"unit", "ml"}, {"category", "pharma"},
                                                          {"lot_tracked", true}}}}})}},
             kOwnerKey, 200);
  for (const char* id : {"w1", "w2"})
    w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", id}, {"name", id}, {"currency", "EUR"}}, kOwnerKey, 201);
}

}  // namespace

TEST_CASE("inventory over HTTP: per SKU across warehouses, reserved by an order, lots expiring as time passes",
          "[gateway][e2e][lists][inventory]") {
  GatewayWorld w;
  Stocked(w);
  w.LiveTenant("p2", "p2:t9");
  const std::int64_t now = w.clock.NowMs();
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
             {{"receipt_id", "r1"}, {"lines", {{{"sku", "BOLT"}, {"qty", 100}, {"unit_cost", 50}}}}}, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses/w2/receipts",
             {{"receipt_id", "r2"},
              {"lines", {{{"sku", "BOLT"}, {"qty", 20}, {"unit_cost", 60}},
                         {{"sku", "SERUM"}, {"qty", 10}, {"unit_cost", 900}, {"lot", "S1"}, {"expiry", now + 10 * kDay}}}}},
             kOwnerKey, 200);
  w.CallJson("PUT", "/v1/tenants/p1:t1/warehouses/w2/replenishment-rules/BOLT", {{"min", 30}, {"max", 100}, {"multiple", 10}},
             kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders",
             {{"id", "o1"}, {"customer", "c1"}, {"currency", "EUR"}, {"channel", "b2b"}, {"lines", {{{"line", 1}, {"sku", "BOLT"}, {"qty", 30}, {"unit_price", 500}}}}},
             kOwnerKey, 201);
  // The order's reservation arrives through the fulfilment process.
  Json bolt;
  for (int i = 0; i < 200; ++i) {
    auto page = w.CallJson("GET", "/v1/tenants/p1:t1/inventory?sku=BOLT&" + At(w), nullptr, kOwnerKey, 200);
    REQUIRE(page["items"].size() == 1);
    bolt = page["items"][0];
    if (bolt["reserved"] == 30) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  INFO(bolt.dump());
  CHECK(bolt["on_hand"] == 120);
  CHECK(bolt["reserved"] == 30);
  CHECK(bolt["available"] == 90);
  REQUIRE(bolt["warehouses"].size() == 2);
  CHECK(bolt["warehouses"][0]["warehouse"] == "w1");
  CHECK(bolt["warehouses"][0]["value"] == 5000);
  // All of it: SKUs in order, the lot expiring within the default 30 days listed.
  auto all = w.CallJson("GET", "/v1/tenants/p1:t1/inventory", nullptr, kOwnerKey, 200);
  REQUIRE(all["items"].size() == 2);
  CHECK(all["items"][0]["sku"] == "BOLT");
  const Json serum = all["items"][1];
  CHECK(serum["available"] == 10);
  REQUIRE(serum["expiring_lots"].size() == 1);
  CHECK(serum["expiring_lots"][0] == Json{{"lot", "S1"}, {"expiry", now + 10 * kDay}, {"qty", 10}, {"expired", false}, {"warehouse", "w2"}});
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1/inventory?sku=SERUM&expiring_within_days=5", nullptr, kOwnerKey, 200)["items"][0]["expiring_lots"].empty());
  // One warehouse: its figures alone; w2's BOLT is below its minimum unless the order took w1's.
  auto w2 = w.CallJson("GET", "/v1/tenants/p1:t1/inventory?warehouse=w2", nullptr, kOwnerKey, 200);
  REQUIRE(w2["items"].size() == 2);
  for (const auto& item : w2["items"]) CHECK(item["warehouses"].size() == 1);  // w2 is a named local
  const bool w2_low = w2["items"][0]["warehouses"][0]["available"].get<std::int64_t>() < 30;
  auto low = w.CallJson("GET", "/v1/tenants/p1:t1/inventory?below_min=true", nullptr, kOwnerKey, 200);
  CHECK(low["items"].size() == (w2_low ? 1u : 0u));
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1/inventory?below_min=false", nullptr, kOwnerKey, 200)["items"].size() == (w2_low ? 1u : 2u));
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1/inventory?warehouse=w9", nullptr, kOwnerKey, 200)["items"].empty());
  // Pages of one: both SKUs, none twice.
  auto first = w.CallJson("GET", "/v1/tenants/p1:t1/inventory?limit=1", nullptr, kOwnerKey, 200);
  REQUIRE(first["next_cursor"].is_string());
  auto second = w.CallJson("GET", "/v1/tenants/p1:t1/inventory?limit=1&cursor=" + first["next_cursor"].get<std::string>(), nullptr, kOwnerKey, 200);
  CHECK(second["items"][0]["sku"] == "SERUM");

  // Eleven days on, the lot has expired: listed as such, and nothing of it is available.
  w.clock.Advance(11 * kDay);
  auto expired = w.CallJson("GET", "/v1/tenants/p1:t1/inventory?sku=SERUM", nullptr, kOwnerKey, 200)["items"][0];
  CHECK(expired["on_hand"] == 10);
  CHECK(expired["available"] == 0);
  CHECK(expired["expiring_lots"][0]["expired"] == true);

  // Scope: another partner's and another tenant's keys see nothing of it.
  Expect(w.Call("GET", "/v1/tenants/p1:t1/inventory", nullptr, w.Key("partner_admin", "p2")), 404, "not_found");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/inventory", nullptr, w.Key("tenant_operator", "p2", "p2:t9")), 404, "not_found");
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1/inventory", nullptr, w.Key("analyst", "p1", "p1:t1"), 200)["items"].size() == 2);
  CHECK(w.CallJson("GET", "/v1/tenants/p2:t9/inventory", nullptr, kOwnerKey, 200)["items"].empty());
  // Bad parameters.
  Expect(w.Call("GET", "/v1/tenants/p1:t1/inventory?below_min=maybe"), 400, "invalid_field", "below_min");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/inventory?expiring_within_days=4000"), 400, "invalid_field", "expiring_within_days");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/inventory?expiring_within_days=-1"), 400, "invalid_field", "expiring_within_days");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/inventory?sku=a%20b"), 400, "invalid_field", "sku");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/inventory?warehouse=a/b"), 400, "invalid_field", "warehouse");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/inventory?sku="), 400, "invalid_field", "sku");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/inventory?skus=BOLT"), 400, "invalid_field", "skus");
}

TEST_CASE("invoices and the partner's statement after a period close: the shares sum to what was billed",
          "[gateway][e2e][lists][billing]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:a");
  w.LiveTenant("p1", "p1:b");
  w.LiveTenant("p2", "p2:c");
  w.CallJson("PUT", "/v1/partners/p1/revenue-share", {{"partner_bps", 2000}}, kOwnerKey, 200);
  w.clock.Advance(31 * kDay);
  w.CallJson("POST", "/v1/billing/period-close", nullptr, kOwnerKey, 200);
  const std::string partner_key = w.Key("partner_admin", "p1"), tenant_key = w.Key("tenant_operator", "p1", "p1:a");
  auto invoices = w.CallJson("GET", "/v1/tenants/p1:a/invoices?" + At(w), nullptr, partner_key, 200);
  REQUIRE(invoices["items"].size() == 1);
  const Json inv = invoices["items"][0];
  CHECK(inv["status"] == "open");
  CHECK(inv["balance"] == inv["total"]);
  CHECK(inv["total"].get<std::int64_t>() > 0);
  CHECK(inv["partner_share"].get<std::int64_t>() + inv["platform_share"].get<std::int64_t>() == inv["total"].get<std::int64_t>());
  // The billing state says the same.
  const Json state = w.CallJson("GET", "/v1/tenants/p1:a/billing", nullptr, kOwnerKey, 200)["state"]["invoices"][inv["id"].get<std::string>()];
  CHECK(state["total"] == inv["total"]);
  // A tenant-bound key reads its invoices without the revenue split.
  const Json own = w.CallJson("GET", "/v1/tenants/p1:a/invoices", nullptr, tenant_key, 200)["items"][0];
  CHECK_FALSE(own.contains("partner_share"));
  CHECK_FALSE(own.contains("platform_share"));
  // Paid in part, then in full: the status and balance follow.
  const std::string pay = "/v1/tenants/p1:a/invoices/" + inv["id"].get<std::string>() + "/payments";
  const std::int64_t total = inv["total"];
  w.CallJson("POST", pay, {{"payment_id", "pay-1"}, {"amount", total - 1}}, kOwnerKey, 200);
  auto open = w.CallJson("GET", "/v1/tenants/p1:a/invoices?status=open&" + At(w), nullptr, kOwnerKey, 200);
  REQUIRE(open["items"].size() == 1);
  CHECK(open["items"][0]["balance"] == 1);
  w.CallJson("POST", pay, {{"payment_id", "pay-2"}, {"amount", 1}}, kOwnerKey, 200);
  CHECK(w.CallJson("GET", "/v1/tenants/p1:a/invoices?status=open&" + At(w), nullptr, kOwnerKey, 200)["items"].empty());
  CHECK(w.CallJson("GET", "/v1/tenants/p1:a/invoices?status=settled", nullptr, kOwnerKey, 200)["items"].size() == 1);

  // The statement of the invoices' month: both tenants, the sums exact.
  const std::string period = keel::projections::Month(inv["period_start"].get<std::int64_t>());
  auto st = w.CallJson("GET", "/v1/partners/p1/statements?period=" + period, nullptr, partner_key, 200);
  REQUIRE(st["items"].size() == 2);
  std::int64_t billed = 0, partner_share = 0, platform_share = 0;
  for (const auto& row : st["items"]) {
    CHECK(row["partner_share"].get<std::int64_t>() + row["platform_share"].get<std::int64_t>() == row["billed"].get<std::int64_t>());
    billed += row["billed"].get<std::int64_t>();
    partner_share += row["partner_share"].get<std::int64_t>();
    platform_share += row["platform_share"].get<std::int64_t>();
  }
  REQUIRE(st["totals"].size() == 1);
  CHECK(st["totals"][0]["billed"] == billed);
  CHECK(st["totals"][0]["partner_share"] == partner_share);
  CHECK(st["totals"][0]["platform_share"] == platform_share);
  CHECK(st["totals"][0]["tenants"] == 2);
  CHECK(st["totals"][0]["paid"] == total);
  CHECK(partner_share == billed / 5);  // 20%, no remainder on these fees
  // Another month is empty; the statement is the partner's and the platform's only.
  CHECK(w.CallJson("GET", "/v1/partners/p1/statements?period=2020-01", nullptr, partner_key, 200)["totals"].empty());
  Expect(w.Call("GET", "/v1/partners/p1/statements?period=" + period, nullptr, w.Key("partner_admin", "p2")), 404, "not_found");
  Expect(w.Call("GET", "/v1/partners/p1/statements?period=" + period, nullptr, tenant_key), 404, "not_found");
  Expect(w.Call("GET", "/v1/partners/p1/statements"), 400, "invalid_field", "period");
  Expect(w.Call("GET", "/v1/partners/p1/statements?period=2026-13"), 400, "invalid_field", "period");
  Expect(w.Call("GET", "/v1/partners/p1/statements?period=26-1"), 400, "invalid_field", "period");
  Expect(w.Call("GET", "/v1/partners/nobody/statements?period=" + period), 404, "not_found");
  Expect(w.Call("GET", "/v1/tenants/p1:a/invoices?status=paid"), 400, "invalid_field", "status");
  Expect(w.Call("GET", "/v1/tenants/p1:a/invoices", nullptr, w.Key("partner_admin", "p2")), 404, "not_found");
}

TEST_CASE("the exceptions inbox and tickets: routed, resolved by recovery, aged by business time", "[gateway][e2e][lists][inbox]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:t1");
  const std::string base = "/v1/tenants/p1:t1";
  w.CallJson("POST", base + "/modules", {{"module", "marketplace_connectors"}}, kOwnerKey, 200);
  w.CallJson("POST", base + "/integration-events", {{"kind", "failure"}, {"integration", "edi"}, {"detail", "AS2 timeout"}}, kOwnerKey, 200);
  const Json slow = w.CallJson("POST", base + "/integration-events", {{"kind", "sync_latency"}, {"integration", "marketplace"}, {"latency_ms", 180000}}, kOwnerKey, 200);
  INFO(slow.dump());
  w.CallJson("POST", base + "/tickets", {{"ticket", "T1"}, {"subject", "EDI down"}, {"severity", "high"}}, kOwnerKey, 200);
  w.CallJson("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", "Question"}, {"severity", "low"}}, kOwnerKey, 200);
  auto open = w.CallJson("GET", base + "/exceptions?status=open&" + At(w), nullptr, kOwnerKey, 200);
  REQUIRE(open["items"].size() == 2);
  CHECK(open["items"][0]["kind"] == "failure");
  CHECK(open["items"][0]["detail"] == "AS2 timeout");
  CHECK_FALSE(open["items"][0]["routed_to"].get<std::string>().empty());
  CHECK(open["items"][1]["kind"] == "latency_breach");
  const std::string role = open["items"][0]["routed_to"];
  CHECK(w.CallJson("GET", base + "/exceptions?role=" + role + "&kind=failure", nullptr, kOwnerKey, 200)["items"].size() == 1);
  w.clock.Advance(2 * kDay);
  w.CallJson("POST", base + "/integration-events", {{"kind", "recovery"}, {"integration", "edi"}}, kOwnerKey, 200);
  w.CallJson("POST", base + "/tickets/T1/resolution", nullptr, kOwnerKey, 200);
  auto still = w.CallJson("GET", base + "/exceptions?status=open&" + At(w), nullptr, kOwnerKey, 200);
  REQUIRE(still["items"].size() == 1);
  CHECK(still["items"][0]["integration"] == "marketplace");
  auto resolved = w.CallJson("GET", base + "/exceptions?status=resolved", nullptr, kOwnerKey, 200);
  REQUIRE(resolved["items"].size() == 1);
  CHECK(resolved["items"][0]["resolved_at"] == w.clock.NowMs());
  // Tickets: T1 resolved after two days, T2 open and aging with business time.
  auto tickets = w.CallJson("GET", base + "/tickets", nullptr, kOwnerKey, 200);
  REQUIRE(tickets["items"].size() == 2);
  CHECK(tickets["items"][0]["status"] == "resolved");
  CHECK(tickets["items"][0]["age_ms"] == 2 * kDay);
  CHECK(tickets["items"][1]["age_ms"] == 2 * kDay);
  w.clock.Advance(kDay);
  auto aging = w.CallJson("GET", base + "/tickets?status=open", nullptr, kOwnerKey, 200);
  REQUIRE(aging["items"].size() == 1);
  CHECK(aging["items"][0]["id"] == "T2");
  CHECK(aging["items"][0]["age_ms"] == 3 * kDay);
  CHECK(w.CallJson("GET", base + "/tickets?severity=high", nullptr, kOwnerKey, 200)["items"].size() == 1);
  // T1's id opened again: T1 reopened, its first opening kept, its age counted from the reopening.
  const std::int64_t first_opened = tickets["items"][0]["opened_at"];
  w.CallJson("POST", base + "/tickets", {{"ticket", "T1"}, {"subject", "EDI down again"}, {"severity", "high"}}, kOwnerKey, 200);
  w.clock.Advance(kDay);
  auto reopened = w.CallJson("GET", base + "/tickets?status=open&" + At(w), nullptr, kOwnerKey, 200);
  REQUIRE(reopened["items"].size() == 2);
  CHECK(reopened["items"][0]["id"] == "T1");
  CHECK(reopened["items"][0]["subject"] == "EDI down again");
  CHECK(reopened["items"][0]["times_opened"] == 2);
  CHECK(reopened["items"][0]["first_opened_at"] == first_opened);
  CHECK(reopened["items"][0]["resolved_at"].is_null());
  CHECK(reopened["items"][0]["age_ms"] == kDay);
  Expect(w.Call("GET", base + "/tickets?status=closed"), 400, "invalid_field", "status");
  Expect(w.Call("GET", base + "/exceptions?kind=outage"), 400, "invalid_field", "kind");
  Expect(w.Call("GET", base + "/exceptions?integration=ftp"), 400, "invalid_field", "integration");
  w.LiveTenant("p2", "p2:t9");
  Expect(w.Call("GET", base + "/exceptions", nullptr, w.Key("partner_admin", "p2")), 404, "not_found");
  Expect(w.Call("GET", base + "/tickets", nullptr, w.Key("tenant_operator", "p2", "p2:t9")), 404, "not_found");
}

TEST_CASE("the audit trail merges accepted commands with refused and denied requests, scoped and paginated",
          "[gateway][e2e][lists][audit]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:t1");
  w.LiveTenant("p2", "p2:t9");
  const std::string admin1 = w.Key("partner_admin", "p1"), admin2 = w.Key("partner_admin", "p2");
  const std::string analyst = w.Key("analyst", "p1");
  const std::string base = "/v1/tenants/p1:t1";
  w.CallJson("POST", base + "/tickets", {{"ticket", "T1"}, {"subject", "s"}, {"severity", "high"}}, admin1, 200);
  // Refused by a rule: a ticket that does not exist.
  auto refused = w.Call("POST", base + "/tickets/T404/resolution", nullptr, admin1);
  CHECK(refused.status >= 400);
  // Denied: an analyst cannot write; another partner's tenant is outside p2's scope.
  CHECK(w.Call("POST", base + "/tickets", {{"ticket", "T2"}, {"subject", "s"}, {"severity", "low"}}, analyst).status == 403);
  CHECK(w.Call("POST", base + "/tickets", {{"ticket", "T3"}, {"subject", "s"}, {"severity", "low"}}, admin2).status == 404);
  const std::string at = At(w);

  // Refusals are recorded without holding up their answer: wait (bounded) until both denials are in.
  Json trail;
  for (int i = 0; i < 200; ++i) {
    trail = w.CallJson("GET", "/v1/audit?tenant=p1:t1&limit=500&" + at, nullptr, kOwnerKey, 200);
    int denials = 0;
    for (const auto& e : trail["items"]) denials += e["result"] == "denied" ? 1 : 0;
    if (denials == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::map<std::string, int> results;
  bool ticket_accepted = false;
  std::int64_t last_at = 0;
  for (const auto& e : trail["items"]) {
    results[e["result"].get<std::string>()]++;
    CHECK(e["tenant"] == "p1:t1");
    CHECK(e["at"].get<std::int64_t>() >= last_at);
    last_at = e["at"];
    if (e["result"] == "accepted" && e.value("route", "") == "open_ticket") {
      ticket_accepted = true;
      CHECK(e["events"][0]["type"] == "TicketOpened");
      CHECK(e["principal"].get<std::string>().starts_with("key:"));
    }
  }
  CHECK(ticket_accepted);
  CHECK(results["refused"] == 1);
  CHECK(results["denied"] == 2);
  CHECK(results["accepted"] >= 4);  // provisioning, onboarding, milestones, go-live, the ticket
  auto denied = w.CallJson("GET", "/v1/audit?result=denied&tenant=p1:t1", nullptr, kOwnerKey, 200);
  CHECK(denied["items"].size() == 2);
  // Page by page, two at a time: the same entries, none twice, none lost.
  std::vector<std::string> paged;
  std::string cursor;
  for (int i = 0; i < 100; ++i) {
    auto page = w.CallJson("GET", "/v1/audit?tenant=p1:t1&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), nullptr, kOwnerKey, 200);
    CHECK(page["items"].size() <= 2);
    for (const auto& e : page["items"]) paged.push_back(e.dump());
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"];
  }
  std::vector<std::string> whole;
  for (const auto& e : trail["items"]) whole.push_back(e.dump());
  CHECK(paged == whole);
  // A partner reads its own scope: p1's trail is not p2's; p2 sees what its own key tried on p1:t1.
  Expect(w.Call("GET", "/v1/audit?tenant=p1:t1", nullptr, admin2), 404, "not_found");
  Expect(w.Call("GET", "/v1/audit?partner=p1", nullptr, admin2), 404, "not_found");
  bool audited_query = false;  // a look outside one's scope is itself a denied request
  for (int i = 0; i < 200 && !audited_query; ++i) {
    const Json denied_all = w.CallJson("GET", "/v1/audit?result=denied&limit=500", nullptr, kOwnerKey, 200);
    for (const auto& e : denied_all["items"]) audited_query = audited_query || e.value("route", "") == "list_audit";
    if (!audited_query) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(audited_query);
  int own_attempts = 0;
  const Json p2_trail = w.CallJson("GET", "/v1/audit?limit=500", nullptr, admin2, 200);
  INFO(p2_trail.dump());
  for (const auto& e : p2_trail["items"]) {
    INFO(e.dump());
    const bool own = e["partner"] == "p2" || (e.contains("scope") && e["scope"]["partner"] == "p2");
    CHECK(own);
    if (e["tenant"] == "p1:t1") {
      ++own_attempts;
      CHECK(e["result"] == "denied");
    }
  }
  CHECK(own_attempts == 1);
  // A follower paging through the trail: a command accepted while it pages comes after its cursor.
  {
    auto page = w.CallJson("GET", "/v1/audit?tenant=p1:t1&limit=1", nullptr, kOwnerKey, 200);
    REQUIRE(page["next_cursor"].is_string());
    std::string follow = page["next_cursor"];
    const auto accepted = w.CallJson("POST", base + "/tickets", {{"ticket", "T7"}, {"subject", "s"}, {"severity", "low"}}, admin1, 200);
    const std::string after = "&min_position=" + std::to_string(accepted["position"].get<std::uint64_t>());
    bool seen = false;
    for (int i = 0; i < 500 && !follow.empty(); ++i) {
      auto next = w.CallJson("GET", "/v1/audit?tenant=p1:t1&limit=1&cursor=" + follow + after, nullptr, kOwnerKey, 200);
      for (const auto& e : next["items"]) seen = seen || e["position"] == accepted["position"];
      follow = next["next_cursor"].is_string() ? next["next_cursor"].get<std::string>() : std::string();
    }
    CHECK(seen);
  }
  // Keys issued are in the trail too (they are not in the log): with who issued them.
  w.CallJson("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"name", "reports"}}, admin1, 201);
  // p1's admin sees its partner's commands and its own keys' acts and attempts, not p2's attempt on it.
  Json p1_trail;
  int p1_denials = 0;
  bool key_issued = false;
  for (int i = 0; i < 200 && !key_issued; ++i) {
    p1_trail = w.CallJson("GET", "/v1/audit?limit=500", nullptr, admin1, 200);
    for (const auto& e : p1_trail["items"]) key_issued = key_issued || (e.value("route", "") == "create_key" && e["result"] == "accepted");
    if (!key_issued) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(key_issued);
  for (const auto& e : p1_trail["items"]) {
    INFO(e.dump());
    CHECK_FALSE((e.contains("scope") && e["scope"]["partner"] == "p2"));
    CHECK((e["partner"] == "p1" || (e.contains("scope") && e["scope"]["partner"] == "p1")));
    if (e["result"] == "denied") ++p1_denials;
  }
  CHECK(p1_denials == 1);  // the analyst's
  // By principal and time.
  const std::string who = trail["items"].back().value("principal", "");
  const Json by_who = w.CallJson("GET", "/v1/audit?principal=" + who, nullptr, kOwnerKey, 200);
  CHECK_FALSE(by_who["items"].empty());
  for (const auto& e : by_who["items"]) CHECK(e["principal"] == who);
  CHECK(w.CallJson("GET", "/v1/audit?from=" + std::to_string(w.clock.NowMs() + kDay), nullptr, kOwnerKey, 200)["items"].empty());
  Expect(w.Call("GET", "/v1/audit?result=ok"), 400, "invalid_field", "result");
  Expect(w.Call("GET", "/v1/audit?from=10&to=5"), 400, "invalid_field", "from");
  Expect(w.Call("GET", "/v1/audit?cursor=zz"), 400, "invalid_field", "cursor");
  Expect(w.Call("GET", "/v1/audit?cursor="), 400, "invalid_field", "cursor");
  Expect(w.Call("GET", "/v1/audit?tenant=p2:t9&partner=p1"), 400, "invalid_field", "tenant");
}

TEST_CASE("a read model rebuilt online over HTTP while orders are placed and listed: every query answers and none is lost",
          "[gateway][e2e][lists][rebuild]") {
  GatewayWorld w;
  Stocked(w);
  const std::string base = "/v1/tenants/p1:t1";
  std::atomic<bool> stop{false};
  std::atomic<int> placed{0}, failed_writes{0}, queries{0}, failed_queries{0};
  std::string first_failure;
  std::thread writer([&] {
    for (int i = 0; i < 400 && !stop; ++i) {
      auto r = w.Call("POST", base + "/orders",
                      {{"id", "o" + std::to_string(i)}, {"customer", "c" + std::to_string(i % 3)}, {"currency", "EUR"},
                       {"channel", "b2b"}, {"lines", {{{"line", 1}, {"sku", "BOLT"}, {"qty", 1}, {"unit_price", 500}}}}});
      if (r.status != 201 && failed_writes++ == 0) first_failure = r.body;
      if (r.status == 201) placed++;
    }
  });
  std::thread reader([&] {
    while (!stop) {
      auto r = w.Call("GET", base + "/orders?limit=20");
      (r.status == 200 ? queries : failed_queries)++;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto started = w.Call("POST", "/v1/admin/projections/orders/rebuild", nullptr, kOwnerKey);
  REQUIRE(started.status == 202);
  Json status;
  for (int i = 0; i < 1000; ++i) {
    const Json all = w.CallJson("GET", "/v1/admin/projections", nullptr, kOwnerKey, 200);
    for (const auto& p : all["projections"])
      if (p["name"] == "orders") status = p;
    if (status["generation"] == 2 && status["rebuild"].is_null()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  writer.join();
  reader.join();
  INFO(status.dump() << " " << first_failure);
  CHECK(status["generation"] == 2);
  CHECK(failed_writes == 0);
  CHECK(failed_queries == 0);
  CHECK(queries > 0);
  // The new generation holds every order placed, before, during and after the swap.
  std::set<std::string> ids;
  std::string cursor;
  for (int i = 0; i < 100; ++i) {
    auto page = w.CallJson("GET", base + "/orders?limit=100&" + At(w) + (cursor.empty() ? "" : "&cursor=" + cursor), nullptr, kOwnerKey, 200);
    for (const auto& o : page["items"]) CHECK(ids.insert(o["id"].get<std::string>()).second);
    if (page["next_cursor"].is_null()) break;
    cursor = page["next_cursor"];
  }
  CHECK(static_cast<int>(ids.size()) == placed.load());
}

TEST_CASE("the audit trail is in business time when it runs apart from the wall clock", "[gateway][e2e][lists][audit]") {
  keel::test::WorldOptions options;
  options.simulated_admin_clock = true;
  GatewayWorld w(options);
  w.LiveTenant("p1", "p1:t1");
  w.clock.Advance(40 * kDay);  // business time moves on; the wall clock does not
  const std::int64_t now = w.clock.NowMs();
  w.CallJson("POST", "/v1/tenants/p1:t1/tickets", {{"ticket", "T1"}, {"subject", "s"}, {"severity", "high"}}, kOwnerKey, 200);
  CHECK(w.Call("POST", "/v1/tenants/p1:t1/tickets/T404/resolution").status >= 400);
  Json trail;
  for (int i = 0; i < 200; ++i) {
    trail = w.CallJson("GET", "/v1/audit?tenant=p1:t1&from=" + std::to_string(now) + "&" + At(w), nullptr, kOwnerKey, 200);
    if (trail["items"].size() == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(trail["items"].size() == 2);
  CHECK(trail["items"][0]["result"] == "accepted");
  CHECK(trail["items"][0]["at"] == now);
  CHECK(trail["items"][1]["result"] == "refused");
  CHECK(trail["items"][1]["at"] == now);
  // Before the advance: the provisioning and its steps, none of today's.
  const Json before = w.CallJson("GET", "/v1/audit?tenant=p1:t1&to=" + std::to_string(now - 1), nullptr, kOwnerKey, 200);
  CHECK_FALSE(before["items"].empty());
  for (const auto& e : before["items"]) CHECK(e["at"].get<std::int64_t>() < now);
}
