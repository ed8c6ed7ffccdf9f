// The analytics projection's per-tenant state (analytics_tenant.hpp).
#include "analytics_tenant.hpp"

#include <nlohmann/json.hpp>

#include "domain/analytics.hpp"

namespace keel::projections {
namespace {

using Json = nlohmann::json;
namespace t = domain::tenant;
namespace b = domain::billing;
using domain::Module;

std::string IntegrationName(t::Integration i) { return i == t::Integration::kEdi ? "edi" : "marketplace"; }

std::set<Module> ModulesOf(const Json& s) {
  std::set<Module> out;
  for (const auto& name : s.value("modules", Json::array()))
    if (auto m = domain::ParseModule(name.get<std::string>())) out.insert(*m);
  return out;
}

Json ModuleList(const std::set<Module>& modules) {
  Json out = Json::array();
  for (Module m : modules) out.push_back(domain::ModuleName(m));
  return out;
}

void AddMilestones(Json& s, const std::vector<t::MilestoneState>& milestones) {
  Json& list = s["milestones"];
  for (const auto& ms : milestones) {
    bool known = false;
    for (const auto& existing : list) known = known || existing.value("id", "") == ms.id;
    if (!known) list.push_back({{"id", ms.id}, {"required", ms.required}, {"done", ms.done}, {"done_at", nullptr}});
  }
}

std::int64_t Mrr(const Json& s, const domain::ServiceCatalog& catalog) {
  if (s.value("status", "") == "terminated") return 0;
  const auto deployment = domain::ParseDeployment(s.value("deployment", "shared"));
  const auto tier = domain::ParseTier(s.value("tier", "standard"));
  const auto environment =
      s.value("environment", "production") == "sandbox" ? domain::Environment::kSandbox : domain::Environment::kProduction;
  return domain::analytics::MonthlyRecurring(catalog, s.value("plan", ""), deployment.value_or(domain::DeploymentModel::kShared),
                                             tier.value_or(domain::ServiceTier::kStandard), ModulesOf(s), environment);
}

std::expected<Json, std::string> Load(Model& m, const std::string& tenant) {
  auto bytes = m.Get("g/" + tenant);
  if (!bytes) return std::unexpected("an event of tenant '" + tenant + "' before its provisioning");
  Json s = Json::parse(*bytes, nullptr, false);
  if (!s.is_object()) return std::unexpected("kept analytics state of '" + tenant + "' is not JSON");
  return s;
}

}  // namespace

std::vector<std::string> TenantGroups::Keys() const {
  return {"s/" + segment, "r/" + tier, "ps/" + partner + "/" + segment, "pr/" + partner + "/" + tier};
}

std::optional<TenantGroups> GroupsOf(Model& m, const std::string& tenant) {
  auto row = m.Get("k/" + tenant);
  if (!row) return std::nullopt;
  const std::string& v = *row;
  const auto a = v.find('\t'), c = v.find('\t', a + 1);
  if (a == std::string::npos || c == std::string::npos) return std::nullopt;
  return TenantGroups{v.substr(0, a), v.substr(a + 1, c - a - 1), v.substr(c + 1)};
}

std::expected<TenantChange, std::string> FoldTenant(Model& m, const std::string& tenant, const t::Event& event,
                                                    std::int64_t at, const domain::ServiceCatalog& catalog,
                                                    Facts& shared, Facts& own) {
  Json s;
  if (const auto* p = std::get_if<t::TenantProvisioned>(&event)) {
    if (m.Get("g/" + tenant)) return TenantChange{};  // provisioned once: a repeat changes nothing
    const bool sandbox = p->environment == domain::Environment::kSandbox;
    s = {{"tenant", tenant},
         {"partner", p->partner},
         {"segment", p->template_id},
         {"template_version", p->template_version},
         {"tier", domain::TierName(p->tier)},
         {"deployment", domain::DeploymentName(p->deployment)},
         {"environment", sandbox ? "sandbox" : "production"},
         {"status", "provisioning"},
         {"plan", p->plan},
         {"modules", ModuleList(p->modules)},
         {"monthly_volume", p->limits.monthly_orders},
         {"warehouses", 0},
         {"mrr", 0},
         {"provisioned_at", at},
         {"onboarding_started_at", nullptr},
         {"went_live_at", nullptr},
         {"terminated_at", nullptr},
         {"period_end", p->period_end},
         {"cancelled", false},
         {"milestones", Json::array()},
         {"open_tickets", Json::object()},
         {"tickets_opened", 0},
         {"tickets_since_invoice", 0},
         {"failing", Json::object()},
         {"invoices", Json::object()}};
    AddMilestones(s, p->milestones);
    if (!sandbox) {
      m.Put("k/" + tenant, p->partner + "\t" + p->template_id + "\t" + std::string(domain::TierName(p->tier)));
      shared.n[kTenantsNew] = 1;
    }
    m.Put("i/p/" + p->partner + "/" + tenant, "");
  } else {
    auto loaded = Load(m, tenant);
    if (!loaded) return std::unexpected(loaded.error());
    s = std::move(*loaded);
  }
  const std::int64_t before = s.value("mrr", std::int64_t{0});
  const bool was_terminated = s.value("status", "") == "terminated";
  auto set_modules = [&](const std::set<Module>& modules) { s["modules"] = ModuleList(modules); };
  std::visit(
      [&]<class E>(const E& e) {
        if constexpr (std::is_same_v<E, t::OnboardingStarted>) {
          s["status"] = "onboarding";
          s["onboarding_started_at"] = at;
        } else if constexpr (std::is_same_v<E, t::MilestoneCompleted>) {
          for (auto& ms : s["milestones"])
            if (ms.value("id", "") == e.milestone && !ms.value("done", false)) {
              ms["done"] = true;
              ms["done_at"] = at;
            }
        } else if constexpr (std::is_same_v<E, t::TenantWentLive>) {
          s["status"] = "active";
          s["went_live_at"] = at;
          shared.n[kGoLives] = 1;
        } else if constexpr (std::is_same_v<E, t::TenantSuspended>) {
          if (s.value("status", "") != "suspended") s["before_suspension"] = s.value("status", "active");
          s["status"] = "suspended";
        } else if constexpr (std::is_same_v<E, t::TenantReinstated>) {
          if (s.value("status", "") == "suspended") s["status"] = s.value("before_suspension", "active");
        } else if constexpr (std::is_same_v<E, t::TenantTerminated>) {
          s["status"] = "terminated";
          s["terminated_at"] = at;
        } else if constexpr (std::is_same_v<E, t::ModuleActivated>) {
          auto modules = ModulesOf(s);
          modules.insert(e.module);
          set_modules(modules);
          AddMilestones(s, e.milestones);
        } else if constexpr (std::is_same_v<E, t::ModuleDeactivated>) {
          auto modules = ModulesOf(s);
          modules.erase(e.module);
          set_modules(modules);
        } else if constexpr (std::is_same_v<E, t::PlanUpgraded>) {
          s["plan"] = e.to;
          auto modules = ModulesOf(s);
          modules.insert(e.added_modules.begin(), e.added_modules.end());
          set_modules(modules);
          AddMilestones(s, e.milestones);
          s["monthly_volume"] = e.limits.monthly_orders;
        } else if constexpr (std::is_same_v<E, t::SubscriptionRenewed>) {
          s["plan"] = e.plan;
          set_modules(e.modules);
          s["monthly_volume"] = e.limits.monthly_orders;
          s["period_end"] = e.period_end;
        } else if constexpr (std::is_same_v<E, t::SubscriptionCancelled>) {
          s["cancelled"] = true;
        } else if constexpr (std::is_same_v<E, t::WarehouseRegistered>) {
          s["warehouses"] = s.value("warehouses", 0) + 1;
        } else if constexpr (std::is_same_v<E, t::UsageRecorded>) {
          shared.n[kApiCalls] = e.api_calls;
        } else if constexpr (std::is_same_v<E, t::TicketOpened>) {
          if (!s["open_tickets"].contains(e.ticket)) {
            s["open_tickets"][e.ticket] = at;
            s["tickets_opened"] = s.value("tickets_opened", 0) + 1;
            s["tickets_since_invoice"] = s.value("tickets_since_invoice", 0) + 1;
            shared.n[kTicketsOpened] = 1;
          }
        } else if constexpr (std::is_same_v<E, t::TicketResolved>) {
          if (s["open_tickets"].contains(e.ticket)) {
            s["open_tickets"].erase(e.ticket);
            shared.n[kTicketsResolved] = 1;
          }
        } else if constexpr (std::is_same_v<E, t::IntegrationFailed>) {
          const bool edi = e.integration == t::Integration::kEdi;
          shared.n[edi ? kEdiFailures : kMarketplaceFailures] = 1;
          own.n[kModulesUsed] |= ModuleBit(edi ? Module::kEdi : Module::kMarketplaceConnectors);
          if (!s["failing"].contains(IntegrationName(e.integration))) s["failing"][IntegrationName(e.integration)] = at;
        } else if constexpr (std::is_same_v<E, t::IntegrationRecovered>) {
          const bool edi = e.integration == t::Integration::kEdi;
          own.n[kModulesUsed] |= ModuleBit(edi ? Module::kEdi : Module::kMarketplaceConnectors);
          const std::string name = IntegrationName(e.integration);
          if (s["failing"].contains(name)) {
            shared.n[edi ? kEdiRecoveries : kMarketplaceRecoveries] = 1;
            shared.n[edi ? kEdiRecoveryMs : kMarketplaceRecoveryMs] = at - s["failing"][name].get<std::int64_t>();
            s["failing"].erase(name);
          }
        } else if constexpr (std::is_same_v<E, t::SyncLatencyBreached>) {
          const bool edi = e.integration == t::Integration::kEdi;
          shared.n[edi ? kEdiBreaches : kMarketplaceBreaches] = 1;
          own.n[kModulesUsed] |= ModuleBit(edi ? Module::kEdi : Module::kMarketplaceConnectors);
        } else if constexpr (std::is_same_v<E, t::TemplateUpgraded>) {
          s["template_version"] = e.version;
          s["monthly_volume"] = e.limits.monthly_orders;
          auto modules = ModulesOf(s);  // the version's modules count toward the recurring revenue
          modules.insert(e.added_modules.begin(), e.added_modules.end());
          set_modules(modules);
          AddMilestones(s, e.milestones);
        } else if constexpr (std::is_same_v<E, t::TemplateRolledBack>) {
          s["template_version"] = e.to_version;
          s["monthly_volume"] = e.limits.monthly_orders;
          auto modules = ModulesOf(s);
          for (auto m : e.removed_modules) modules.erase(m);
          set_modules(modules);
          auto& milestones = s["milestones"];
          if (milestones.is_array()) {
            Json kept = Json::array();
            for (auto& ms : milestones) {
              const std::string id = ms.value("id", "");
              if (std::find(e.removed_milestones.begin(), e.removed_milestones.end(), id) == e.removed_milestones.end())
                kept.push_back(ms);
            }
            milestones = std::move(kept);
          }
        }
      },
      event);
  const std::int64_t after = Mrr(s, catalog);
  s["mrr"] = after;
  TenantChange change;
  const bool production = s.value("environment", "") == "production";
  if (production && std::holds_alternative<t::TenantProvisioned>(event)) change.tenants_delta = 1;
  if (production && !was_terminated && s.value("status", "") == "terminated") {
    change.tenants_delta = -1;
    shared.n[kTenantsChurned] = 1;
  }
  if (after != before) {
    change.mrr_delta = after - before;
    if (before == 0) shared.n[kMrrNew] = after;
    else if (after == 0) shared.n[kMrrChurn] = before;
    else if (after > before) shared.n[kMrrExpansion] = after - before;
    else shared.n[kMrrContraction] = before - after;
  }
  if (change.mrr_delta != 0 || change.tenants_delta != 0) {
    change.groups.push_back("t/" + tenant);
    if (auto groups = GroupsOf(m, tenant))
      for (auto& g : groups->Keys()) change.groups.push_back(std::move(g));
  }
  m.Put("g/" + tenant, s.dump());
  return change;
}

std::expected<void, std::string> FoldBilling(Model& m, const std::string& tenant, const b::Event& event,
                                             const domain::ServiceCatalog& catalog, Facts& shared, std::int64_t& at) {
  auto loaded = Load(m, tenant);
  if (!loaded) return std::unexpected(loaded.error());
  Json& s = *loaded;
  Json& invoices = s["invoices"];
  auto settle = [&](const std::string& id, std::int64_t amount) {
    if (!invoices.contains(id)) return;
    const std::int64_t left = invoices[id].value("outstanding", std::int64_t{0}) - amount;
    if (left <= 0) invoices.erase(id);
    else invoices[id]["outstanding"] = left;
  };
  std::visit(
      [&]<class E>(const E& e) {
        if constexpr (std::is_same_v<E, b::InvoiceIssued>) {
          shared.n[kBilled] = e.total;
          if (e.period_end > e.period_start && e.period_end > 0) at = e.period_end - 1;
          const auto deployment = domain::ParseDeployment(s.value("deployment", "shared"));
          shared.n[kCost] = domain::analytics::CostToServe(catalog, deployment.value_or(domain::DeploymentModel::kShared),
                                                           ModulesOf(s), s.value("tickets_since_invoice", 0));
          s["tickets_since_invoice"] = 0;
          if (e.total > 0) invoices[e.invoice_id] = {{"outstanding", e.total}, {"overdue", false}, {"dunning", 0}};
        } else if constexpr (std::is_same_v<E, b::PaymentRecorded>) {
          settle(e.invoice_id, e.amount);
        } else if constexpr (std::is_same_v<E, b::CreditNoteIssued>) {
          shared.n[kCredited] = e.amount;
          settle(e.invoice_id, e.amount);
        } else if constexpr (std::is_same_v<E, b::InvoiceOverdue>) {
          if (invoices.contains(e.invoice_id)) invoices[e.invoice_id]["overdue"] = true;
        } else if constexpr (std::is_same_v<E, b::DunningStepReached>) {
          if (invoices.contains(e.invoice_id)) {
            const std::int64_t level = static_cast<std::int64_t>(e.action) + 1;
            invoices[e.invoice_id]["dunning"] = std::max(level, invoices[e.invoice_id].value("dunning", std::int64_t{0}));
          }
        }
      },
      event);
  m.Put("g/" + tenant, s.dump());
  return {};
}

}  // namespace keel::projections
