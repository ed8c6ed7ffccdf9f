// Billing rules as pure functions: plan fee by deployment model, module add-ons, support tier, usage
// beyond the included volume, proration by days, the partner / platform revenue split and the
// cost-to-serve estimate. All amounts are integer minor units of the catalog currency.
//
// Plan fees are charged in arrears, day-weighted: a period's invoice (issued at its end) holds the
// fee of the plan the period opened with, for the whole period, plus one proration line per upgrade
// of (new fee - previous fee) x remaining days / period days, the day of the upgrade counting as a
// remaining day. So every day of a period is charged 1/period-days of the fee of the plan held at
// that day's end. Each proration is rounded down, so it is short of its exact value by less than one
// minor unit. Downgrades and cancellations take effect at the period end and need no proration.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "domain/catalog_data.hpp"
#include "domain/common.hpp"

namespace keel::domain::billing {

// The part of `amount` that covers `remaining_days` of a `period_days` period (floor).
std::int64_t Prorate(std::int64_t amount, std::int64_t remaining_days, std::int64_t period_days);

// Whole days from `at` to `period_end`, rounded up (a started day counts).
std::int64_t RemainingDays(Timestamp at, Timestamp period_end);

// Charge for upgrading from `from` to `to` now: the fee difference for the rest of the period.
std::int64_t UpgradeProration(const Plan& from, const Plan& to, DeploymentModel deployment, Timestamp at,
                              Timestamp period_end, std::int64_t period_days);

struct InvoiceLine {
  std::string kind;  // plan, addon, support, overage, proration
  std::string description;
  std::int64_t amount = 0;
  bool operator==(const InvoiceLine&) const = default;
};

// The recorded facts one period's invoice is computed from.
struct PeriodFacts {
  Plan plan;
  DeploymentModel deployment = DeploymentModel::kShared;
  ServiceTier tier = ServiceTier::kStandard;
  std::set<Module> modules;            // active modules; those not included in the plan are add-ons
  std::int64_t orders = 0;             // orders placed in the period
  std::vector<std::int64_t> prorations;  // upgrade charges recorded during the period
  Plan opening_plan;  // the plan the period opened with: the plan line (empty id: `plan`)
};

std::vector<InvoiceLine> InvoiceLines(const ServiceCatalog& catalog, const PeriodFacts& facts);
std::int64_t Total(const std::vector<InvoiceLine>& lines);

struct RevenueSplit {
  std::int64_t partner = 0;
  std::int64_t platform = 0;
};
// The partner keeps `partner_bps` basis points of `amount` (floor); the platform the rest.
RevenueSplit Split(std::int64_t amount, std::int64_t partner_bps);

// Monthly cost to serve one tenant: infrastructure by deployment model plus support load.
std::int64_t CostToServe(const ServiceCatalog& catalog, DeploymentModel deployment, std::int64_t tickets);

}  // namespace keel::domain::billing
