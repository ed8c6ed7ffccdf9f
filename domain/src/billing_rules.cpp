// Billing rules (see billing_rules.hpp).
#include "domain/billing_rules.hpp"

#include <algorithm>

namespace keel::domain::billing {

std::int64_t Prorate(std::int64_t amount, std::int64_t remaining_days, std::int64_t period_days) {
  if (period_days <= 0 || remaining_days <= 0) return 0;
  remaining_days = std::min(remaining_days, period_days);
  __extension__ using Wide = __int128;
  return static_cast<std::int64_t>(static_cast<Wide>(amount) * remaining_days / period_days);
}

std::int64_t RemainingDays(Timestamp at, Timestamp period_end) {
  if (at >= period_end) return 0;
  return (period_end - at + kDayMs - 1) / kDayMs;
}

std::int64_t UpgradeProration(const Plan& from, const Plan& to, DeploymentModel deployment, Timestamp at,
                              Timestamp period_end, std::int64_t period_days) {
  const std::int64_t difference = std::max<std::int64_t>(0, to.Fee(deployment) - from.Fee(deployment));
  return Prorate(difference, RemainingDays(at, period_end), period_days);
}

std::vector<InvoiceLine> InvoiceLines(const ServiceCatalog& catalog, const PeriodFacts& f) {
  std::vector<InvoiceLine> lines;
  // The plan line is the opening plan's fee for the whole period; upgrades since are proration lines.
  const Plan& opening = f.opening_plan.id.empty() ? f.plan : f.opening_plan;
  lines.push_back({"plan", "plan " + opening.id + " (" + std::string(DeploymentName(f.deployment)) + ")",
                   opening.Fee(f.deployment)});
  for (Module m : f.modules) {
    if (auto it = f.plan.addons.find(m); it != f.plan.addons.end() && !f.plan.modules.contains(m)) {
      lines.push_back({"addon", "module " + std::string(ModuleName(m)), it->second});
    }
  }
  if (auto it = catalog.support_fees.find(f.tier); it != catalog.support_fees.end() && it->second > 0) {
    lines.push_back({"support", std::string(TierName(f.tier)) + " support", it->second});
  }
  if (f.orders > f.plan.included_orders) {
    const std::int64_t extra = f.orders - f.plan.included_orders;
    lines.push_back({"overage", std::to_string(extra) + " orders beyond " + std::to_string(f.plan.included_orders),
                     extra * f.plan.overage_per_order});
  }
  for (std::int64_t p : f.prorations) {
    if (p > 0) lines.push_back({"proration", "plan upgrade for the rest of the period", p});
  }
  return lines;
}

std::int64_t Total(const std::vector<InvoiceLine>& lines) {
  std::int64_t total = 0;
  for (const auto& l : lines) total += l.amount;
  return total;
}

RevenueSplit Split(std::int64_t amount, std::int64_t partner_bps) {
  partner_bps = std::clamp<std::int64_t>(partner_bps, 0, 10'000);
  __extension__ using Wide = __int128;
  const auto partner = static_cast<std::int64_t>(static_cast<Wide>(amount) * partner_bps / 10'000);
  return {partner, amount - partner};
}

std::int64_t CostToServe(const ServiceCatalog& catalog, DeploymentModel deployment, std::int64_t tickets) {
  const std::int64_t infra = deployment == DeploymentModel::kShared ? catalog.cost_shared : catalog.cost_dedicated;
  return infra + tickets * catalog.cost_per_ticket;
}

}  // namespace keel::domain::billing
