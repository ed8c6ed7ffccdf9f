// Partner decider: registration, branding validation, price list, revenue share, level and
// certification, suspension; and what a partner may provision.
#include <catch2/catch.hpp>

#include <random>

#include "domain/partner.hpp"
#include "decider_support.hpp"
#include "fixtures.hpp"

using namespace keel::domain;
using keel::domain::test::Accept;
using keel::domain::test::Refuse;
using keel::domain::test::Run;
using namespace keel::domain::partner;
using keel::domain::test::kT0;

namespace {

const Branding kBrand{"Nordic ERP", "https://cdn.nordic.example/logo.svg", "#0A3D62", "#F8C291",
                      "support@nordic.example", "erp.nordic.example"};

State Registered() { return Run(State{}, {RegisterPartner{"p1", "Nordic Systems", kT0}}); }

}  // namespace

TEST_CASE("a partner registers once", "[domain][partner]") {
  CHECK(Registered().registered);
  CHECK(Refuse(RegisterPartner{"p1", "again", kT0}, Registered()) == RejectionCode::kAlreadyExists);
  CHECK(Refuse(RegisterPartner{"", "x", kT0}, State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(CertifyPartner{"ops", kT0}, State{}) == RejectionCode::kNotFound);
}

TEST_CASE("branding is validated field by field", "[domain][partner]") {
  CHECK(Run(Registered(), {UpdateBranding{kBrand, kT0}}).branding == kBrand);
  auto with = [](auto edit) {
    Branding b = kBrand;
    edit(b);
    return UpdateBranding{b, kT0};
  };
  const auto s = Registered();
  CHECK(Refuse(with([](Branding& b) { b.display_name.clear(); }), s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(with([](Branding& b) { b.logo_url = "http://x.example/logo.png"; }), s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(with([](Branding& b) { b.primary_colour = "blue"; }), s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(with([](Branding& b) { b.secondary_colour = "#GGGGGG"; }), s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(with([](Branding& b) { b.support_email = "support.example"; }), s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(with([](Branding& b) { b.custom_domain = "Bad_Domain"; }), s) == RejectionCode::kInvalidArgument);
  CHECK(Run(s, {with([](Branding& b) { b.custom_domain.clear(); })}).branding.custom_domain.empty());
}

TEST_CASE("a price list must be well-formed", "[domain][partner]") {
  PriceList ok{"EUR", {{"WIDGET", "", {{1, 1000}, {10, 900}}, 0, 0}}};
  CHECK(Run(Registered(), {SetPriceList{ok, kT0}}).prices == ok);
  auto bad = [&](PriceList p) { return Refuse(SetPriceList{std::move(p), kT0}, Registered()); };
  CHECK(bad({"eur", {}}) == RejectionCode::kInvalidArgument);
  CHECK(bad({"EUR", {{"WIDGET", "tools", {{1, 1}}, 0, 0}}}) == RejectionCode::kInvalidArgument);
  CHECK(bad({"EUR", {{"WIDGET", "", {}, 0, 0}}}) == RejectionCode::kInvalidArgument);
  CHECK(bad({"EUR", {{"WIDGET", "", {{10, 1}, {5, 1}}, 0, 0}}}) == RejectionCode::kInvalidArgument);
  CHECK(bad({"EUR", {{"WIDGET", "", {{1, -1}}, 0, 0}}}) == RejectionCode::kInvalidArgument);
  CHECK(bad({"EUR", {{"WIDGET", "", {{1, 1}}, kT0, kT0}}}) == RejectionCode::kInvalidArgument);
}

TEST_CASE("revenue share is in basis points", "[domain][partner]") {
  CHECK(Run(Registered(), {SetRevenueShare{3000, kT0}}).partner_bps == 3000);
  CHECK(Refuse(SetRevenueShare{10001, kT0}, Registered()) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(SetRevenueShare{-1, kT0}, Registered()) == RejectionCode::kInvalidArgument);
}

TEST_CASE("certification gates production tenants and partner levels", "[domain][partner]") {
  auto s = Registered();
  CHECK(MayProvision(s, Environment::kSandbox) == std::nullopt);
  CHECK(MayProvision(s, Environment::kProduction)->code == RejectionCode::kNotCertified);
  CHECK(Refuse(SetPartnerLevel{Level::kGold, kT0}, s) == RejectionCode::kNotCertified);
  s = Run(s, {CertifyPartner{"platform-ops", kT0}, SetPartnerLevel{Level::kGold, kT0}});
  CHECK(s.level == Level::kGold);
  CHECK(MayProvision(s, Environment::kProduction) == std::nullopt);
  CHECK(Refuse(CertifyPartner{"again", kT0}, s) == RejectionCode::kAlreadyDone);
  CHECK(MayProvision(State{}, Environment::kSandbox)->code == RejectionCode::kNotFound);
}

TEST_CASE("a suspended partner provisions nothing until reinstated", "[domain][partner]") {
  auto s = Run(Registered(), {CertifyPartner{"ops", kT0}, SuspendPartner{"unpaid fees", kT0}});
  CHECK(MayProvision(s, Environment::kSandbox)->code == RejectionCode::kPartnerSuspended);
  CHECK(Refuse(SuspendPartner{"again", kT0}, s) == RejectionCode::kIllegalTransition);
  CHECK(Refuse(SuspendPartner{"", kT0}, Registered()) == RejectionCode::kInvalidArgument);
  s = Run(s, {ReinstatePartner{kT0}});
  CHECK(MayProvision(s, Environment::kProduction) == std::nullopt);
  CHECK(Refuse(ReinstatePartner{kT0}, s) == RejectionCode::kIllegalTransition);
}

TEST_CASE("random partner command sequences fold to the same state", "[domain][partner][property]") {
  std::mt19937 rng(GENERATE(31u, 32u, 33u));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  State s;
  std::vector<Event> log;
  int accepted = 0;
  for (int step = 0; step < 200; ++step) {
    Command c;
    switch (pick(8)) {
      case 0: c = RegisterPartner{"p1", "Nordic", kT0}; break;
      case 1: c = UpdateBranding{pick(2) ? kBrand : Branding{}, kT0}; break;
      case 2: c = SetPriceList{PriceList{"EUR", {{"W", "", {{1, pick(100)}}, 0, 0}}}, kT0}; break;
      case 3: c = SetRevenueShare{pick(12000), kT0}; break;
      case 4: c = SetPartnerLevel{static_cast<Level>(pick(4)), kT0}; break;
      case 5: c = CertifyPartner{"ops", kT0}; break;
      case 6: c = SuspendPartner{pick(2) ? "late fees" : "", kT0}; break;
      default: c = ReinstatePartner{kT0}; break;
    }
    auto d = Decide(c, s);
    if (!d) continue;
    ++accepted;
    for (const auto& e : *d) {
      s = Evolve(std::move(s), e);
      log.push_back(e);
    }
    if (s.level != Level::kRegistered && !s.certified) FAIL("an uncertified partner holds a level");
    if (s.partner_bps < 0 || s.partner_bps > 10'000) FAIL("revenue share out of range");
  }
  CHECK(accepted > 20);
  State folded;
  for (const auto& e : log) folded = Evolve(std::move(folded), e);
  CHECK(folded == s);
}

TEST_CASE("a suspended partner's own writes are refused, the platform's are not", "[domain][partner][lifecycle]") {
  auto s = Run(Registered(), {SuspendPartner{"audit", kT0}});
  CHECK(Refuse(UpdateBranding{kBrand, kT0}, s) == RejectionCode::kPartnerSuspended);
  CHECK(Refuse(SetPriceList{{}, kT0}, s) == RejectionCode::kPartnerSuspended);
  CHECK(Refuse(SetRevenueShare{2500, kT0}, s) == RejectionCode::kPartnerSuspended);
  CHECK(Decide(SetPartnerLevel{Level::kRegistered, kT0}, s).has_value());  // no change, but not refused
  auto back = Run(s, {ReinstatePartner{kT0}});
  CHECK(Accept(SetRevenueShare{2500, kT0}, back).size() == 1);
}
