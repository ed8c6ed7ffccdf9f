// Closing a tenant's billing period (see billing_period.hpp).
#include "domain/billing_period.hpp"

namespace keel::domain::billing {

std::string PeriodInvoiceId(const std::string& tenant, Timestamp period_start) {
  return "INV-" + tenant + "-" + std::to_string(period_start);
}

std::optional<IssueInvoice> CloseCurrentPeriod(const tenant::State& t, const ServiceCatalog& catalog,
                                               std::int64_t partner_bps, std::int64_t payment_terms_days) {
  const Plan* plan = catalog.FindPlan(t.plan);
  if (plan == nullptr) return std::nullopt;
  // The opening plan carries the plan line; a state from before it was recorded bills the plan held now.
  const Plan* opening = t.opening_plan.empty() ? plan : catalog.FindPlan(t.opening_plan);
  if (opening == nullptr) return std::nullopt;
  IssueInvoice c;
  c.invoice_id = PeriodInvoiceId(t.id, t.period_start);
  c.tenant = t.id;
  c.period_start = t.period_start;
  c.period_end = t.period_end;
  c.facts = PeriodFacts{*plan, t.deployment, t.tier, t.modules, t.period_orders, t.period_prorations, *opening};
  c.catalog = catalog;
  c.environment = t.environment;
  c.partner_bps = partner_bps;
  c.payment_terms_days = payment_terms_days;
  c.at = t.period_end;
  return c;
}

}  // namespace keel::domain::billing
