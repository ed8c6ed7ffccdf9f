// Analytics rules as pure functions: a tenant's monthly recurring revenue at list prices, its
// renewal-risk score (each factor's value, risk, weight and contribution, the weights from
// configuration), its customer-success lifecycle stage by stated rules, and the cost to serve that
// margin is computed with. Pure: no I/O, no clock (now arrives as an argument).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "domain/catalog_data.hpp"
#include "domain/common.hpp"

namespace keel::domain::analytics {

// Monthly recurring revenue of a subscription at the catalog's list prices, minor units: the plan's
// fee for the deployment model, the fee of every active module the plan offers as an add-on (not
// included), and the support tier's fee. A sandbox is never billed: 0. An unknown plan counts 0.
std::int64_t MonthlyRecurring(const ServiceCatalog& catalog, const std::string& plan, DeploymentModel deployment,
                              ServiceTier tier, const std::set<Module>& modules, Environment environment);

// Monthly cost to serve at the catalog's cost model: infrastructure by deployment model, each active
// integration module (edi, marketplace_connectors, crm_integration) and each ticket opened.
std::int64_t CostToServe(const ServiceCatalog& catalog, DeploymentModel deployment, const std::set<Module>& modules,
                         std::int64_t tickets);
bool IsIntegration(Module m);

// -- renewal risk --
struct RiskWeights {  // relative; the score divides by their sum
  std::int64_t order_trend = 25, module_adoption = 15, open_tickets = 10, ticket_age = 10,
               integration_failures = 10, renewal_proximity = 10, overdue_invoices = 10, dunning = 10;
  bool operator==(const RiskWeights&) const = default;
};
// Where each factor's risk saturates (reaches 100%).
struct RiskScales {
  std::int64_t open_tickets = 5, ticket_age_days = 14, integration_failures = 5, renewal_window_days = 60,
               overdue_invoices = 3, trend_window_days = 30;
  bool operator==(const RiskScales&) const = default;
};
// Stage thresholds (see Stage).
struct StageRules {
  std::int64_t stabilization_days = 30;   // after go-live
  std::int64_t adoption_bps = 6'000;      // modules used / entitled at or above: adopted
  std::int64_t expansion_volume_bps = 8'000;  // orders in 30 days / the plan's monthly volume at or above
  bool operator==(const StageRules&) const = default;
};
struct Rules {
  RiskWeights weights;
  RiskScales scales;
  StageRules stages;
  bool operator==(const Rules&) const = default;
};
// Empty when the rules are usable; else the first problem (a negative weight, all weights 0, a scale < 1).
std::string Validate(const Rules& rules);

struct RiskInputs {
  std::int64_t orders_recent = 0, orders_prior = 0;  // orders placed in the last / the previous trend window
  bool live_for_window = false;  // went live at least a trend window before now
  std::int64_t modules_entitled = 0, modules_used = 0;
  std::int64_t open_tickets = 0, oldest_ticket_age_days = 0;
  std::int64_t integration_failures = 0;  // in the last trend window
  std::int64_t days_to_renewal = 0;
  bool cancelled = false;  // the subscription ends at the period's end
  std::int64_t overdue_invoices = 0;
  std::int64_t dunning_level = 0;  // 0 none, 1 reminder, 2 plan changes blocked, 3 suspended
};
struct RiskFactor {
  std::string name;
  std::int64_t value = 0;         // the input, in the factor's own unit
  std::int64_t risk_bps = 0;      // 0..10000: how much of this factor's weight applies
  std::int64_t weight = 0;
  std::int64_t contribution_bps = 0;  // of the score: weight x risk / sum of weights, 0..10000
  bool operator==(const RiskFactor&) const = default;
};
struct RiskScore {
  std::int64_t score = 0;  // 0..100: the contributions' sum, rounded half up
  std::string band;        // low (< 34), medium (< 67), high
  std::vector<RiskFactor> factors;
};
RiskScore Risk(const RiskInputs& in, const Rules& rules);

// -- lifecycle stage --
struct StageInputs {
  bool live = false;                 // went live (and not terminated)
  std::int64_t days_live = 0;
  bool integration_failing = false;
  std::int64_t modules_entitled = 0, modules_used = 0;
  std::int64_t orders_30d = 0, monthly_volume = 0;  // the plan's monthly order limit
};
// onboarding: not live yet; stabilization: live for under stabilization_days, or an integration
// failing; adoption: modules used below adoption_bps of those entitled; optimization: adopted, orders
// below expansion_volume_bps of the plan's volume; expansion: adopted and at or above it.
std::string_view Stage(const StageInputs& in, const StageRules& rules);
inline constexpr std::string_view kStages[] = {"onboarding", "stabilization", "adoption", "optimization", "expansion"};

}  // namespace keel::domain::analytics
