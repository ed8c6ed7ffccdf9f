// Field descriptors of the aggregates' states (for snapshots), in the style of fields.hpp.
#pragma once

#include "fields.hpp"

namespace keel::codec {

#define KEEL_FIELDS(Type, ...)                                      \
  template <class V, class Self>                                    \
    requires std::same_as<std::remove_const_t<Self>, Type>          \
  void Fields(V& v, Self& e) {                                      \
    __VA_ARGS__;                                                    \
  }

constexpr std::uint8_t MaxOf(d::order::Status) { return 11; }
constexpr std::uint8_t MaxOf(d::order::ReturnStatus) { return 3; }
constexpr std::uint8_t MaxOf(d::tenant::Status) { return 5; }

// -- warehouse --
KEEL_FIELDS(d::warehouse::SkuStock, v("lotTracked", e.lot_tracked); v("onHand", e.on_hand); v("reserved", e.reserved);
            v("value", e.value); v("unabsorbedLanded", e.unabsorbed_landed); v("lots", e.lots))
KEEL_FIELDS(d::warehouse::Reservation, v("sku", e.sku); v("qty", e.qty))
KEEL_FIELDS(d::warehouse::Rule, v("min", e.min); v("max", e.max); v("multiple", e.multiple);
            v("requestOpen", e.request_open))
KEEL_FIELDS(d::warehouse::LandedSplit, v("total", e.total); v("perLine", e.per_line))
KEEL_FIELDS(d::warehouse::Receipt, v("lines", e.lines); v("landed", e.landed); v("allocations", e.allocations);
            v("splits", e.splits))
KEEL_FIELDS(d::warehouse::Shipment, v("sku", e.sku); v("qty", e.qty); v("unitCost", e.unit_cost); v("lots", e.lots))
KEEL_FIELDS(d::warehouse::State, v("created", e.created); v("id", e.id); v("tenant", e.tenant); v("name", e.name);
            v("currency", e.currency); v("lotTracking", e.lot_tracking); v("landedCost", e.landed_cost);
            v("stock", e.stock); v("reservations", e.reservations); v("rules", e.rules))  // not the ledger

// -- order --
KEEL_FIELDS(d::order::LineState, v("sku", e.sku); v("qty", e.qty); v("unitPrice", e.unit_price); v("amount", e.amount);
            v("allocated", e.allocated); v("cancelled", e.cancelled); v("shipped", e.shipped); v("returned", e.returned))
KEEL_FIELDS(d::order::Return, v("status", e.status); v("lines", e.lines); v("value", e.value))
KEEL_FIELDS(d::order::State, v("status", e.status); v("id", e.id); v("tenant", e.tenant); v("customer", e.customer);
            v("currency", e.currency); v("channel", e.channel); v("lines", e.lines); v("total", e.total);
            v("allocations", e.allocations); v("shippedFrom", e.shipped_from); v("deliveredAt", e.delivered_at);
            v("returns", e.returns); v("placedBy", e.placed_by); v("shipped", e.shipped))

// -- tenant --
KEEL_FIELDS(d::tenant::InstalledExtension, v("version", e.version); v("kind", e.kind); v("keyId", e.key_id);
            v("configDigest", e.config_digest); v("installedAt", e.installed_at); v("withdrawnReason", e.withdrawn_reason))
KEEL_FIELDS(d::tenant::TemplateStep, v("fromVersion", e.from_version); v("toVersion", e.to_version);
            v("previousLimits", e.previous_limits); v("limitsAfter", e.limits_after); v("addedModules", e.added_modules);
            v("addedMilestones", e.added_milestones))
KEEL_FIELDS(d::tenant::TicketWork, v("severity", e.severity); v("priority", e.priority); v("status", e.status);
            v("assignee", e.assignee); v("routedTo", e.routed_to); v("comments", e.comments);
            v("openedAt", e.opened_at); v("firstResponseDue", e.first_response_due); v("respondedAt", e.responded_at);
            v("resolutionDue", e.resolution_due); v("pausedAt", e.paused_at);
            v("firstResponseBreached", e.first_response_breached); v("resolutionBreached", e.resolution_breached))
KEEL_FIELDS(d::tenant::State, v("status", e.status); v("beforeSuspension", e.before_suspension); v("id", e.id);
            v("partner", e.partner); v("name", e.name); v("templateId", e.template_id);
            v("templateVersion", e.template_version); v("plan", e.plan); v("planRank", e.plan_rank); v("tier", e.tier);
            v("deployment", e.deployment); v("environment", e.environment); v("modules", e.modules);
            v("limits", e.limits); v("milestones", e.milestones); v("warehouses", e.warehouses);
            v("periodStart", e.period_start); v("periodEnd", e.period_end); v("periodOrders", e.period_orders);
            v("periodApiCalls", e.period_api_calls); v("periodProrations", e.period_prorations); v("pendingDowngrade", e.pending_downgrade);
            v("cancelled", e.cancelled); v("planChangesBlocked", e.plan_changes_blocked);
            v("openTickets", e.open_tickets); v("ticketsOpened", e.tickets_opened); v("failing", e.failing);
            v("suspendedBy", e.suspended_by); v("planChangesBlockedBy", e.plan_changes_blocked_by);
            v("openingPlan", e.opening_plan);
            v("meteredThrough", e.metered_through); v("extensions", e.extensions);
            v("templateSteps", e.template_steps); v("tickets", e.tickets))

// -- extension --
KEEL_FIELDS(d::extension::VersionState, v("manifest", e.manifest); v("status", e.status);
            v("submittedBy", e.submitted_by); v("reviewer", e.reviewer); v("reasons", e.reasons);
            v("withdrawalReason", e.withdrawal_reason); v("submittedAt", e.submitted_at); v("decidedAt", e.decided_at);
            v("approvedAt", e.approved_at); v("withdrawnBy", e.withdrawn_by))
KEEL_FIELDS(d::extension::State, v("id", e.id); v("owner", e.owner); v("versions", e.versions))

// -- rollout --
KEEL_FIELDS(d::rollout::Member, v("wave", e.wave); v("partner", e.partner); v("fromVersion", e.from_version);
            v("status", e.status); v("reason", e.reason); v("at", e.at))
KEEL_FIELDS(d::rollout::Failure, v("tenant", e.tenant); v("signal", e.signal); v("wave", e.wave); v("at", e.at))
KEEL_FIELDS(d::rollout::Wave, v("name", e.name); v("percent", e.percent); v("tenants", e.tenants);
            v("startedAt", e.started_at); v("passedAt", e.passed_at))
KEEL_FIELDS(d::rollout::Rollout, v("templateId", e.template_id); v("version", e.version); v("soakMs", e.soak_ms);
            v("status", e.status); v("waves", e.waves); v("currentWave", e.current_wave); v("members", e.members);
            v("failures", e.failures); v("startedAt", e.started_at); v("finishedAt", e.finished_at);
            v("lastFailureAt", e.last_failure_at); v("startedBy", e.started_by); v("pausedBy", e.paused_by);
            v("pauseReason", e.pause_reason); v("rolledBackBy", e.rolled_back_by); v("rollbackReason", e.rollback_reason);
            v("resumedAt", e.resumed_at))
KEEL_FIELDS(d::rollout::State, v("templateId", e.template_id); v("rollouts", e.rollouts))

// -- partner, catalog, billing --
KEEL_FIELDS(d::partner::State, v("registered", e.registered); v("id", e.id); v("name", e.name);
            v("branding", e.branding); v("prices", e.prices); v("partnerBps", e.partner_bps); v("level", e.level);
            v("certified", e.certified); v("suspended", e.suspended))
KEEL_FIELDS(d::catalog::CustomerContract, v("currency", e.currency); v("prices", e.prices))
KEEL_FIELDS(d::catalog::State, v("items", e.items); v("suppliers", e.suppliers); v("contracts", e.contracts))
KEEL_FIELDS(d::billing::Invoice, v("total", e.total); v("paid", e.paid); v("credited", e.credited);
            v("periodStart", e.period_start); v("dueAt", e.due_at); v("overdue", e.overdue);
            v("dunningDone", e.dunning_done); v("currency", e.currency); v("periodEnd", e.period_end);
            v("lines", e.lines); v("partnerShare", e.partner_share); v("platformShare", e.platform_share))
KEEL_FIELDS(d::billing::PaymentSeen, v("invoiceId", e.invoice_id); v("amount", e.amount))
KEEL_FIELDS(d::billing::State, v("invoices", e.invoices); v("payments", e.payments); v("creditNotes", e.credit_notes);
            v("periodsInvoiced", e.periods_invoiced))

#undef KEEL_FIELDS

}  // namespace keel::codec
