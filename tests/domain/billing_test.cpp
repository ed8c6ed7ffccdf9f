// Billing: the pure rules (fees, add-ons, support, overage, proration, revenue split, cost to
// serve) and the billing decider (invoices, payments, credit notes, overdue and dunning).
#include <catch2/catch.hpp>

#include <random>

#include "domain/billing.hpp"
#include "decider_support.hpp"
#include "domain/pricing.hpp"
#include "fixtures.hpp"

using namespace keel::domain;
using keel::domain::test::Accept;
using keel::domain::test::Refuse;
using keel::domain::test::Run;
using namespace keel::domain::billing;
using keel::domain::test::kT0;
namespace fx = keel::domain::test;

namespace {

PeriodFacts Facts(std::int64_t orders = 0) {
  return PeriodFacts{fx::Growth(), DeploymentModel::kShared, ServiceTier::kPremium,
                     {Module::kInventory, Module::kMultiWarehouse, Module::kReturns, Module::kMarketplaceConnectors, Module::kEdi},
                     orders, {5000}, {}};
}

IssueInvoice MakeInvoice(std::string id = "INV-1", Environment env = Environment::kProduction) {
  return IssueInvoice{id, "t1", kT0, kT0 + 30 * kDayMs, Facts(12000), fx::Catalog(), env, 2500, 30, kT0 + 30 * kDayMs};
}

}  // namespace

TEST_CASE("invoice lines cover plan, add-ons, support, overage and proration", "[domain][billing]") {
  auto lines = InvoiceLines(fx::Catalog(), Facts(12000));
  CHECK(lines == std::vector<InvoiceLine>{{"plan", "plan growth (shared)", 89900},
                                          {"addon", "module edi", 9900},
                                          {"support", "premium support", 25000},
                                          {"overage", "2000 orders beyond 10000", 20000},
                                          {"proration", "plan upgrade for the rest of the period", 5000}});
  CHECK(Total(lines) == 149800);
  auto dedicated = Facts();
  dedicated.deployment = DeploymentModel::kDedicated;
  dedicated.tier = ServiceTier::kStandard;
  dedicated.prorations.clear();
  CHECK(Total(InvoiceLines(fx::Catalog(), dedicated)) == 249900 + 9900);
}

TEST_CASE("proration, revenue split and cost to serve", "[domain][billing]") {
  CHECK(Prorate(30000, 10, 30) == 10000);
  CHECK(Prorate(100, 1, 3) == 33);
  CHECK(Prorate(100, 40, 30) == 100);
  CHECK(Prorate(100, 0, 30) == 0);
  CHECK(RemainingDays(kT0, kT0 + 10 * kDayMs) == 10);
  CHECK(RemainingDays(kT0, kT0 + 10 * kDayMs - 1) == 10);  // a started day counts
  CHECK(RemainingDays(kT0 + 1, kT0) == 0);
  CHECK(UpgradeProration(fx::Growth(), fx::Scale(), DeploymentModel::kShared, kT0, kT0 + 15 * kDayMs, 30) ==
        (249900 - 89900) / 2);
  CHECK(UpgradeProration(fx::Scale(), fx::Growth(), DeploymentModel::kShared, kT0, kT0 + 15 * kDayMs, 30) == 0);
  auto split = Split(10001, 2500);
  CHECK(split.partner == 2500);
  CHECK(split.platform == 7501);
  CHECK(split.partner + split.platform == 10001);
  CHECK(CostToServe(fx::Catalog(), DeploymentModel::kDedicated, 3) == 55000 + 3 * 2500);
}

TEST_CASE("an invoice's total equals the sum of its lines and is split with the partner", "[domain][billing]") {
  auto d = Decide(MakeInvoice(), State{});
  REQUIRE(d);
  const auto& e = std::get<InvoiceIssued>(d->at(0));
  CHECK(e.total == Total(e.lines));
  CHECK(e.partner_share == e.total / 4);
  CHECK(e.partner_share + e.platform_share == e.total);
  CHECK(e.due_at == kT0 + 60 * kDayMs);
  auto s = Evolve(State{}, d->at(0));
  CHECK(Refuse(MakeInvoice(), s) == RejectionCode::kAlreadyExists);
  CHECK(Refuse(MakeInvoice("INV-2"), s) == RejectionCode::kAlreadyDone);  // same period
  CHECK(Refuse(MakeInvoice("INV-1", Environment::kSandbox), State{}) == RejectionCode::kNotPermitted);
}

TEST_CASE("payments settle invoices without exceeding them", "[domain][billing]") {
  auto s = Run(State{}, {MakeInvoice()});
  const auto total = s.invoices.at("INV-1").total;
  s = Run(s, {RecordPayment{"INV-1", "PAY-1", total - 100, kT0}});
  CHECK(Decide(RecordPayment{"INV-1", "PAY-1", total - 100, kT0}, s)->empty());  // the same payment again
  CHECK(Refuse(RecordPayment{"INV-1", "PAY-2", 101, kT0}, s) == RejectionCode::kExceedsInvoice);
  CHECK(Refuse(RecordPayment{"INV-9", "PAY-2", 1, kT0}, s) == RejectionCode::kNotFound);
  CHECK(Refuse(RecordPayment{"INV-1", "PAY-2", 0, kT0}, s) == RejectionCode::kInvalidArgument);
  s = Run(s, {RecordPayment{"INV-1", "PAY-2", 100, kT0}});
  CHECK(s.invoices.at("INV-1").outstanding() == 0);
}

TEST_CASE("a payment id used again with another amount is refused as id_reused", "[domain][billing]") {
  auto s = Run(State{}, {MakeInvoice()});
  s = Run(s, {RecordPayment{"INV-1", "PAY-1", 1000, kT0}});
  CHECK(Refuse(RecordPayment{"INV-1", "PAY-1", 2000, kT0}, s) == RejectionCode::kIdReused);
  CHECK(Refuse(RecordPayment{"INV-1", "PAY-1", 999, kT0 + kDayMs}, s) == RejectionCode::kIdReused);
  CHECK(Refuse(RecordPayment{"INV-9", "PAY-1", 1000, kT0}, s) == RejectionCode::kIdReused);  // another invoice
  // The same payment again, even at another time, is a no-op; nothing was paid twice.
  CHECK(Accept(RecordPayment{"INV-1", "PAY-1", 1000, kT0 + kDayMs}, s).empty());
  CHECK(s.invoices.at("INV-1").paid == 1000);
}

TEST_CASE("the same payment again stays a no-op once its invoice is settled", "[domain][billing]") {
  auto s = Run(State{}, {MakeInvoice()});
  const auto total = s.invoices.at("INV-1").total;
  s = Run(s, {RecordPayment{"INV-1", "PAY-1", total, kT0}});
  CHECK(Accept(RecordPayment{"INV-1", "PAY-1", total, kT0}, s).empty());
  CHECK(Refuse(RecordPayment{"INV-1", "PAY-1", total - 1, kT0}, s) == RejectionCode::kIdReused);
}

TEST_CASE("an invoice keeps its lines and revenue split in the billing state", "[domain][billing]") {
  auto d = Accept(MakeInvoice(), State{});
  const auto& e = std::get<InvoiceIssued>(d.at(0));
  const auto s = Evolve(State{}, d.at(0));
  const auto& inv = s.invoices.at("INV-1");
  CHECK(inv.lines == e.lines);
  CHECK(inv.partner_share == e.partner_share);
  CHECK(inv.platform_share == e.platform_share);
  CHECK(inv.currency == "EUR");
  CHECK(inv.period_end == e.period_end);
}

TEST_CASE("dunning acts while an invoice is overdue and unsettled, and no longer once it is paid or credited",
          "[domain][billing]") {
  const std::vector<DunningStep> steps = fx::Regional().dunning;
  auto s = Run(State{}, {MakeInvoice()});
  const auto total = s.invoices.at("INV-1").total;
  const Timestamp due = s.invoices.at("INV-1").due_at;
  CHECK_FALSE(AnyOverdue(s));
  s = Run(s, {AssessOverdue{steps, due + 8 * kDayMs}});
  CHECK(AnyOverdue(s));
  auto paid = Run(s, {RecordPayment{"INV-1", "P", total - 10, kT0}});
  CHECK(AnyOverdue(paid));  // 10 still owed
  CHECK_FALSE(AnyOverdue(Run(paid, {RecordPayment{"INV-1", "P2", 10, kT0}})));
  CHECK_FALSE(AnyOverdue(Run(paid, {IssueCreditNote{"INV-1", "CN", "goodwill", 10, kT0}})));
}

TEST_CASE("credit notes never exceed the invoice they credit", "[domain][billing]") {
  auto s = Run(State{}, {MakeInvoice()});
  const auto total = s.invoices.at("INV-1").total;
  s = Run(s, {IssueCreditNote{"INV-1", "CN-1", "outage credit", total - 1, kT0}});
  CHECK(Refuse(IssueCreditNote{"INV-1", "CN-2", "more", 2, kT0}, s) == RejectionCode::kExceedsInvoice);
  CHECK(Refuse(IssueCreditNote{"INV-1", "CN-1", "dup", 1, kT0}, s) == RejectionCode::kIdReused);
  CHECK(Accept(IssueCreditNote{"INV-1", "CN-1", "outage credit", total - 1, kT0}, s).empty());  // a retry: no-op
  CHECK(Refuse(IssueCreditNote{"INV-1", "CN-3", "", 1, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Run(s, {IssueCreditNote{"INV-1", "CN-2", "rest", 1, kT0}}).invoices.at("INV-1").credited == total);

  // Credited after it was paid in full: the customer is owed the credit (a negative outstanding).
  auto paid = Run(State{}, {MakeInvoice(), RecordPayment{"INV-1", "P", total, kT0}});
  paid = Run(paid, {IssueCreditNote{"INV-1", "CN-9", "damaged goods", 1000, kT0}});
  CHECK(paid.invoices.at("INV-1").outstanding() == -1000);
  CHECK(Refuse(RecordPayment{"INV-1", "P2", 1, kT0}, paid) == RejectionCode::kExceedsInvoice);
}

TEST_CASE("an unpaid invoice becomes overdue and walks the template's dunning steps once each",
          "[domain][billing]") {
  const std::vector<DunningStep> steps = fx::Regional().dunning;
  auto s = Run(State{}, {MakeInvoice()});
  const Timestamp due = s.invoices.at("INV-1").due_at;
  CHECK(Decide(AssessOverdue{steps, due}, s)->empty());
  auto day8 = Decide(AssessOverdue{steps, due + 8 * kDayMs}, s).value();
  REQUIRE(day8.size() == 2);
  CHECK(std::holds_alternative<InvoiceOverdue>(day8[0]));
  CHECK(std::get<DunningStepReached>(day8[1]).action == DunningAction::kReminder);
  for (const auto& e : day8) s = Evolve(s, e);
  CHECK(Decide(AssessOverdue{steps, due + 9 * kDayMs}, s)->empty());
  auto day50 = Decide(AssessOverdue{steps, due + 50 * kDayMs}, s).value();
  REQUIRE(day50.size() == 2);
  CHECK(std::get<DunningStepReached>(day50[0]).action == DunningAction::kBlockPlanChanges);
  CHECK(std::get<DunningStepReached>(day50[1]).action == DunningAction::kSuspend);
  auto paid = Run(Run(State{}, {MakeInvoice()}), {RecordPayment{"INV-1", "P", s.invoices.at("INV-1").total, kT0}});
  CHECK(Decide(AssessOverdue{steps, due + 50 * kDayMs}, paid)->empty());
}

TEST_CASE("prices resolve from contract, SKU, category and quantity breaks", "[domain][pricing]") {
  PriceList list{"EUR",
                 {{"WIDGET", "", {{1, 1000}, {10, 900}, {100, 800}}, 0, 0},
                  {"", "hardware", {{1, 50}}, 0, 0},
                  {"GEAR", "", {{1, 70}}, kT0, kT0 + kDayMs}}};
  std::vector<ContractPrice> contracts{{"c1", "WIDGET", 600, 0, kT0}};
  CHECK(ResolvePrice(list, contracts, "c2", "WIDGET", "hardware", 9, kT0) == 1000);
  CHECK(ResolvePrice(list, contracts, "c2", "WIDGET", "hardware", 10, kT0) == 900);
  CHECK(ResolvePrice(list, contracts, "c2", "WIDGET", "hardware", 500, kT0) == 800);
  CHECK(ResolvePrice(list, contracts, "c1", "WIDGET", "hardware", 1, kT0 - 1) == 600);
  CHECK(ResolvePrice(list, contracts, "c1", "WIDGET", "hardware", 1, kT0) == 1000);  // contract expired
  CHECK(ResolvePrice(list, contracts, "c2", "BOLT", "hardware", 1, kT0) == 50);
  CHECK(ResolvePrice(list, contracts, "c2", "GEAR", "toys", 1, kT0) == 70);
  CHECK(ResolvePrice(list, contracts, "c2", "GEAR", "toys", 1, kT0 + kDayMs) == std::nullopt);
  CHECK(ResolvePrice(list, contracts, "c2", "SERUM", "pharma", 1, kT0) == std::nullopt);
}

TEST_CASE("random billing sequences never over-pay or over-credit an invoice", "[domain][billing][property]") {
  std::mt19937 rng(GENERATE(51u, 52u, 53u));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  State s;
  std::vector<Event> log;
  Timestamp now = kT0;
  for (int step = 0; step < 300; ++step) {
    now += pick(5) * kDayMs;
    const std::string inv = "INV-" + std::to_string(pick(4));
    Command c;
    switch (pick(4)) {
      case 0: {
        auto issue = MakeInvoice(inv);
        issue.period_start = now;
        issue.period_end = now + 30 * kDayMs;
        issue.facts.orders = pick(20000);
        issue.at = now;
        c = issue;
        break;
      }
      case 1: c = RecordPayment{inv, "PAY-" + std::to_string(step), 1 + pick(100000), now}; break;
      case 2: c = IssueCreditNote{inv, "CN-" + std::to_string(step), "goodwill", 1 + pick(100000), now}; break;
      default: c = AssessOverdue{fx::Regional().dunning, now}; break;
    }
    auto d = Decide(c, s);
    if (!d) continue;
    for (const auto& e : *d) {
      s = Evolve(std::move(s), e);
      log.push_back(e);
    }
    for (const auto& [id, i] : s.invoices) {
      // A credit note after payment leaves a balance owed to the customer (outstanding < 0), but
      // neither payments nor credit notes alone ever exceed the invoice.
      if (i.paid > i.total || i.credited > i.total) FAIL(id << " over-settled at step " << step);
    }
  }
  CHECK_FALSE(s.invoices.empty());
  State folded;
  for (const auto& e : log) folded = Evolve(std::move(folded), e);
  CHECK(folded == s);
}
