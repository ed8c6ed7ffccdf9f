// JSON descriptors of the domain's commands, events, states and enums (json_fields.hpp), plus the
// request bodies of the commands whose client input is not a member of the command (a template id,
// a plan id, a template version). Command descriptors name only what a client supplies: never `at`
// (the server's clock) nor anything the server resolves from other aggregates or configuration, so a
// body that tries to set such a field is refused as an unknown field. Events and states describe
// every field, all optional. Enum names are the domain's snake_case names. No Beast, no CAF.
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

#include "domain/billing.hpp"
#include "domain/billing_rules.hpp"
#include "domain/catalog.hpp"
#include "domain/catalog_data.hpp"
#include "domain/common.hpp"
#include "domain/order.hpp"
#include "domain/partner.hpp"
#include "domain/pricing.hpp"
#include "domain/tenant.hpp"
#include "domain/warehouse.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// ---------------------------------------------------------------------------------------------------
// Request bodies whose fields are not members of the command they become.

// POST /v1/partners/{partner}/tenants: the gateway resolves the template (newest version when none is
// given), the plan (the template's when none is given) and the partner's certification.
struct ProvisionTenantBody {
  std::string id, name, template_id;
  std::optional<int> template_version;
  std::optional<std::string> plan;
  domain::Environment environment = domain::Environment::kProduction;
};
// PUT /v1/tenants/{tenant}/plan: the target plan's id, resolved from the service catalog.
struct ChangePlanBody {
  std::string plan;
};
// PUT /v1/tenants/{tenant}/template: the version of the tenant's template to move to.
struct UpgradeTemplateBody {
  int version = 0;
};

template <> struct Describe<ProvisionTenantBody> {
  using T = ProvisionTenantBody;
  static constexpr auto fields = std::make_tuple(
      Req("id", &T::id), Opt("name", &T::name), Req("template_id", &T::template_id),
      Opt("template_version", &T::template_version), Opt("plan", &T::plan), Opt("environment", &T::environment));
};
template <> struct Describe<ChangePlanBody> {
  using T = ChangePlanBody;
  static constexpr auto fields = std::make_tuple(Req("plan", &T::plan));
};
template <> struct Describe<UpgradeTemplateBody> {
  using T = UpgradeTemplateBody;
  static constexpr auto fields = std::make_tuple(Req("version", &T::version));
};

// ---------------------------------------------------------------------------------------------------
// Enums. Where the domain has a name function (ModuleName, TierName, ...) these are its strings;
// order and tenant StatusName are prose ("awaiting approval"), here with underscores.

template <> struct EnumNames<domain::RejectionCode> {
  using E = domain::RejectionCode;
  static constexpr std::array<std::pair<E, std::string_view>, 19> names{{
      {E::kInvalidArgument, "invalid_argument"},
      {E::kAlreadyExists, "already_exists"},
      {E::kNotFound, "not_found"},
      {E::kIllegalTransition, "illegal_transition"},
      {E::kInsufficientStock, "insufficient_stock"},
      {E::kModuleNotEntitled, "module_not_entitled"},
      {E::kLimitExceeded, "limit_exceeded"},
      {E::kNotCertified, "not_certified"},
      {E::kPartnerSuspended, "partner_suspended"},
      {E::kUnknownSku, "unknown_sku"},
      {E::kCurrencyMismatch, "currency_mismatch"},
      {E::kNotPermitted, "not_permitted"},
      {E::kOutsideWindow, "outside_window"},
      {E::kExceedsShipped, "exceeds_shipped"},
      {E::kExceedsInvoice, "exceeds_invoice"},
      {E::kIncompatibleTemplate, "incompatible_template"},
      {E::kAlreadyDone, "already_done"},
      {E::kImportRejected, "import_rejected"},
      {E::kPlanChangesBlocked, "plan_changes_blocked"},
  }};
};
template <> struct EnumNames<domain::Module> {
  using E = domain::Module;
  static constexpr std::array<std::pair<E, std::string_view>, 10> names{{
      {E::kInventory, "inventory"},
      {E::kMultiWarehouse, "multi_warehouse"},
      {E::kLotTracking, "lot_tracking"},
      {E::kLandedCost, "landed_cost"},
      {E::kReturns, "returns"},
      {E::kEdi, "edi"},
      {E::kMarketplaceConnectors, "marketplace_connectors"},
      {E::kCrmIntegration, "crm_integration"},
      {E::kAdvancedPricing, "advanced_pricing"},
      {E::kWorkflowAutomation, "workflow_automation"},
  }};
};
template <> struct EnumNames<domain::ServiceTier> {
  using E = domain::ServiceTier;
  static constexpr std::array<std::pair<E, std::string_view>, 3> names{
      {{E::kStandard, "standard"}, {E::kPremium, "premium"}, {E::kEnterprise, "enterprise"}}};
};
template <> struct EnumNames<domain::DeploymentModel> {
  using E = domain::DeploymentModel;
  static constexpr std::array<std::pair<E, std::string_view>, 2> names{
      {{E::kShared, "shared"}, {E::kDedicated, "dedicated"}}};
};
template <> struct EnumNames<domain::Environment> {
  using E = domain::Environment;
  static constexpr std::array<std::pair<E, std::string_view>, 2> names{
      {{E::kProduction, "production"}, {E::kSandbox, "sandbox"}}};
};
template <> struct EnumNames<domain::DunningAction> {
  using E = domain::DunningAction;
  static constexpr std::array<std::pair<E, std::string_view>, 3> names{
      {{E::kReminder, "reminder"}, {E::kBlockPlanChanges, "block_plan_changes"}, {E::kSuspend, "suspend"}}};
};
template <> struct EnumNames<domain::partner::Level> {
  using E = domain::partner::Level;
  static constexpr std::array<std::pair<E, std::string_view>, 4> names{
      {{E::kRegistered, "registered"}, {E::kSilver, "silver"}, {E::kGold, "gold"}, {E::kPlatinum, "platinum"}}};
};
template <> struct EnumNames<domain::tenant::Status> {
  using E = domain::tenant::Status;
  static constexpr std::array<std::pair<E, std::string_view>, 6> names{{
      {E::kNone, "not_provisioned"},
      {E::kProvisioning, "provisioning"},
      {E::kOnboarding, "onboarding"},
      {E::kActive, "active"},
      {E::kSuspended, "suspended"},
      {E::kTerminated, "terminated"},
  }};
};
template <> struct EnumNames<domain::tenant::Integration> {
  using E = domain::tenant::Integration;
  static constexpr std::array<std::pair<E, std::string_view>, 2> names{
      {{E::kEdi, "edi"}, {E::kMarketplace, "marketplace"}}};
};
template <> struct EnumNames<domain::order::Channel> {
  using E = domain::order::Channel;
  static constexpr std::array<std::pair<E, std::string_view>, 4> names{
      {{E::kDirect, "direct"}, {E::kB2B, "b2b"}, {E::kMarketplace, "marketplace"}, {E::kEdi, "edi"}}};
};
template <> struct EnumNames<domain::order::ShortfallRule> {
  using E = domain::order::ShortfallRule;
  static constexpr std::array<std::pair<E, std::string_view>, 2> names{
      {{E::kBackorder, "backorder"}, {E::kCancelLine, "cancel_line"}}};
};
template <> struct EnumNames<domain::order::Disposition> {
  using E = domain::order::Disposition;
  static constexpr std::array<std::pair<E, std::string_view>, 2> names{
      {{E::kRestock, "restock"}, {E::kScrap, "scrap"}}};
};
template <> struct EnumNames<domain::order::Status> {
  using E = domain::order::Status;
  static constexpr std::array<std::pair<E, std::string_view>, 12> names{{
      {E::kNone, "not_placed"},
      {E::kAwaitingApproval, "awaiting_approval"},
      {E::kPlaced, "placed"},
      {E::kBackordered, "backordered"},
      {E::kReserved, "reserved"},
      {E::kPicked, "picked"},
      {E::kPartiallyShipped, "partially_shipped"},
      {E::kShipped, "shipped"},
      {E::kDelivered, "delivered"},
      {E::kInvoiced, "invoiced"},
      {E::kCancelled, "cancelled"},
      {E::kRejected, "rejected"},
  }};
};
template <> struct EnumNames<domain::order::ReturnStatus> {
  using E = domain::order::ReturnStatus;
  static constexpr std::array<std::pair<E, std::string_view>, 4> names{{{E::kRequested, "requested"},
                                                                        {E::kAuthorized, "authorized"},
                                                                        {E::kReceived, "received"},
                                                                        {E::kRefunded, "refunded"}}};
};
template <> struct EnumNames<domain::warehouse::AllocationMethod> {
  using E = domain::warehouse::AllocationMethod;
  static constexpr std::array<std::pair<E, std::string_view>, 3> names{
      {{E::kEqual, "equal"}, {E::kQuantity, "quantity"}, {E::kValue, "value"}}};
};

// ---------------------------------------------------------------------------------------------------
// Shared values: money, prices, plans, templates.

template <> struct Describe<domain::Money> {
  using T = domain::Money;
  static constexpr auto fields = std::make_tuple(Opt("minor", &T::minor), Opt("currency", &T::currency));
};
template <> struct Describe<domain::PriceBreak> {
  using T = domain::PriceBreak;
  static constexpr auto fields = std::make_tuple(Opt("min_qty", &T::min_qty), Opt("unit_price", &T::unit_price));
};
template <> struct Describe<domain::PriceEntry> {
  using T = domain::PriceEntry;
  static constexpr auto fields =
      std::make_tuple(Opt("sku", &T::sku), Opt("category", &T::category), Opt("breaks", &T::breaks),
                      Opt("valid_from", &T::valid_from), Opt("valid_to", &T::valid_to));
};
template <> struct Describe<domain::PriceList> {
  using T = domain::PriceList;
  static constexpr auto fields = std::make_tuple(Opt("currency", &T::currency), Opt("entries", &T::entries));
};
template <> struct Describe<domain::ContractPrice> {
  using T = domain::ContractPrice;
  static constexpr auto fields =
      std::make_tuple(Opt("customer", &T::customer), Opt("sku", &T::sku), Opt("unit_price", &T::unit_price),
                      Opt("valid_from", &T::valid_from), Opt("valid_to", &T::valid_to));
};
template <> struct Describe<domain::Limits> {
  using T = domain::Limits;
  static constexpr auto fields = std::make_tuple(
      Opt("warehouses", &T::warehouses), Opt("monthly_orders", &T::monthly_orders), Opt("api_rps", &T::api_rps));
};
template <> struct Describe<domain::Plan> {
  using T = domain::Plan;
  static constexpr auto fields = std::make_tuple(
      Opt("id", &T::id), Opt("rank", &T::rank), Opt("modules", &T::modules), Opt("addons", &T::addons),
      Opt("limits", &T::limits), Opt("fee_shared", &T::fee_shared), Opt("fee_dedicated", &T::fee_dedicated),
      Opt("included_orders", &T::included_orders), Opt("overage_per_order", &T::overage_per_order));
};
template <> struct Describe<domain::ServiceCatalog> {
  using T = domain::ServiceCatalog;
  static constexpr auto fields =
      std::make_tuple(Opt("currency", &T::currency), Opt("plans", &T::plans), Opt("support_fees", &T::support_fees),
                      Opt("cost_shared", &T::cost_shared), Opt("cost_dedicated", &T::cost_dedicated),
                      Opt("cost_per_ticket", &T::cost_per_ticket));
};
template <> struct Describe<domain::Milestone> {
  using T = domain::Milestone;
  static constexpr auto fields = std::make_tuple(Opt("id", &T::id), Opt("name", &T::name),
                                                 Opt("required", &T::required), Opt("module", &T::module));
};
template <> struct Describe<domain::DunningStep> {
  using T = domain::DunningStep;
  static constexpr auto fields = std::make_tuple(Opt("days_overdue", &T::days_overdue), Opt("action", &T::action));
};
template <> struct Describe<domain::WorkflowRules> {
  using T = domain::WorkflowRules;
  static constexpr auto fields = std::make_tuple(
      Opt("approval_threshold", &T::approval_threshold), Opt("approver_roles", &T::approver_roles),
      Opt("auto_replenishment", &T::auto_replenishment), Opt("return_window_days", &T::return_window_days),
      Opt("auto_authorize_days", &T::auto_authorize_days), Opt("backorder_shortfalls", &T::backorder_shortfalls),
      Opt("exception_routing", &T::exception_routing), Opt("sync_latency_threshold_ms", &T::sync_latency_threshold_ms));
};
template <> struct Describe<domain::SegmentTemplate> {
  using T = domain::SegmentTemplate;
  static constexpr auto fields = std::make_tuple(
      Opt("id", &T::id), Opt("version", &T::version), Opt("currency", &T::currency), Opt("plan", &T::plan),
      Opt("tier", &T::tier), Opt("deployment", &T::deployment), Opt("modules", &T::modules), Opt("limits", &T::limits),
      Opt("sandbox_limits", &T::sandbox_limits), Opt("lot_traceability_required", &T::lot_traceability_required),
      Opt("data_region", &T::data_region), Opt("workflow", &T::workflow), Opt("milestones", &T::milestones),
      Opt("payment_terms_days", &T::payment_terms_days), Opt("billing_period_days", &T::billing_period_days),
      Opt("dunning", &T::dunning));
};

// ---------------------------------------------------------------------------------------------------
// Partner.

template <> struct Describe<domain::partner::Branding> {
  using T = domain::partner::Branding;
  static constexpr auto fields =
      std::make_tuple(Opt("display_name", &T::display_name), Opt("logo_url", &T::logo_url),
                      Opt("primary_colour", &T::primary_colour), Opt("secondary_colour", &T::secondary_colour),
                      Opt("support_email", &T::support_email), Opt("custom_domain", &T::custom_domain));
};

// -- commands --
template <> struct Describe<domain::partner::RegisterPartner> {
  using T = domain::partner::RegisterPartner;
  static constexpr auto fields = std::make_tuple(Req("id", &T::id), Opt("name", &T::name));
};
template <> struct Describe<domain::partner::UpdateBranding> {
  using T = domain::partner::UpdateBranding;
  static constexpr auto fields = std::make_tuple(Req("branding", &T::branding));
};
template <> struct Describe<domain::partner::SetPriceList> {
  using T = domain::partner::SetPriceList;
  static constexpr auto fields = std::make_tuple(Req("prices", &T::prices));
};
template <> struct Describe<domain::partner::SetRevenueShare> {
  using T = domain::partner::SetRevenueShare;
  static constexpr auto fields = std::make_tuple(Req("partner_bps", &T::partner_bps));
};
template <> struct Describe<domain::partner::SetPartnerLevel> {
  using T = domain::partner::SetPartnerLevel;
  static constexpr auto fields = std::make_tuple(Req("level", &T::level));
};
template <> struct Describe<domain::partner::CertifyPartner> {
  static constexpr auto fields = std::make_tuple();  // `by` is the caller
};
template <> struct Describe<domain::partner::SuspendPartner> {
  using T = domain::partner::SuspendPartner;
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason));
};
template <> struct Describe<domain::partner::ReinstatePartner> { static constexpr auto fields = std::make_tuple(); };

// -- events --
template <> struct Describe<domain::partner::PartnerRegistered> {
  using T = domain::partner::PartnerRegistered;
  static constexpr auto fields = std::make_tuple(Opt("id", &T::id), Opt("name", &T::name), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::BrandingUpdated> {
  using T = domain::partner::BrandingUpdated;
  static constexpr auto fields = std::make_tuple(Opt("branding", &T::branding), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::PriceListSet> {
  using T = domain::partner::PriceListSet;
  static constexpr auto fields = std::make_tuple(Opt("prices", &T::prices), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::RevenueShareSet> {
  using T = domain::partner::RevenueShareSet;
  static constexpr auto fields = std::make_tuple(Opt("partner_bps", &T::partner_bps), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::PartnerLevelSet> {
  using T = domain::partner::PartnerLevelSet;
  static constexpr auto fields = std::make_tuple(Opt("level", &T::level), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::PartnerCertified> {
  using T = domain::partner::PartnerCertified;
  static constexpr auto fields = std::make_tuple(Opt("by", &T::by), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::PartnerSuspended> {
  using T = domain::partner::PartnerSuspended;
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::PartnerReinstated> {
  using T = domain::partner::PartnerReinstated;
  static constexpr auto fields = std::make_tuple(Opt("at", &T::at));
};

// -- state --
template <> struct Describe<domain::partner::State> {
  using T = domain::partner::State;
  static constexpr auto fields =
      std::make_tuple(Opt("registered", &T::registered), Opt("id", &T::id), Opt("name", &T::name),
                      Opt("branding", &T::branding), Opt("prices", &T::prices), Opt("partner_bps", &T::partner_bps),
                      Opt("level", &T::level), Opt("certified", &T::certified), Opt("suspended", &T::suspended));
};

// ---------------------------------------------------------------------------------------------------
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
  static constexpr auto fields = std::make_tuple(Req("milestone", &T::milestone));  // `by` is the caller
};
template <> struct Describe<domain::tenant::GoLive> { static constexpr auto fields = std::make_tuple(); };
template <> struct Describe<domain::tenant::SuspendTenant> {
  using T = domain::tenant::SuspendTenant;
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason));
};
template <> struct Describe<domain::tenant::ReinstateTenant> { static constexpr auto fields = std::make_tuple(); };
template <> struct Describe<domain::tenant::TerminateTenant> {
  using T = domain::tenant::TerminateTenant;
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason));
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
  static constexpr auto fields = std::make_tuple(Req("warehouse", &T::warehouse));
};
template <> struct Describe<domain::tenant::RecordUsage> {
  using T = domain::tenant::RecordUsage;
  static constexpr auto fields = std::make_tuple(Opt("orders", &T::orders), Opt("api_calls", &T::api_calls));
};
template <> struct Describe<domain::tenant::RenewSubscription> { static constexpr auto fields = std::make_tuple(); };
template <> struct Describe<domain::tenant::CancelSubscription> {
  using T = domain::tenant::CancelSubscription;
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason));
};
template <> struct Describe<domain::tenant::OpenTicket> {
  using T = domain::tenant::OpenTicket;
  static constexpr auto fields =
      std::make_tuple(Req("ticket", &T::ticket), Opt("subject", &T::subject), Opt("severity", &T::severity));
};
template <> struct Describe<domain::tenant::ResolveTicket> {
  using T = domain::tenant::ResolveTicket;
  static constexpr auto fields = std::make_tuple(Req("ticket", &T::ticket));
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
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::TenantReinstated> {
  using T = domain::tenant::TenantReinstated;
  static constexpr auto fields = std::make_tuple(Opt("at", &T::at));
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
  static constexpr auto fields = std::make_tuple(Opt("ticket", &T::ticket), Opt("subject", &T::subject),
                                                 Opt("severity", &T::severity), Opt("at", &T::at));
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
                                                 Opt("limits", &T::limits), Opt("at", &T::at));
};
template <> struct Describe<domain::tenant::PlanChangesBlockedSet> {
  using T = domain::tenant::PlanChangesBlockedSet;
  static constexpr auto fields =
      std::make_tuple(Opt("blocked", &T::blocked), Opt("reason", &T::reason), Opt("at", &T::at));
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
      Opt("open_tickets", &T::open_tickets), Opt("tickets_opened", &T::tickets_opened), Opt("failing", &T::failing));
};

// ---------------------------------------------------------------------------------------------------
// Catalog.

template <> struct Describe<domain::catalog::Item> {
  using T = domain::catalog::Item;
  static constexpr auto fields = std::make_tuple(Opt("sku", &T::sku), Opt("name", &T::name), Opt("unit", &T::unit),
                                                 Opt("category", &T::category), Opt("weight_grams", &T::weight_grams),
                                                 Opt("lot_tracked", &T::lot_tracked), Opt("supplier", &T::supplier));
};
template <> struct Describe<domain::catalog::ItemRow> {  // a command's row: both required
  using T = domain::catalog::ItemRow;
  static constexpr auto fields = std::make_tuple(Req("row", &T::row), Req("item", &T::item));
};
template <> struct Describe<domain::catalog::RowError> {
  using T = domain::catalog::RowError;
  static constexpr auto fields = std::make_tuple(Opt("row", &T::row), Opt("sku", &T::sku), Opt("message", &T::message));
};
template <> struct Describe<domain::catalog::Supplier> {
  using T = domain::catalog::Supplier;
  static constexpr auto fields = std::make_tuple(Opt("id", &T::id), Opt("name", &T::name));
};

// -- commands --
template <> struct Describe<domain::catalog::RegisterSuppliers> {
  using T = domain::catalog::RegisterSuppliers;
  static constexpr auto fields = std::make_tuple(Req("suppliers", &T::suppliers));
};
template <> struct Describe<domain::catalog::ImportItems> {  // entitlement, units, categories: resolved
  using T = domain::catalog::ImportItems;
  static constexpr auto fields = std::make_tuple(Req("rows", &T::rows), Opt("all_or_nothing", &T::all_or_nothing));
};

// -- events --
template <> struct Describe<domain::catalog::SuppliersRegistered> {
  using T = domain::catalog::SuppliersRegistered;
  static constexpr auto fields = std::make_tuple(Opt("suppliers", &T::suppliers), Opt("at", &T::at));
};
template <> struct Describe<domain::catalog::ItemsImported> {
  using T = domain::catalog::ItemsImported;
  static constexpr auto fields = std::make_tuple(Opt("items", &T::items), Opt("errors", &T::errors), Opt("at", &T::at));
};

// -- state --
template <> struct Describe<domain::catalog::State> {
  using T = domain::catalog::State;
  static constexpr auto fields = std::make_tuple(Opt("items", &T::items), Opt("suppliers", &T::suppliers));
};

// ---------------------------------------------------------------------------------------------------
// Warehouse. Commands' `catalog` (and CreateWarehouse's tenant and entitlements, transfers' tenants)
// are resolved by the gateway.

template <> struct Describe<domain::warehouse::LotQty> {
  using T = domain::warehouse::LotQty;
  static constexpr auto fields = std::make_tuple(Opt("lot", &T::lot), Opt("expiry", &T::expiry), Opt("qty", &T::qty));
};
template <> struct Describe<domain::warehouse::ItemFacts> {
  using T = domain::warehouse::ItemFacts;
  static constexpr auto fields = std::make_tuple(Opt("lot_tracked", &T::lot_tracked));
};
template <> struct Describe<domain::warehouse::ReceiptLine> {
  using T = domain::warehouse::ReceiptLine;
  static constexpr auto fields =
      std::make_tuple(Opt("sku", &T::sku), Opt("qty", &T::qty), Opt("unit_cost", &T::unit_cost), Opt("lot", &T::lot),
                      Opt("expiry", &T::expiry));
};
template <> struct Describe<domain::warehouse::LandedCharge> {  // only in a command
  using T = domain::warehouse::LandedCharge;
  static constexpr auto fields = std::make_tuple(Req("kind", &T::kind), Req("amount", &T::amount));
};
template <> struct Describe<domain::warehouse::LineCharge> {
  using T = domain::warehouse::LineCharge;
  static constexpr auto fields = std::make_tuple(Opt("line", &T::line), Opt("sku", &T::sku), Opt("amount", &T::amount));
};

// -- commands --
template <> struct Describe<domain::warehouse::CreateWarehouse> {
  using T = domain::warehouse::CreateWarehouse;
  static constexpr auto fields =
      std::make_tuple(Req("id", &T::id), Opt("name", &T::name), Req("currency", &T::currency));
};
template <> struct Describe<domain::warehouse::ReceiveStock> {
  using T = domain::warehouse::ReceiveStock;
  static constexpr auto fields = std::make_tuple(Req("receipt_id", &T::receipt_id), Req("lines", &T::lines));
};
template <> struct Describe<domain::warehouse::AllocateLandedCost> {
  using T = domain::warehouse::AllocateLandedCost;
  static constexpr auto fields =
      std::make_tuple(Req("receipt_id", &T::receipt_id), Req("charges", &T::charges), Opt("method", &T::method));
};
template <> struct Describe<domain::warehouse::AdjustStock> {
  using T = domain::warehouse::AdjustStock;
  static constexpr auto fields =
      std::make_tuple(Req("sku", &T::sku), Req("delta", &T::delta), Opt("reason", &T::reason), Opt("lot", &T::lot),
                      Opt("expiry", &T::expiry));
};
template <> struct Describe<domain::warehouse::ReserveStock> {
  using T = domain::warehouse::ReserveStock;
  static constexpr auto fields =
      std::make_tuple(Req("order_id", &T::order_id), Req("line", &T::line), Req("sku", &T::sku), Req("qty", &T::qty));
};
template <> struct Describe<domain::warehouse::ReleaseReservation> {
  using T = domain::warehouse::ReleaseReservation;
  static constexpr auto fields = std::make_tuple(Req("order_id", &T::order_id), Req("line", &T::line));
};
template <> struct Describe<domain::warehouse::ConsumeReservation> {
  using T = domain::warehouse::ConsumeReservation;
  static constexpr auto fields = std::make_tuple(Req("order_id", &T::order_id), Req("line", &T::line));
};
template <> struct Describe<domain::warehouse::TransferOut> {  // to_tenant: the caller's tenant
  using T = domain::warehouse::TransferOut;
  static constexpr auto fields =
      std::make_tuple(Req("transfer_id", &T::transfer_id), Req("to_warehouse", &T::to_warehouse), Req("sku", &T::sku),
                      Req("qty", &T::qty));
};
template <> struct Describe<domain::warehouse::TransferIn> {  // from_tenant: the caller's tenant
  using T = domain::warehouse::TransferIn;
  static constexpr auto fields =
      std::make_tuple(Req("transfer_id", &T::transfer_id), Req("from_warehouse", &T::from_warehouse),
                      Req("sku", &T::sku), Req("qty", &T::qty), Opt("unit_cost", &T::unit_cost), Opt("lots", &T::lots));
};
template <> struct Describe<domain::warehouse::SetReplenishmentRule> {
  using T = domain::warehouse::SetReplenishmentRule;
  static constexpr auto fields =
      std::make_tuple(Req("sku", &T::sku), Req("min", &T::min), Req("max", &T::max), Opt("multiple", &T::multiple));
};
template <> struct Describe<domain::warehouse::RequestPurchase> {
  using T = domain::warehouse::RequestPurchase;
  static constexpr auto fields = std::make_tuple(Req("request_id", &T::request_id), Req("sku", &T::sku),
                                                 Req("qty", &T::qty), Opt("reason", &T::reason));
};

// -- events --
template <> struct Describe<domain::warehouse::WarehouseCreated> {
  using T = domain::warehouse::WarehouseCreated;
  static constexpr auto fields = std::make_tuple(Opt("id", &T::id), Opt("tenant", &T::tenant), Opt("name", &T::name),
                                                 Opt("currency", &T::currency), Opt("lot_tracking", &T::lot_tracking),
                                                 Opt("landed_cost", &T::landed_cost), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::StockReceived> {
  using T = domain::warehouse::StockReceived;
  static constexpr auto fields =
      std::make_tuple(Opt("receipt_id", &T::receipt_id), Opt("lines", &T::lines), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::LandedCostAllocated> {
  using T = domain::warehouse::LandedCostAllocated;
  static constexpr auto fields = std::make_tuple(Opt("receipt_id", &T::receipt_id), Opt("method", &T::method),
                                                 Opt("allocations", &T::allocations), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::StockAdjusted> {
  using T = domain::warehouse::StockAdjusted;
  static constexpr auto fields =
      std::make_tuple(Opt("sku", &T::sku), Opt("delta", &T::delta), Opt("reason", &T::reason), Opt("lot", &T::lot),
                      Opt("expiry", &T::expiry), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::StockReserved> {
  using T = domain::warehouse::StockReserved;
  static constexpr auto fields = std::make_tuple(Opt("order_id", &T::order_id), Opt("line", &T::line),
                                                 Opt("sku", &T::sku), Opt("qty", &T::qty), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::ReservationReleased> {
  using T = domain::warehouse::ReservationReleased;
  static constexpr auto fields = std::make_tuple(Opt("order_id", &T::order_id), Opt("line", &T::line),
                                                 Opt("sku", &T::sku), Opt("qty", &T::qty), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::ReservationConsumed> {
  using T = domain::warehouse::ReservationConsumed;
  static constexpr auto fields =
      std::make_tuple(Opt("order_id", &T::order_id), Opt("line", &T::line), Opt("sku", &T::sku), Opt("qty", &T::qty),
                      Opt("lots", &T::lots), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::TransferredOut> {
  using T = domain::warehouse::TransferredOut;
  static constexpr auto fields =
      std::make_tuple(Opt("transfer_id", &T::transfer_id), Opt("to_warehouse", &T::to_warehouse), Opt("sku", &T::sku),
                      Opt("qty", &T::qty), Opt("unit_cost", &T::unit_cost), Opt("lots", &T::lots), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::TransferredIn> {
  using T = domain::warehouse::TransferredIn;
  static constexpr auto fields = std::make_tuple(
      Opt("transfer_id", &T::transfer_id), Opt("from_warehouse", &T::from_warehouse), Opt("sku", &T::sku),
      Opt("qty", &T::qty), Opt("unit_cost", &T::unit_cost), Opt("lots", &T::lots), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::ReplenishmentRuleSet> {
  using T = domain::warehouse::ReplenishmentRuleSet;
  static constexpr auto fields = std::make_tuple(Opt("sku", &T::sku), Opt("min", &T::min), Opt("max", &T::max),
                                                 Opt("multiple", &T::multiple), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::ReplenishmentRequested> {
  using T = domain::warehouse::ReplenishmentRequested;
  static constexpr auto fields =
      std::make_tuple(Opt("sku", &T::sku), Opt("qty", &T::qty), Opt("available", &T::available), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::PurchaseRequested> {
  using T = domain::warehouse::PurchaseRequested;
  static constexpr auto fields = std::make_tuple(Opt("request_id", &T::request_id), Opt("sku", &T::sku),
                                                 Opt("qty", &T::qty), Opt("reason", &T::reason), Opt("at", &T::at));
};

// -- state --
template <> struct Describe<domain::warehouse::SkuStock> {
  using T = domain::warehouse::SkuStock;
  static constexpr auto fields =
      std::make_tuple(Opt("lot_tracked", &T::lot_tracked), Opt("on_hand", &T::on_hand), Opt("reserved", &T::reserved),
                      Opt("value", &T::value), Opt("unabsorbed_landed", &T::unabsorbed_landed), Opt("lots", &T::lots));
};
template <> struct Describe<domain::warehouse::Reservation> {
  using T = domain::warehouse::Reservation;
  static constexpr auto fields = std::make_tuple(Opt("sku", &T::sku), Opt("qty", &T::qty));
};
template <> struct Describe<domain::warehouse::Rule> {
  using T = domain::warehouse::Rule;
  static constexpr auto fields = std::make_tuple(Opt("min", &T::min), Opt("max", &T::max),
                                                 Opt("multiple", &T::multiple), Opt("request_open", &T::request_open));
};
template <> struct Describe<domain::warehouse::Receipt> {
  using T = domain::warehouse::Receipt;
  static constexpr auto fields = std::make_tuple(Opt("lines", &T::lines), Opt("landed", &T::landed));
};
// An order line (order id, line): in `consumed`, the object {"order_id", "line"}.
template <> struct Describe<domain::warehouse::LineKey> {
  using T = domain::warehouse::LineKey;
  static constexpr auto fields = std::make_tuple(Opt("order_id", &T::first), Opt("line", &T::second));
};
// `reservations` is keyed by an order line, which is no JSON object key: it is written as a list of
// {"order_id", "line", "sku", "qty"} (see the ToJson / FromJson specializations below).
struct ReservationEntry {
  std::string order_id;
  std::uint32_t line = 0;
  domain::warehouse::Sku sku;
  std::int64_t qty = 0;
};
template <> struct Describe<ReservationEntry> {
  using T = ReservationEntry;
  static constexpr auto fields =
      std::make_tuple(Opt("order_id", &T::order_id), Opt("line", &T::line), Opt("sku", &T::sku), Opt("qty", &T::qty));
};
using Reservations = std::map<domain::warehouse::LineKey, domain::warehouse::Reservation>;

template <> inline Json ToJson<Reservations>(const Reservations& value) {
  Json out = Json::array();
  for (const auto& [key, r] : value) out.push_back(ToJson(ReservationEntry{key.first, key.second, r.sku, r.qty}));
  return out;
}
template <>
inline std::optional<FieldError> FromJson<Reservations>(const Json& j, Reservations& out, const std::string& path) {
  std::vector<ReservationEntry> entries;
  if (auto e = FromJson(j, entries, path)) return e;
  out.clear();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto& entry = entries[i];
    domain::warehouse::LineKey key{std::move(entry.order_id), entry.line};
    if (!out.emplace(std::move(key), domain::warehouse::Reservation{std::move(entry.sku), entry.qty}).second) {
      return FieldError{Index(path, i), "duplicate order line"};
    }
  }
  return std::nullopt;
}

template <> struct Describe<domain::warehouse::State> {
  using T = domain::warehouse::State;
  static constexpr auto fields = std::make_tuple(
      Opt("created", &T::created), Opt("id", &T::id), Opt("tenant", &T::tenant), Opt("name", &T::name),
      Opt("currency", &T::currency), Opt("lot_tracking", &T::lot_tracking), Opt("landed_cost", &T::landed_cost),
      Opt("stock", &T::stock), Opt("reservations", &T::reservations), Opt("consumed", &T::consumed),
      Opt("receipts", &T::receipts), Opt("transfers_out", &T::transfers_out), Opt("transfers_in", &T::transfers_in),
      Opt("rules", &T::rules), Opt("purchase_requests", &T::purchase_requests));
};

// ---------------------------------------------------------------------------------------------------
// Order.

template <> struct Describe<domain::order::CatalogItem> {
  using T = domain::order::CatalogItem;
  static constexpr auto fields = std::make_tuple(Opt("category", &T::category));
};
template <> struct Describe<domain::order::LineInput> {  // only in a command
  using T = domain::order::LineInput;
  static constexpr auto fields = std::make_tuple(Req("line", &T::line), Req("sku", &T::sku), Req("qty", &T::qty),
                                                 Opt("unit_price", &T::unit_price));
};
template <> struct Describe<domain::order::Allocation> {
  using T = domain::order::Allocation;
  static constexpr auto fields =
      std::make_tuple(Opt("line", &T::line), Opt("warehouse", &T::warehouse), Opt("qty", &T::qty));
};
template <> struct Describe<domain::order::ReturnLine> {
  using T = domain::order::ReturnLine;
  static constexpr auto fields = std::make_tuple(Opt("line", &T::line), Opt("qty", &T::qty));
};
template <> struct Describe<domain::order::PricedLine> {
  using T = domain::order::PricedLine;
  static constexpr auto fields = std::make_tuple(Opt("line", &T::line), Opt("sku", &T::sku), Opt("qty", &T::qty),
                                                 Opt("unit_price", &T::unit_price), Opt("amount", &T::amount));
};

// -- commands --
template <> struct Describe<domain::order::PlaceOrder> {  // tenant, catalog, prices, threshold: resolved
  using T = domain::order::PlaceOrder;
  static constexpr auto fields =
      std::make_tuple(Req("id", &T::id), Req("customer", &T::customer), Req("currency", &T::currency),
                      Opt("channel", &T::channel), Req("lines", &T::lines));
};
template <> struct Describe<domain::order::ApproveOrder> {  // by, role: the caller; roles: the rules
  static constexpr auto fields = std::make_tuple();
};
template <> struct Describe<domain::order::RejectOrder> {
  using T = domain::order::RejectOrder;
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason));
};
template <> struct Describe<domain::order::RecordAllocation> {
  using T = domain::order::RecordAllocation;
  static constexpr auto fields = std::make_tuple(Req("allocations", &T::allocations), Opt("shortfall", &T::shortfall));
};
template <> struct Describe<domain::order::PickOrder> { static constexpr auto fields = std::make_tuple(); };
template <> struct Describe<domain::order::ShipOrder> {
  using T = domain::order::ShipOrder;
  static constexpr auto fields = std::make_tuple(Req("warehouse", &T::warehouse), Opt("tracking", &T::tracking));
};
template <> struct Describe<domain::order::DeliverOrder> { static constexpr auto fields = std::make_tuple(); };
template <> struct Describe<domain::order::InvoiceOrder> {
  using T = domain::order::InvoiceOrder;
  static constexpr auto fields = std::make_tuple(Req("invoice_id", &T::invoice_id));
};
template <> struct Describe<domain::order::CancelOrder> {
  using T = domain::order::CancelOrder;
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason));
};
template <> struct Describe<domain::order::RequestReturn> {  // window and auto-authorization: the rules
  using T = domain::order::RequestReturn;
  static constexpr auto fields = std::make_tuple(Req("rma", &T::rma), Req("lines", &T::lines));
};
template <> struct Describe<domain::order::AuthorizeReturn> {  // `by` is the caller
  using T = domain::order::AuthorizeReturn;
  static constexpr auto fields = std::make_tuple(Req("rma", &T::rma));
};
template <> struct Describe<domain::order::ReceiveReturn> {
  using T = domain::order::ReceiveReturn;
  static constexpr auto fields =
      std::make_tuple(Req("rma", &T::rma), Opt("disposition", &T::disposition), Opt("warehouse", &T::warehouse));
};
template <> struct Describe<domain::order::RefundReturn> {
  using T = domain::order::RefundReturn;
  static constexpr auto fields = std::make_tuple(Req("rma", &T::rma), Req("amount", &T::amount));
};

// -- events --
template <> struct Describe<domain::order::OrderPlaced> {
  using T = domain::order::OrderPlaced;
  static constexpr auto fields =
      std::make_tuple(Opt("id", &T::id), Opt("tenant", &T::tenant), Opt("customer", &T::customer),
                      Opt("currency", &T::currency), Opt("channel", &T::channel), Opt("lines", &T::lines),
                      Opt("total", &T::total), Opt("requires_approval", &T::requires_approval), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderApproved> {
  using T = domain::order::OrderApproved;
  static constexpr auto fields = std::make_tuple(Opt("by", &T::by), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderRejected> {
  using T = domain::order::OrderRejected;
  static constexpr auto fields = std::make_tuple(Opt("by", &T::by), Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderAllocated> {
  using T = domain::order::OrderAllocated;
  static constexpr auto fields =
      std::make_tuple(Opt("allocations", &T::allocations), Opt("backordered", &T::backordered),
                      Opt("cancelled", &T::cancelled), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderPicked> {
  using T = domain::order::OrderPicked;
  static constexpr auto fields = std::make_tuple(Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderShipped> {
  using T = domain::order::OrderShipped;
  static constexpr auto fields = std::make_tuple(Opt("warehouse", &T::warehouse), Opt("tracking", &T::tracking),
                                                 Opt("lines", &T::lines), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderDelivered> {
  using T = domain::order::OrderDelivered;
  static constexpr auto fields = std::make_tuple(Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderInvoiced> {
  using T = domain::order::OrderInvoiced;
  static constexpr auto fields =
      std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("amount", &T::amount), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderCancelled> {
  using T = domain::order::OrderCancelled;
  static constexpr auto fields =
      std::make_tuple(Opt("reason", &T::reason), Opt("releases", &T::releases), Opt("at", &T::at));
};
template <> struct Describe<domain::order::ReturnRequested> {
  using T = domain::order::ReturnRequested;
  static constexpr auto fields =
      std::make_tuple(Opt("rma", &T::rma), Opt("lines", &T::lines), Opt("value", &T::value), Opt("at", &T::at));
};
template <> struct Describe<domain::order::ReturnAuthorized> {
  using T = domain::order::ReturnAuthorized;
  static constexpr auto fields =
      std::make_tuple(Opt("rma", &T::rma), Opt("by", &T::by), Opt("automatic", &T::automatic), Opt("at", &T::at));
};
template <> struct Describe<domain::order::ReturnReceived> {
  using T = domain::order::ReturnReceived;
  static constexpr auto fields =
      std::make_tuple(Opt("rma", &T::rma), Opt("disposition", &T::disposition), Opt("warehouse", &T::warehouse),
                      Opt("lines", &T::lines), Opt("at", &T::at));
};
template <> struct Describe<domain::order::ReturnRefunded> {
  using T = domain::order::ReturnRefunded;
  static constexpr auto fields = std::make_tuple(Opt("rma", &T::rma), Opt("amount", &T::amount), Opt("at", &T::at));
};

// -- state --
template <> struct Describe<domain::order::Return> {
  using T = domain::order::Return;
  static constexpr auto fields =
      std::make_tuple(Opt("status", &T::status), Opt("lines", &T::lines), Opt("value", &T::value));
};
template <> struct Describe<domain::order::LineState> {
  using T = domain::order::LineState;
  static constexpr auto fields =
      std::make_tuple(Opt("sku", &T::sku), Opt("qty", &T::qty), Opt("unit_price", &T::unit_price),
                      Opt("amount", &T::amount), Opt("allocated", &T::allocated), Opt("cancelled", &T::cancelled),
                      Opt("shipped", &T::shipped), Opt("returned", &T::returned));
};
template <> struct Describe<domain::order::State> {
  using T = domain::order::State;
  static constexpr auto fields = std::make_tuple(
      Opt("status", &T::status), Opt("id", &T::id), Opt("tenant", &T::tenant), Opt("customer", &T::customer),
      Opt("currency", &T::currency), Opt("channel", &T::channel), Opt("lines", &T::lines), Opt("total", &T::total),
      Opt("allocations", &T::allocations), Opt("shipped_from", &T::shipped_from), Opt("delivered_at", &T::delivered_at),
      Opt("returns", &T::returns));
};

// order::State keys its lines by line number: written as the decimal string ("1"), read back only in
// that canonical form (no sign, no leading zeros, in range).
template <> inline std::optional<FieldError> KeyFrom<std::uint32_t>(const std::string& s, std::uint32_t& out,
                                                                    const std::string& path) {
  std::uint32_t v = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || ptr != end || (s.size() > 1 && s[0] == '0')) {
    return FieldError{path, "expected a line number as key, got '" + s + "'"};
  }
  out = v;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------------
// Billing. IssueInvoice's tenant, facts, catalog, environment, share and terms are resolved by the
// gateway; AssessOverdue's dunning steps come from the tenant's template.

template <> struct Describe<domain::billing::InvoiceLine> {
  using T = domain::billing::InvoiceLine;
  static constexpr auto fields =
      std::make_tuple(Opt("kind", &T::kind), Opt("description", &T::description), Opt("amount", &T::amount));
};
template <> struct Describe<domain::billing::PeriodFacts> {
  using T = domain::billing::PeriodFacts;
  static constexpr auto fields =
      std::make_tuple(Opt("plan", &T::plan), Opt("deployment", &T::deployment), Opt("tier", &T::tier),
                      Opt("modules", &T::modules), Opt("orders", &T::orders), Opt("prorations", &T::prorations));
};
template <> struct Describe<domain::billing::RevenueSplit> {
  using T = domain::billing::RevenueSplit;
  static constexpr auto fields = std::make_tuple(Opt("partner", &T::partner), Opt("platform", &T::platform));
};

// -- commands --
template <> struct Describe<domain::billing::IssueInvoice> {
  using T = domain::billing::IssueInvoice;
  static constexpr auto fields = std::make_tuple(
      Req("invoice_id", &T::invoice_id), Req("period_start", &T::period_start), Req("period_end", &T::period_end));
};
template <> struct Describe<domain::billing::RecordPayment> {
  using T = domain::billing::RecordPayment;
  static constexpr auto fields =
      std::make_tuple(Req("invoice_id", &T::invoice_id), Req("payment_id", &T::payment_id), Req("amount", &T::amount));
};
template <> struct Describe<domain::billing::IssueCreditNote> {
  using T = domain::billing::IssueCreditNote;
  static constexpr auto fields = std::make_tuple(Req("invoice_id", &T::invoice_id), Req("note_id", &T::note_id),
                                                 Opt("reason", &T::reason), Req("amount", &T::amount));
};
template <> struct Describe<domain::billing::AssessOverdue> { static constexpr auto fields = std::make_tuple(); };

// -- events --
template <> struct Describe<domain::billing::InvoiceIssued> {
  using T = domain::billing::InvoiceIssued;
  static constexpr auto fields =
      std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("tenant", &T::tenant), Opt("currency", &T::currency),
                      Opt("period_start", &T::period_start), Opt("period_end", &T::period_end), Opt("lines", &T::lines),
                      Opt("total", &T::total), Opt("partner_share", &T::partner_share),
                      Opt("platform_share", &T::platform_share), Opt("due_at", &T::due_at), Opt("at", &T::at));
};
template <> struct Describe<domain::billing::PaymentRecorded> {
  using T = domain::billing::PaymentRecorded;
  static constexpr auto fields = std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("payment_id", &T::payment_id),
                                                 Opt("amount", &T::amount), Opt("at", &T::at));
};
template <> struct Describe<domain::billing::CreditNoteIssued> {
  using T = domain::billing::CreditNoteIssued;
  static constexpr auto fields =
      std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("note_id", &T::note_id), Opt("reason", &T::reason),
                      Opt("amount", &T::amount), Opt("at", &T::at));
};
template <> struct Describe<domain::billing::InvoiceOverdue> {
  using T = domain::billing::InvoiceOverdue;
  static constexpr auto fields =
      std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("outstanding", &T::outstanding), Opt("at", &T::at));
};
template <> struct Describe<domain::billing::DunningStepReached> {
  using T = domain::billing::DunningStepReached;
  static constexpr auto fields =
      std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("days_overdue", &T::days_overdue),
                      Opt("action", &T::action), Opt("at", &T::at));
};

// -- state --
template <> struct Describe<domain::billing::Invoice> {
  using T = domain::billing::Invoice;
  static constexpr auto fields =
      std::make_tuple(Opt("total", &T::total), Opt("paid", &T::paid), Opt("credited", &T::credited),
                      Opt("period_start", &T::period_start), Opt("due_at", &T::due_at), Opt("overdue", &T::overdue),
                      Opt("dunning_done", &T::dunning_done));
};
template <> struct Describe<domain::billing::State> {
  using T = domain::billing::State;
  static constexpr auto fields =
      std::make_tuple(Opt("invoices", &T::invoices), Opt("payments", &T::payments),
                      Opt("credit_notes", &T::credit_notes), Opt("periods_invoiced", &T::periods_invoiced));
};

}  // namespace keel::gateway::json
