// JSON names of the domain's enums (the domain's snake_case names).
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

#include "domain/billing.hpp"
#include "domain/catalog_data.hpp"
#include "domain/common.hpp"
#include "domain/extension.hpp"
#include "domain/rollout.hpp"
#include "domain/order.hpp"
#include "domain/partner.hpp"
#include "domain/tenant.hpp"
#include "domain/warehouse.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// Enums. Where the domain has a name function (ModuleName, TierName, ...) these are its strings;
// order and tenant StatusName are prose ("awaiting approval"), here with underscores.

template <> struct EnumNames<domain::RejectionCode> {
  using E = domain::RejectionCode;
  static constexpr std::array<std::pair<E, std::string_view>, 23> names{{
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
      {E::kTenantSuspended, "tenant_suspended"},
      {E::kTenantTerminated, "tenant_terminated"},
      {E::kLotExpired, "lot_expired"},
      {E::kIdReused, "id_reused"},
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
template <> struct EnumNames<domain::ExtensionKind> {
  using E = domain::ExtensionKind;
  static constexpr std::array<std::pair<E, std::string_view>, 5> names{{
      {E::kEdiConnector, "edi_connector"},
      {E::kMarketplaceConnector, "marketplace_connector"},
      {E::kCrmConnector, "crm_connector"},
      {E::kLogisticsConnector, "logistics_connector"},
      {E::kWorkflowPack, "workflow_pack"},
  }};
};
template <> struct EnumNames<domain::extension::Status> {
  using E = domain::extension::Status;
  static constexpr std::array<std::pair<E, std::string_view>, 5> names{{
      {E::kSubmitted, "submitted"},
      {E::kInReview, "in_review"},
      {E::kApproved, "approved"},
      {E::kRejected, "rejected"},
      {E::kWithdrawn, "withdrawn"},
  }};
};
template <> struct EnumNames<domain::rollout::Status> {
  using E = domain::rollout::Status;
  static constexpr std::array<std::pair<E, std::string_view>, 5> names{{
      {E::kRunning, "running"},
      {E::kPaused, "paused"},
      {E::kRollingBack, "rolling_back"},
      {E::kRolledBack, "rolled_back"},
      {E::kCompleted, "completed"},
  }};
};
template <> struct EnumNames<domain::rollout::Move> {
  using E = domain::rollout::Move;
  static constexpr std::array<std::pair<E, std::string_view>, 6> names{{
      {E::kPending, "pending"},
      {E::kUpgraded, "upgraded"},
      {E::kSkipped, "skipped"},
      {E::kFailed, "failed"},
      {E::kRolledBack, "rolled_back"},
      {E::kRollbackFailed, "rollback_failed"},
  }};
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
template <> struct EnumNames<domain::tenant::ImposedBy> {
  using E = domain::tenant::ImposedBy;
  static constexpr std::array<std::pair<E, std::string_view>, 2> names{
      {{E::kOperator, "operator"}, {E::kDunning, "dunning"}}};
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

}  // namespace keel::gateway::json
