// JSON -> ServiceCatalog / SegmentTemplate, with a clear error for every malformed field.
#include "config/loader.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace keel::config {
namespace {

using nlohmann::json;
using namespace keel::domain;

// Error carrying the path of the field being read, e.g. "workflow.return_window_days".
struct Bad {
  std::string message;
};

const json& Field(const json& j, const std::string& path, const char* key) {
  if (!j.is_object()) throw Bad{path + ": expected an object"};
  auto it = j.find(key);
  if (it == j.end()) throw Bad{(path.empty() ? "" : path + ".") + key + ": missing"};
  return *it;
}

std::string Join(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }

std::int64_t Int(const json& j, const std::string& path, const char* key, std::int64_t min = 0) {
  const json& v = Field(j, path, key);
  if (!v.is_number_integer()) throw Bad{Join(path, key) + ": expected an integer"};
  auto n = v.get<std::int64_t>();
  if (n < min) throw Bad{Join(path, key) + ": must be at least " + std::to_string(min)};
  return n;
}

std::string Str(const json& j, const std::string& path, const char* key) {
  const json& v = Field(j, path, key);
  if (!v.is_string()) throw Bad{Join(path, key) + ": expected a string"};
  return v.get<std::string>();
}

bool Bool(const json& j, const std::string& path, const char* key) {
  const json& v = Field(j, path, key);
  if (!v.is_boolean()) throw Bad{Join(path, key) + ": expected true or false"};
  return v.get<bool>();
}

Module ModuleOf(const json& v, const std::string& path) {
  if (!v.is_string()) throw Bad{path + ": expected a module name"};
  auto m = ParseModule(v.get<std::string>());
  if (!m) throw Bad{path + ": unknown module '" + v.get<std::string>() + "'"};
  return *m;
}

std::set<Module> Modules(const json& j, const std::string& path, const char* key) {
  const json& v = Field(j, path, key);
  if (!v.is_array()) throw Bad{Join(path, key) + ": expected a list of modules"};
  std::set<Module> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!out.insert(ModuleOf(v[i], Join(path, key) + "[" + std::to_string(i) + "]")).second) {
      throw Bad{Join(path, key) + ": module listed twice"};
    }
  }
  return out;
}

Limits LimitsOf(const json& j, const std::string& path, const char* key) {
  const json& v = Field(j, path, key);
  const std::string p = Join(path, key);
  return Limits{Int(v, p, "warehouses", 1), Int(v, p, "monthly_orders", 1), Int(v, p, "api_rps", 1)};
}

Plan PlanOf(const json& v, const std::string& path) {
  Plan p;
  p.id = Str(v, path, "id");
  p.rank = static_cast<int>(Int(v, path, "rank", 1));
  p.modules = Modules(v, path, "modules");
  const json& addons = Field(v, path, "addons");
  if (!addons.is_object()) throw Bad{path + ".addons: expected an object of module: fee"};
  for (const auto& [name, fee] : addons.items()) {
    auto m = ParseModule(name);
    if (!m) throw Bad{path + ".addons: unknown module '" + name + "'"};
    if (!fee.is_number_integer() || fee.get<std::int64_t>() < 0) throw Bad{path + ".addons." + name + ": expected a fee"};
    p.addons[*m] = fee.get<std::int64_t>();
  }
  p.limits = LimitsOf(v, path, "limits");
  const json& fee = Field(v, path, "fee");
  p.fee_shared = Int(fee, path + ".fee", "shared");
  p.fee_dedicated = Int(fee, path + ".fee", "dedicated");
  p.included_orders = Int(v, path, "included_orders");
  p.overage_per_order = Int(v, path, "overage_per_order");
  if (v.contains("order_hard_cap")) p.order_hard_cap = Bool(v, path, "order_hard_cap");  // optional, default false
  return p;
}

template <class F>
auto Guard(std::string_view json_text, std::string_view source, F&& body) -> Loaded<decltype(body(json{}))> {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::parse_error& e) {
    return std::unexpected(std::string(source) + ": not valid JSON: " + e.what());
  }
  try {
    return body(j);
  } catch (const Bad& b) {
    return std::unexpected(std::string(source) + ": " + b.message);
  } catch (const json::exception& e) {
    return std::unexpected(std::string(source) + ": " + e.what());
  }
}

std::string ReadFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot be read";
    return {};
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Loaded<ServiceCatalog> ParseCatalog(std::string_view json_text, std::string_view source) {
  auto parsed = Guard(json_text, source, [](const json& j) {
    ServiceCatalog c;
    c.currency = Str(j, "", "currency");
    const json& fees = Field(j, "", "support_fees");
    for (auto tier : {ServiceTier::kStandard, ServiceTier::kPremium, ServiceTier::kEnterprise}) {
      c.support_fees[tier] = Int(fees, "support_fees", std::string(TierName(tier)).c_str());
    }
    // Support targets per tier and priority (optional: a tier left out promises none).
    if (j.contains("support_sla")) {
      const json& sla = j.at("support_sla");
      if (!sla.is_object()) throw Bad{"support_sla: expected an object of tier: {p1..p4: targets}"};
      for (const auto& [tier_name, targets] : sla.items()) {
        const auto tier = ParseTier(tier_name);
        if (!tier) throw Bad{"support_sla." + tier_name + ": not a support tier (standard, premium, enterprise)"};
        if (!targets.is_object()) throw Bad{"support_sla." + tier_name + ": expected an object of p1..p4"};
        for (const auto& [priority_name, target] : targets.items()) {
          const auto priority = ParsePriority(priority_name);
          const std::string where = "support_sla." + tier_name + "." + priority_name;
          if (!priority) throw Bad{where + ": not a priority (p1, p2, p3, p4)"};
          if (!target.is_object()) throw Bad{where + ": expected {first_response_minutes, resolution_minutes}"};
          SlaTarget t;
          t.first_response_minutes = Int(target, where, "first_response_minutes");
          t.resolution_minutes = Int(target, where, "resolution_minutes");
          c.support_sla[*tier][*priority] = t;
        }
      }
    }
    const json& cost = Field(j, "", "cost_to_serve");
    c.cost_shared = Int(cost, "cost_to_serve", "shared");
    c.cost_dedicated = Int(cost, "cost_to_serve", "dedicated");
    c.cost_per_ticket = Int(cost, "cost_to_serve", "per_ticket");
    if (cost.contains("per_integration")) c.cost_per_integration = Int(cost, "cost_to_serve", "per_integration");
    const json& plans = Field(j, "", "plans");
    if (!plans.is_array()) throw Bad{"plans: expected a list"};
    for (std::size_t i = 0; i < plans.size(); ++i) {
      Plan p = PlanOf(plans[i], "plans[" + std::to_string(i) + "]");
      if (c.plans.contains(p.id)) throw Bad{"plans: '" + p.id + "' is defined twice"};
      c.plans[p.id] = std::move(p);
    }
    return c;
  });
  if (!parsed) return parsed;
  if (auto bad = ValidateCatalog(*parsed); !bad.empty()) return std::unexpected(std::string(source) + ": " + bad);
  return parsed;
}

Loaded<SegmentTemplate> ParseTemplate(std::string_view json_text, std::string_view source,
                                      const ServiceCatalog& catalog) {
  auto parsed = Guard(json_text, source, [](const json& j) {
    SegmentTemplate t;
    t.id = Str(j, "", "id");
    t.version = static_cast<int>(Int(j, "", "version", 1));
    t.currency = Str(j, "", "currency");
    t.plan = Str(j, "", "plan");
    auto tier = ParseTier(Str(j, "", "service_tier"));
    if (!tier) throw Bad{"service_tier: expected standard, premium or enterprise"};
    t.tier = *tier;
    auto deployment = ParseDeployment(Str(j, "", "deployment_model"));
    if (!deployment) throw Bad{"deployment_model: expected shared or dedicated"};
    t.deployment = *deployment;
    t.modules = Modules(j, "", "modules");
    t.limits = LimitsOf(j, "", "limits");
    t.sandbox_limits = LimitsOf(j, "", "sandbox_limits");
    const json& compliance = Field(j, "", "compliance");
    t.lot_traceability_required = Bool(compliance, "compliance", "lot_traceability_required");
    t.data_region = Str(compliance, "compliance", "data_region");

    const json& w = Field(j, "", "workflow");
    t.workflow.approval_threshold = Int(w, "workflow", "approval_threshold");
    const json& roles = Field(w, "workflow", "approver_roles");
    if (!roles.is_array()) throw Bad{"workflow.approver_roles: expected a list of roles"};
    for (const auto& r : roles) {
      if (!r.is_string() || r.get<std::string>().empty()) throw Bad{"workflow.approver_roles: expected role names"};
      t.workflow.approver_roles.push_back(r.get<std::string>());
    }
    t.workflow.auto_replenishment = Bool(w, "workflow", "auto_replenishment");
    t.workflow.return_window_days = Int(w, "workflow", "return_window_days");
    t.workflow.auto_authorize_days = Int(w, "workflow", "auto_authorize_days");
    const std::string shortfall = Str(w, "workflow", "shortfall");
    if (shortfall != "backorder" && shortfall != "cancel_line") throw Bad{"workflow.shortfall: expected backorder or cancel_line"};
    t.workflow.backorder_shortfalls = shortfall == "backorder";
    const json& routing = Field(w, "workflow", "exception_routing");
    if (!routing.is_object()) throw Bad{"workflow.exception_routing: expected an object of kind: role"};
    for (const auto& [kind, role] : routing.items()) {
      if (!role.is_string() || role.get<std::string>().empty()) throw Bad{"workflow.exception_routing." + kind + ": expected a role"};
      t.workflow.exception_routing[kind] = role.get<std::string>();
    }
    t.workflow.sync_latency_threshold_ms = Int(w, "workflow", "sync_latency_threshold_ms", 1);
    // Optional rules: segregation of duties is on unless a template turns it off; nobody but the
    // platform owner may override prices unless roles are listed.
    if (w.contains("segregate_approval")) t.workflow.segregate_approval = Bool(w, "workflow", "segregate_approval");
    if (w.contains("price_override_roles")) {
      const json& override_roles = w["price_override_roles"];
      if (!override_roles.is_array()) throw Bad{"workflow.price_override_roles: expected a list of roles"};
      for (const auto& r : override_roles) {
        if (!r.is_string() || r.get<std::string>().empty()) throw Bad{"workflow.price_override_roles: expected role names"};
        t.workflow.price_override_roles.push_back(r.get<std::string>());
      }
    }

    const json& milestones = Field(j, "", "milestones");
    if (!milestones.is_array()) throw Bad{"milestones: expected a list"};
    for (std::size_t i = 0; i < milestones.size(); ++i) {
      const std::string p = "milestones[" + std::to_string(i) + "]";
      Milestone m{Str(milestones[i], p, "id"), Str(milestones[i], p, "name"), Bool(milestones[i], p, "required"), {}};
      if (milestones[i].contains("module")) m.module = ModuleOf(milestones[i]["module"], p + ".module");
      t.milestones.push_back(std::move(m));
    }
    const json& billing = Field(j, "", "billing");
    t.payment_terms_days = Int(billing, "billing", "payment_terms_days");
    t.billing_period_days = Int(billing, "billing", "billing_period_days", 1);
    const json& dunning = Field(billing, "billing", "dunning");
    if (!dunning.is_array()) throw Bad{"billing.dunning: expected a list"};
    for (std::size_t i = 0; i < dunning.size(); ++i) {
      const std::string p = "billing.dunning[" + std::to_string(i) + "]";
      DunningStep step{Int(dunning[i], p, "days_overdue", 1), DunningAction::kReminder};
      const std::string action = Str(dunning[i], p, "action");
      if (action == "reminder") step.action = DunningAction::kReminder;
      else if (action == "block_plan_changes") step.action = DunningAction::kBlockPlanChanges;
      else if (action == "suspend") step.action = DunningAction::kSuspend;
      else throw Bad{p + ".action: expected reminder, block_plan_changes or suspend"};
      t.dunning.push_back(step);
    }
    // The kinds of extension the template's tenants may install (none when the section is absent).
    if (j.contains("extensions")) {
      const json& ext = Field(j, "", "extensions");
      const json& kinds = Field(ext, "extensions", "kinds");
      if (!kinds.is_array()) throw Bad{"extensions.kinds: expected a list of extension kinds"};
      for (std::size_t i = 0; i < kinds.size(); ++i) {
        const std::string p = "extensions.kinds[" + std::to_string(i) + "]";
        if (!kinds[i].is_string()) throw Bad{p + ": expected an extension kind"};
        auto kind = ParseExtensionKind(kinds[i].get<std::string>());
        if (!kind) throw Bad{p + ": expected edi_connector, marketplace_connector, crm_connector, logistics_connector or workflow_pack"};
        if (!t.extension_kinds.insert(*kind).second) throw Bad{p + ": listed twice"};
      }
    }
    return t;
  });
  if (!parsed) return parsed;
  if (auto bad = ValidateTemplate(*parsed, catalog); !bad.empty()) return std::unexpected(std::string(source) + ": " + bad);
  return parsed;
}

void TemplateRegistry::Add(SegmentTemplate t) {
  auto key = std::pair{t.id, t.version};
  templates_[key] = std::move(t);
}

const SegmentTemplate* TemplateRegistry::Find(const std::string& id, int version) const {
  auto it = templates_.find({id, version});
  return it == templates_.end() ? nullptr : &it->second;
}

const SegmentTemplate* TemplateRegistry::Latest(const std::string& id) const {
  const SegmentTemplate* latest = nullptr;
  for (const auto& [key, t] : templates_) {
    if (key.first == id) latest = &t;  // map order: ascending versions
  }
  return latest;
}

std::vector<std::pair<std::string, int>> TemplateRegistry::Keys() const {
  std::vector<std::pair<std::string, int>> keys;
  for (const auto& [key, t] : templates_) keys.push_back(key);
  return keys;
}

Loaded<ServiceCatalog> LoadCatalog(const std::string& path) {
  std::string error;
  std::string text = ReadFile(path, &error);
  if (!error.empty()) return std::unexpected(error);
  return ParseCatalog(text, path);
}

Loaded<TemplateRegistry> LoadTemplates(const std::string& dir, const ServiceCatalog& catalog) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) return std::unexpected(dir + ": cannot be listed: " + ec.message());
  std::sort(files.begin(), files.end());
  TemplateRegistry registry;
  for (const auto& file : files) {
    std::string error;
    std::string text = ReadFile(file.string(), &error);
    if (!error.empty()) return std::unexpected(error);
    auto t = ParseTemplate(text, file.string(), catalog);
    if (!t) return std::unexpected(t.error());
    if (registry.Find(t->id, t->version)) {
      return std::unexpected(file.string() + ": template " + t->id + " v" + std::to_string(t->version) + " is defined twice");
    }
    registry.Add(std::move(*t));
  }
  return registry;
}

std::string DefaultDataDir() { return KEEL_CONFIG_DATA_DIR; }

}  // namespace keel::config
