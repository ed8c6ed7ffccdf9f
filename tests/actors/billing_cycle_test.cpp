// Billing period close, renewal, termination and dunning, driven by a simulated clock over the
// shipped plans and templates.
#include <catch2/catch.hpp>

#include "actors/billing_cycle.hpp"
#include "actors/clock.hpp"
#include "world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
using keel::domain::kDayMs;
using keel::eventstore::test::OpenOrDie;
using keel::eventstore::test::TempDir;
namespace t = keel::domain::tenant;
namespace b = keel::domain::billing;

namespace {

struct World {
  TempDir dir;
  std::unique_ptr<eventstore::EventStore> store = OpenOrDie(dir.str());
  Runtime runtime{*store};
  Client client{runtime};
  domain::ServiceCatalog catalog = config::LoadCatalog(config::DefaultDataDir() + "/plans.json").value();
  config::TemplateRegistry templates = config::LoadTemplates(config::DefaultDataDir() + "/templates", catalog).value();
  SimulatedClock clock{kT0};
  BillingCycle billing{*store, runtime, catalog, templates};

  void Provision(const std::string& tenant, domain::Environment env = domain::Environment::kProduction) {
    const auto* segment = templates.Find("regional-distributor", 1);
    REQUIRE(client.Execute(TenantKey(tenant), t::ProvisionTenant{tenant, "p1", tenant, *segment, *catalog.FindPlan("growth"),
                                                                 env, true, true, kT0}));
    REQUIRE(client.Execute(TenantKey(tenant), t::StartOnboarding{kT0}));
  }
  t::State Tenant(const std::string& id) { return StateOf<t::State>(*client.Get(TenantKey(id))); }
  b::State Billing(const std::string& id) { return StateOf<b::State>(*client.Get(BillingKey(id))); }
};

}  // namespace

TEST_CASE("at the period end an invoice is issued from recorded facts and the subscription renews",
          "[actors][billing]") {
  World world;
  REQUIRE(world.client.Execute(PartnerKey("p1"), domain::partner::RegisterPartner{"p1", "Nordic", kT0}));
  REQUIRE(world.client.Execute(PartnerKey("p1"), domain::partner::SetRevenueShare{2000, kT0}));
  world.Provision("acme");
  world.Provision("sandbox-co", domain::Environment::kSandbox);
  REQUIRE(world.client.Execute(TenantKey("acme"), t::RecordUsage{12000, 0, kT0 + kDayMs}));

  auto early = world.billing.Tick(kT0 + 29 * kDayMs);
  CHECK(early.invoices == 0);
  CHECK(early.renewals == 0);

  auto tick = world.billing.Tick(kT0 + 30 * kDayMs);
  CHECK(tick.invoices == 1);  // the sandbox tenant renews but is never billed
  CHECK(tick.renewals == 2);
  CHECK(tick.errors == 0);
  const auto billing = world.Billing("acme");
  REQUIRE(billing.invoices.size() == 1);
  const auto& invoice = billing.invoices.begin()->second;
  // growth shared 89,900 + edi add-on 9,900 + 2,000 orders over 10,000 at 10 = 119,800 (standard support is free)
  CHECK(invoice.total == 89900 + 9900 + 20000);
  auto issued = world.store->ReadStream("t/acme/billing/main", 1).value();
  REQUIRE(issued.size() == 1);
  auto e = std::get<b::InvoiceIssued>(codec::DecodeBilling(issued[0].type, issued[0].schema_version, issued[0].payload).value());
  CHECK(e.partner_share == e.total / 5);
  CHECK(world.Tenant("acme").period_start == kT0 + 30 * kDayMs);
  CHECK(world.Tenant("acme").period_orders == 0);
  CHECK(world.Billing("sandbox-co").invoices.empty());

  auto again = world.billing.Tick(kT0 + 30 * kDayMs);  // a repeated tick changes nothing
  CHECK(again.invoices == 0);
  CHECK(again.renewals == 0);
  CHECK(world.Billing("acme").invoices.size() == 1);
}

TEST_CASE("a cancelled subscription ends the tenant on its date", "[actors][billing]") {
  World world;
  world.Provision("acme");
  REQUIRE(world.client.Execute(TenantKey("acme"), t::CancelSubscription{"moving on", kT0 + kDayMs}));
  auto tick = world.billing.Tick(kT0 + 31 * kDayMs);
  CHECK(tick.terminations == 1);
  CHECK(world.Tenant("acme").status == t::Status::kTerminated);
  CHECK(world.Billing("acme").invoices.size() == 1);  // the last period is still billed
}

TEST_CASE("overdue invoices walk the dunning steps: block plan changes, then suspend", "[actors][billing]") {
  World world;
  world.Provision("acme");
  world.billing.Tick(kT0 + 30 * kDayMs);  // invoice due 30 days later (template terms)
  const auto due = kT0 + 60 * kDayMs;
  world.billing.Tick(due + 8 * kDayMs);
  CHECK_FALSE(world.Tenant("acme").plan_changes_blocked);  // a reminder only
  auto blocked = world.billing.Tick(due + 22 * kDayMs);
  CHECK(blocked.dunning_actions >= 1);
  CHECK(world.Tenant("acme").plan_changes_blocked);
  world.billing.Tick(due + 46 * kDayMs);
  CHECK(world.Tenant("acme").status == t::Status::kSuspended);
}
