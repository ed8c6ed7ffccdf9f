// Names of modules, tiers and deployment models, and consistency checks of templates and plans.
#include "domain/catalog_data.hpp"

namespace keel::domain {

std::string_view ModuleName(Module m) {
  switch (m) {
    case Module::kInventory: return "inventory";
    case Module::kMultiWarehouse: return "multi_warehouse";
    case Module::kLotTracking: return "lot_tracking";
    case Module::kLandedCost: return "landed_cost";
    case Module::kReturns: return "returns";
    case Module::kEdi: return "edi";
    case Module::kMarketplaceConnectors: return "marketplace_connectors";
    case Module::kCrmIntegration: return "crm_integration";
    case Module::kAdvancedPricing: return "advanced_pricing";
    case Module::kWorkflowAutomation: return "workflow_automation";
  }
  return "unknown";
}

std::optional<Module> ParseModule(std::string_view name) {
  for (Module m : kAllModules) {
    if (ModuleName(m) == name) return m;
  }
  return std::nullopt;
}

std::string_view TierName(ServiceTier t) {
  switch (t) {
    case ServiceTier::kStandard: return "standard";
    case ServiceTier::kPremium: return "premium";
    case ServiceTier::kEnterprise: return "enterprise";
  }
  return "unknown";
}

std::optional<ServiceTier> ParseTier(std::string_view name) {
  for (auto t : {ServiceTier::kStandard, ServiceTier::kPremium, ServiceTier::kEnterprise}) {
    if (TierName(t) == name) return t;
  }
  return std::nullopt;
}

std::string_view SeverityName(TicketSeverity s) {
  switch (s) {
    case TicketSeverity::kLow: return "low";
    case TicketSeverity::kMedium: return "medium";
    case TicketSeverity::kHigh: return "high";
    case TicketSeverity::kCritical: return "critical";
  }
  return "unknown";
}

std::optional<TicketSeverity> ParseSeverity(std::string_view name) {
  for (auto s : {TicketSeverity::kLow, TicketSeverity::kMedium, TicketSeverity::kHigh, TicketSeverity::kCritical})
    if (SeverityName(s) == name) return s;
  return std::nullopt;
}

std::string_view PriorityName(TicketPriority p) {
  switch (p) {
    case TicketPriority::kP1: return "p1";
    case TicketPriority::kP2: return "p2";
    case TicketPriority::kP3: return "p3";
    case TicketPriority::kP4: return "p4";
  }
  return "unknown";
}

std::optional<TicketPriority> ParsePriority(std::string_view name) {
  for (auto p : kAllPriorities)
    if (PriorityName(p) == name) return p;
  return std::nullopt;
}

std::string_view ExtensionKindName(ExtensionKind k) {
  switch (k) {
    case ExtensionKind::kEdiConnector: return "edi_connector";
    case ExtensionKind::kMarketplaceConnector: return "marketplace_connector";
    case ExtensionKind::kCrmConnector: return "crm_connector";
    case ExtensionKind::kLogisticsConnector: return "logistics_connector";
    case ExtensionKind::kWorkflowPack: return "workflow_pack";
  }
  return "unknown";
}

std::optional<ExtensionKind> ParseExtensionKind(std::string_view name) {
  for (ExtensionKind k : kAllExtensionKinds) {
    if (ExtensionKindName(k) == name) return k;
  }
  return std::nullopt;
}

std::string_view DeploymentName(DeploymentModel d) {
  return d == DeploymentModel::kShared ? "shared" : "dedicated";
}

std::optional<DeploymentModel> ParseDeployment(std::string_view name) {
  if (name == "shared") return DeploymentModel::kShared;
  if (name == "dedicated") return DeploymentModel::kDedicated;
  return std::nullopt;
}

std::string_view DunningActionName(DunningAction a) {
  switch (a) {
    case DunningAction::kReminder: return "reminder";
    case DunningAction::kBlockPlanChanges: return "block_plan_changes";
    case DunningAction::kSuspend: return "suspend";
  }
  return "unknown";
}

namespace {

std::string CheckLimits(const Limits& l, const char* what) {
  if (l.warehouses < 1 || l.monthly_orders < 1 || l.api_rps < 1) {
    return std::string(what) + " must allow at least one warehouse, order and request per second";
  }
  return {};
}

}  // namespace

std::string ValidateCatalog(const ServiceCatalog& c) {
  if (!IsValidCurrency(c.currency)) return "catalog currency must be ISO 4217";
  if (c.plans.empty()) return "the catalog defines no plan";
  for (const auto& [id, p] : c.plans) {
    if (id.empty() || p.id != id) return "plan ids must be non-empty and unique";
    if (p.rank < 1) return "plan " + id + ": rank must be positive";
    if (auto bad = CheckLimits(p.limits, "plan limits"); !bad.empty()) return "plan " + id + ": " + bad;
    if (p.fee_shared < 0 || p.fee_dedicated < 0 || p.overage_per_order < 0 || p.included_orders < 0) {
      return "plan " + id + ": fees and volumes must not be negative";
    }
    for (const auto& [m, fee] : p.addons) {
      if (p.modules.contains(m)) return "plan " + id + ": a module is both included and an add-on";
      if (fee < 0) return "plan " + id + ": add-on fees must not be negative";
    }
  }
  for (const auto& [tier, targets] : c.support_sla) {
    for (const auto& [priority, target] : targets) {
      const std::string where = "support_sla." + std::string(TierName(tier)) + "." + std::string(PriorityName(priority));
      if (target.first_response_minutes < 0 || target.resolution_minutes < 0) return where + ": minutes must not be negative";
      if (target.resolution_minutes > 0 && target.first_response_minutes > target.resolution_minutes)
        return where + ": the first response cannot be due after the resolution";
    }
  }
  return {};
}

std::string ValidateTemplate(const SegmentTemplate& t, const ServiceCatalog& c) {
  const std::string name = "template " + t.id + " v" + std::to_string(t.version);
  if (t.id.empty() || t.version < 1) return "a template needs an id and a version >= 1";
  if (t.currency != c.currency) return name + ": currency differs from the service catalog";
  const Plan* plan = c.FindPlan(t.plan);
  if (plan == nullptr) return name + ": unknown plan '" + t.plan + "'";
  for (Module m : t.modules) {
    if (!plan->Allows(m)) return name + ": plan " + t.plan + " does not offer module " + std::string(ModuleName(m));
  }
  if (!t.modules.contains(Module::kInventory)) return name + ": the inventory module is always on";
  if (t.lot_traceability_required && !t.modules.contains(Module::kLotTracking)) {
    return name + ": lot traceability is required but lot_tracking is not a module";
  }
  if (auto bad = CheckLimits(t.limits, "limits"); !bad.empty()) return name + ": " + bad;
  if (auto bad = CheckLimits(t.sandbox_limits, "sandbox limits"); !bad.empty()) return name + ": " + bad;
  const Limits& p = plan->limits;
  if (t.limits.warehouses > p.warehouses || t.limits.monthly_orders > p.monthly_orders || t.limits.api_rps > p.api_rps) {
    return name + ": limits exceed plan " + t.plan;
  }
  if (t.sandbox_limits.warehouses > t.limits.warehouses || t.sandbox_limits.monthly_orders > t.limits.monthly_orders ||
      t.sandbox_limits.api_rps > t.limits.api_rps) {
    return name + ": sandbox limits must be reduced limits";
  }
  if (t.limits.warehouses > 1 && !t.modules.contains(Module::kMultiWarehouse)) {
    return name + ": more than one warehouse needs multi_warehouse";
  }
  const auto& w = t.workflow;
  if (w.approval_threshold < 0 || w.return_window_days < 0 || w.auto_authorize_days < 0 ||
      w.auto_authorize_days > w.return_window_days) {
    return name + ": workflow windows and thresholds must be non-negative, auto-authorization within the window";
  }
  if (w.approval_threshold > 0 && w.approver_roles.empty()) return name + ": approval needs approver roles";
  for (const auto& kind : {"edi_failure", "marketplace_failure", "sync_latency"}) {
    if (!w.exception_routing.contains(kind)) return name + ": exception routing for " + kind + " is missing";
  }
  std::set<std::string> ids;
  for (const auto& m : t.milestones) {
    if (m.id.empty() || !ids.insert(m.id).second) return name + ": milestone ids must be unique";
  }
  if (t.payment_terms_days < 0 || t.billing_period_days < 1) return name + ": billing periods must be positive";
  std::int64_t last = -1;
  for (const auto& step : t.dunning) {
    if (step.days_overdue <= last) return name + ": dunning steps must ascend";
    last = step.days_overdue;
  }
  return {};
}

}  // namespace keel::domain
