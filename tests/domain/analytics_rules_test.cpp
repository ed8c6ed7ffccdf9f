// Analytics rules: MRR at list prices, cost to serve with integrations, the renewal-risk score with
// each factor's contribution fixed for hand-built inputs (default and configured weights), and the
// lifecycle stage at each of its thresholds.
#include <catch2/catch.hpp>

#include "domain/analytics.hpp"

using namespace keel::domain;
namespace an = keel::domain::analytics;

namespace {

ServiceCatalog Catalog() {
  ServiceCatalog c;
  Plan p;
  p.id = "growth";
  p.modules = {Module::kInventory};
  p.addons = {{Module::kEdi, 9900}, {Module::kCrmIntegration, 2900}};
  p.fee_shared = 89900;
  p.fee_dedicated = 249900;
  c.plans[p.id] = p;
  c.support_fees = {{ServiceTier::kStandard, 0}, {ServiceTier::kPremium, 25000}};
  c.cost_shared = 6000;
  c.cost_dedicated = 55000;
  c.cost_per_ticket = 2500;
  c.cost_per_integration = 4000;
  return c;
}

std::int64_t Contribution(const an::RiskScore& s, const std::string& name) {
  for (const auto& f : s.factors)
    if (f.name == name) return f.contribution_bps;
  FAIL("no factor " << name);
  return -1;
}

}  // namespace

TEST_CASE("MRR at list prices: plan by deployment and add-ons not included and support and sandboxes 0", "[analytics]") {
  const auto c = Catalog();
  CHECK(an::MonthlyRecurring(c, "growth", DeploymentModel::kShared, ServiceTier::kStandard, {Module::kInventory},
                             Environment::kProduction) == 89900);
  CHECK(an::MonthlyRecurring(c, "growth", DeploymentModel::kDedicated, ServiceTier::kPremium,
                             {Module::kInventory, Module::kEdi}, Environment::kProduction) == 249900 + 9900 + 25000);
  CHECK(an::MonthlyRecurring(c, "growth", DeploymentModel::kShared, ServiceTier::kPremium, {Module::kEdi},
                             Environment::kSandbox) == 0);
  CHECK(an::MonthlyRecurring(c, "nope", DeploymentModel::kShared, ServiceTier::kPremium, {}, Environment::kProduction) == 0);
  CHECK(an::CostToServe(c, DeploymentModel::kShared, {Module::kInventory, Module::kEdi, Module::kCrmIntegration}, 3) ==
        6000 + 2 * 4000 + 3 * 2500);
  CHECK(an::CostToServe(c, DeploymentModel::kDedicated, {}, 0) == 55000);
}

TEST_CASE("renewal risk scores fixed for hand-built inputs", "[analytics]") {
  const an::Rules rules;
  SECTION("healthy: growing, adopted, nothing open, renewal far: 0, low") {
    an::RiskInputs in;
    in.orders_recent = 120;
    in.orders_prior = 100;
    in.modules_entitled = in.modules_used = 4;
    in.days_to_renewal = 200;
    const auto s = an::Risk(in, rules);
    CHECK(s.score == 0);
    CHECK(s.band == "low");
    REQUIRE(s.factors.size() == 8);
    CHECK(s.factors[0].name == "order_trend");
    CHECK(s.factors[0].value == 20);  // +20 %
  }
  SECTION("declining, little adopted, tickets, failures, renewal near, overdue: 59, medium") {
    an::RiskInputs in;
    in.orders_recent = 40;
    in.orders_prior = 100;  // -60 %: 6000 bps x 25 / 100 = 1500
    in.modules_entitled = 4;
    in.modules_used = 1;  // 7500 x 15 = 1125
    in.open_tickets = 2;  // 4000 x 10 = 400
    in.oldest_ticket_age_days = 7;  // 5000 x 10 = 500
    in.integration_failures = 9;  // saturated: 1000
    in.days_to_renewal = 15;  // 45 / 60: 750
    in.overdue_invoices = 1;  // 3333: 333
    in.dunning_level = 1;     // 333
    const auto s = an::Risk(in, rules);
    CHECK(Contribution(s, "order_trend") == 1500);
    CHECK(Contribution(s, "module_adoption") == 1125);
    CHECK(Contribution(s, "open_tickets") == 400);
    CHECK(Contribution(s, "ticket_age") == 500);
    CHECK(Contribution(s, "integration_failures") == 1000);
    CHECK(Contribution(s, "renewal_proximity") == 750);
    CHECK(Contribution(s, "overdue_invoices") == 333);
    CHECK(Contribution(s, "dunning") == 333);
    CHECK(s.score == 59);
    CHECK(s.band == "medium");
    CHECK(s.factors[0].value == -60);
    CHECK(s.factors[0].risk_bps == 6000);
    CHECK(s.factors[0].weight == 25);
  }
  SECTION("cancelled, silent for a whole window, overdue and suspended by dunning: 55") {
    an::RiskInputs in;
    in.live_for_window = true;  // no orders before or since: full trend risk
    in.cancelled = true;
    in.days_to_renewal = 300;
    in.overdue_invoices = 4;
    in.dunning_level = 3;
    const auto s = an::Risk(in, rules);
    CHECK(Contribution(s, "order_trend") == 2500);
    CHECK(Contribution(s, "module_adoption") == 0);  // nothing entitled: nothing to adopt
    CHECK(Contribution(s, "renewal_proximity") == 1000);
    CHECK(s.score == 55);
  }
  SECTION("a new tenant with no orders yet carries no trend risk") {
    an::RiskInputs in;
    in.days_to_renewal = 300;
    CHECK(an::Risk(in, rules).score == 0);
  }
  SECTION("weights from configuration: only dunning counts") {
    an::Rules only;
    only.weights = {0, 0, 0, 0, 0, 0, 0, 1};
    an::RiskInputs in;
    in.dunning_level = 2;
    in.orders_prior = 100;  // a full decline weighs nothing now
    const auto s = an::Risk(in, only);
    CHECK(Contribution(s, "dunning") == 6666);
    CHECK(s.score == 67);
    CHECK(s.band == "high");
  }
}

TEST_CASE("rules are validated", "[analytics]") {
  an::Rules r;
  CHECK(an::Validate(r).empty());
  r.weights = {0, 0, 0, 0, 0, 0, 0, 0};
  CHECK(an::Validate(r) == "risk weights: at least one must be above 0");
  r = {};
  r.weights.dunning = -1;
  CHECK_FALSE(an::Validate(r).empty());
  r = {};
  r.scales.open_tickets = 0;
  CHECK(an::Validate(r) == "risk scales: each must be at least 1");
  r = {};
  r.stages.adoption_bps = 10'001;
  CHECK(an::Validate(r) == "stages.adoption_bps: must be 0..10000");
}

TEST_CASE("the lifecycle stage at each threshold", "[analytics]") {
  const an::StageRules rules;
  an::StageInputs in;
  CHECK(an::Stage(in, rules) == "onboarding");
  in.live = true;
  in.days_live = 29;
  in.modules_entitled = 4;
  in.modules_used = 4;
  CHECK(an::Stage(in, rules) == "stabilization");
  in.days_live = 30;
  in.integration_failing = true;
  CHECK(an::Stage(in, rules) == "stabilization");
  in.integration_failing = false;
  in.modules_used = 2;  // 50 % < 60 %
  CHECK(an::Stage(in, rules) == "adoption");
  in.modules_used = 3;  // 75 %
  in.monthly_volume = 100;
  in.orders_30d = 79;
  CHECK(an::Stage(in, rules) == "optimization");
  in.orders_30d = 80;
  CHECK(an::Stage(in, rules) == "expansion");
}
