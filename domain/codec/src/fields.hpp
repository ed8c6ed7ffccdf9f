// Field descriptors: for every event and nested value, its members paired with their Cap'n Proto
// field names (events.capnp). One list serves encoding, decoding and rendering. Each enum names its
// largest valid value so that decoding can refuse an out-of-range byte.
#pragma once

#include <concepts>
#include <cstdint>
#include <type_traits>

#include "domain/billing.hpp"
#include "domain/catalog.hpp"
#include "domain/extension.hpp"
#include "domain/order.hpp"
#include "domain/partner.hpp"
#include "domain/rollout.hpp"
#include "domain/tenant.hpp"
#include "domain/warehouse.hpp"

namespace keel::codec {

namespace d = keel::domain;

#define KEEL_FIELDS(Type, ...)                                      \
  template <class V, class Self>                                    \
    requires std::same_as<std::remove_const_t<Self>, Type>          \
  void Fields(V& v, Self& e) {                                      \
    __VA_ARGS__;                                                    \
  }

// -- enums: the largest valid value --
constexpr std::uint8_t MaxOf(d::warehouse::AllocationMethod) { return 2; }
constexpr std::uint8_t MaxOf(d::order::Channel) { return 3; }
constexpr std::uint8_t MaxOf(d::order::Disposition) { return 1; }
constexpr std::uint8_t MaxOf(d::Module) { return 9; }
constexpr std::uint8_t MaxOf(d::ServiceTier) { return 2; }
constexpr std::uint8_t MaxOf(d::DeploymentModel) { return 1; }
constexpr std::uint8_t MaxOf(d::Environment) { return 1; }
constexpr std::uint8_t MaxOf(d::tenant::Integration) { return 1; }
constexpr std::uint8_t MaxOf(d::partner::Level) { return 3; }
constexpr std::uint8_t MaxOf(d::DunningAction) { return 2; }
constexpr std::uint8_t MaxOf(d::tenant::ImposedBy) { return 1; }
constexpr std::uint8_t MaxOf(d::ExtensionKind) { return 4; }
constexpr std::uint8_t MaxOf(d::extension::Status) { return 4; }
constexpr std::uint8_t MaxOf(d::rollout::Move) { return 5; }
constexpr std::uint8_t MaxOf(d::rollout::Status) { return 4; }

// -- shared --
KEEL_FIELDS(d::Limits, v("warehouses", e.warehouses); v("monthlyOrders", e.monthly_orders); v("apiRps", e.api_rps))

// -- warehouse --
KEEL_FIELDS(d::warehouse::LotQty, v("lot", e.lot); v("expiry", e.expiry); v("qty", e.qty))
KEEL_FIELDS(d::warehouse::ReceiptLine, v("sku", e.sku); v("qty", e.qty); v("unitCost", e.unit_cost); v("lot", e.lot);
            v("expiry", e.expiry))
KEEL_FIELDS(d::warehouse::LineCharge, v("line", e.line); v("sku", e.sku); v("amount", e.amount))
KEEL_FIELDS(d::warehouse::WarehouseCreated, v("id", e.id); v("tenant", e.tenant); v("name", e.name);
            v("currency", e.currency); v("lotTracking", e.lot_tracking); v("landedCost", e.landed_cost); v("at", e.at))
KEEL_FIELDS(d::warehouse::StockReceived, v("receiptId", e.receipt_id); v("lines", e.lines); v("at", e.at))
KEEL_FIELDS(d::warehouse::LandedCharge, v("kind", e.kind); v("amount", e.amount))
KEEL_FIELDS(d::warehouse::LandedCostAllocated, v("receiptId", e.receipt_id); v("method", e.method);
            v("allocations", e.allocations); v("at", e.at); v("allocationId", e.allocation_id);
            v("charges", e.charges))
KEEL_FIELDS(d::warehouse::StockAdjusted, v("sku", e.sku); v("delta", e.delta); v("reason", e.reason); v("lot", e.lot);
            v("expiry", e.expiry); v("at", e.at))
KEEL_FIELDS(d::warehouse::StockReserved, v("orderId", e.order_id); v("line", e.line); v("sku", e.sku); v("qty", e.qty);
            v("at", e.at))
KEEL_FIELDS(d::warehouse::ReservationReleased, v("orderId", e.order_id); v("line", e.line); v("sku", e.sku);
            v("qty", e.qty); v("at", e.at))
KEEL_FIELDS(d::warehouse::ReservationConsumed, v("orderId", e.order_id); v("line", e.line); v("sku", e.sku);
            v("qty", e.qty); v("lots", e.lots); v("at", e.at); v("unitCost", e.unit_cost))
KEEL_FIELDS(d::warehouse::TransferredOut, v("transferId", e.transfer_id); v("toWarehouse", e.to_warehouse);
            v("sku", e.sku); v("qty", e.qty); v("unitCost", e.unit_cost); v("lots", e.lots); v("at", e.at))
KEEL_FIELDS(d::warehouse::TransferredIn, v("transferId", e.transfer_id); v("fromWarehouse", e.from_warehouse);
            v("sku", e.sku); v("qty", e.qty); v("unitCost", e.unit_cost); v("lots", e.lots); v("at", e.at))
KEEL_FIELDS(d::warehouse::ReplenishmentRuleSet, v("sku", e.sku); v("min", e.min); v("max", e.max);
            v("multiple", e.multiple); v("at", e.at))
KEEL_FIELDS(d::warehouse::PurchaseRequested, v("requestId", e.request_id); v("sku", e.sku); v("qty", e.qty);
            v("reason", e.reason); v("at", e.at))
KEEL_FIELDS(d::warehouse::ReplenishmentRequested, v("sku", e.sku); v("qty", e.qty); v("available", e.available);
            v("at", e.at))
KEEL_FIELDS(d::warehouse::StockReturned, v("orderId", e.order_id); v("rma", e.rma); v("lines", e.lines); v("at", e.at))

// -- order --
KEEL_FIELDS(d::order::PricedLine, v("line", e.line); v("sku", e.sku); v("qty", e.qty); v("unitPrice", e.unit_price);
            v("amount", e.amount))
KEEL_FIELDS(d::order::Allocation, v("line", e.line); v("warehouse", e.warehouse); v("qty", e.qty);
            v("reservation", e.reservation))
KEEL_FIELDS(d::order::ReturnLine, v("line", e.line); v("qty", e.qty))
KEEL_FIELDS(d::order::OrderPlaced, v("id", e.id); v("tenant", e.tenant); v("customer", e.customer);
            v("currency", e.currency); v("channel", e.channel); v("lines", e.lines);
            v("requiresApproval", e.requires_approval); v("at", e.at); v("total", e.total);
            v("placedBy", e.placed_by))
KEEL_FIELDS(d::order::OrderApproved, v("by", e.by); v("at", e.at))
KEEL_FIELDS(d::order::OrderRejected, v("by", e.by); v("reason", e.reason); v("at", e.at))
KEEL_FIELDS(d::order::OrderAllocated, v("allocations", e.allocations); v("backordered", e.backordered);
            v("cancelled", e.cancelled); v("at", e.at))
KEEL_FIELDS(d::order::OrderPicked, v("at", e.at))
KEEL_FIELDS(d::order::OrderShipped, v("warehouse", e.warehouse); v("tracking", e.tracking); v("lines", e.lines);
            v("at", e.at); v("reservations", e.reservations))
KEEL_FIELDS(d::order::OrderDelivered, v("at", e.at))
KEEL_FIELDS(d::order::OrderInvoiced, v("invoiceId", e.invoice_id); v("amount", e.amount); v("at", e.at))
KEEL_FIELDS(d::order::OrderCancelled, v("reason", e.reason); v("releases", e.releases); v("at", e.at))
KEEL_FIELDS(d::order::ReturnRequested, v("rma", e.rma); v("lines", e.lines); v("value", e.value); v("at", e.at))
KEEL_FIELDS(d::order::ReturnAuthorized, v("rma", e.rma); v("by", e.by); v("automatic", e.automatic); v("at", e.at))
KEEL_FIELDS(d::order::ReturnReceived, v("rma", e.rma); v("disposition", e.disposition); v("warehouse", e.warehouse);
            v("lines", e.lines); v("at", e.at))
KEEL_FIELDS(d::order::ReturnRefunded, v("rma", e.rma); v("amount", e.amount); v("at", e.at))
KEEL_FIELDS(d::order::OrderLineCancelled, v("line", e.line); v("qty", e.qty); v("reason", e.reason); v("at", e.at))

// -- tenant --
KEEL_FIELDS(d::tenant::MilestoneState, v("id", e.id); v("required", e.required); v("done", e.done))
KEEL_FIELDS(d::tenant::TenantProvisioned, v("id", e.id); v("partner", e.partner); v("name", e.name);
            v("templateId", e.template_id); v("templateVersion", e.template_version); v("plan", e.plan);
            v("planRank", e.plan_rank); v("tier", e.tier); v("deployment", e.deployment);
            v("environment", e.environment); v("modules", e.modules); v("milestones", e.milestones);
            v("periodStart", e.period_start); v("periodEnd", e.period_end); v("at", e.at); v("limits", e.limits))
KEEL_FIELDS(d::tenant::OnboardingStarted, v("at", e.at))
KEEL_FIELDS(d::tenant::MilestoneCompleted, v("milestone", e.milestone); v("by", e.by); v("at", e.at))
KEEL_FIELDS(d::tenant::TenantWentLive, v("at", e.at))
KEEL_FIELDS(d::tenant::TenantSuspended, v("reason", e.reason); v("at", e.at); v("imposedBy", e.by))
KEEL_FIELDS(d::tenant::TenantReinstated, v("at", e.at); v("imposedBy", e.by))
KEEL_FIELDS(d::tenant::TenantTerminated, v("reason", e.reason); v("at", e.at))
KEEL_FIELDS(d::tenant::ModuleActivated, v("module", e.module); v("milestones", e.milestones); v("at", e.at))
KEEL_FIELDS(d::tenant::ModuleDeactivated, v("module", e.module); v("at", e.at))
KEEL_FIELDS(d::tenant::PlanUpgraded, v("from", e.from); v("to", e.to); v("rank", e.rank); v("proration", e.proration);
            v("addedModules", e.added_modules); v("milestones", e.milestones); v("limits", e.limits); v("at", e.at))
KEEL_FIELDS(d::tenant::PlanDowngradeScheduled, v("from", e.from); v("to", e.to); v("rank", e.rank);
            v("removedModules", e.removed_modules); v("limits", e.limits); v("effectiveAt", e.effective_at);
            v("at", e.at))
KEEL_FIELDS(d::tenant::WarehouseRegistered, v("warehouse", e.warehouse); v("at", e.at))
KEEL_FIELDS(d::tenant::UsageRecorded, v("orders", e.orders); v("apiCalls", e.api_calls);
            v("periodStart", e.period_start); v("at", e.at))
KEEL_FIELDS(d::tenant::SubscriptionRenewed, v("periodStart", e.period_start); v("periodEnd", e.period_end);
            v("plan", e.plan); v("planRank", e.plan_rank); v("modules", e.modules); v("limits", e.limits); v("at", e.at))
KEEL_FIELDS(d::tenant::SubscriptionCancelled, v("reason", e.reason); v("effectiveAt", e.effective_at); v("at", e.at))
KEEL_FIELDS(d::tenant::TicketOpened, v("ticket", e.ticket); v("subject", e.subject); v("severity", e.severity);
            v("at", e.at); v("priority", e.priority); v("riskBand", e.risk_band); v("routedTo", e.routed_to);
            v("firstResponseDue", e.first_response_due); v("resolutionDue", e.resolution_due))
KEEL_FIELDS(d::tenant::TicketAssigned, v("ticket", e.ticket); v("assignee", e.assignee); v("previous", e.previous);
            v("at", e.at))
KEEL_FIELDS(d::tenant::TicketCommented, v("ticket", e.ticket); v("comment", e.comment); v("author", e.author);
            v("from", e.from); v("body", e.body); v("internal", e.internal); v("firstResponse", e.first_response);
            v("at", e.at))
KEEL_FIELDS(d::tenant::TicketStatusChanged, v("ticket", e.ticket); v("from", e.from); v("to", e.to);
            v("reason", e.reason); v("resolutionDue", e.resolution_due); v("at", e.at))
KEEL_FIELDS(d::tenant::TicketSlaBreached, v("ticket", e.ticket); v("target", e.target); v("priority", e.priority);
            v("routedTo", e.routed_to); v("due", e.due); v("at", e.at))
KEEL_FIELDS(d::tenant::TicketResolved, v("ticket", e.ticket); v("at", e.at))
KEEL_FIELDS(d::tenant::IntegrationFailed, v("integration", e.integration); v("detail", e.detail);
            v("routedTo", e.routed_to); v("at", e.at))
KEEL_FIELDS(d::tenant::IntegrationRecovered, v("integration", e.integration); v("at", e.at))
KEEL_FIELDS(d::tenant::SyncLatencyBreached, v("integration", e.integration); v("latencyMs", e.latency_ms);
            v("routedTo", e.routed_to); v("at", e.at))
KEEL_FIELDS(d::tenant::TemplateUpgraded, v("templateId", e.template_id); v("version", e.version);
            v("limits", e.limits); v("at", e.at); v("addedModules", e.added_modules); v("milestones", e.milestones))
KEEL_FIELDS(d::tenant::PlanChangesBlockedSet, v("blocked", e.blocked); v("reason", e.reason); v("at", e.at);
            v("imposedBy", e.by))
KEEL_FIELDS(d::tenant::OrderMetered, v("order", e.order); v("position", e.position); v("periodStart", e.period_start);
            v("at", e.at))

KEEL_FIELDS(d::tenant::ExtensionInstalled, v("extension", e.extension); v("version", e.version); v("kind", e.kind);
            v("keyId", e.key_id); v("configDigest", e.config_digest); v("previousVersion", e.previous_version);
            v("previousKeyId", e.previous_key_id); v("at", e.at))
KEEL_FIELDS(d::tenant::ExtensionUninstalled, v("extension", e.extension); v("version", e.version); v("keyId", e.key_id);
            v("at", e.at))
KEEL_FIELDS(d::tenant::ExtensionWithdrawalNoted, v("extension", e.extension); v("version", e.version);
            v("reason", e.reason); v("at", e.at))

KEEL_FIELDS(d::tenant::TemplateRolledBack, v("templateId", e.template_id); v("fromVersion", e.from_version);
            v("toVersion", e.to_version); v("limits", e.limits); v("removedModules", e.removed_modules);
            v("removedMilestones", e.removed_milestones); v("rollout", e.rollout); v("at", e.at))

// -- rollout --
KEEL_FIELDS(d::rollout::Planned, v("tenant", e.tenant); v("partner", e.partner); v("fromVersion", e.from_version))
KEEL_FIELDS(d::rollout::WavePlan, v("name", e.name); v("percent", e.percent); v("tenants", e.tenants))
KEEL_FIELDS(d::rollout::RolloutStarted, v("templateId", e.template_id); v("version", e.version); v("soakMs", e.soak_ms);
            v("waves", e.waves); v("by", e.by); v("at", e.at))
KEEL_FIELDS(d::rollout::WaveStarted, v("version", e.version); v("wave", e.wave); v("at", e.at))
KEEL_FIELDS(d::rollout::TenantMoveRecorded, v("version", e.version); v("tenant", e.tenant); v("outcome", e.outcome);
            v("reason", e.reason); v("at", e.at))
KEEL_FIELDS(d::rollout::RolloutFailureRecorded, v("version", e.version); v("tenant", e.tenant); v("signal", e.signal);
            v("at", e.at))
KEEL_FIELDS(d::rollout::WavePassed, v("version", e.version); v("wave", e.wave); v("at", e.at))
KEEL_FIELDS(d::rollout::RolloutCompleted, v("version", e.version); v("at", e.at))
KEEL_FIELDS(d::rollout::RolloutPaused, v("version", e.version); v("by", e.by); v("reason", e.reason); v("at", e.at))
KEEL_FIELDS(d::rollout::RolloutResumed, v("version", e.version); v("by", e.by); v("at", e.at))
KEEL_FIELDS(d::rollout::RollbackStarted, v("version", e.version); v("by", e.by); v("reason", e.reason); v("at", e.at))
KEEL_FIELDS(d::rollout::TenantRollbackRecorded, v("version", e.version); v("tenant", e.tenant); v("ok", e.ok);
            v("reason", e.reason); v("at", e.at))
KEEL_FIELDS(d::rollout::RolloutRolledBack, v("version", e.version); v("at", e.at))

// -- extension --
KEEL_FIELDS(d::extension::Manifest, v("version", e.version); v("name", e.name); v("description", e.description);
            v("kind", e.kind); v("modules", e.modules); v("events", e.events); v("commands", e.commands);
            v("scopes", e.scopes); v("configSchema", e.config_schema))
KEEL_FIELDS(d::extension::ExtensionVersionSubmitted, v("id", e.id); v("owner", e.owner); v("manifest", e.manifest);
            v("by", e.by); v("at", e.at))
KEEL_FIELDS(d::extension::ExtensionReviewStarted, v("version", e.version); v("by", e.by); v("at", e.at))
KEEL_FIELDS(d::extension::ExtensionVersionApproved, v("version", e.version); v("by", e.by); v("at", e.at))
KEEL_FIELDS(d::extension::ExtensionVersionRejected, v("version", e.version); v("by", e.by); v("reasons", e.reasons);
            v("at", e.at))
KEEL_FIELDS(d::extension::ExtensionVersionWithdrawn, v("version", e.version); v("by", e.by); v("reason", e.reason);
            v("was", e.was); v("at", e.at))

// -- partner --
KEEL_FIELDS(d::partner::Branding, v("displayName", e.display_name); v("logoUrl", e.logo_url);
            v("primaryColour", e.primary_colour); v("secondaryColour", e.secondary_colour);
            v("supportEmail", e.support_email); v("customDomain", e.custom_domain))
KEEL_FIELDS(d::PriceBreak, v("minQty", e.min_qty); v("unitPrice", e.unit_price))
KEEL_FIELDS(d::PriceEntry, v("sku", e.sku); v("category", e.category); v("breaks", e.breaks);
            v("validFrom", e.valid_from); v("validTo", e.valid_to))
KEEL_FIELDS(d::PriceList, v("currency", e.currency); v("entries", e.entries))
KEEL_FIELDS(d::partner::PartnerRegistered, v("id", e.id); v("name", e.name); v("at", e.at))
KEEL_FIELDS(d::partner::BrandingUpdated, v("branding", e.branding); v("at", e.at))
KEEL_FIELDS(d::partner::PriceListSet, v("prices", e.prices); v("at", e.at))
KEEL_FIELDS(d::partner::RevenueShareSet, v("partnerBps", e.partner_bps); v("at", e.at))
KEEL_FIELDS(d::partner::PartnerLevelSet, v("level", e.level); v("at", e.at))
KEEL_FIELDS(d::partner::PartnerCertified, v("by", e.by); v("at", e.at))
KEEL_FIELDS(d::partner::PartnerSuspended, v("reason", e.reason); v("at", e.at))
KEEL_FIELDS(d::partner::PartnerReinstated, v("at", e.at))

// -- catalog --
KEEL_FIELDS(d::catalog::Item, v("sku", e.sku); v("name", e.name); v("unit", e.unit); v("category", e.category);
            v("weightGrams", e.weight_grams); v("lotTracked", e.lot_tracked); v("supplier", e.supplier))
KEEL_FIELDS(d::catalog::RowError, v("row", e.row); v("sku", e.sku); v("message", e.message))
KEEL_FIELDS(d::catalog::Supplier, v("id", e.id); v("name", e.name))
KEEL_FIELDS(d::catalog::SuppliersRegistered, v("suppliers", e.suppliers); v("at", e.at))
KEEL_FIELDS(d::catalog::ItemsImported, v("items", e.items); v("errors", e.errors); v("at", e.at))
KEEL_FIELDS(d::ContractPrice, v("customer", e.customer); v("sku", e.sku); v("unitPrice", e.unit_price);
            v("validFrom", e.valid_from); v("validTo", e.valid_to))
KEEL_FIELDS(d::catalog::ContractPricesSet, v("customer", e.customer); v("currency", e.currency); v("prices", e.prices);
            v("at", e.at))

// -- billing --
KEEL_FIELDS(d::billing::InvoiceLine, v("kind", e.kind); v("description", e.description); v("amount", e.amount))
KEEL_FIELDS(d::billing::InvoiceIssued, v("invoiceId", e.invoice_id); v("tenant", e.tenant); v("currency", e.currency);
            v("periodStart", e.period_start); v("periodEnd", e.period_end); v("lines", e.lines); v("total", e.total);
            v("partnerShare", e.partner_share); v("platformShare", e.platform_share); v("dueAt", e.due_at);
            v("at", e.at))
KEEL_FIELDS(d::billing::PaymentRecorded, v("invoiceId", e.invoice_id); v("paymentId", e.payment_id);
            v("amount", e.amount); v("at", e.at))
KEEL_FIELDS(d::billing::CreditNoteIssued, v("invoiceId", e.invoice_id); v("noteId", e.note_id); v("reason", e.reason);
            v("amount", e.amount); v("at", e.at))
KEEL_FIELDS(d::billing::InvoiceOverdue, v("invoiceId", e.invoice_id); v("outstanding", e.outstanding); v("at", e.at))
KEEL_FIELDS(d::billing::DunningStepReached, v("invoiceId", e.invoice_id); v("daysOverdue", e.days_overdue);
            v("action", e.action); v("at", e.at))

#undef KEEL_FIELDS

}  // namespace keel::codec
