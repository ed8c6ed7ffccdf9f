// Analytics rules (see analytics.hpp).
#include "domain/analytics.hpp"

#include <algorithm>

namespace keel::domain::analytics {
namespace {

// min(value, scale) / scale in basis points; value and scale >= 0.
std::int64_t Saturating(std::int64_t value, std::int64_t scale) {
  if (scale <= 0 || value <= 0) return 0;
  return std::min(value, scale) * 10'000 / scale;
}

}  // namespace

std::int64_t MonthlyRecurring(const ServiceCatalog& catalog, const std::string& plan_id, DeploymentModel deployment,
                              ServiceTier tier, const std::set<Module>& modules, Environment environment) {
  if (environment == Environment::kSandbox) return 0;
  const Plan* plan = catalog.FindPlan(plan_id);
  if (!plan) return 0;
  std::int64_t mrr = plan->Fee(deployment);
  for (Module m : modules)
    if (auto it = plan->addons.find(m); it != plan->addons.end() && !plan->modules.contains(m)) mrr += it->second;
  if (auto it = catalog.support_fees.find(tier); it != catalog.support_fees.end()) mrr += it->second;
  return mrr;
}

bool IsIntegration(Module m) {
  return m == Module::kEdi || m == Module::kMarketplaceConnectors || m == Module::kCrmIntegration;
}

std::int64_t CostToServe(const ServiceCatalog& catalog, DeploymentModel deployment, const std::set<Module>& modules,
                         std::int64_t tickets) {
  const std::int64_t integrations = std::ranges::count_if(modules, IsIntegration);
  return (deployment == DeploymentModel::kShared ? catalog.cost_shared : catalog.cost_dedicated) +
         integrations * catalog.cost_per_integration + tickets * catalog.cost_per_ticket;
}

std::string Validate(const Rules& r) {
  const RiskWeights& w = r.weights;
  const std::int64_t weights[] = {w.order_trend, w.module_adoption, w.open_tickets, w.ticket_age,
                                  w.integration_failures, w.renewal_proximity, w.overdue_invoices, w.dunning};
  std::int64_t sum = 0;
  for (std::int64_t x : weights) {
    if (x < 0 || x > 1'000'000) return "risk weights: each must be 0..1000000";
    sum += x;
  }
  if (sum == 0) return "risk weights: at least one must be above 0";
  const RiskScales& s = r.scales;
  for (std::int64_t x : {s.open_tickets, s.ticket_age_days, s.integration_failures, s.renewal_window_days,
                         s.overdue_invoices, s.trend_window_days})
    if (x < 1) return "risk scales: each must be at least 1";
  if (r.stages.stabilization_days < 0) return "stages.stabilization_days: must be at least 0";
  if (r.stages.adoption_bps < 0 || r.stages.adoption_bps > 10'000) return "stages.adoption_bps: must be 0..10000";
  if (r.stages.expansion_volume_bps < 0) return "stages.expansion_volume_bps: must be at least 0";
  return {};
}

RiskScore Risk(const RiskInputs& in, const Rules& rules) {
  const RiskWeights& w = rules.weights;
  const RiskScales& s = rules.scales;
  RiskScore out;
  auto add = [&](std::string name, std::int64_t value, std::int64_t risk, std::int64_t weight) {
    out.factors.push_back({std::move(name), value, std::clamp<std::int64_t>(risk, 0, 10'000), weight, 0});
  };
  // Order-volume trend: the share by which the last window fell short of the one before it; with no
  // orders before, full risk only for a tenant live a whole window that placed none since.
  std::int64_t trend_risk = 0;
  if (in.orders_prior > 0)
    trend_risk = std::max<std::int64_t>(0, in.orders_prior - in.orders_recent) * 10'000 / in.orders_prior;
  else if (in.orders_recent == 0 && in.live_for_window)
    trend_risk = 10'000;
  // The change in %: a tenant live a whole window that placed no orders in either is down 100 %.
  const std::int64_t change_pct = in.orders_prior > 0 ? (in.orders_recent - in.orders_prior) * 100 / in.orders_prior
                                  : trend_risk == 10'000                 ? -100
                                                                         : 0;
  add("order_trend", change_pct, trend_risk, w.order_trend);
  const std::int64_t adoption_bps =
      in.modules_entitled > 0 ? std::min(in.modules_used, in.modules_entitled) * 10'000 / in.modules_entitled : 10'000;
  add("module_adoption", adoption_bps / 100, 10'000 - adoption_bps, w.module_adoption);
  add("open_tickets", in.open_tickets, Saturating(in.open_tickets, s.open_tickets), w.open_tickets);
  add("ticket_age", in.oldest_ticket_age_days, Saturating(in.oldest_ticket_age_days, s.ticket_age_days), w.ticket_age);
  add("integration_failures", in.integration_failures, Saturating(in.integration_failures, s.integration_failures),
      w.integration_failures);
  const std::int64_t days = std::max<std::int64_t>(0, in.days_to_renewal);
  add("renewal_proximity", days,
      in.cancelled ? 10'000 : Saturating(s.renewal_window_days - std::min(days, s.renewal_window_days), s.renewal_window_days),
      w.renewal_proximity);
  add("overdue_invoices", in.overdue_invoices, Saturating(in.overdue_invoices, s.overdue_invoices), w.overdue_invoices);
  add("dunning", in.dunning_level, Saturating(in.dunning_level, 3), w.dunning);
  std::int64_t total_weight = 0;
  for (const auto& f : out.factors) total_weight += f.weight;
  std::int64_t sum = 0;
  for (auto& f : out.factors) {
    f.contribution_bps = total_weight > 0 ? f.weight * f.risk_bps / total_weight : 0;
    sum += f.contribution_bps;
  }
  out.score = std::min<std::int64_t>(100, (sum + 50) / 100);
  out.band = out.score < 34 ? "low" : out.score < 67 ? "medium" : "high";
  return out;
}

std::string_view Stage(const StageInputs& in, const StageRules& rules) {
  if (!in.live) return "onboarding";
  if (in.days_live < rules.stabilization_days || in.integration_failing) return "stabilization";
  const std::int64_t adoption =
      in.modules_entitled > 0 ? in.modules_used * 10'000 / in.modules_entitled : 10'000;
  if (adoption < rules.adoption_bps) return "adoption";
  if (in.monthly_volume > 0 && in.orders_30d * 10'000 >= in.monthly_volume * rules.expansion_volume_bps)
    return "expansion";
  return "optimization";
}

}  // namespace keel::domain::analytics
