// JSON descriptors of the tenant aggregate's commands (client fields only), events and state.
// Part of domain_json.hpp (see there for the rules); json_fields.hpp explains the descriptors.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/tenant.hpp"
#include "json/values.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// Tenant. ProvisionTenant, ChangePlan and UpgradeTemplate are read through the bodies above.

template <> struct Describe<domain::tenant::MilestoneState> {
  using T = domain::tenant::MilestoneState;
  static constexpr auto fields =
      std::make_tuple(Opt("id", &T::id), Opt("required", &T::required), Opt("done", &T::done));
};

// -- commands --
template <> struct Describe<domain::tenant::StartOnboarding> { static constexpr auto fields = std::make_tuple(); };
template <> struct Describe<domain::tenant::CompleteMilestone> {
  using T = domain::tenant::CompleteMilestone;
  static constexpr auto fields = std::make_tuple(ReqId("milestone", &T::milestone));  // `by` is the caller
};
template <> struct Describe<domain::tenant::GoLive> { static constexpr auto fields = std::make_tuple(); };
template <> struct Describe<domain::tenant::SuspendTenant> {
  using T = domain::tenant::SuspendTenant;
  static constexpr auto fields = std::make_tuple(Req("reason", &T::reason));
};
template <> struct Describe<domain::tenant::ReinstateTenant> { static constexpr auto fields = std::make_tuple(); };
template <> struct Describe<domain::tenant::TerminateTenant> {
  using T = domain::tenant::TerminateTenant;
  static constexpr auto fields = std::make_tuple(Req("reason", &T::reason));
};
template <> struct Describe<domain::tenant::ActivateModule> {
  using T = domain::tenant::ActivateModule;
  static constexpr auto fields = std::make_tuple(Req("module", &T::module));  // plan, segment: resolved
};
template <> struct Describe<domain::tenant::DeactivateModule> {
  using T = domain::tenant::DeactivateModule;
  static constexpr auto fields = std::make_tuple(Req("module", &T::module));
};
template <> struct Describe<domain::tenant::RegisterWarehouse> {
  using T = domain::tenant::RegisterWarehouse;
  static constexpr auto fields = std::make_tuple(ReqId("warehouse", &T::warehouse));
};
template <> struct Describe<domain::tenant::RecordUsage> {
  using T = domain::tenant::RecordUsage;
  // Orders are not client-reported: every placed order is metered (an "orders" field is refused).
  static constexpr auto fields = std::make_tuple(Req("api_calls", &T::api_calls));
};
template <> struct Describe<domain::tenant::RenewSubscription> { static constexpr auto fields = std::make_tuple(); };
template <> struct Describe<domain::tenant::CancelSubscription> {
  using T = domain::tenant::CancelSubscription;
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason));
};
template <> struct Describe<domain::tenant::OpenTicket> {
  using T = domain::tenant::OpenTicket;
  static constexpr auto fields =
      std::make_tuple(ReqId("ticket", &T::ticket), Req("subject", &T::subject), Opt("severity", &T::severity));
};
template <> struct Describe<domain::tenant::ResolveTicket> {
  using T = domain::tenant::ResolveTicket;
  static constexpr auto fields = std::make_tuple(ReqId("ticket", &T::ticket));
};
template <> struct Describe<domain::tenant::AssignTicket> {
  using T = domain::tenant::AssignTicket;
  static constexpr auto fields = std::make_tuple(ReqId("ticket", &T::ticket), Req("assignee", &T::assignee));
};
template <> struct Describe<domain::tenant::CommentOnTicket> {
  using T = domain::tenant::CommentOnTicket;
  static constexpr auto fields = std::make_tuple(ReqId("ticket", &T::ticket), Req("from", &T::from), Req("body", &T::body),
                                                 Opt("author", &T::author), Opt("internal", &T::internal));
};
template <> struct Describe<domain::tenant::SetTicketStatus> {
  using T = domain::tenant::SetTicketStatus;
  static constexpr auto fields =
      std::make_tuple(ReqId("ticket", &T::ticket), Req("status", &T::status), Opt("reason", &T::reason));
};
template <> struct Describe<domain::tenant::RecordIntegrationFailure> {
  using T = domain::tenant::RecordIntegrationFailure;
  static constexpr auto fields = std::make_tuple(Req("integration", &T::integration), Opt("detail", &T::detail));
};
template <> struct Describe<domain::tenant::RecordIntegrationRecovery> {
  using T = domain::tenant::RecordIntegrationRecovery;
  static constexpr auto fields = std::make_tuple(Req("integration", &T::integration));
};
template <> struct Describe<domain::tenant::RecordSyncLatency> {
  using T = domain::tenant::RecordSyncLatency;
  static constexpr auto fields =
      std::make_tuple(Req("integration", &T::integration), Req("latency_ms", &T::latency_ms));
};
template <> struct Describe<domain::tenant::SetPlanChangesBlocked> {
  using T = domain::tenant::SetPlanChangesBlocked;
  static constexpr auto fields = std::make_tuple(Req("blocked", &T::blocked), Opt("reason", &T::reason));
};

// -- events --
template <> struct Describe<domain::tenant::TenantProvisioned> {
  using T = domain::tenant::TenantProvisioned;
  static constexpr auto fields = std::make_tuple(
      Opt("id", &T::id), Opt("partner", &T::partner), Opt("name", &T::name), Opt("template_id", &T::template_id),
      Opt("template_version", &T::template_version), Opt("plan", &T::plan), Opt("plan_rank", &T::plan_rank),
      Opt("tier", &T::tier), Opt("deployment", &T::deployment), Opt("environment", &T::environment),
      Opt("modules", &T::modules), Opt("limits", &T::limits), Opt("milestones", &T::milestones),
      Opt("period_start", &T::period_start), Opt("period_end", &T::period_end), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::OnboardingStarted> {
  using T = domain::tenant::OnboardingStarted;
  static constexpr auto fields = std::make_tuple(Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::MilestoneCompleted> {
  using T = domain::tenant::MilestoneCompleted;
  static constexpr auto fields = std::make_tuple(Opt("milestone", &T::milestone), Opt("by", &T::by), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::TenantWentLive> {
  using T = domain::tenant::TenantWentLive;
  static constexpr auto fields = std::make_tuple(Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::TenantSuspended> {
  using T = domain::tenant::TenantSuspended;
  static constexpr auto fields =
      std::make_tuple(Opt("reason", &T::reason), Opt("at", &T::at), Opt("imposed_by", &T::by));
};
template <> struct Describe<domain::tenant::TenantReinstated> {
  using T = domain::tenant::TenantReinstated;
  static constexpr auto fields = std::make_tuple(Opt("at", &T::at), Opt("imposed_by", &T::by));
};
template <> struct Describe<domain::tenant::TenantTerminated> {
  using T = domain::tenant::TenantTerminated;
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::ModuleActivated> {
  using T = domain::tenant::ModuleActivated;
  static constexpr auto fields =
      std::make_tuple(Opt("module", &T::module), Opt("milestones", &T::milestones), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::ModuleDeactivated> {
  using T = domain::tenant::ModuleDeactivated;
  static constexpr auto fields = std::make_tuple(Opt("module", &T::module), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::PlanUpgraded> {
  using T = domain::tenant::PlanUpgraded;
  static constexpr auto fields =
      std::make_tuple(Opt("from", &T::from), Opt("to", &T::to), Opt("rank", &T::rank), Opt("proration", &T::proration),
                      Opt("added_modules", &T::added_modules), Opt("milestones", &T::milestones),
                      Opt("limits", &T::limits), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::PlanDowngradeScheduled> {
  using T = domain::tenant::PlanDowngradeScheduled;
  static constexpr auto fields = std::make_tuple(Opt("from", &T::from), Opt("to", &T::to), Opt("rank", &T::rank),
                                                 Opt("removed_modules", &T::removed_modules), Opt("limits", &T::limits),
                                                 Opt("effective_at", &T::effective_at), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::WarehouseRegistered> {
  using T = domain::tenant::WarehouseRegistered;
  static constexpr auto fields = std::make_tuple(Opt("warehouse", &T::warehouse), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::UsageRecorded> {
  using T = domain::tenant::UsageRecorded;
  static constexpr auto fields = std::make_tuple(Opt("orders", &T::orders), Opt("api_calls", &T::api_calls),
                                                 Opt("period_start", &T::period_start), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::SubscriptionRenewed> {
  using T = domain::tenant::SubscriptionRenewed;
  static constexpr auto fields = std::make_tuple(
      Opt("period_start", &T::period_start), Opt("period_end", &T::period_end), Opt("plan", &T::plan),
      Opt("plan_rank", &T::plan_rank), Opt("modules", &T::modules), Opt("limits", &T::limits), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::SubscriptionCancelled> {
  using T = domain::tenant::SubscriptionCancelled;
  static constexpr auto fields =
      std::make_tuple(Opt("reason", &T::reason), Opt("effective_at", &T::effective_at), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::TicketOpened> {
  using T = domain::tenant::TicketOpened;
  static constexpr auto fields = std::make_tuple(
      Opt("ticket", &T::ticket), Opt("subject", &T::subject), Opt("severity", &T::severity), Opt("at", &T::at),
      Opt("priority", &T::priority), Opt("risk_band", &T::risk_band), Opt("routed_to", &T::routed_to),
      Opt("first_response_due", &T::first_response_due), Opt("resolution_due", &T::resolution_due));
};
template <> struct Describe<domain::tenant::TicketAssigned> {
  using T = domain::tenant::TicketAssigned;
  static constexpr auto fields = std::make_tuple(Opt("ticket", &T::ticket), Opt("assignee", &T::assignee),
                                                 Opt("previous", &T::previous), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::TicketCommented> {
  using T = domain::tenant::TicketCommented;
  static constexpr auto fields = std::make_tuple(
      Opt("ticket", &T::ticket), Opt("comment", &T::comment), Opt("author", &T::author), Opt("from", &T::from),
      Opt("body", &T::body), Opt("internal", &T::internal), Opt("first_response", &T::first_response), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::TicketStatusChanged> {
  using T = domain::tenant::TicketStatusChanged;
  static constexpr auto fields = std::make_tuple(Opt("ticket", &T::ticket), Opt("from", &T::from), Opt("to", &T::to),
                                                 Opt("reason", &T::reason), Opt("resolution_due", &T::resolution_due),
                                                 Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::TicketSlaBreached> {
  using T = domain::tenant::TicketSlaBreached;
  static constexpr auto fields =
      std::make_tuple(Opt("ticket", &T::ticket), Opt("target", &T::target), Opt("priority", &T::priority),
                      Opt("routed_to", &T::routed_to), Opt("due", &T::due), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::TicketResolved> {
  using T = domain::tenant::TicketResolved;
  static constexpr auto fields = std::make_tuple(Opt("ticket", &T::ticket), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::IntegrationFailed> {
  using T = domain::tenant::IntegrationFailed;
  static constexpr auto fields = std::make_tuple(Opt("integration", &T::integration), Opt("detail", &T::detail),
                                                 Opt("routed_to", &T::routed_to), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::IntegrationRecovered> {
  using T = domain::tenant::IntegrationRecovered;
  static constexpr auto fields = std::make_tuple(Opt("integration", &T::integration), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::SyncLatencyBreached> {
  using T = domain::tenant::SyncLatencyBreached;
  static constexpr auto fields = std::make_tuple(Opt("integration", &T::integration), Opt("latency_ms", &T::latency_ms),
                                                 Opt("routed_to", &T::routed_to), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::TemplateUpgraded> {
  using T = domain::tenant::TemplateUpgraded;
  static constexpr auto fields = std::make_tuple(Opt("template_id", &T::template_id), Opt("version", &T::version),
                                                 Opt("limits", &T::limits), Opt("at", &T::at),
                                                 Opt("added_modules", &T::added_modules), Opt("milestones", &T::milestones));
};
template <> struct Describe<domain::tenant::TemplateRolledBack> {
  using T = domain::tenant::TemplateRolledBack;
  static constexpr auto fields = std::make_tuple(
      Opt("template_id", &T::template_id), Opt("from_version", &T::from_version), Opt("to_version", &T::to_version),
      Opt("limits", &T::limits), Opt("removed_modules", &T::removed_modules),
      Opt("removed_milestones", &T::removed_milestones), Opt("rollout", &T::rollout), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::PlanChangesBlockedSet> {
  using T = domain::tenant::PlanChangesBlockedSet;
  static constexpr auto fields =
      std::make_tuple(Opt("blocked", &T::blocked), Opt("reason", &T::reason), Opt("at", &T::at),
                      Opt("imposed_by", &T::by));
};
template <> struct Describe<domain::tenant::OrderMetered> {
  using T = domain::tenant::OrderMetered;
  static constexpr auto fields = std::make_tuple(Opt("order", &T::order), Opt("position", &T::position),
                                                 Opt("period_start", &T::period_start), Opt("at", &T::at));
};

template <> struct Describe<domain::tenant::ExtensionInstalled> {
  using T = domain::tenant::ExtensionInstalled;
  static constexpr auto fields = std::make_tuple(
      Opt("extension", &T::extension), Opt("version", &T::version), Opt("kind", &T::kind), Opt("key_id", &T::key_id),
      Opt("config_digest", &T::config_digest), Opt("previous_version", &T::previous_version),
      Opt("previous_key_id", &T::previous_key_id), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::ExtensionUninstalled> {
  using T = domain::tenant::ExtensionUninstalled;
  static constexpr auto fields = std::make_tuple(Opt("extension", &T::extension), Opt("version", &T::version),
                                                 Opt("key_id", &T::key_id), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::ExtensionWithdrawalNoted> {
  using T = domain::tenant::ExtensionWithdrawalNoted;
  static constexpr auto fields = std::make_tuple(Opt("extension", &T::extension), Opt("version", &T::version),
                                                 Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::InstalledExtension> {
  using T = domain::tenant::InstalledExtension;
  static constexpr auto fields = std::make_tuple(
      Opt("version", &T::version), Opt("kind", &T::kind), Opt("key_id", &T::key_id), Opt("config_digest", &T::config_digest),
      Opt("installed_at", &T::installed_at), Opt("withdrawn_reason", &T::withdrawn_reason));
};

template <> struct Describe<domain::tenant::TemplateStep> {
  using T = domain::tenant::TemplateStep;
  static constexpr auto fields = std::make_tuple(
      Opt("from_version", &T::from_version), Opt("to_version", &T::to_version), Opt("previous_limits", &T::previous_limits), Opt("limits_after", &T::limits_after),
      Opt("added_modules", &T::added_modules), Opt("added_milestones", &T::added_milestones));
};

template <> struct Describe<domain::tenant::TicketWork> {
  using T = domain::tenant::TicketWork;
  static constexpr auto fields = std::make_tuple(
      Opt("severity", &T::severity), Opt("priority", &T::priority), Opt("status", &T::status),
      Opt("assignee", &T::assignee), Opt("routed_to", &T::routed_to), Opt("comments", &T::comments),
      Opt("opened_at", &T::opened_at), Opt("first_response_due", &T::first_response_due),
      Opt("responded_at", &T::responded_at), Opt("resolution_due", &T::resolution_due), Opt("paused_at", &T::paused_at),
      Opt("first_response_breached", &T::first_response_breached), Opt("resolution_breached", &T::resolution_breached));
};

// -- state --
template <> struct Describe<domain::tenant::State> {
  using T = domain::tenant::State;
  static constexpr auto fields = std::make_tuple(
      Opt("status", &T::status), Opt("before_suspension", &T::before_suspension), Opt("id", &T::id),
      Opt("partner", &T::partner), Opt("name", &T::name), Opt("template_id", &T::template_id),
      Opt("template_version", &T::template_version), Opt("plan", &T::plan), Opt("plan_rank", &T::plan_rank),
      Opt("tier", &T::tier), Opt("deployment", &T::deployment), Opt("environment", &T::environment),
      Opt("modules", &T::modules), Opt("limits", &T::limits), Opt("milestones", &T::milestones),
      Opt("warehouses", &T::warehouses), Opt("period_start", &T::period_start), Opt("period_end", &T::period_end),
      Opt("period_orders", &T::period_orders), Opt("period_api_calls", &T::period_api_calls),
      Opt("period_prorations", &T::period_prorations), Opt("pending_downgrade", &T::pending_downgrade),
      Opt("cancelled", &T::cancelled), Opt("plan_changes_blocked", &T::plan_changes_blocked),
      Opt("open_tickets", &T::open_tickets), Opt("tickets_opened", &T::tickets_opened), Opt("failing", &T::failing),
      Opt("suspended_by", &T::suspended_by), Opt("plan_changes_blocked_by", &T::plan_changes_blocked_by),
      Opt("opening_plan", &T::opening_plan), Opt("metered_through", &T::metered_through),
      Opt("extensions", &T::extensions), Opt("template_steps", &T::template_steps), Opt("tickets", &T::tickets));
};

}  // namespace keel::gateway::json
