// Plan charges against the day-weighted fees of the plans actually held (docs/ARCHITECTURE.md,
// billing): tenants are driven through the tenant decider (upgrades, downgrades, cancellations at
// random moments) and every period is closed the way the billing cycle closes it
// (billing::CloseCurrentPeriod, then the billing decider, then RenewSubscription).
// The rule checked, per period of D days: each day is charged fee(plan held at the day's end) / D;
// with N = Σ over the days of fee(plan held at the day's end), the period's plan charges C (plan
// line + proration lines) satisfy C·D <= N < (C + k)·D with k the number of proration lines, and
// C·D == N when there is none (each proration is rounded down: short by less than one minor unit).
#include <catch2/catch.hpp>

#include <random>

#include "decider_support.hpp"
#include "domain/billing_period.hpp"
#include "fixtures.hpp"

using namespace keel::domain;
using keel::domain::test::Accept;
using keel::domain::test::kT0;
using keel::domain::test::Run;
namespace fx = keel::domain::test;
namespace t = keel::domain::tenant;
namespace b = keel::domain::billing;

namespace {

SegmentTemplate PlainSegment(DeploymentModel deployment, std::int64_t period_days) {
  SegmentTemplate s = fx::Regional();
  s.modules = {Module::kInventory};  // every plan offers it
  s.milestones = {};
  s.deployment = deployment;
  s.billing_period_days = period_days;
  return s;
}

t::State Live(const SegmentTemplate& segment, const Plan& plan) {
  return Run(t::State{}, {t::ProvisionTenant{"acme", "p1", "Acme", segment, plan, Environment::kProduction, true, true, kT0},
                          t::StartOnboarding{kT0}, t::GoLive{kT0}});
}

// Closes the tenant's current period as the billing cycle does; returns the invoice's plan charges
// and how many proration lines they hold.
struct Charged {
  std::int64_t amount = 0;
  std::int64_t prorations = 0;
};
Charged ClosePeriod(t::State& tenant, b::State& billing, const ServiceCatalog& catalog) {
  auto invoice = b::CloseCurrentPeriod(tenant, catalog, 2500, 30);
  REQUIRE(invoice);
  Charged charged;
  for (const auto& e : Accept(b::Command(*invoice), billing)) {
    billing = b::Evolve(std::move(billing), e);
    for (const auto& line : std::get<b::InvoiceIssued>(e).lines) {
      if (line.kind == "plan" || line.kind == "proration") charged.amount += line.amount;
      if (line.kind == "proration") ++charged.prorations;
    }
  }
  for (const auto& e : Accept(t::Command(t::RenewSubscription{tenant.period_end}), tenant)) {
    tenant = t::Evolve(std::move(tenant), e);
  }
  return charged;
}

}  // namespace

TEST_CASE("an upgraded period is charged the opening plan and the proration, not the new plan's full fee",
          "[domain][billing]") {
  const auto catalog = fx::Catalog();
  const auto segment = PlainSegment(DeploymentModel::kShared, 30);
  auto tenant = Live(segment, fx::Growth());
  // Upgraded at the start of day 10 (0-based): 10 days of growth, 20 days of scale.
  tenant = Run(tenant, {t::ChangePlan{fx::Growth(), fx::Scale(), segment, kT0 + 10 * kDayMs}});
  b::State billing;
  const auto charged = ClosePeriod(tenant, billing, catalog);
  CHECK(charged.amount == 89900 + (249900 - 89900) * 20 / 30);  // 196,566 (…,566.67 rounded down)
  CHECK(charged.amount == (10 * 89900 + 20 * 249900) / 30);
  const auto& invoice = billing.invoices.begin()->second;
  CHECK(invoice.lines.at(0) == b::InvoiceLine{"plan", "plan growth (shared)", 89900});
  CHECK(invoice.lines.at(1).kind == "proration");
  // The next period opens on the plan held now, with no proration.
  CHECK(ClosePeriod(tenant, billing, catalog).amount == 249900);
}

TEST_CASE("a downgrade is charged the old plan to the period end and the new plan from the next period",
          "[domain][billing]") {
  const auto catalog = fx::Catalog();
  const auto segment = PlainSegment(DeploymentModel::kDedicated, 30);
  auto tenant = Live(segment, fx::Scale());
  tenant = Run(tenant, {t::ChangePlan{fx::Scale(), fx::Starter(), segment, kT0 + 3 * kDayMs}});
  b::State billing;
  CHECK(ClosePeriod(tenant, billing, catalog).amount == 599900);
  CHECK(ClosePeriod(tenant, billing, catalog).amount == 129900);
}

TEST_CASE("plan charges equal the day-weighted fees of the plans held over random upgrades, downgrades and cancellations",
          "[domain][billing][property]") {
  const auto catalog = fx::Catalog();
  const std::vector<Plan> plans{fx::Starter(), fx::Growth(), fx::Scale()};
  std::mt19937_64 rng(20260113);
  auto pick = [&](std::int64_t n) { return static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(n)); };
  int upgrades = 0, downgrades = 0, cancellations = 0, proration_lines = 0;
  for (int run = 0; run < 300; ++run) {
    const auto deployment = pick(2) == 0 ? DeploymentModel::kShared : DeploymentModel::kDedicated;
    const std::int64_t days = std::vector<std::int64_t>{28, 30, 31}[pick(3)];
    const auto segment = PlainSegment(deployment, days);
    const Plan* held = &plans[pick(3)];  // tracked here, independently of the tenant's state
    const Plan* scheduled = nullptr;
    auto tenant = Live(segment, *held);
    b::State billing;
    std::int64_t total_charged = 0, total_owed_numerator = 0, total_prorations = 0;
    for (int period = 0; period < 6 && tenant.status != t::Status::kTerminated; ++period) {
      const Timestamp start = tenant.period_start;
      REQUIRE(tenant.period_end - start == days * kDayMs);
      // fee_by_day[d]: the fee of the plan held at the end of day d.
      std::vector<std::int64_t> fee_by_day(static_cast<std::size_t>(days), held->Fee(deployment));
      std::vector<Timestamp> moments;
      for (std::int64_t i = pick(4); i > 0; --i) moments.push_back(start + pick(days * kDayMs));
      std::sort(moments.begin(), moments.end());
      for (const Timestamp at : moments) {
        const Plan& target = plans[pick(3)];
        const bool cancel = pick(8) == 0;
        auto decision = cancel ? t::Decide(t::CancelSubscription{"moving on", at}, tenant)
                               : t::Decide(t::ChangePlan{*catalog.FindPlan(tenant.plan), target, segment, at}, tenant);
        if (!decision) continue;  // e.g. the same plan, or a downgrade already scheduled
        for (const auto& e : *decision) {
          tenant = t::Evolve(std::move(tenant), e);
          if (std::holds_alternative<t::PlanUpgraded>(e)) {
            ++upgrades;
            held = &target;
            for (std::int64_t d = (at - start) / kDayMs; d < days; ++d) fee_by_day[d] = held->Fee(deployment);
          } else if (std::holds_alternative<t::PlanDowngradeScheduled>(e)) {
            ++downgrades;
            scheduled = &target;
          } else if (std::holds_alternative<t::SubscriptionCancelled>(e)) {
            ++cancellations;
          }
        }
      }
      std::int64_t owed_numerator = 0;  // Σ fees by day; the owed amount is this / days
      for (std::int64_t fee : fee_by_day) owed_numerator += fee;
      const auto charged = ClosePeriod(tenant, billing, catalog);
      INFO("run " << run << " period " << period << ": charged " << charged.amount << ", owed " << owed_numerator
                  << "/" << days << " with " << charged.prorations << " prorations");
      if (charged.prorations == 0) {
        CHECK(charged.amount * days == owed_numerator);
      } else {
        CHECK(charged.amount * days <= owed_numerator);
        CHECK(owed_numerator - charged.amount * days < charged.prorations * days);
      }
      total_charged += charged.amount;
      total_owed_numerator += owed_numerator;  // every period of a run has the same length
      total_prorations += charged.prorations;
      proration_lines += static_cast<int>(charged.prorations);
      if (scheduled != nullptr) held = scheduled;
      scheduled = nullptr;
      REQUIRE((tenant.status == t::Status::kTerminated || tenant.plan == held->id));
    }
    // Over every period: short by less than one minor unit per proration line, never over.
    CHECK(total_charged * days <= total_owed_numerator);
    CHECK(total_owed_numerator - total_charged * days < std::max<std::int64_t>(total_prorations, 1) * days);
  }
  // The runs exercised what they claim to.
  CHECK(upgrades > 100);
  CHECK(downgrades > 100);
  CHECK(cancellations > 10);
  CHECK(proration_lines > 100);
}
