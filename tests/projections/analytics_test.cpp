// The analytics read model over a real store, against hand-built histories with exact values: MRR
// movements (new, an upgrade mid-month, a churned tenant) with the MRR at each day's end read back
// from the current value, orders and GMV per currency, tickets, integrations and their recovery
// time, billed revenue, credits and cost to serve (margin = revenue - cost), module usage and active
// warehouses; sandboxes never counted; a rebuild equal to the first fold.
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "codec/codec.hpp"
#include "domain/billing.hpp"
#include "domain/order.hpp"
#include "domain/tenant.hpp"
#include "domain/warehouse.hpp"
#include "projection_support.hpp"
#include "projections/analytics.hpp"
#include "projections/analytics_query.hpp"
#include "projections/projections.hpp"
#include "test_support.hpp"

namespace es = keel::eventstore;
namespace pj = keel::projections;
namespace d = keel::domain;
namespace t = keel::domain::tenant;
namespace o = keel::domain::order;
namespace b = keel::domain::billing;
namespace w = keel::domain::warehouse;
using Json = nlohmann::json;
using keel::test::Append;
using keel::test::kT0;  // 2026-01-01T00:00Z

namespace {

constexpr std::int64_t kDay = 86'400'000;

d::ServiceCatalog Catalog() {
  d::ServiceCatalog c;
  c.currency = "EUR";
  d::Plan small;
  small.id = "small";
  small.rank = 1;
  small.modules = {d::Module::kInventory};
  small.addons = {{d::Module::kCrmIntegration, 2000}};
  small.fee_shared = 10000;
  d::Plan big = small;
  big.id = "big";
  big.rank = 2;
  big.modules = {d::Module::kInventory, d::Module::kEdi};
  big.fee_shared = 30000;
  c.plans = {{"small", small}, {"big", big}};
  c.support_fees = {{d::ServiceTier::kStandard, 0}, {d::ServiceTier::kPremium, 5000}};
  c.cost_shared = 3000;
  c.cost_per_ticket = 500;
  c.cost_per_integration = 1000;
  return c;
}

t::TenantProvisioned Provisioned(const std::string& id, const std::string& segment, d::ServiceTier tier,
                                 std::set<d::Module> modules, d::Environment env = d::Environment::kProduction) {
  t::TenantProvisioned p;
  p.id = id;
  p.partner = "p1";
  p.name = id;
  p.template_id = segment;
  p.template_version = 1;
  p.plan = "small";
  p.plan_rank = 1;
  p.tier = tier;
  p.environment = env;
  p.modules = std::move(modules);
  p.limits = {2, 100, 10};
  p.milestones = {{"profile", true, false}, {"training", false, false}};
  p.period_start = kT0;
  p.period_end = kT0 + 30 * kDay;
  p.at = kT0;
  return p;
}

o::OrderPlaced Placed(const std::string& tenant, const std::string& id, const std::string& currency,
                      std::int64_t total, o::Channel channel = o::Channel::kDirect) {
  o::OrderPlaced p;
  p.id = id;
  p.tenant = tenant;
  p.customer = "c1";
  p.currency = currency;
  p.channel = channel;
  p.lines = {{1, "A", 3, total / 5, total * 3 / 5}, {2, "B", 2, total / 5, total * 2 / 5}};
  p.total = total;
  return p;
}

std::string TenantStream(const std::string& tenant) { return "t/" + tenant + "/tenant/" + tenant; }
std::string OrderStream(const std::string& tenant, const std::string& id) { return "t/" + tenant + "/order/" + id; }

pj::GroupRange Group(const es::EventStore& store, const std::string& model, const std::string& group,
                     const std::string& from, const std::string& to) {
  auto r = pj::ReadGroup(store, model, group, from, to);
  REQUIRE(r.has_value());
  return *r;
}

const pj::Facts* On(const pj::GroupRange& g, const std::string& day) {
  for (const auto& row : g.days)
    if (row.day == day) return &row.facts;
  return nullptr;
}

}  // namespace

TEST_CASE("analytics day facts encode and decode exactly", "[projections][analytics]") {
  pj::Facts f;
  f.n[pj::kOrders] = 3;
  f.n[pj::kMrrChurn] = -7;  // negative values survive (zigzag)
  f.n[pj::kModulesUsed] = 0b1010;
  f.AddGmv("EUR", 1'000'000'000'000);
  f.AddGmv("USD", 5);
  pj::Facts back;
  REQUIRE(pj::DecodeFacts(pj::EncodeFacts(f), back));
  CHECK(back.n == f.n);
  CHECK(back.gmv == f.gmv);
  pj::Facts sum = f;
  sum.Add(f);
  CHECK(sum.n[pj::kOrders] == 6);
  CHECK(sum.n[pj::kModulesUsed] == 0b1010);  // or-ed, not summed
  CHECK(sum.gmv[0].second == 2'000'000'000'000);
  CHECK_FALSE(pj::DecodeFacts("", back));
  CHECK_FALSE(pj::DecodeFacts(pj::EncodeFacts(f) + "x", back));
  CHECK_FALSE(pj::DecodeFacts(pj::EncodeFacts(f).substr(0, 3), back));
  CHECK(pj::Day(kT0) == "2026-01-01");
  CHECK(pj::Day(kT0 - 1) == "2025-12-31");
}

TEST_CASE("analytics over a hand-built history: MRR movements, orders, tickets, integrations and margin", "[projections][analytics]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  const std::string a = "p1:a", bt = "p1:b", sb = "p1:sandbox";
  // Day 0: A (premium, small + the crm add-on) = 10000 + 2000 + 5000; B (standard, small) = 10000; a sandbox: 0.
  Append(*store, TenantStream(a), t::Event(Provisioned(a, "seg-x", d::ServiceTier::kPremium,
                                                       {d::Module::kInventory, d::Module::kCrmIntegration})));
  Append(*store, TenantStream(bt), t::Event(Provisioned(bt, "seg-y", d::ServiceTier::kStandard, {d::Module::kInventory})));
  Append(*store, TenantStream(sb), t::Event(Provisioned(sb, "seg-x", d::ServiceTier::kPremium, {d::Module::kInventory},
                                                        d::Environment::kSandbox)));
  // Orders: A two on day 1 (one cancelled), B one in USD on day 2; the sandbox one that counts only for itself.
  Append(*store, OrderStream(a, "o1"), o::Event(Placed(a, "o1", "EUR", 500, o::Channel::kEdi)), kT0 + 1 * kDay);
  Append(*store, OrderStream(a, "o2"), o::Event(Placed(a, "o2", "EUR", 250)), kT0 + 1 * kDay + 5);
  Append(*store, OrderStream(a, "o2"), o::Event(o::OrderCancelled{"changed mind", {}, kT0 + kDay}), kT0 + 1 * kDay + 6);
  Append(*store, OrderStream(bt, "o3"), o::Event(Placed(bt, "o3", "USD", 300)), kT0 + 2 * kDay);
  Append(*store, OrderStream(sb, "o4"), o::Event(Placed(sb, "o4", "EUR", 999)), kT0 + 2 * kDay);
  Append(*store, OrderStream(a, "o1"),
         o::Event(o::ReturnRequested{"rma1", {{1, 2}}, 200, kT0 + 3 * kDay}), kT0 + 3 * kDay);
  // Tickets and an EDI outage of 2 hours.
  Append(*store, TenantStream(a), t::Event(t::TicketOpened{"T1", "slow", "high", kT0 + 3 * kDay}), kT0 + 3 * kDay);
  Append(*store, TenantStream(a), t::Event(t::TicketResolved{"T1", kT0 + 5 * kDay}), kT0 + 5 * kDay);
  Append(*store, TenantStream(a), t::Event(t::TicketOpened{"T2", "still slow", "low", kT0 + 6 * kDay}), kT0 + 6 * kDay);
  Append(*store, TenantStream(a), t::Event(t::IntegrationFailed{t::Integration::kEdi, "down", "implementation", 0}),
         kT0 + 6 * kDay);
  Append(*store, TenantStream(a), t::Event(t::IntegrationRecovered{t::Integration::kEdi, 0}), kT0 + 6 * kDay + 7'200'000);
  // A warehouse of A is active on day 7.
  Append(*store, "t/" + a + "/warehouse/w1", w::Event(w::WarehouseCreated{"w1", a, "W1", "EUR", false, false, kT0}),
         kT0 + 7 * kDay);
  Append(*store, "t/" + a + "/warehouse/w1", w::Event(w::StockReceived{"r1", {{"A", 5, 10, "", 0}}, kT0}), kT0 + 7 * kDay);
  // Day 14 (mid-month): A upgrades to big (edi included): 30000 + 2000 + 5000 = 37000, an expansion of 20000.
  t::PlanUpgraded up;
  up.from = "small";
  up.to = "big";
  up.rank = 2;
  up.added_modules = {d::Module::kEdi};
  up.limits = {5, 1000, 20};
  Append(*store, TenantStream(a), t::Event(up), kT0 + 14 * kDay);
  // Day 20: B cancels and is terminated: a churn of 10000.
  Append(*store, TenantStream(bt), t::Event(t::TenantTerminated{"left", 0}), kT0 + 20 * kDay);
  // Day 30: A's invoice; cost = 3000 (shared) + 2 integrations (crm, edi) x 1000 + 2 tickets x 500 = 6000.
  b::InvoiceIssued inv;
  inv.invoice_id = "INV-1";
  inv.tenant = a;
  inv.currency = "EUR";
  inv.total = 25000;
  Append(*store, "t/" + a + "/billing/" + a, b::Event(inv), kT0 + 30 * kDay);
  Append(*store, "t/" + a + "/billing/" + a, b::Event(b::CreditNoteIssued{"INV-1", "CN-1", "goodwill", 1000, 0}),
         kT0 + 30 * kDay);

  pj::Projections projections(*store, {pj::Analytics(Catalog())});
  REQUIRE(projections.Start().has_value());
  REQUIRE(projections.WaitFor("analytics", store->HeadPosition(), std::chrono::seconds(10)));
  const std::string model = projections.ActiveModel("analytics");
  CHECK(projections.Status("analytics")->parked == 0);

  SECTION("MRR of a segment: new, then an upgrade mid-month, read back from the current value") {
    auto x = Group(*store, model, "s/seg-x", "2026-01-01", "2026-01-31");
    CHECK(x.opening.n[pj::kMrr] == 0);
    CHECK(x.close.n[pj::kMrr] == 37000);
    CHECK(x.close.n[pj::kTenants] == 1);  // the sandbox is not a tenant of the business
    REQUIRE(On(x, "2026-01-01"));
    CHECK(On(x, "2026-01-01")->n[pj::kMrrNew] == 17000);
    CHECK(On(x, "2026-01-01")->n[pj::kMrr] == 17000);
    CHECK(On(x, "2026-01-01")->n[pj::kTenantsNew] == 1);
    REQUIRE(On(x, "2026-01-15"));
    CHECK(On(x, "2026-01-15")->n[pj::kMrrExpansion] == 20000);
    CHECK(On(x, "2026-01-15")->n[pj::kMrr] == 37000);
    REQUIRE(On(x, "2026-01-02"));
    CHECK(On(x, "2026-01-02")->n[pj::kMrr] == 17000);  // a day with other facts carries the value
    // A range starting after the upgrade opens with it; one ending before closes without it.
    CHECK(Group(*store, model, "s/seg-x", "2026-01-16", "2026-01-31").opening.n[pj::kMrr] == 37000);
    CHECK(Group(*store, model, "s/seg-x", "2026-01-01", "2026-01-14").close.n[pj::kMrr] == 17000);
    CHECK(Group(*store, model, "s/seg-x", "2025-12-01", "2025-12-31").close.n[pj::kMrr] == 0);
  }
  SECTION("a churned tenant: its MRR leaves on the day of its termination") {
    auto y = Group(*store, model, "ps/p1/seg-y", "2026-01-01", "2026-01-31");
    CHECK(On(y, "2026-01-01")->n[pj::kMrrNew] == 10000);
    REQUIRE(On(y, "2026-01-21"));
    CHECK(On(y, "2026-01-21")->n[pj::kMrrChurn] == 10000);
    CHECK(On(y, "2026-01-21")->n[pj::kTenantsChurned] == 1);
    CHECK(On(y, "2026-01-20") == nullptr);  // days without facts are left out: a range's close says the value
    CHECK(Group(*store, model, "ps/p1/seg-y", "2026-01-01", "2026-01-20").close.n[pj::kMrr] == 10000);
    CHECK(y.close.n[pj::kMrr] == 0);
    CHECK(y.close.n[pj::kTenants] == 0);
    CHECK(Group(*store, model, "r/standard", "2026-01-01", "2026-01-10").close.n[pj::kMrr] == 10000);
  }
  SECTION("orders, GMV per currency, cancellations and returns per day and group") {
    auto ta = Group(*store, model, "t/" + a, "2026-01-01", "2026-01-31");
    const pj::Facts* day1 = On(ta, "2026-01-02");
    REQUIRE(day1);
    CHECK(day1->n[pj::kOrders] == 2);
    CHECK(day1->n[pj::kLines] == 4);
    CHECK(day1->n[pj::kUnits] == 10);
    CHECK(day1->n[pj::kCancellations] == 1);
    CHECK(day1->gmv == std::vector<std::pair<std::string, std::int64_t>>{{"EUR", 750}});
    CHECK(On(ta, "2026-01-04")->n[pj::kReturns] == 1);
    CHECK(On(ta, "2026-01-04")->n[pj::kReturnedUnits] == 2);
    auto by_partner_y = Group(*store, model, "ps/p1/seg-y", "2026-01-03", "2026-01-03");
    REQUIRE(by_partner_y.days.size() == 1);
    CHECK(by_partner_y.days[0].facts.gmv == std::vector<std::pair<std::string, std::int64_t>>{{"USD", 300}});
    // The sandbox's order is its own alone.
    auto x3 = Group(*store, model, "s/seg-x", "2026-01-03", "2026-01-03");
    CHECK(x3.days.empty());
    CHECK(On(Group(*store, model, "t/" + sb, "2026-01-03", "2026-01-03"), "2026-01-03")->n[pj::kOrders] == 1);
  }
  SECTION("tickets, an integration's failure and its time to recover") {
    auto x = Group(*store, model, "pr/p1/premium", "2026-01-01", "2026-01-31");
    pj::Facts sum;
    for (const auto& day : x.days) sum.Add(day.facts);
    CHECK(sum.n[pj::kTicketsOpened] == 2);
    CHECK(sum.n[pj::kTicketsResolved] == 1);
    CHECK(sum.n[pj::kEdiFailures] == 1);
    CHECK(sum.n[pj::kEdiRecoveries] == 1);
    CHECK(sum.n[pj::kEdiRecoveryMs] == 7'200'000);
    CHECK(sum.n[pj::kMarketplaceFailures] == 0);
    auto state = pj::ReadTenantState(*store, model, a);
    REQUIRE(state.has_value());
    REQUIRE(state->has_value());
    const Json& s = **state;
    CHECK(s["open_tickets"] == Json{{"T2", kT0 + 6 * kDay}});
    CHECK(s["failing"] == Json::object());
    CHECK(s["plan"] == "big");
    CHECK(s["mrr"] == 37000);
    CHECK(s["monthly_volume"] == 1000);
    CHECK(s["invoices"] == Json{{"INV-1", {{"outstanding", 24000}, {"overdue", false}, {"dunning", 0}}}});
  }
  SECTION("billed revenue, credits and cost to serve on the invoice's day: margin = revenue - cost") {
    auto x = Group(*store, model, "s/seg-x", "2026-01-31", "2026-01-31");
    REQUIRE(x.days.size() == 1);
    const pj::Facts& f = x.days[0].facts;
    CHECK(f.n[pj::kBilled] == 25000);
    CHECK(f.n[pj::kCredited] == 1000);
    CHECK(f.n[pj::kCost] == 6000);
    CHECK(f.n[pj::kBilled] - f.n[pj::kCredited] - f.n[pj::kCost] == 18000);
  }
  SECTION("modules used and warehouses active, on the tenant's own row") {
    auto ta = Group(*store, model, "t/" + a, "2026-01-01", "2026-01-31");
    pj::Facts sum;
    for (const auto& day : ta.days) sum.Add(day.facts);
    const auto bit = [](d::Module m) { return std::int64_t{1} << static_cast<int>(m); };
    CHECK(sum.n[pj::kModulesUsed] == (bit(d::Module::kEdi) | bit(d::Module::kReturns) | bit(d::Module::kInventory)));
    CHECK(pj::ActiveWarehouses(*store, model, a, "2026-01-08", "2026-01-08").value() == 1);
    CHECK(pj::ActiveWarehouses(*store, model, a, "2026-01-09", "2026-01-31").value() == 0);
    CHECK(pj::ActiveWarehouses(*store, model, a, "2026-01-01", "2026-01-07").value() == 0);
  }
  SECTION("groups are listed from their registry, tenants by partner") {
    CHECK(pj::ListGroups(*store, model, "s/").value() == std::vector<std::string>{"s/seg-x", "s/seg-y"});
    CHECK(pj::ListGroups(*store, model, "ps/p1/").value() == std::vector<std::string>{"ps/p1/seg-x", "ps/p1/seg-y"});
    auto states = pj::ReadTenantStates(*store, model, "p1", "", 2);
    REQUIRE(states.has_value());
    CHECK(states->states.size() == 2);
    CHECK(states->more);
    auto rest = pj::ReadTenantStates(*store, model, "p1", states->states.back()["tenant"], 10);
    REQUIRE(rest.has_value());
    REQUIRE(rest->states.size() == 1);
    CHECK(rest->states[0]["tenant"] == sb);
    CHECK_FALSE(rest->more);
  }
  SECTION("a rebuild folds the same rows") {
    const auto first = keel::test::Dump(*store, model);
    REQUIRE(projections.Rebuild("analytics"));
    for (int i = 0; i < 200 && projections.ActiveModel("analytics") == model; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    REQUIRE(projections.ActiveModel("analytics") != model);
    CHECK(keel::test::Dump(*store, projections.ActiveModel("analytics")) == first);
  }
}
