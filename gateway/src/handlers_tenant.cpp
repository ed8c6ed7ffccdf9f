// Handlers of the tenant routes: lifecycle (onboarding, milestones, go-live, suspension,
// reinstatement, termination), modules and plans, subscription, template upgrades, usage,
// integration events, and reading a tenant (support tickets: handlers_tickets.cpp). Plans and templates come from the service catalog and
// the template registry, never from the request.
#include "call.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {
namespace t = domain::tenant;

actors::EntityKey Tenant(const Call& c) { return actors::TenantKey(c.Param("tenant")); }

Response Get(Call& c) {
  if (auto past = AsOfState(c, Tenant(c))) return *past;
  auto snap = Load(c, Tenant(c));
  if (!snap) return snap.error();
  return StateResponse(Tenant(c), *snap);
}

Response CompleteMilestone(Call& c) {
  if (auto in = FromPath(c, "milestone", "milestone"); !in) return in.error();
  auto cmd = ParseBody<t::CompleteMilestone>(c);
  if (!cmd) return cmd.error();
  cmd->by = c.who.Name();
  cmd->at = c.now;
  return Run(c, Tenant(c), t::Command(std::move(*cmd)));
}

// The tenant's facts with its pinned template and its current plan, both configured here.
std::expected<TenantFactsRef, Response> TenantContext(Call& c) {
  auto facts = TenantOf(c);
  if (!facts) return std::unexpected(facts.error());
  if ((*facts)->segment == nullptr || (*facts)->plan == nullptr)
    return std::unexpected(Problem(503, "configuration_missing", "Configuration missing",
                                   "the tenant's template or plan is not in this server's configuration"));
  return facts;
}

Response ActivateModule(Call& c) {
  auto cmd = ParseBody<t::ActivateModule>(c);
  if (!cmd) return cmd.error();
  auto ctx = TenantContext(c);
  if (!ctx) return ctx.error();
  cmd->plan = *(*ctx)->plan;
  cmd->segment = *(*ctx)->segment;
  cmd->at = c.now;
  return Run(c, Tenant(c), t::Command(std::move(*cmd)));
}

std::expected<Prepared, Response> BuildDeactivateModule(Call& c) {
  if (auto in = FromPath(c, "module", "module"); !in) return std::unexpected(in.error());
  return BuildCommand<t::Command, t::DeactivateModule, Tenant>(c);
}

Response ChangePlan(Call& c) {
  auto body = ParseBody<json::ChangePlanBody>(c);
  if (!body) return body.error();
  const domain::Plan* target = c.ctx.catalog.FindPlan(body->plan);
  if (target == nullptr) return BadField({"plan", "no such plan '" + body->plan + "'"});
  auto ctx = TenantContext(c);
  if (!ctx) return ctx.error();
  return Run(c, Tenant(c), t::Command(t::ChangePlan{*(*ctx)->plan, *target, *(*ctx)->segment, c.now}));
}

Response UpgradeTemplate(Call& c) {
  auto body = ParseBody<json::UpgradeTemplateBody>(c);
  if (!body) return body.error();
  auto facts = TenantOf(c);
  if (!facts) return facts.error();
  const std::string& id = (*facts)->state.template_id;
  const domain::SegmentTemplate* segment = c.ctx.templates.Find(id, body->version);
  if (segment == nullptr)
    return BadField({"version", "template '" + id + "' has no version " + std::to_string(body->version)});
  // (a version not above the tenant's is the decider's refusal: not newer)
  if (body->version > (*facts)->state.template_version)
    if (auto held = Unreleased(c, id, body->version)) return *held;
  auto ctx = TenantContext(c);
  if (!ctx) return ctx.error();
  return Run(c, Tenant(c), t::Command(t::UpgradeTemplate{*segment, *(*ctx)->plan, c.now}));
}

Response IntegrationEvent(Call& c) {
  auto body = ParseBody<json::IntegrationEventBody>(c);
  if (!body) return body.error();
  using Kind = json::IntegrationEventKind;
  if (body->kind == Kind::kRecovery) return Run(c, Tenant(c), t::Command(t::RecordIntegrationRecovery{body->integration, c.now}));
  auto ctx = TenantContext(c);
  if (!ctx) return ctx.error();
  const auto& rules = (*ctx)->segment->workflow;
  if (body->kind == Kind::kFailure)
    return Run(c, Tenant(c), t::Command(t::RecordIntegrationFailure{body->integration, body->detail, rules, c.now}));
  if (!c.body.contains("latency_ms")) return BadField({"latency_ms", "is required for a sync_latency event"});
  if (body->latency_ms < 0) return BadField({"latency_ms", "must not be negative"});
  return Run(c, Tenant(c), t::Command(t::RecordSyncLatency{body->integration, body->latency_ms, rules, c.now}));
}

template <class T>
void Plain(HandlerTable& h, AsyncTable& a, std::string_view id) {
  Simple<t::Command, T, Tenant>(h, a, id);
}
}  // namespace

void AddTenantHandlers(HandlerTable& h, AsyncTable& a) {
  h["get_tenant"] = Get;
  a["get_tenant"].read = Tenant;
  Plain<t::StartOnboarding>(h, a, "start_onboarding");
  h["complete_milestone"] = CompleteMilestone;
  Plain<t::GoLive>(h, a, "go_live");
  Plain<t::SuspendTenant>(h, a, "suspend_tenant");
  Plain<t::ReinstateTenant>(h, a, "reinstate_tenant");
  Plain<t::TerminateTenant>(h, a, "terminate_tenant");
  h["activate_module"] = ActivateModule;
  Both(h, a, "deactivate_module", RunBuilt<BuildDeactivateModule>, BuildDeactivateModule);
  h["change_plan"] = ChangePlan;
  Plain<t::RenewSubscription>(h, a, "renew_subscription");
  Plain<t::CancelSubscription>(h, a, "cancel_subscription");
  h["upgrade_template"] = UpgradeTemplate;
  Plain<t::SetPlanChangesBlocked>(h, a, "set_plan_changes_blocked");
  Plain<t::RecordUsage>(h, a, "record_usage");
  h["record_integration_event"] = IntegrationEvent;
}

}  // namespace keel::gateway
