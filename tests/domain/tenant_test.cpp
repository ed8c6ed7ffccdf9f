// Tenant decider: provisioning rules, lifecycle transitions, modules and limits, plan changes with
// proration, milestones and go-live, subscription renewal, tickets, integration health, template
// upgrades; plus a property test over random command sequences.
#include <catch2/catch.hpp>

#include <random>

#include "domain/lifecycle.hpp"
#include "domain/tenant.hpp"
#include "decider_support.hpp"
#include "fixtures.hpp"

using namespace keel::domain;
using keel::domain::test::Accept;
using keel::domain::test::Refuse;
using keel::domain::test::Run;
using namespace keel::domain::tenant;
using keel::domain::test::kT0;
namespace fx = keel::domain::test;

namespace {

ProvisionTenant Provision(Environment env = Environment::kProduction, bool certified = true) {
  return ProvisionTenant{"t1", "p1", "Acme Wholesale", fx::Regional(), fx::Growth(), env, certified, true, kT0};
}

State Onboarding() { return Run(State{}, {Provision(), StartOnboarding{kT0}}); }

State Active() {
  return Run(Onboarding(), {CompleteMilestone{"company_profile", "u1", kT0}, CompleteMilestone{"item_import", "u1", kT0},
                            CompleteMilestone{"edi_partner_test", "u1", kT0}, GoLive{kT0}});
}

}  // namespace

TEST_CASE("a tenant is provisioned from its template, plan and environment", "[domain][tenant]") {
  auto events = Accept(Provision(), State{});
  const auto& e = std::get<TenantProvisioned>(events.at(0));
  CHECK(e.template_id == "regional-distributor");
  CHECK(e.template_version == 1);
  CHECK(e.plan == "growth");
  CHECK(e.limits == Limits{3, 15000, 30});
  CHECK(e.modules.contains(Module::kEdi));
  CHECK(e.milestones.size() == 4);  // lot_setup waits for lot_tracking
  CHECK(e.period_end == kT0 + 30 * kDayMs);
  CHECK(Run(State{}, {Provision()}).status == Status::kProvisioning);
}

TEST_CASE("provisioning refuses uncertified production, suspended partners and plans without the modules",
          "[domain][tenant]") {
  CHECK(Refuse(Provision(Environment::kProduction, false), State{}) == RejectionCode::kNotCertified);
  auto sandbox = Accept(Provision(Environment::kSandbox, false), State{});
  CHECK(std::get<TenantProvisioned>(sandbox.at(0)).limits == Limits{1, 500, 5});  // reduced limits
  auto suspended = Provision();
  suspended.partner_active = false;
  CHECK(Refuse(suspended, State{}) == RejectionCode::kPartnerSuspended);
  auto small = Provision();
  small.plan = fx::Starter();
  CHECK(Refuse(small, State{}) == RejectionCode::kModuleNotEntitled);
  auto nameless = Provision();
  nameless.name.clear();
  CHECK(Refuse(nameless, State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Provision(), Onboarding()) == RejectionCode::kAlreadyExists);
  CHECK(Refuse(GoLive{kT0}, State{}) == RejectionCode::kNotFound);
}

TEST_CASE("go-live waits for every required milestone, each completed once", "[domain][tenant]") {
  auto s = Onboarding();
  CHECK(Refuse(GoLive{kT0}, s) == RejectionCode::kIllegalTransition);
  s = Run(s, {CompleteMilestone{"company_profile", "u1", kT0}});
  CHECK(Refuse(CompleteMilestone{"company_profile", "u1", kT0}, s) == RejectionCode::kAlreadyDone);
  CHECK(Refuse(CompleteMilestone{"moon_landing", "u1", kT0}, s) == RejectionCode::kNotFound);
  s = Run(s, {CompleteMilestone{"item_import", "u1", kT0}});
  auto open = Decide(GoLive{kT0}, s);
  REQUIRE_FALSE(open);
  CHECK(open.error().message.find("edi_partner_test") != std::string::npos);
  s = Run(s, {CompleteMilestone{"edi_partner_test", "u1", kT0}, GoLive{kT0}});  // training is optional
  CHECK(s.status == Status::kActive);
}

TEST_CASE("the lifecycle allows only its legal transitions", "[domain][tenant]") {
  auto provisioning = Run(State{}, {Provision()});
  CHECK(Refuse(GoLive{kT0}, provisioning) == RejectionCode::kIllegalTransition);
  CHECK(Refuse(SuspendTenant{"x", kT0}, provisioning) == RejectionCode::kIllegalTransition);
  auto active = Active();
  CHECK(Refuse(StartOnboarding{kT0}, active) == RejectionCode::kIllegalTransition);
  CHECK(Refuse(ReinstateTenant{kT0}, active) == RejectionCode::kIllegalTransition);
  CHECK(Refuse(SuspendTenant{"", kT0}, active) == RejectionCode::kInvalidArgument);
  auto suspended = Run(active, {SuspendTenant{"overdue", kT0}});
  CHECK(suspended.status == Status::kSuspended);
  CHECK(Refuse(ChangePlan{fx::Growth(), fx::Scale(), fx::Regional(), kT0}, suspended) == RejectionCode::kTenantSuspended);
  CHECK(Run(suspended, {ReinstateTenant{kT0}}).status == Status::kActive);
  auto terminated = Run(suspended, {TerminateTenant{"contract ended", kT0}});
  CHECK(terminated.status == Status::kTerminated);
  CHECK(Refuse(TerminateTenant{"again", kT0}, terminated) == RejectionCode::kTenantTerminated);
  CHECK(Refuse(ReinstateTenant{kT0}, terminated) == RejectionCode::kTenantTerminated);
}

TEST_CASE("modules are switched against the plan and bring their milestones", "[domain][tenant]") {
  auto s = Active();
  auto lots = Accept(ActivateModule{Module::kLotTracking, fx::Growth(), fx::Regional(), kT0}, s);
  const auto& e = std::get<ModuleActivated>(lots.at(0));
  REQUIRE(e.milestones.size() == 1);
  CHECK(e.milestones[0].id == "lot_setup");
  CHECK(Refuse(ActivateModule{Module::kLandedCost, fx::Growth(), fx::Regional(), kT0}, s) == RejectionCode::kModuleNotEntitled);
  CHECK(Refuse(ActivateModule{Module::kEdi, fx::Growth(), fx::Regional(), kT0}, s) == RejectionCode::kAlreadyDone);
  CHECK(Refuse(ActivateModule{Module::kLotTracking, fx::Scale(), fx::Regional(), kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Accept(DeactivateModule{Module::kEdi, kT0}, s) == std::vector<Event>{ModuleDeactivated{Module::kEdi, kT0}});
  CHECK(Refuse(DeactivateModule{Module::kLotTracking, kT0}, s) == RejectionCode::kNotFound);
  CHECK(Refuse(DeactivateModule{Module::kInventory, kT0}, s) == RejectionCode::kNotPermitted);
}

TEST_CASE("warehouses count against the limit and need multi_warehouse beyond one", "[domain][tenant]") {
  auto s = Run(Active(), {RegisterWarehouse{"w1", kT0}, RegisterWarehouse{"w2", kT0}, RegisterWarehouse{"w3", kT0}});
  CHECK(Accept(RegisterWarehouse{"w3", kT0}, s).empty());  // retry
  CHECK(Refuse(RegisterWarehouse{"w4", kT0}, s) == RejectionCode::kLimitExceeded);
  CHECK(Refuse(DeactivateModule{Module::kMultiWarehouse, kT0}, s) == RejectionCode::kLimitExceeded);
  auto single = Run(Active(), {DeactivateModule{Module::kMultiWarehouse, kT0}, RegisterWarehouse{"w1", kT0}});
  CHECK(Refuse(RegisterWarehouse{"w2", kT0}, single) == RejectionCode::kModuleNotEntitled);
}

TEST_CASE("an upgrade applies now with proration and adds modules and their milestones", "[domain][tenant]") {
  auto s = Active();
  auto events = Accept(ChangePlan{fx::Growth(), fx::Scale(), fx::Regional(), kT0 + 20 * kDayMs}, s);
  const auto& up = std::get<PlanUpgraded>(events.at(0));
  CHECK(up.proration == (249900 - 89900) * 10 / 30);  // ten of thirty days left
  CHECK(up.added_modules == std::set<Module>{Module::kLotTracking, Module::kLandedCost});
  REQUIRE(up.milestones.size() == 1);
  CHECK(up.milestones[0].id == "lot_setup");
  s = Evolve(s, events[0]);
  CHECK(s.plan == "scale");
  CHECK(s.limits == Limits{20, 150000, 200});
  CHECK(Refuse(ChangePlan{fx::Scale(), fx::Scale(), fx::Regional(), kT0}, s) == RejectionCode::kAlreadyDone);
  CHECK(Refuse(ChangePlan{fx::Growth(), fx::Scale(), fx::Regional(), kT0}, s) == RejectionCode::kInvalidArgument);
}

TEST_CASE("a downgrade waits for the period end and is blocked when it would drop what is in use",
          "[domain][tenant]") {
  auto s = Run(Active(), {RegisterWarehouse{"w1", kT0}});
  auto events = Accept(ChangePlan{fx::Growth(), fx::Starter(), fx::Regional(), kT0 + kDayMs}, s);
  const auto& down = std::get<PlanDowngradeScheduled>(events.at(0));
  CHECK(down.effective_at == kT0 + 30 * kDayMs);
  CHECK(down.removed_modules == std::set<Module>{Module::kMultiWarehouse, Module::kEdi});
  s = Evolve(s, events[0]);
  CHECK(s.plan == "growth");  // nothing changes before the period ends
  CHECK(Refuse(ChangePlan{fx::Growth(), fx::Scale(), fx::Regional(), kT0}, s) == RejectionCode::kIllegalTransition);
  CHECK(Refuse(RenewSubscription{kT0 + 29 * kDayMs}, s) == RejectionCode::kIllegalTransition);
  s = Run(s, {RenewSubscription{kT0 + 30 * kDayMs}});
  CHECK(s.plan == "starter");
  CHECK_FALSE(s.modules.contains(Module::kEdi));
  CHECK(s.period_start == kT0 + 30 * kDayMs);

  auto crowded = Run(Active(), {RegisterWarehouse{"w1", kT0}, RegisterWarehouse{"w2", kT0}});
  CHECK(Refuse(ChangePlan{fx::Growth(), fx::Starter(), fx::Regional(), kT0}, crowded) == RejectionCode::kLimitExceeded);
  auto blocked = Run(Active(), {SetPlanChangesBlocked{true, "invoice overdue", kT0}});
  CHECK(Refuse(ChangePlan{fx::Growth(), fx::Scale(), fx::Regional(), kT0}, blocked) == RejectionCode::kPlanChangesBlocked);
  // The refusal names who imposed the block: an operator's is not about overdue invoices.
  auto refusal = Decide(ChangePlan{fx::Growth(), fx::Scale(), fx::Regional(), kT0}, blocked);
  REQUIRE_FALSE(refusal);
  CHECK(refusal.error().message.find("operator") != std::string::npos);
  CHECK(refusal.error().message.find("overdue") == std::string::npos);
}

TEST_CASE("a downgrade takes away the modules that came with the bigger plan, not only those it forbids",
          "[domain][tenant]") {
  // growth -> scale brings lot_tracking and landed_cost; back to growth, lot_tracking would be an
  // add-on there (billed), but nobody bought it: it goes with the plan that brought it.
  auto up = Run(Active(), {ChangePlan{fx::Growth(), fx::Scale(), fx::Regional(), kT0 + kDayMs}});
  REQUIRE(up.modules.contains(Module::kLotTracking));
  auto events = Accept(ChangePlan{fx::Scale(), fx::Growth(), fx::Regional(), kT0 + 2 * kDayMs}, up);
  const auto& down = std::get<PlanDowngradeScheduled>(events.at(0));
  CHECK(down.removed_modules.contains(Module::kLotTracking));
  CHECK(down.removed_modules.contains(Module::kLandedCost));
  auto after = Run(Evolve(up, events[0]), {RenewSubscription{up.period_end}});
  CHECK(after.plan == "growth");
  for (Module m : after.modules) CHECK((fx::Growth().modules.contains(m) || fx::Regional().modules.contains(m)));
}

TEST_CASE("renewal starts a new period, cancellation ends the tenant at period end", "[domain][tenant]") {
  auto s = Run(Active(), {RecordUsage{120, 5000, kT0}});
  CHECK(s.period_orders == 120);
  CHECK(Refuse(RecordUsage{-1, 0, kT0}, s) == RejectionCode::kInvalidArgument);
  auto renewed = Run(s, {RenewSubscription{kT0 + 30 * kDayMs}});
  CHECK(renewed.period_orders == 0);
  CHECK(renewed.period_end == kT0 + 60 * kDayMs);
  auto cancelled = Run(s, {CancelSubscription{"moving to another ERP", kT0}});
  CHECK(Refuse(CancelSubscription{"again", kT0}, cancelled) == RejectionCode::kAlreadyDone);
  CHECK(Run(cancelled, {RenewSubscription{kT0 + 30 * kDayMs}}).status == Status::kTerminated);
}

TEST_CASE("the monthly order limit is visible to the gateway", "[domain][tenant]") {
  auto s = Run(State{}, {Provision(Environment::kSandbox, false), StartOnboarding{kT0}});
  CHECK(OrderWithinLimit(s));
  s = Run(s, {RecordUsage{500, 0, kT0}});
  CHECK_FALSE(OrderWithinLimit(s));
}

TEST_CASE("tickets open and resolve once", "[domain][tenant]") {
  auto s = Run(Active(), {OpenTicket{"T-1", "cannot print labels", "high", kT0}});
  CHECK(Refuse(OpenTicket{"T-1", "again", "low", kT0}, s) == RejectionCode::kAlreadyExists);
  CHECK(Refuse(OpenTicket{"T-2", "", "low", kT0}, s) == RejectionCode::kInvalidArgument);
  s = Run(s, {ResolveTicket{"T-1", kT0}});
  CHECK(Refuse(ResolveTicket{"T-1", kT0}, s) == RejectionCode::kNotFound);
  CHECK(s.tickets_opened == 1);
}

TEST_CASE("integration failures and latency breaches are routed to the role the rules name",
          "[domain][tenant]") {
  auto s = Active();
  const auto rules = fx::Regional().workflow;
  auto failed = Accept(RecordIntegrationFailure{Integration::kEdi, "AS2 handshake refused", rules, kT0}, s);
  CHECK(std::get<IntegrationFailed>(failed.at(0)).routed_to == "implementation");
  CHECK(Refuse(RecordIntegrationFailure{Integration::kMarketplace, "x", rules, kT0}, s) == RejectionCode::kModuleNotEntitled);
  CHECK(Refuse(RecordIntegrationFailure{Integration::kEdi, "", rules, kT0}, s) == RejectionCode::kInvalidArgument);
  s = Evolve(s, failed[0]);
  CHECK(Accept(RecordIntegrationRecovery{Integration::kEdi, kT0}, s).size() == 1);
  CHECK(Accept(RecordIntegrationRecovery{Integration::kMarketplace, kT0}, s).empty());
  CHECK(Accept(RecordSyncLatency{Integration::kEdi, 1000, rules, kT0}, s).empty());
  auto slow = Accept(RecordSyncLatency{Integration::kEdi, 300000, rules, kT0}, s);
  CHECK(std::get<SyncLatencyBreached>(slow.at(0)).routed_to == "partner_support");
  // A latency of an integration the tenant has no module for is refused as a failure of it is.
  CHECK(Refuse(RecordSyncLatency{Integration::kMarketplace, 300000, rules, kT0}, s) == RejectionCode::kModuleNotEntitled);
}

TEST_CASE("a template upgrade must keep every module and fit what the tenant uses", "[domain][tenant]") {
  auto s = Active();
  auto v2 = fx::Regional(2);
  v2.modules.insert(Module::kLotTracking);
  v2.limits = {5, 20000, 40};
  auto upgraded = Accept(UpgradeTemplate{v2, fx::Growth(), kT0}, s);
  CHECK(std::get<TemplateUpgraded>(upgraded.at(0)).limits == Limits{5, 20000, 40});
  s = Evolve(s, upgraded[0]);
  CHECK(s.template_version == 2);
  CHECK(Refuse(UpgradeTemplate{v2, fx::Growth(), kT0}, s) == RejectionCode::kIncompatibleTemplate);  // not newer
  auto v3 = fx::Regional(3);
  v3.modules.erase(Module::kEdi);
  CHECK(Refuse(UpgradeTemplate{v3, fx::Growth(), kT0}, s) == RejectionCode::kIncompatibleTemplate);
  auto other = fx::Regional(3);
  other.id = "ecommerce-merchant";
  CHECK(Refuse(UpgradeTemplate{other, fx::Growth(), kT0}, s) == RejectionCode::kIncompatibleTemplate);
  auto tight = fx::Regional(3);
  tight.limits = {1, 15000, 30};
  auto busy = Run(s, {RegisterWarehouse{"w1", kT0}, RegisterWarehouse{"w2", kT0}});
  CHECK(Refuse(UpgradeTemplate{tight, fx::Growth(), kT0}, busy) == RejectionCode::kIncompatibleTemplate);
}

TEST_CASE("a template upgrade brings the new version's modules and their milestones", "[domain][tenant]") {
  const auto s = Active();
  REQUIRE_FALSE(s.modules.contains(Module::kLotTracking));
  auto v2 = fx::Regional(2);
  v2.modules.insert(Module::kLotTracking);  // growth offers lot tracking as an add-on
  auto events = Accept(UpgradeTemplate{v2, fx::Growth(), kT0}, s);
  const auto& e = std::get<TemplateUpgraded>(events.at(0));
  CHECK(e.added_modules == std::set<Module>{Module::kLotTracking});
  REQUIRE(e.milestones.size() == 1);
  CHECK(e.milestones[0].id == "lot_setup");
  CHECK_FALSE(e.milestones[0].done);
  const auto after = Evolve(s, events[0]);
  CHECK(after.modules.contains(Module::kLotTracking));
  CHECK(after.modules.contains(Module::kEdi));
  CHECK(std::count_if(after.milestones.begin(), after.milestones.end(), [](const auto& m) { return m.id == "lot_setup"; }) == 1);
  // A module the tenant's plan does not offer at all makes the version incompatible for it.
  auto v3 = fx::Regional(3);
  v3.modules.insert(Module::kCrmIntegration);
  CHECK(Refuse(UpgradeTemplate{v3, fx::Growth(), kT0}, s) == RejectionCode::kIncompatibleTemplate);
  CHECK(Refuse(UpgradeTemplate{v2, fx::Scale(), kT0}, s) == RejectionCode::kInvalidArgument);  // not the tenant's plan
}

TEST_CASE("random tenant command sequences fold to the same state and keep limits",
          "[domain][tenant][property]") {
  std::mt19937 rng(GENERATE(21u, 22u, 23u, 24u, 25u));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  State s;
  std::vector<Event> log;
  int accepted = 0;
  auto apply = [&](const Command& c) {
    auto d = Decide(c, s);
    if (!d) return;
    ++accepted;
    for (const auto& e : *d) {
      s = Evolve(std::move(s), e);
      log.push_back(e);
    }
  };
  apply(Provision());
  const std::vector<Plan> plans{fx::Starter(), fx::Growth(), fx::Scale()};
  const std::vector<std::string> milestones{"company_profile", "item_import", "edi_partner_test", "lot_setup", "training"};
  Timestamp now = kT0;
  for (int step = 0; step < 300; ++step) {
    now += pick(3) * kDayMs;
    const Plan& current = *std::find_if(plans.begin(), plans.end(), [&](const Plan& p) { return p.id == s.plan; });
    switch (pick(12)) {
      case 0: apply(StartOnboarding{now}); break;
      case 1: apply(CompleteMilestone{milestones[static_cast<std::size_t>(pick(5))], "u", now}); break;
      case 2: apply(GoLive{now}); break;
      case 3: if (pick(5) == 0) apply(SuspendTenant{"x", now}); else apply(ReinstateTenant{now}); break;
      case 4: apply(ActivateModule{kAllModules[pick(10)], current, fx::Regional(), now}); break;
      case 5: apply(DeactivateModule{kAllModules[pick(10)], now}); break;
      case 6: apply(ChangePlan{current, plans[static_cast<std::size_t>(pick(3))], fx::Regional(), now}); break;
      case 7: apply(RegisterWarehouse{"w" + std::to_string(pick(8)), now}); break;
      case 8: apply(RecordUsage{pick(100), pick(1000), now}); break;
      case 9: apply(RenewSubscription{now}); break;
      case 10: apply(OpenTicket{"T" + std::to_string(pick(5)), "s", "low", now}); break;
      default: apply(ResolveTicket{"T" + std::to_string(pick(5)), now}); break;
    }
    if (static_cast<std::int64_t>(s.warehouses.size()) > s.limits.warehouses && !s.pending_downgrade) {
      // a downgrade only takes effect at renewal, and Decide refuses one that does not fit
      FAIL("more warehouses than the limit at step " << step);
    }
    if (!s.modules.contains(Module::kInventory)) FAIL("inventory switched off at step " << step);
  }
  CHECK(accepted > 50);
  State folded;
  for (const auto& e : log) folded = Evolve(std::move(folded), e);
  CHECK(folded == s);
}

TEST_CASE("latency readings must be non-negative", "[domain][tenant]") {
  CHECK(Refuse(RecordSyncLatency{Integration::kEdi, -5, fx::Regional().workflow, kT0}, Active()) ==
        RejectionCode::kInvalidArgument);
}

TEST_CASE("the lifecycle table says what each tenant state admits", "[domain][tenant][lifecycle]") {
  using keel::domain::lifecycle::Activity;
  using keel::domain::lifecycle::ActivityName;
  using keel::domain::lifecycle::TenantAdmits;
  std::string table;
  for (Status st : {Status::kProvisioning, Status::kOnboarding, Status::kActive, Status::kSuspended, Status::kTerminated}) {
    table += std::string(StatusName(st)) + ":";
    for (int a = 0; a <= static_cast<int>(Activity::kRecord); ++a) {
      if (!TenantAdmits(st, static_cast<Activity>(a))) table += " " + std::string(ActivityName(static_cast<Activity>(a)));
    }
    table += "\n";
  }
  CHECK(table ==
        "provisioning: read operate set_up account suspend reinstate terminate pay support billing_cycle revoke_access roll_back record\n"
        "onboarding: read operate set_up account suspend reinstate terminate pay support billing_cycle revoke_access roll_back record\n"
        "active: read operate set_up account suspend reinstate terminate pay support billing_cycle revoke_access roll_back record\n"
        "suspended: read suspend reinstate terminate pay support billing_cycle revoke_access roll_back record\n"
        "terminated: read revoke_access record\n");
}

TEST_CASE("a suspended tenant refuses its business but keeps its billing and support", "[domain][tenant][lifecycle]") {
  auto suspended = Run(Active(), {SuspendTenant{"overdue", kT0}});
  CHECK(Refuse(RegisterWarehouse{"w9", kT0}, suspended) == RejectionCode::kTenantSuspended);
  CHECK(Refuse(ActivateModule{Module::kLotTracking, fx::Growth(), fx::Regional(), kT0}, suspended) ==
        RejectionCode::kTenantSuspended);
  CHECK(Refuse(CancelSubscription{"bye", kT0}, suspended) == RejectionCode::kTenantSuspended);
  CHECK(Refuse(RecordIntegrationFailure{Integration::kEdi, "down", {}, kT0}, suspended) == RejectionCode::kTenantSuspended);
  CHECK(Refuse(SuspendTenant{"again", kT0}, suspended) == RejectionCode::kIllegalTransition);
  // An operator takes over a suspension dunning imposed; reinstatement then returns to the state before.
  auto by_dunning = Run(Active(), {SuspendTenant{"overdue", kT0, ImposedBy::kDunning}});
  auto taken = Run(by_dunning, {SuspendTenant{"fraud check", kT0}});
  CHECK(taken.suspended_by == ImposedBy::kOperator);
  CHECK(Decide(ReinstateTenant{kT0, ImposedBy::kDunning}, taken)->empty());  // paying no longer lifts it
  CHECK(Run(taken, {ReinstateTenant{kT0}}).status == Status::kActive);
  // Admitted: support, the billing cycle's own steps, metering of what was placed, reinstatement.
  CHECK(Accept(OpenTicket{"tk1", "help", "high", kT0}, suspended).size() == 1);
  CHECK(Accept(SetPlanChangesBlocked{true, "dunning", kT0}, suspended).size() == 1);
  CHECK(Refuse(RecordUsage{0, 10, kT0}, suspended) == RejectionCode::kTenantSuspended);  // a client's report
  CHECK(Accept(MeterOrder{"o1", 42, kT0}, suspended).size() == 1);  // an order placed before the suspension
  CHECK(Accept(RenewSubscription{suspended.period_end}, suspended).size() == 1);
  CHECK(Accept(ReinstateTenant{kT0}, suspended).size() == 1);
  CHECK(Accept(TerminateTenant{"ended", kT0}, suspended).size() == 1);

  auto terminated = Run(suspended, {TerminateTenant{"ended", kT0}});
  CHECK(Refuse(OpenTicket{"tk2", "help", "high", kT0}, terminated) == RejectionCode::kTenantTerminated);
  CHECK(Refuse(RecordUsage{0, 1, kT0}, terminated) == RejectionCode::kTenantTerminated);
  CHECK(Accept(MeterOrder{"o1", 42, kT0}, terminated).size() == 1);
  CHECK(Refuse(RenewSubscription{terminated.period_end}, terminated) == RejectionCode::kTenantTerminated);
}

TEST_CASE("dunning lifts only a suspension dunning imposed, and says so", "[domain][tenant][dunning]") {
  const auto by_dunning = Run(Active(), {SuspendTenant{"invoice INV-1 overdue", kT0, ImposedBy::kDunning}});
  CHECK(by_dunning.suspended_by == ImposedBy::kDunning);
  const auto lift = Accept(ReinstateTenant{kT0 + kDayMs, ImposedBy::kDunning}, by_dunning);
  REQUIRE(lift.size() == 1);
  CHECK(std::get<TenantReinstated>(lift[0]) == TenantReinstated{kT0 + kDayMs, ImposedBy::kDunning});
  CHECK(Evolve(by_dunning, lift[0]).status == Status::kActive);

  const auto by_hand = Run(Active(), {SuspendTenant{"fraud review", kT0}});
  CHECK(by_hand.suspended_by == ImposedBy::kOperator);
  CHECK(Accept(ReinstateTenant{kT0, ImposedBy::kDunning}, by_hand).empty());  // stays suspended
  CHECK(Accept(ReinstateTenant{kT0, ImposedBy::kDunning}, Active()).empty());   // nothing to lift
  CHECK(Run(by_hand, {ReinstateTenant{kT0}}).status == Status::kActive);        // the operator lifts it
  CHECK(Run(by_dunning, {ReinstateTenant{kT0}}).status == Status::kActive);     // and may lift dunning's too
}

TEST_CASE("dunning unblocks plan changes only where dunning blocked them", "[domain][tenant][dunning]") {
  const SetPlanChangesBlocked dunning_block{true, "invoice INV-1 overdue", kT0, ImposedBy::kDunning};
  const SetPlanChangesBlocked dunning_unblock{false, "no invoice is overdue", kT0, ImposedBy::kDunning};
  const auto blocked = Run(Active(), {dunning_block});
  CHECK(blocked.plan_changes_blocked_by == ImposedBy::kDunning);
  const auto lift = Accept(dunning_unblock, blocked);
  REQUIRE(lift.size() == 1);
  CHECK(std::get<PlanChangesBlockedSet>(lift[0]).by == ImposedBy::kDunning);
  CHECK_FALSE(Evolve(blocked, lift[0]).plan_changes_blocked);
  CHECK(Accept(dunning_unblock, Active()).empty());

  // An operator's block stays, also when dunning blocked first and the operator then took it over.
  const auto by_hand = Run(Active(), {SetPlanChangesBlocked{true, "contract review", kT0}});
  CHECK(Accept(dunning_unblock, by_hand).empty());
  CHECK(Accept(dunning_block, by_hand).empty());  // dunning leaves the operator's block as it is
  const auto taken_over = Run(blocked, {SetPlanChangesBlocked{true, "contract review", kT0}});
  CHECK(taken_over.plan_changes_blocked_by == ImposedBy::kOperator);
  CHECK(Accept(dunning_unblock, taken_over).empty());
  CHECK_FALSE(Run(taken_over, {SetPlanChangesBlocked{false, "reviewed", kT0}}).plan_changes_blocked);
}

TEST_CASE("a period remembers the plan it opened with across upgrades until it renews", "[domain][tenant]") {
  auto s = Active();
  CHECK(s.opening_plan == "growth");
  s = Run(s, {ChangePlan{fx::Growth(), fx::Scale(), fx::Regional(), s.period_start + kDayMs}});
  CHECK(s.plan == "scale");
  CHECK(s.opening_plan == "growth");
  s = Run(s, {RenewSubscription{s.period_end}});
  CHECK(s.opening_plan == "scale");
}
