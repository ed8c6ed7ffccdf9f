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
  // Completes the tenant's milestones and takes it live.
  void GoLive(const std::string& tenant) {
    for (const auto& m : Tenant(tenant).milestones) {
      REQUIRE(client.Execute(TenantKey(tenant), t::CompleteMilestone{m.id, "u1", kT0}));
    }
    REQUIRE(client.Execute(TenantKey(tenant), t::GoLive{kT0}));
  }
  // Pays what every invoice of the tenant still owes.
  void PayEverything(const std::string& tenant, std::int64_t at) {
    for (const auto& [id, invoice] : Billing(tenant).invoices) {
      if (invoice.outstanding() > 0) {
        REQUIRE(client.Execute(BillingKey(tenant), b::RecordPayment{id, "pay-" + id, invoice.outstanding(), at}));
      }
    }
  }
  // Waits until the dunning relief manager has handled everything written so far.
  void SettleRelief(ProcessManager& relief) { REQUIRE(relief.WaitUntilProcessed(store->HeadPosition(), std::chrono::seconds(20))); }
  std::vector<t::Event> TenantEvents(const std::string& id) {
    std::vector<t::Event> out;
    auto read = store->ReadStream("t/" + id + "/tenant/" + id, 1);
    REQUIRE(read.has_value());
    for (const auto& r : *read) {
      auto e = codec::DecodeTenant(r.type, r.schema_version, r.payload);
      INFO(r.type << " v" << r.schema_version << ": " << (e ? std::string() : e.error().message));
      REQUIRE(e.has_value());
      out.push_back(*e);
    }
    return out;
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

namespace {
const keel::domain::Timestamp kDue = kT0 + 60 * kDayMs;  // the first invoice's due date (30 days' terms)
}

TEST_CASE("paying every overdue invoice lifts the dunning suspension and the plan-change block, with events that say why",
          "[actors][billing][dunning]") {
  World world;
  world.Provision("acme");
  world.GoLive("acme");
  world.billing.Tick(kT0 + 30 * kDayMs);
  world.billing.Tick(kDue + 46 * kDayMs);  // past every step: blocked and suspended (and two more periods invoiced)
  REQUIRE(world.Tenant("acme").status == t::Status::kSuspended);
  REQUIRE(world.Tenant("acme").plan_changes_blocked);
  CHECK(world.Tenant("acme").suspended_by == t::ImposedBy::kDunning);
  CHECK(world.Tenant("acme").plan_changes_blocked_by == t::ImposedBy::kDunning);

  world.PayEverything("acme", kDue + 47 * kDayMs);  // payments work on a suspended tenant
  world.SettleRelief(world.billing.relief());
  const auto tenant = world.Tenant("acme");
  CHECK(tenant.status == t::Status::kActive);
  CHECK_FALSE(tenant.plan_changes_blocked);
  const auto events = world.TenantEvents("acme");
  const auto count = [&](auto pred) { return std::count_if(events.begin(), events.end(), pred); };
  CHECK(count([](const t::Event& e) {
          const auto* s = std::get_if<t::TenantSuspended>(&e);
          return s != nullptr && s->by == t::ImposedBy::kDunning && s->reason.find("overdue") != std::string::npos;
        }) == 1);
  CHECK(count([](const t::Event& e) {
          const auto* r = std::get_if<t::TenantReinstated>(&e);
          return r != nullptr && r->by == t::ImposedBy::kDunning && r->at == kDue + 47 * kDayMs;
        }) == 1);
  CHECK(count([](const t::Event& e) {
          const auto* b = std::get_if<t::PlanChangesBlockedSet>(&e);
          return b != nullptr && !b->blocked && b->by == t::ImposedBy::kDunning;
        }) == 1);
  CHECK(world.client.Execute(TenantKey("acme"), t::ChangePlan{*world.catalog.FindPlan("growth"), *world.catalog.FindPlan("scale"),
                                                              *world.templates.Find("regional-distributor", 1), kDue + 48 * kDayMs}));
  // Nothing is lifted twice: a later tick finds nothing to do.
  CHECK(world.billing.Tick(kDue + 48 * kDayMs).lifts == 0);
}

TEST_CASE("while one invoice is still overdue, dunning keeps the tenant suspended", "[actors][billing][dunning]") {
  World world;
  world.Provision("acme");
  world.billing.Tick(kT0 + 30 * kDayMs);
  world.billing.Tick(kDue + 46 * kDayMs);
  const auto invoices = world.Billing("acme").invoices;
  REQUIRE(invoices.size() == 3);
  const auto& [first, invoice] = *invoices.begin();  // 46 days overdue; the second is 16 days overdue
  REQUIRE(world.client.Execute(BillingKey("acme"), b::RecordPayment{first, "pay-1", invoice.outstanding() - 1, kDue}));
  world.SettleRelief(world.billing.relief());
  CHECK(world.Tenant("acme").status == t::Status::kSuspended);
  for (const auto& [id, other] : invoices) {  // every other invoice is paid in full
    if (id != first) REQUIRE(world.client.Execute(BillingKey("acme"), b::RecordPayment{id, "pay-" + id, other.outstanding(), kDue}));
  }
  REQUIRE(world.Billing("acme").invoices.at(first).outstanding() == 1);
  world.SettleRelief(world.billing.relief());
  CHECK(world.Tenant("acme").status == t::Status::kSuspended);
  // A credit note for the last unit settles it: the lift follows credit notes too.
  REQUIRE(world.client.Execute(BillingKey("acme"), b::IssueCreditNote{first, "cn-1", "rounding", 1, kDue}));
  world.SettleRelief(world.billing.relief());
  CHECK(world.Tenant("acme").status == t::Status::kOnboarding);  // back where it was
  CHECK_FALSE(world.Tenant("acme").plan_changes_blocked);
}

TEST_CASE("a suspension an operator imposed by hand stays when the overdue invoice is paid", "[actors][billing][dunning]") {
  World world;
  world.Provision("acme");
  world.GoLive("acme");
  REQUIRE(world.client.Execute(TenantKey("acme"), t::SuspendTenant{"fraud review", kT0 + kDayMs}));
  world.billing.Tick(kT0 + 30 * kDayMs);
  world.billing.Tick(kDue + 46 * kDayMs);
  world.PayEverything("acme", kDue + 47 * kDayMs);
  world.SettleRelief(world.billing.relief());
  world.billing.Tick(kDue + 48 * kDayMs);
  const auto tenant = world.Tenant("acme");
  CHECK(tenant.status == t::Status::kSuspended);
  CHECK(tenant.suspended_by == t::ImposedBy::kOperator);
  const auto events = world.TenantEvents("acme");
  CHECK(std::none_of(events.begin(), events.end(), [](const t::Event& e) { return std::holds_alternative<t::TenantReinstated>(e); }));
}

TEST_CASE("the dunning relief resumes from its checkpoint after a stop, and the tick lifts what it missed",
          "[actors][billing][dunning]") {
  World world;
  world.Provision("acme");
  world.Provision("beta");
  world.billing.Tick(kT0 + 30 * kDayMs);
  world.billing.Tick(kDue + 46 * kDayMs);
  REQUIRE(world.Tenant("acme").status == t::Status::kSuspended);
  REQUIRE(world.Tenant("beta").status == t::Status::kSuspended);
  world.billing.relief().Stop();  // as if the node went down
  world.PayEverything("acme", kDue + 47 * kDayMs);
  CHECK(world.Tenant("acme").status == t::Status::kSuspended);
  {
    auto resumed = StartDunningRelief(*world.store, world.runtime);
    world.SettleRelief(*resumed);
  }
  CHECK(world.Tenant("acme").status == t::Status::kOnboarding);
  CHECK_FALSE(world.Tenant("acme").plan_changes_blocked);
  // With no manager running at all, the next tick lifts it.
  world.PayEverything("beta", kDue + 47 * kDayMs);
  auto tick = world.billing.Tick(kDue + 48 * kDayMs);
  CHECK(tick.lifts == 2);
  CHECK(world.Tenant("beta").status == t::Status::kOnboarding);
  CHECK_FALSE(world.Tenant("beta").plan_changes_blocked);
}
