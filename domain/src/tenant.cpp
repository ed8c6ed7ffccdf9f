// Tenant decider (see tenant.hpp): one small handler per command, Evolve without rules.
#include "domain/tenant.hpp"

#include "decider_support.hpp"

#include <algorithm>

#include "domain/billing_rules.hpp"
#include "domain/lifecycle.hpp"
#include "tenant_extensions.hpp"
#include "tenant_templates.hpp"
#include "tenant_tickets.hpp"

namespace keel::domain::tenant {
namespace {

using R = RejectionCode;

Decision<Event> One(Event e) { return std::vector<Event>{std::move(e)}; }

Rejection Illegal(const State& s, std::string_view what) {
  return Rejection{R::kIllegalTransition, "cannot " + std::string(what) + " a tenant that is " +
                                              std::string(StatusName(s.status))};
}

bool Live(const State& s) { return s.status == Status::kOnboarding || s.status == Status::kActive; }

// Milestones of `segment` that belong to `module` (or to no module when `module` is empty) and that
// the tenant does not have yet.
std::vector<MilestoneState> MilestonesFor(const SegmentTemplate& segment, const std::set<Module>& modules,
                                          const std::vector<MilestoneState>& have) {
  std::vector<MilestoneState> out;
  for (const auto& m : segment.milestones) {
    const bool applies = !m.module || modules.contains(*m.module);
    const bool known = std::any_of(have.begin(), have.end(), [&](const auto& h) { return h.id == m.id; });
    if (applies && !known) out.push_back({m.id, m.required, false});
  }
  return out;
}

std::string RoutingKey(Integration i) { return i == Integration::kEdi ? "edi_failure" : "marketplace_failure"; }
Module ModuleOf(Integration i) { return i == Integration::kEdi ? Module::kEdi : Module::kMarketplaceConnectors; }

std::string RouteTo(const WorkflowRules& rules, const std::string& kind) {
  auto it = rules.exception_routing.find(kind);
  return it == rules.exception_routing.end() ? "partner_support" : it->second;
}

Decision<Event> Provision(const ProvisionTenant& c, const State& s) {
  if (s.status != Status::kNone) return Reject(R::kAlreadyExists, "tenant " + s.id + " already exists");
  if (c.id.empty() || c.partner.empty() || c.name.empty()) {
    return Reject(R::kInvalidArgument, "a tenant needs an id, a partner and a name");
  }
  if (auto refused = lifecycle::PartnerAdmits(!c.partner_active, lifecycle::PartnerActivity::kOwnWrite))
    return std::unexpected(*refused);
  if (c.environment == Environment::kProduction && !c.partner_certified) {
    return Reject(R::kNotCertified, "partner " + c.partner + " is not certified: sandbox tenants only");
  }
  if (c.segment.id.empty() || c.segment.version < 1) return Reject(R::kInvalidArgument, "a segment template is required");
  if (c.plan.id.empty()) return Reject(R::kInvalidArgument, "a plan is required");
  for (Module m : c.segment.modules) {
    if (!c.plan.Allows(m)) {
      return Reject(R::kModuleNotEntitled, "plan " + c.plan.id + " does not offer " + std::string(ModuleName(m)));
    }
  }
  TenantProvisioned e;
  e.id = c.id;
  e.partner = c.partner;
  e.name = c.name;
  e.template_id = c.segment.id;
  e.template_version = c.segment.version;
  e.plan = c.plan.id;
  e.plan_rank = c.plan.rank;
  e.tier = c.segment.tier;
  e.deployment = c.segment.deployment;
  e.environment = c.environment;
  e.modules = c.segment.modules;
  e.limits = c.environment == Environment::kSandbox ? c.segment.sandbox_limits : c.segment.limits;
  e.milestones = MilestonesFor(c.segment, c.segment.modules, {});
  e.period_start = c.at;
  e.period_end = c.at + c.segment.billing_period_days * kDayMs;
  e.at = c.at;
  return One(std::move(e));
}

Decision<Event> Complete(const CompleteMilestone& c, const State& s) {
  if (!Live(s) && s.status != Status::kProvisioning) return std::unexpected(Illegal(s, "complete milestones of"));
  auto it = std::find_if(s.milestones.begin(), s.milestones.end(), [&](const auto& m) { return m.id == c.milestone; });
  if (it == s.milestones.end()) return Reject(R::kNotFound, "no milestone '" + c.milestone + "'");
  if (it->done) return Reject(R::kAlreadyDone, "milestone '" + c.milestone + "' is already complete");
  return One(MilestoneCompleted{c.milestone, c.by, c.at});
}

Decision<Event> GoLiveNow(const GoLive& c, const State& s) {
  if (s.status != Status::kOnboarding) return std::unexpected(Illegal(s, "take live"));
  std::string missing;
  for (const auto& m : s.milestones) {
    if (m.required && !m.done) missing += (missing.empty() ? "" : ", ") + m.id;
  }
  if (!missing.empty()) return Reject(R::kIllegalTransition, "required milestones are open: " + missing);
  return One(TenantWentLive{c.at});
}

Decision<Event> Activate(const ActivateModule& c, const State& s) {
  if (!Live(s)) return std::unexpected(Illegal(s, "change modules of"));
  if (c.plan.id != s.plan) return Reject(R::kInvalidArgument, "the command carries another plan than the tenant's");
  if (s.modules.contains(c.module)) return Reject(R::kAlreadyDone, std::string(ModuleName(c.module)) + " is already active");
  if (!c.plan.Allows(c.module)) {
    return Reject(R::kModuleNotEntitled, "plan " + s.plan + " does not offer " + std::string(ModuleName(c.module)));
  }
  if (c.module == Module::kLandedCost && !s.modules.contains(Module::kInventory)) {
    return Reject(R::kModuleNotEntitled, "landed_cost needs inventory");
  }
  auto modules = s.modules;
  modules.insert(c.module);
  return One(ModuleActivated{c.module, MilestonesFor(c.segment, modules, s.milestones), c.at});
}

Decision<Event> Deactivate(const DeactivateModule& c, const State& s) {
  if (!Live(s)) return std::unexpected(Illegal(s, "change modules of"));
  if (!s.modules.contains(c.module)) return Reject(R::kNotFound, std::string(ModuleName(c.module)) + " is not active");
  if (c.module == Module::kInventory) return Reject(R::kNotPermitted, "inventory cannot be switched off");
  if (c.module == Module::kMultiWarehouse && s.warehouses.size() > 1) {
    return Reject(R::kLimitExceeded, "the tenant has more than one warehouse");
  }
  return One(ModuleDeactivated{c.module, c.at});
}

Decision<Event> Change(const ChangePlan& c, const State& s) {
  if (!Live(s)) return std::unexpected(Illegal(s, "change the plan of"));
  if (s.plan_changes_blocked)
    return Reject(R::kPlanChangesBlocked, s.plan_changes_blocked_by == ImposedBy::kDunning
                                              ? "plan changes are blocked until overdue invoices are paid"
                                              : "plan changes are blocked by an operator until the block is lifted");
  if (c.current.id != s.plan) return Reject(R::kInvalidArgument, "the command carries another current plan");
  if (c.target.id == s.plan) return Reject(R::kAlreadyDone, "the tenant is already on plan " + s.plan);
  if (s.pending_downgrade) return Reject(R::kIllegalTransition, "a downgrade is already scheduled");
  if (static_cast<std::int64_t>(s.warehouses.size()) > c.target.limits.warehouses) {
    return Reject(R::kLimitExceeded, "plan " + c.target.id + " allows fewer warehouses than the tenant has");
  }
  if (c.target.rank > c.current.rank) {
    PlanUpgraded e{s.plan, c.target.id, c.target.rank, 0, {}, {}, c.target.limits, c.at};
    if (s.environment == Environment::kSandbox) e.limits = s.limits;  // sandboxes keep reduced limits
    if (s.environment == Environment::kProduction) {
      const std::int64_t period_days = std::max<std::int64_t>(1, (s.period_end - s.period_start) / kDayMs);
      e.proration = billing::UpgradeProration(c.current, c.target, s.deployment, c.at, s.period_end, period_days);
    }
    auto modules = s.modules;
    for (Module m : c.target.modules) {
      if (!s.modules.contains(m)) {
        e.added_modules.insert(m);
        modules.insert(m);
      }
    }
    e.milestones = MilestonesFor(c.segment, modules, s.milestones);
    return One(std::move(e));
  }
  PlanDowngradeScheduled e{s.plan, c.target.id, c.target.rank, {}, c.target.limits, s.period_end, c.at};
  if (s.environment == Environment::kSandbox) e.limits = s.limits;
  for (Module m : s.modules) {
    if (!c.target.Allows(m)) e.removed_modules.insert(m);
    // A module that came with the current plan (included there, not in the target plan, and not one
    // of the template's own) goes with it: kept, it would be billed as an add-on nobody bought.
    const bool came_with_plan = c.current.modules.contains(m) && !c.target.modules.contains(m) &&
                                !c.segment.modules.contains(m);
    if (came_with_plan) e.removed_modules.insert(m);
  }
  if (e.removed_modules.contains(Module::kInventory)) return Reject(R::kInvalidArgument, "every plan keeps inventory");
  return One(std::move(e));
}

Decision<Event> Register(const RegisterWarehouse& c, const State& s) {
  if (!Live(s)) return std::unexpected(Illegal(s, "add warehouses to"));
  if (c.warehouse.empty()) return Reject(R::kInvalidArgument, "a warehouse needs an id");
  if (s.warehouses.contains(c.warehouse)) return std::vector<Event>{};  // retry
  if (!s.warehouses.empty() && !s.modules.contains(Module::kMultiWarehouse)) {
    return Reject(R::kModuleNotEntitled, "a second warehouse needs multi_warehouse");
  }
  if (static_cast<std::int64_t>(s.warehouses.size()) >= s.limits.warehouses) {
    return Reject(R::kLimitExceeded, "the plan allows " + std::to_string(s.limits.warehouses) + " warehouses");
  }
  return One(WarehouseRegistered{c.warehouse, c.at});
}

Decision<Event> Renew(const RenewSubscription& c, const State& s) {
  if (s.status == Status::kTerminated || s.status == Status::kNone) return std::unexpected(Illegal(s, "renew"));
  if (c.at < s.period_end) return Reject(R::kIllegalTransition, "the period has not ended yet");
  if (s.cancelled) return One(TenantTerminated{"subscription cancelled", c.at});
  const Timestamp length = s.period_end - s.period_start;
  SubscriptionRenewed e{s.period_end, s.period_end + length, s.plan, s.plan_rank, s.modules, s.limits, c.at};
  if (s.pending_downgrade) {
    e.plan = s.pending_downgrade->to;
    e.plan_rank = s.pending_downgrade->rank;
    e.limits = s.pending_downgrade->limits;
    for (Module m : s.pending_downgrade->removed_modules) e.modules.erase(m);
  }
  return One(std::move(e));
}

Decision<Event> Failure(const RecordIntegrationFailure& c, const State& s) {
  if (!Live(s)) return std::unexpected(Illegal(s, "record integration health of"));
  if (!s.modules.contains(ModuleOf(c.integration))) {
    return Reject(R::kModuleNotEntitled, std::string(ModuleName(ModuleOf(c.integration))) + " is not active");
  }
  if (c.detail.empty()) return Reject(R::kInvalidArgument, "a failure needs a detail");
  return One(IntegrationFailed{c.integration, c.detail, RouteTo(c.rules, RoutingKey(c.integration)), c.at});
}

Decision<Event> Latency(const RecordSyncLatency& c, const State& s) {
  if (!Live(s)) return std::unexpected(Illegal(s, "record integration health of"));
  // As for failures: an integration's health is recorded only for a module the tenant has.
  if (!s.modules.contains(ModuleOf(c.integration))) {
    return Reject(R::kModuleNotEntitled, std::string(ModuleName(ModuleOf(c.integration))) + " is not active");
  }
  if (c.latency_ms < 0) return Reject(R::kInvalidArgument, "latency must not be negative");
  if (c.rules.sync_latency_threshold_ms <= 0 || c.latency_ms <= c.rules.sync_latency_threshold_ms) {
    return std::vector<Event>{};  // within bounds: nothing to record
  }
  return One(SyncLatencyBreached{c.integration, c.latency_ms, RouteTo(c.rules, "sync_latency"), c.at});
}

Decision<Event> Upgrade(const UpgradeTemplate& c, const State& s) {
  if (!Live(s)) return std::unexpected(Illegal(s, "upgrade the template of"));
  if (c.segment.id != s.template_id) return Reject(R::kIncompatibleTemplate, "a tenant stays on its segment's template");
  if (c.segment.version <= s.template_version) {
    return Reject(R::kIncompatibleTemplate, "version " + std::to_string(c.segment.version) + " is not newer");
  }
  for (Module m : s.modules) {
    if (!c.segment.modules.contains(m) && !c.plan.modules.contains(m)) {  // the plan's own stay
      return Reject(R::kIncompatibleTemplate, "the new version drops module " + std::string(ModuleName(m)) + " in use");
    }
  }
  if (c.plan.id != s.plan) return Reject(R::kInvalidArgument, "the command carries another plan than the tenant's");
  std::set<Module> added;
  for (Module m : c.segment.modules) {
    if (s.modules.contains(m)) continue;
    if (!c.plan.Allows(m)) {
      return Reject(R::kIncompatibleTemplate, "version " + std::to_string(c.segment.version) + " brings module " +
                                                  std::string(ModuleName(m)) + ", which plan " + s.plan + " does not offer");
    }
    added.insert(m);
  }
  const Limits& next = s.environment == Environment::kSandbox ? c.segment.sandbox_limits : c.segment.limits;
  if (next.warehouses < static_cast<std::int64_t>(s.warehouses.size()) || next.monthly_orders < s.period_orders) {
    return Reject(R::kIncompatibleTemplate, "the new version's limits are below what the tenant uses");
  }
  // Nothing the tenant has shrinks: each limit is the larger of what it has and what the version gives.
  const Limits limits{std::max(next.warehouses, s.limits.warehouses), std::max(next.monthly_orders, s.limits.monthly_orders),
                      std::max(next.api_rps, s.limits.api_rps)};
  // The milestones of the modules it adds (its other milestones belong to an onboarding that is over).
  std::vector<MilestoneState> milestones;
  auto all = s.modules;
  all.insert(added.begin(), added.end());
  for (auto& m : MilestonesFor(c.segment, all, s.milestones)) {
    for (const auto& def : c.segment.milestones) {
      if (def.id == m.id && def.module && added.contains(*def.module)) milestones.push_back(m);
    }
  }
  return One(TemplateUpgraded{c.segment.id, c.segment.version, limits, c.at, added, milestones});
}

// Dunning lifts only what dunning imposed, and does so idempotently (a no-op when nothing is left).
Decision<Event> Reinstate(const ReinstateTenant& c, const State& s) {
  if (c.by == ImposedBy::kDunning) {
    if (s.status != Status::kSuspended || s.suspended_by != ImposedBy::kDunning) return std::vector<Event>{};
    return One(TenantReinstated{c.at, c.by});
  }
  if (s.status != Status::kSuspended) return std::unexpected(Illegal(s, "reinstate"));
  return One(TenantReinstated{c.at, c.by});
}

Decision<Event> Block(const SetPlanChangesBlocked& c, const State& s) {
  const bool dunning = c.by == ImposedBy::kDunning;
  if (s.plan_changes_blocked == c.blocked) {
    // An operator's block takes over a block dunning imposed; anything else is already so.
    const bool takes_over = c.blocked && !dunning && s.plan_changes_blocked_by == ImposedBy::kDunning;
    if (!takes_over) return std::vector<Event>{};
  } else if (dunning && !c.blocked && s.plan_changes_blocked_by != ImposedBy::kDunning) {
    return std::vector<Event>{};  // an operator's block stays until an operator lifts it
  }
  return One(PlanChangesBlockedSet{c.blocked, c.reason, c.at, c.by});
}

}  // namespace

std::string_view ImposedByName(ImposedBy b) { return b == ImposedBy::kDunning ? "dunning" : "operator"; }

std::string_view StatusName(Status s) {
  switch (s) {
    case Status::kNone: return "not provisioned";
    case Status::kProvisioning: return "provisioning";
    case Status::kOnboarding: return "onboarding";
    case Status::kActive: return "active";
    case Status::kSuspended: return "suspended";
    case Status::kTerminated: return "terminated";
  }
  return "unknown";
}

bool OrderWithinLimit(const State& s) { return Live(s) && s.period_orders < s.limits.monthly_orders; }

Decision<Event> Decide(const Command& command, const State& s) {
  if (!std::holds_alternative<ProvisionTenant>(command) && s.status == Status::kNone) {
    return Reject(R::kNotFound, "the tenant does not exist");
  }
  if (auto refused = lifecycle::TenantAdmits(s.status, lifecycle::ActivityOf(command))) return std::unexpected(*refused);
  return std::visit(
      Overloaded{
          [&](const ProvisionTenant& c) { return Provision(c, s); },
          [&](const StartOnboarding& c) -> Decision<Event> {
            if (s.status != Status::kProvisioning) return std::unexpected(Illegal(s, "start onboarding"));
            return One(OnboardingStarted{c.at});
          },
          [&](const CompleteMilestone& c) { return Complete(c, s); },
          [&](const GoLive& c) { return GoLiveNow(c, s); },
          [&](const SuspendTenant& c) -> Decision<Event> {
            // An operator takes over a suspension dunning imposed, so paying no longer lifts it.
            const bool takes_over = s.status == Status::kSuspended && s.suspended_by == ImposedBy::kDunning &&
                                    c.by == ImposedBy::kOperator;
            if (!Live(s) && !takes_over) return std::unexpected(Illegal(s, "suspend"));
            if (c.reason.empty()) return Reject(R::kInvalidArgument, "a suspension needs a reason");
            return One(TenantSuspended{c.reason, c.at, c.by});
          },
          [&](const ReinstateTenant& c) { return Reinstate(c, s); },
          [&](const TerminateTenant& c) -> Decision<Event> {
            if (s.status == Status::kTerminated) return std::unexpected(Illegal(s, "terminate"));
            if (c.reason.empty()) return Reject(R::kInvalidArgument, "a termination needs a reason");
            return One(TenantTerminated{c.reason, c.at});
          },
          [&](const ActivateModule& c) { return Activate(c, s); },
          [&](const DeactivateModule& c) { return Deactivate(c, s); },
          [&](const ChangePlan& c) { return Change(c, s); },
          [&](const RegisterWarehouse& c) { return Register(c, s); },
          [&](const RecordUsage& c) -> Decision<Event> {
            if (s.status == Status::kTerminated) return std::unexpected(Illegal(s, "record usage of"));
            if (c.orders < 0 || c.api_calls < 0) return Reject(R::kInvalidArgument, "usage must not be negative");
            if (c.orders == 0 && c.api_calls == 0) return std::vector<Event>{};  // nothing used: nothing to record
            return One(UsageRecorded{c.orders, c.api_calls, s.period_start, c.at});
          },
          [&](const RenewSubscription& c) { return Renew(c, s); },
          [&](const CancelSubscription& c) -> Decision<Event> {
            if (s.status == Status::kTerminated) return std::unexpected(Illegal(s, "cancel"));
            if (s.cancelled) return Reject(R::kAlreadyDone, "the subscription is already cancelled");
            return One(SubscriptionCancelled{c.reason, s.period_end, c.at});
          },
          [&](const OpenTicket& c) { return DecideOpenTicket(c, s); },
          [&](const ResolveTicket& c) { return DecideResolveTicket(c, s); },
          [&](const AssignTicket& c) { return DecideAssignTicket(c, s); },
          [&](const CommentOnTicket& c) { return DecideCommentOnTicket(c, s); },
          [&](const SetTicketStatus& c) { return DecideSetTicketStatus(c, s); },
          [&](const RecordSlaBreach& c) { return DecideRecordSlaBreach(c, s); },
          [&](const RecordIntegrationFailure& c) { return Failure(c, s); },
          [&](const RecordIntegrationRecovery& c) -> Decision<Event> {
            if (!s.failing.contains(c.integration)) return std::vector<Event>{};  // healthy already
            return One(IntegrationRecovered{c.integration, c.at});
          },
          [&](const RecordSyncLatency& c) { return Latency(c, s); },
          [&](const UpgradeTemplate& c) { return Upgrade(c, s); },
          [&](const RollBackTemplate& c) { return DecideRollBack(c, s); },
          [&](const InstallExtension& c) { return DecideInstall(c, s); },
          [&](const UninstallExtension& c) { return DecideUninstall(c, s); },
          [&](const NoteExtensionWithdrawn& c) { return DecideNoteWithdrawn(c, s); },
          [&](const SetPlanChangesBlocked& c) { return Block(c, s); },
          [&](const MeterOrder& c) -> Decision<Event> {
            // An order that was placed is counted whatever the tenant's state became since.
            if (c.order.empty() || c.position == 0) return Reject(R::kInvalidArgument, "metering needs an order and its position");
            if (c.position <= s.metered_through) return std::vector<Event>{};  // counted already
            return One(OrderMetered{c.order, c.position, s.period_start, c.at});
          },
      },
      command);
}

void Apply(State& s, const Event& event) {
  std::visit(Overloaded{
                 [&](const TenantProvisioned& e) {
                   s.status = Status::kProvisioning;
                   s.id = e.id;
                   s.partner = e.partner;
                   s.name = e.name;
                   s.template_id = e.template_id;
                   s.template_version = e.template_version;
                   s.plan = e.plan;
                   s.plan_rank = e.plan_rank;
                   s.tier = e.tier;
                   s.deployment = e.deployment;
                   s.environment = e.environment;
                   s.modules = e.modules;
                   s.limits = e.limits;
                   s.milestones = e.milestones;
                   s.period_start = e.period_start;
                   s.period_end = e.period_end;
                   s.opening_plan = e.plan;
                 },
                 [&](const OnboardingStarted&) { s.status = Status::kOnboarding; },
                 [&](const MilestoneCompleted& e) {
                   for (auto& m : s.milestones) {
                     if (m.id == e.milestone) m.done = true;
                   }
                 },
                 [&](const TenantWentLive&) { s.status = Status::kActive; },
                 [&](const TenantSuspended& e) {
                   if (s.status != Status::kSuspended) s.before_suspension = s.status;  // a take-over keeps it
                   s.status = Status::kSuspended;
                   s.suspended_by = e.by;
                 },
                 [&](const TenantReinstated&) { s.status = s.before_suspension; },
                 [&](const TenantTerminated&) { s.status = Status::kTerminated; },
                 [&](const ModuleActivated& e) {
                   s.modules.insert(e.module);
                   for (auto& step : s.template_steps) step.added_modules.erase(e.module);  // the tenant's own now
                   s.milestones.insert(s.milestones.end(), e.milestones.begin(), e.milestones.end());
                 },
                 [&](const ModuleDeactivated& e) {
                   s.modules.erase(e.module);
                   for (auto& step : s.template_steps) step.added_modules.erase(e.module);
                 },
                 [&](const PlanUpgraded& e) {
                   s.plan = e.to;
                   s.plan_rank = e.rank;
                   s.limits = e.limits;
                   s.modules.insert(e.added_modules.begin(), e.added_modules.end());
                   s.milestones.insert(s.milestones.end(), e.milestones.begin(), e.milestones.end());
                   if (e.proration > 0) s.period_prorations.push_back(e.proration);
                 },
                 [&](const PlanDowngradeScheduled& e) { s.pending_downgrade = e; },
                 [&](const WarehouseRegistered& e) { s.warehouses.insert(e.warehouse); },
                 [&](const UsageRecorded& e) {
                   s.period_orders += e.orders;
                   s.period_api_calls += e.api_calls;
                 },
                 [&](const SubscriptionRenewed& e) {
                   s.period_start = e.period_start;
                   s.period_end = e.period_end;
                   s.plan = e.plan;
                   s.plan_rank = e.plan_rank;
                   s.modules = e.modules;
                   s.limits = e.limits;
                   s.period_orders = 0;
                   s.period_api_calls = 0;
                   s.period_prorations.clear();
                   s.opening_plan = e.plan;
                   s.pending_downgrade.reset();
                 },
                 [&](const SubscriptionCancelled&) { s.cancelled = true; },
                 [&](const TicketOpened& e) { ApplyTicketOpened(s, e); },
                 [&](const TicketResolved& e) { ApplyTicketResolved(s, e); },
                 [&](const TicketAssigned& e) { ApplyTicketAssigned(s, e); },
                 [&](const TicketCommented& e) { ApplyTicketCommented(s, e); },
                 [&](const TicketStatusChanged& e) { ApplyTicketStatusChanged(s, e); },
                 [&](const TicketSlaBreached& e) { ApplyTicketSlaBreached(s, e); },
                 [&](const IntegrationFailed& e) { s.failing.insert(e.integration); },
                 [&](const IntegrationRecovered& e) { s.failing.erase(e.integration); },
                 [&](const SyncLatencyBreached&) {},
                 [&](const TemplateUpgraded& e) {
                   TemplateStep step{s.template_version, e.version, s.limits, e.limits, e.added_modules, {}};
                   for (const auto& m : e.milestones) step.added_milestones.push_back(m.id);
                   s.template_steps.push_back(std::move(step));
                   s.template_version = e.version;
                   s.limits = e.limits;
                   s.modules.insert(e.added_modules.begin(), e.added_modules.end());
                   s.milestones.insert(s.milestones.end(), e.milestones.begin(), e.milestones.end());
                 },
                 [&](const TemplateRolledBack& e) {
                   if (!s.template_steps.empty()) s.template_steps.pop_back();
                   s.template_version = e.to_version;
                   s.limits = e.limits;
                   for (Module m : e.removed_modules) s.modules.erase(m);
                   std::erase_if(s.milestones, [&](const MilestoneState& m) {
                     return std::find(e.removed_milestones.begin(), e.removed_milestones.end(), m.id) != e.removed_milestones.end();
                   });
                 },
                 [&](const PlanChangesBlockedSet& e) {
                   s.plan_changes_blocked = e.blocked;
                   s.plan_changes_blocked_by = e.by;
                 },
                 [&](const OrderMetered& e) {
                   ++s.period_orders;
                   s.metered_through = e.position;
                 },
                 [&](const ExtensionInstalled& e) {
                   s.extensions[e.extension] = InstalledExtension{e.version, e.kind, e.key_id, e.config_digest, e.at, {}};
                 },
                 [&](const ExtensionUninstalled& e) { s.extensions.erase(e.extension); },
                 [&](const ExtensionWithdrawalNoted& e) {
                   auto it = s.extensions.find(e.extension);
                   if (it != s.extensions.end() && it->second.version == e.version) it->second.withdrawn_reason = e.reason;
                 },
             },
             event);
}

State Evolve(State s, const Event& event) {
  Apply(s, event);
  return s;
}

}  // namespace keel::domain::tenant
