// Configuration data the deciders read: modules, limits, plans (the service catalog) and segment
// templates. Plain values; JSON files under domain/templates/ are parsed into them by the
// keel_templates library. Pure: no I/O here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/common.hpp"

namespace keel::domain {

enum class Module : std::uint8_t {
  kInventory, kMultiWarehouse, kLotTracking, kLandedCost, kReturns, kEdi, kMarketplaceConnectors,
  kCrmIntegration, kAdvancedPricing, kWorkflowAutomation,
};
inline constexpr Module kAllModules[] = {
    Module::kInventory, Module::kMultiWarehouse, Module::kLotTracking, Module::kLandedCost,
    Module::kReturns, Module::kEdi, Module::kMarketplaceConnectors, Module::kCrmIntegration,
    Module::kAdvancedPricing, Module::kWorkflowAutomation};
std::string_view ModuleName(Module m);
std::optional<Module> ParseModule(std::string_view name);

enum class ServiceTier : std::uint8_t { kStandard, kPremium, kEnterprise };
enum class DeploymentModel : std::uint8_t { kShared, kDedicated };
enum class Environment : std::uint8_t { kProduction, kSandbox };
std::string_view TierName(ServiceTier t);
std::optional<ServiceTier> ParseTier(std::string_view name);
std::string_view DeploymentName(DeploymentModel d);
std::optional<DeploymentModel> ParseDeployment(std::string_view name);

// What an extension of the catalog is (domain/extension.hpp); a segment template lists the kinds its
// tenants may install.
enum class ExtensionKind : std::uint8_t {
  kEdiConnector, kMarketplaceConnector, kCrmConnector, kLogisticsConnector, kWorkflowPack,
};
inline constexpr ExtensionKind kAllExtensionKinds[] = {
    ExtensionKind::kEdiConnector, ExtensionKind::kMarketplaceConnector, ExtensionKind::kCrmConnector,
    ExtensionKind::kLogisticsConnector, ExtensionKind::kWorkflowPack};
std::string_view ExtensionKindName(ExtensionKind k);
std::optional<ExtensionKind> ParseExtensionKind(std::string_view name);

struct Limits {
  std::int64_t warehouses = 0;
  std::int64_t monthly_orders = 0;
  std::int64_t api_rps = 0;
  bool operator==(const Limits&) const = default;
};

struct Plan {
  std::string id;
  int rank = 0;                    // higher = bigger; upgrades go up
  std::set<Module> modules;        // included
  std::map<Module, std::int64_t> addons;  // available at a monthly fee (minor units)
  Limits limits;
  std::int64_t fee_shared = 0;     // monthly, minor units
  std::int64_t fee_dedicated = 0;
  std::int64_t included_orders = 0;
  std::int64_t overage_per_order = 0;
  bool order_hard_cap = false;     // true: orders past limits.monthly_orders are refused; false: billed as overage
  bool Allows(Module m) const { return modules.contains(m) || addons.contains(m); }
  std::int64_t Fee(DeploymentModel d) const { return d == DeploymentModel::kShared ? fee_shared : fee_dedicated; }
  bool operator==(const Plan&) const = default;
};

// Support: a ticket's severity (what the reporter says), its priority (severity raised by the
// tenant's renewal risk: domain/support.hpp) and the targets a support tier promises per priority.
enum class TicketSeverity : std::uint8_t { kLow, kMedium, kHigh, kCritical };
enum class TicketPriority : std::uint8_t { kP1, kP2, kP3, kP4 };  // P1 the most urgent
inline constexpr TicketPriority kAllPriorities[] = {TicketPriority::kP1, TicketPriority::kP2, TicketPriority::kP3,
                                                    TicketPriority::kP4};
std::string_view SeverityName(TicketSeverity s);
std::optional<TicketSeverity> ParseSeverity(std::string_view name);
std::string_view PriorityName(TicketPriority p);
std::optional<TicketPriority> ParsePriority(std::string_view name);
struct SlaTarget {
  std::int64_t first_response_minutes = 0;  // 0: no target
  std::int64_t resolution_minutes = 0;
  bool operator==(const SlaTarget&) const = default;
};
using SupportTargets = std::map<TicketPriority, SlaTarget>;

struct ServiceCatalog {
  std::string currency;
  std::map<ServiceTier, SupportTargets> support_sla;  // by support tier (plans.json "support_sla")
  std::map<std::string, Plan> plans;
  std::map<ServiceTier, std::int64_t> support_fees;  // monthly
  std::int64_t cost_shared = 0, cost_dedicated = 0, cost_per_ticket = 0;  // cost to serve
  std::int64_t cost_per_integration = 0;  // monthly, per active integration module
  const Plan* FindPlan(const std::string& id) const {
    auto it = plans.find(id);
    return it == plans.end() ? nullptr : &it->second;
  }
};

struct Milestone {
  std::string id, name;
  bool required = true;
  std::optional<Module> module;  // added when this module becomes active
  bool operator==(const Milestone&) const = default;
};

enum class DunningAction : std::uint8_t { kReminder, kBlockPlanChanges, kSuspend };
std::string_view DunningActionName(DunningAction a);
struct DunningStep {
  std::int64_t days_overdue = 0;
  DunningAction action = DunningAction::kReminder;
  bool operator==(const DunningStep&) const = default;
};

struct WorkflowRules {
  std::int64_t approval_threshold = 0;  // minor units; 0 = never
  std::vector<std::string> approver_roles;
  bool auto_replenishment = false;
  std::int64_t return_window_days = 30;
  std::int64_t auto_authorize_days = 0;
  bool backorder_shortfalls = true;  // false: cancel the short line
  std::map<std::string, std::string> exception_routing;  // edi_failure, marketplace_failure, sync_latency -> role
  std::int64_t sync_latency_threshold_ms = 0;
  bool segregate_approval = true;                  // the key that placed an order may not approve it
  std::vector<std::string> price_override_roles;   // roles that may give unit prices (with advanced_pricing)
  bool operator==(const WorkflowRules&) const = default;
};

struct SegmentTemplate {
  std::string id;
  int version = 0;
  std::string currency;
  std::string plan;  // default plan id
  ServiceTier tier = ServiceTier::kStandard;
  DeploymentModel deployment = DeploymentModel::kShared;
  std::set<Module> modules;
  Limits limits;
  Limits sandbox_limits;
  bool lot_traceability_required = false;
  std::string data_region;
  WorkflowRules workflow;
  std::vector<Milestone> milestones;
  std::int64_t payment_terms_days = 30;
  std::int64_t billing_period_days = 30;
  std::vector<DunningStep> dunning;
  std::set<ExtensionKind> extension_kinds;  // the kinds of extension its tenants may install
  bool operator==(const SegmentTemplate&) const = default;
};

// Empty when the template is consistent with itself and the catalog; else the first problem.
std::string ValidateTemplate(const SegmentTemplate& t, const ServiceCatalog& catalog);
std::string ValidateCatalog(const ServiceCatalog& catalog);

}  // namespace keel::domain
