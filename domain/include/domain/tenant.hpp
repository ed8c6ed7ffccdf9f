// Tenant aggregate (a partner's customer): provisioning from a segment template, the lifecycle
// provisioning -> onboarding -> active -> suspended -> terminated, modules and limits, plan changes
// (upgrade now with proration, downgrade at period end), onboarding milestones and go-live, the
// subscription period, usage, support tickets, integration health with routed exceptions, and
// compatible template upgrades. Commands, events, state, Decide, Evolve.
// Pure: no I/O, no clock (time arrives in commands), no CAF or RocksDB headers.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "domain/catalog_data.hpp"
#include "domain/common.hpp"

namespace keel::domain::tenant {

enum class Status : std::uint8_t { kNone, kProvisioning, kOnboarding, kActive, kSuspended, kTerminated };
std::string_view StatusName(Status s);

enum class Integration : std::uint8_t { kEdi, kMarketplace };

// Who imposed a suspension or a plan-change block: an operator by hand, or the dunning process
// (which lifts only its own, once nothing is overdue).
enum class ImposedBy : std::uint8_t { kOperator, kDunning };
std::string_view ImposedByName(ImposedBy b);

struct MilestoneState {
  std::string id;
  bool required = true;
  bool done = false;
  bool operator==(const MilestoneState&) const = default;
};

// An extension of the catalog the tenant installed (extension.hpp), acting through its own API key.
struct InstalledExtension {
  std::string version;
  ExtensionKind kind = ExtensionKind::kEdiConnector;
  std::string key_id;            // the scoped key made for it (revoked on uninstall or move)
  std::string config_digest;     // SHA-256 (hex) of its configuration; the configuration itself is kept
                                 // outside the log (it may hold a connector's credentials)
  Timestamp installed_at = 0;
  std::string withdrawn_reason;  // non-empty: the catalog withdrew this version since (it keeps working)
  bool operator==(const InstalledExtension&) const = default;
};

// A template upgrade the tenant took, remembered so that a rollout can return it (RollBackTemplate).
struct TemplateStep {
  int from_version = 0, to_version = 0;
  Limits previous_limits, limits_after;  // before and after the upgrade (a limit changed since stays)
  std::set<Module> added_modules;        // left out once the tenant activates or deactivates one itself
  std::vector<std::string> added_milestones;
  bool operator==(const TemplateStep&) const = default;
};

// -- commands --
struct ProvisionTenant {
  std::string id, partner, name;
  SegmentTemplate segment;  // the template version the tenant is pinned to
  Plan plan;                // the template's plan (or one the partner chose), from the catalog
  Environment environment = Environment::kProduction;
  bool partner_certified = false;  // from the Partner aggregate
  bool partner_active = true;
  Timestamp at = 0;
};
struct StartOnboarding { Timestamp at = 0; };
struct CompleteMilestone { std::string milestone, by; Timestamp at = 0; };
struct GoLive { Timestamp at = 0; };
struct SuspendTenant { std::string reason; Timestamp at = 0; ImposedBy by = ImposedBy::kOperator; };
// By the operator: lifts any suspension. By dunning: lifts only a suspension dunning imposed (else a no-op).
struct ReinstateTenant { Timestamp at = 0; ImposedBy by = ImposedBy::kOperator; };
struct TerminateTenant { std::string reason; Timestamp at = 0; };
struct ActivateModule { Module module; Plan plan; SegmentTemplate segment; Timestamp at = 0; };
struct DeactivateModule { Module module; Timestamp at = 0; };
struct ChangePlan {
  Plan current, target;     // from the catalog
  SegmentTemplate segment;  // for the milestones of modules an upgrade adds
  Timestamp at = 0;
};
struct RegisterWarehouse { std::string warehouse; Timestamp at = 0; };  // counted against the limit
struct RecordUsage { std::int64_t orders = 0, api_calls = 0; Timestamp at = 0; };
struct RenewSubscription { Timestamp at = 0; };
struct CancelSubscription { std::string reason; Timestamp at = 0; };
// Opens a ticket (or reopens a resolved one under its id). `severity`: low, medium, high or critical.
// Its priority comes from the severity and the tenant's renewal-risk band (support.hpp: "" counts as
// low), its due times from the targets `sla` gives the tenant's support tier (none: no targets); a
// breach goes to the role the template's `rules` route "sla_breach" to.
struct OpenTicket {
  std::string ticket, subject, severity;
  Timestamp at = 0;
  std::string risk_band;
  std::map<ServiceTier, SupportTargets> sla;
  WorkflowRules rules;
};
struct ResolveTicket { std::string ticket; Timestamp at = 0; };
// Who works the ticket (a no-op when it is theirs already).
struct AssignTicket { std::string ticket, assignee; Timestamp at = 0; };
// A comment `from` the agent side or the customer; the first public agent comment is the first
// response. A customer's public comment on a ticket waiting on them puts it back in progress.
struct CommentOnTicket { std::string ticket, author, from, body; bool internal = false; Timestamp at = 0; };
// open, in_progress or waiting_on_customer (waiting stops the resolution clock); resolving is
// ResolveTicket. A no-op when the ticket is in that state already.
struct SetTicketStatus { std::string ticket, status, reason; Timestamp at = 0; };
// Records that a target (support::kFirstResponse or kResolution) was missed, when it was: the due
// time passed at `at`, not met, not recorded yet, the resolution clock not stopped. A no-op otherwise.
struct RecordSlaBreach { std::string ticket, target; Timestamp at = 0; };
struct RecordIntegrationFailure { Integration integration; std::string detail; WorkflowRules rules; Timestamp at = 0; };
struct RecordIntegrationRecovery { Integration integration; Timestamp at = 0; };
struct RecordSyncLatency { Integration integration; std::int64_t latency_ms = 0; WorkflowRules rules; Timestamp at = 0; };
// Moves to a newer version of the tenant's template, applied in full: the limits it raises and the
// modules it adds (each offered by the tenant's `plan`, included or as an add-on) with their milestones.
struct UpgradeTemplate { SegmentTemplate segment; Plan plan; Timestamp at = 0; };
// By dunning, an unblock lifts only a block dunning imposed, and a block leaves an operator's block as it is;
// an operator's block takes over a dunning block (paying then no longer lifts it).
struct SetPlanChangesBlocked { bool blocked = true; std::string reason; Timestamp at = 0; ImposedBy by = ImposedBy::kOperator; };
// Counts a placed order toward the period's usage (sent by the fulfilment process for each
// OrderPlaced; `position` is that event's log position). Exactly once: positions only grow, and one
// at or below the last metered one changes nothing.
struct MeterOrder { std::string order; std::uint64_t position = 0; Timestamp at = 0; };
// Installs (or moves to) an approved version. The facts come from the extension's state, the allowed
// kinds from the tenant's template, the key id from the key made for the installation.
struct InstallExtension {
  std::string extension, version;
  bool approved = false;
  ExtensionKind kind = ExtensionKind::kEdiConnector;
  std::set<Module> modules;             // what the manifest requires
  std::set<ExtensionKind> allowed_kinds;  // what the tenant's template allows
  std::string key_id, config_digest;
  Timestamp at = 0;
};
struct UninstallExtension { std::string extension; Timestamp at = 0; };
// Tells the tenant that the catalog withdrew the version it has installed (a no-op otherwise).
struct NoteExtensionWithdrawn { std::string extension, version, reason; Timestamp at = 0; };
// Returns the tenant to the template version its last upgrade came from (`to_version`), taking away
// what that upgrade brought and nothing else: its modules (not one the tenant's `plan` includes, nor
// one the tenant activated or deactivated itself since) with their milestones (as `leaving`, the
// version left, ties them to modules), and its limits where no plan change moved them since (never
// below what the tenant uses). Sent by a rollout's roll back; a no-op when on `to_version` already.
struct RollBackTemplate {
  std::string template_id;
  int to_version = 0;
  std::string rollout;
  Plan plan;
  SegmentTemplate leaving;
  Timestamp at = 0;
};
using Command = std::variant<ProvisionTenant, StartOnboarding, CompleteMilestone, GoLive, SuspendTenant,
                             ReinstateTenant, TerminateTenant, ActivateModule, DeactivateModule, ChangePlan,
                             RegisterWarehouse, RecordUsage, RenewSubscription, CancelSubscription, OpenTicket,
                             ResolveTicket, RecordIntegrationFailure, RecordIntegrationRecovery,
                             RecordSyncLatency, UpgradeTemplate, SetPlanChangesBlocked, MeterOrder,
                             InstallExtension, UninstallExtension, NoteExtensionWithdrawn, RollBackTemplate,
                             AssignTicket, CommentOnTicket, SetTicketStatus, RecordSlaBreach>;

// -- events --
struct TenantProvisioned {
  std::string id, partner, name, template_id;
  int template_version = 0;
  std::string plan;
  int plan_rank = 0;
  ServiceTier tier = ServiceTier::kStandard;
  DeploymentModel deployment = DeploymentModel::kShared;
  Environment environment = Environment::kProduction;
  std::set<Module> modules;
  Limits limits;
  std::vector<MilestoneState> milestones;
  Timestamp period_start = 0, period_end = 0;
  Timestamp at = 0;
  bool operator==(const TenantProvisioned&) const = default;
};
struct OnboardingStarted { Timestamp at = 0; bool operator==(const OnboardingStarted&) const = default; };
struct MilestoneCompleted { std::string milestone, by; Timestamp at = 0; bool operator==(const MilestoneCompleted&) const = default; };
struct TenantWentLive { Timestamp at = 0; bool operator==(const TenantWentLive&) const = default; };
struct TenantSuspended { std::string reason; Timestamp at = 0; ImposedBy by = ImposedBy::kOperator; bool operator==(const TenantSuspended&) const = default; };
struct TenantReinstated { Timestamp at = 0; ImposedBy by = ImposedBy::kOperator; bool operator==(const TenantReinstated&) const = default; };
struct TenantTerminated { std::string reason; Timestamp at = 0; bool operator==(const TenantTerminated&) const = default; };
struct ModuleActivated {
  Module module;
  std::vector<MilestoneState> milestones;  // onboarding milestones the module brings
  Timestamp at = 0;
  bool operator==(const ModuleActivated&) const = default;
};
struct ModuleDeactivated { Module module; Timestamp at = 0; bool operator==(const ModuleDeactivated&) const = default; };
struct PlanUpgraded {
  std::string from, to;
  int rank = 0;
  std::int64_t proration = 0;  // charge for the rest of the current period, minor units
  std::set<Module> added_modules;
  std::vector<MilestoneState> milestones;
  Limits limits;
  Timestamp at = 0;
  bool operator==(const PlanUpgraded&) const = default;
};
struct PlanDowngradeScheduled {
  std::string from, to;
  int rank = 0;
  std::set<Module> removed_modules;
  Limits limits;
  Timestamp effective_at = 0;  // the end of the current period
  Timestamp at = 0;
  bool operator==(const PlanDowngradeScheduled&) const = default;
};
struct WarehouseRegistered { std::string warehouse; Timestamp at = 0; bool operator==(const WarehouseRegistered&) const = default; };
struct UsageRecorded { std::int64_t orders = 0, api_calls = 0; Timestamp period_start = 0; Timestamp at = 0; bool operator==(const UsageRecorded&) const = default; };
struct SubscriptionRenewed {
  Timestamp period_start = 0, period_end = 0;
  std::string plan;  // a scheduled downgrade takes effect here
  int plan_rank = 0;
  std::set<Module> modules;
  Limits limits;
  Timestamp at = 0;
  bool operator==(const SubscriptionRenewed&) const = default;
};
struct SubscriptionCancelled { std::string reason; Timestamp effective_at = 0; Timestamp at = 0; bool operator==(const SubscriptionCancelled&) const = default; };
struct TicketOpened {
  std::string ticket, subject, severity;
  Timestamp at = 0;
  std::string priority, risk_band, routed_to;  // p1..p4; the band it was judged in; who hears of breaches
  Timestamp first_response_due = 0, resolution_due = 0;  // 0: no target
  bool operator==(const TicketOpened&) const = default;
};
struct TicketAssigned { std::string ticket, assignee, previous; Timestamp at = 0; bool operator==(const TicketAssigned&) const = default; };
struct TicketCommented {
  std::string ticket;
  std::int64_t comment = 0;  // 1, 2, ... within the ticket's opening
  std::string author, from, body;
  bool internal = false;
  bool first_response = false;  // this comment met (or, late, made) the first response
  Timestamp at = 0;
  bool operator==(const TicketCommented&) const = default;
};
struct TicketStatusChanged {
  std::string ticket, from, to, reason;
  Timestamp resolution_due = 0;  // moved on by the time spent waiting on the customer
  Timestamp at = 0;
  bool operator==(const TicketStatusChanged&) const = default;
};
struct TicketSlaBreached {
  std::string ticket, target, priority, routed_to;
  Timestamp due = 0;
  Timestamp at = 0;
  bool operator==(const TicketSlaBreached&) const = default;
};
struct TicketResolved { std::string ticket; Timestamp at = 0; bool operator==(const TicketResolved&) const = default; };
struct IntegrationFailed { Integration integration; std::string detail, routed_to; Timestamp at = 0; bool operator==(const IntegrationFailed&) const = default; };
struct IntegrationRecovered { Integration integration; Timestamp at = 0; bool operator==(const IntegrationRecovered&) const = default; };
struct SyncLatencyBreached { Integration integration; std::int64_t latency_ms = 0; std::string routed_to; Timestamp at = 0; bool operator==(const SyncLatencyBreached&) const = default; };
struct TemplateUpgraded {
  std::string template_id;
  int version = 0;
  Limits limits;
  Timestamp at = 0;
  std::set<Module> added_modules;          // the modules the new version brings
  std::vector<MilestoneState> milestones;  // the onboarding milestones those modules bring
  bool operator==(const TemplateUpgraded&) const = default;
};
struct PlanChangesBlockedSet { bool blocked = true; std::string reason; Timestamp at = 0; ImposedBy by = ImposedBy::kOperator; bool operator==(const PlanChangesBlockedSet&) const = default; };
struct OrderMetered { std::string order; std::uint64_t position = 0; Timestamp period_start = 0; Timestamp at = 0; bool operator==(const OrderMetered&) const = default; };
struct ExtensionInstalled {
  std::string extension, version;
  ExtensionKind kind = ExtensionKind::kEdiConnector;
  std::string key_id, config_digest;
  std::string previous_version, previous_key_id;  // a move from another version ("" for a first install)
  Timestamp at = 0;
  bool operator==(const ExtensionInstalled&) const = default;
};
struct ExtensionUninstalled {
  std::string extension, version, key_id;
  Timestamp at = 0;
  bool operator==(const ExtensionUninstalled&) const = default;
};
struct ExtensionWithdrawalNoted {
  std::string extension, version, reason;
  Timestamp at = 0;
  bool operator==(const ExtensionWithdrawalNoted&) const = default;
};
struct TemplateRolledBack {
  std::string template_id;
  int from_version = 0, to_version = 0;
  Limits limits;
  std::set<Module> removed_modules;
  std::vector<std::string> removed_milestones;
  std::string rollout;
  Timestamp at = 0;
  bool operator==(const TemplateRolledBack&) const = default;
};
using Event = std::variant<TenantProvisioned, OnboardingStarted, MilestoneCompleted, TenantWentLive, TenantSuspended,
                           TenantReinstated, TenantTerminated, ModuleActivated, ModuleDeactivated, PlanUpgraded,
                           PlanDowngradeScheduled, WarehouseRegistered, UsageRecorded, SubscriptionRenewed,
                           SubscriptionCancelled, TicketOpened, TicketResolved, IntegrationFailed,
                           IntegrationRecovered, SyncLatencyBreached, TemplateUpgraded, PlanChangesBlockedSet,
                           OrderMetered, ExtensionInstalled, ExtensionUninstalled, ExtensionWithdrawalNoted,
                           TemplateRolledBack, TicketAssigned, TicketCommented, TicketStatusChanged,
                           TicketSlaBreached>;

// -- state --
// An open ticket's work: what breach and status decisions need (comments themselves live in the log).
struct TicketWork {
  std::string severity, priority, status = "open", assignee, routed_to;
  std::int64_t comments = 0;
  Timestamp opened_at = 0, first_response_due = 0, responded_at = 0, resolution_due = 0;
  Timestamp paused_at = 0;  // waiting on the customer since (0: not waiting)
  bool first_response_breached = false, resolution_breached = false;
  bool operator==(const TicketWork&) const = default;
};
struct State {
  Status status = Status::kNone;
  Status before_suspension = Status::kNone;
  std::string id, partner, name, template_id;
  int template_version = 0;
  std::string plan;
  int plan_rank = 0;
  ServiceTier tier = ServiceTier::kStandard;
  DeploymentModel deployment = DeploymentModel::kShared;
  Environment environment = Environment::kProduction;
  std::set<Module> modules;
  Limits limits;
  std::vector<MilestoneState> milestones;
  std::set<std::string> warehouses;
  Timestamp period_start = 0, period_end = 0;
  std::int64_t period_orders = 0, period_api_calls = 0;
  std::vector<std::int64_t> period_prorations;  // upgrade charges of the current period, for its invoice
  std::optional<PlanDowngradeScheduled> pending_downgrade;
  bool cancelled = false;
  bool plan_changes_blocked = false;
  std::map<std::string, std::string> open_tickets;  // id -> severity
  std::int64_t tickets_opened = 0;
  std::set<Integration> failing;
  ImposedBy suspended_by = ImposedBy::kOperator;             // who imposed the current suspension
  ImposedBy plan_changes_blocked_by = ImposedBy::kOperator;  // who imposed the current block
  std::string opening_plan;  // the plan the current period opened with (its invoice's plan line)
  std::uint64_t metered_through = 0;  // log position of the last OrderPlaced counted in period_orders
  std::map<std::string, InstalledExtension> extensions;  // by extension id
  std::vector<TemplateStep> template_steps;  // the upgrades taken, the last one last
  std::map<std::string, TicketWork> tickets;  // the open tickets' work, by id
  bool operator==(const State&) const = default;
};

Decision<Event> Decide(const Command& command, const State& state);
State Evolve(State state, const Event& event);
// Evolve in place (same rules, no copy or move of the state): for replaying long streams.
void Apply(State& state, const Event& event);

// Whether one more order fits this period's monthly limit (the gateway asks before placing).
bool OrderWithinLimit(const State& state);

}  // namespace keel::domain::tenant
