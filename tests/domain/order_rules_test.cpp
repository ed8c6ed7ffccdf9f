// Order rules of issue 13 as given/when/then: what an order is worth (cancelled quantities excluded),
// backorders topped up and their remainder cancelled, price overrides, the hard monthly cap,
// segregation of duties, line numbers that fit a reservation number; and metering on the tenant.
#include <catch2/catch.hpp>

#include "decider_support.hpp"
#include "domain/order.hpp"
#include "domain/tenant.hpp"
#include "fixtures.hpp"

using namespace keel::domain;
using keel::domain::test::Accept;
using keel::domain::test::Refuse;
using keel::domain::test::Run;
using namespace keel::domain::order;

namespace {

constexpr Timestamp kT0 = 1'700'000'000'000;
const CatalogView kCatalog{{"WIDGET", {"hardware"}}, {"BOLT", {"hardware"}}};
const PriceList kPrices{"EUR", {{"", "hardware", {{1, 12'500}}, 0, 0}}};

// Placed by key "k1" from the price list (no override), no cap.
PlaceOrder Place(std::vector<LineInput> lines) {
  return PlaceOrder{"o1", "acme", "cust-9", "EUR", Channel::kB2B, std::move(lines), kCatalog, kPrices, {}, 0, kT0,
                    "k1", PriceOverrides{}, 0, 0};
}

// Three widgets at 12,500 each; two allocated at w1, one backordered.
State Backordered() {
  return Run(State{}, {Place({{1, "WIDGET", 3, {}}}), RecordAllocation{{{1, "w1", 2}}, ShortfallRule::kBackorder, kT0}});
}

}  // namespace

TEST_CASE("an order's total and its invoice leave cancelled quantities out", "[domain][order][value]") {
  auto s = Backordered();
  CHECK(s.total == 37'500);
  s = Run(s, {CancelLineRemainder{1, "supplier discontinued", kT0}});
  CHECK(s.total == 25'000);
  CHECK(OrderValue(s) == 25'000);
  s = Run(s, {PickOrder{kT0}, ShipOrder{"w1", "T1", kT0}, DeliverOrder{kT0}});
  auto invoiced = Accept(InvoiceOrder{"inv-1", kT0}, s);
  CHECK(std::get<OrderInvoiced>(invoiced.at(0)).amount == 25'000);

  // A shortfall cancelled by the tenant's rule counts the same way.
  auto cancelled_rule = Run(State{}, {Place({{1, "WIDGET", 3, {}}}),
                                      RecordAllocation{{{1, "w1", 2}}, ShortfallRule::kCancelLine, kT0}});
  CHECK(cancelled_rule.total == 25'000);
}

TEST_CASE("a backordered line's remainder can be cancelled and the order moves on", "[domain][order][backorder]") {
  auto s = Backordered();
  CHECK(Refuse(CancelLineRemainder{1, "", kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(CancelLineRemainder{9, "x", kT0}, s) == RejectionCode::kNotFound);
  auto events = Accept(CancelLineRemainder{1, "customer gave up", kT0}, s);
  CHECK(events == std::vector<Event>{OrderLineCancelled{1, 1, "customer gave up", kT0}});
  s = Evolve(s, events[0]);
  CHECK(s.status == Status::kReserved);
  CHECK(Refuse(CancelLineRemainder{1, "again", kT0}, s) == RejectionCode::kIllegalTransition);  // nothing open

  SECTION("after a partial shipment the order becomes shipped, then deliverable") {
    auto p = Run(Backordered(), {PickOrder{kT0}, ShipOrder{"w1", "T1", kT0}});
    CHECK(p.status == Status::kPartiallyShipped);
    CHECK(Refuse(DeliverOrder{kT0}, p) == RejectionCode::kIllegalTransition);
    p = Run(p, {CancelLineRemainder{1, "no more stock coming", kT0}});
    CHECK(p.status == Status::kShipped);
    p = Run(p, {DeliverOrder{kT0}, InvoiceOrder{"inv-1", kT0}});
    CHECK(p.status == Status::kInvoiced);
  }
  SECTION("a picked order stays picked") {
    auto p = Run(Backordered(), {PickOrder{kT0}, CancelLineRemainder{1, "x", kT0}});
    CHECK(p.status == Status::kPicked);
  }
  SECTION("nothing allocated and everything cancelled: the order is cancelled") {
    auto p = Run(State{}, {Place({{1, "WIDGET", 3, {}}}), RecordAllocation{{}, ShortfallRule::kBackorder, kT0},
                           CancelLineRemainder{1, "x", kT0}});
    CHECK(p.status == Status::kCancelled);
  }
  SECTION("not before fulfilment allocated what it could") {
    CHECK(Refuse(CancelLineRemainder{1, "x", kT0}, Run(State{}, {Place({{1, "WIDGET", 3, {}}})})) ==
          RejectionCode::kIllegalTransition);
  }
}

TEST_CASE("a backorder is topped up when stock arrives, also once picked or partly shipped",
          "[domain][order][backorder]") {
  auto picked = Run(Backordered(), {PickOrder{kT0}, RecordAllocation{{{1, "w1", 1}}, ShortfallRule::kBackorder, kT0}});
  CHECK(picked.status == Status::kReserved);  // the new stock is to be picked
  CHECK(picked.lines.at(1).allocated == 3);

  auto partly = Run(Backordered(), {PickOrder{kT0}, ShipOrder{"w1", "T1", kT0},
                                    RecordAllocation{{{1, "w1", 1}}, ShortfallRule::kBackorder, kT0}});
  CHECK(partly.status == Status::kPartiallyShipped);
  partly = Run(partly, {ShipOrder{"w1", "T2", kT0}});
  CHECK(partly.status == Status::kShipped);
  CHECK(partly.lines.at(1).shipped == 3);
  CHECK(Accept(InvoiceOrder{"inv", kT0}, Run(partly, {DeliverOrder{kT0}})) ==
        std::vector<Event>{OrderInvoiced{"inv", 37'500, kT0}});
}

TEST_CASE("a given unit price needs advanced_pricing and a role allowed to override", "[domain][order][pricing]") {
  auto c = Place({{1, "WIDGET", 1, 0}});
  CHECK(Refuse(c, State{}) == RejectionCode::kModuleNotEntitled);
  c.overrides = {true, "tenant_operator", {"finance"}};
  CHECK(Refuse(c, State{}) == RejectionCode::kNotPermitted);
  c.overrides.role = "finance";
  CHECK(std::get<OrderPlaced>(Accept(c, State{}).at(0)).lines.at(0).unit_price == 0);
  // Without a given price, nobody needs permission: the price list decides.
  CHECK(std::get<OrderPlaced>(Accept(Place({{1, "WIDGET", 1, {}}}), State{}).at(0)).total == 12'500);
}

TEST_CASE("past the plan's hard monthly cap an order is refused", "[domain][order][limits]") {
  auto c = Place({{1, "WIDGET", 1, {}}});
  c.order_cap = 2;
  c.period_orders = 1;
  CHECK(Accept(c, State{}).size() == 1);
  c.period_orders = 2;
  CHECK(Refuse(c, State{}) == RejectionCode::kLimitExceeded);
  c.order_cap = 0;  // no hard cap: overage is billed instead
  CHECK(Accept(c, State{}).size() == 1);
}

TEST_CASE("the key that placed an order may not approve it", "[domain][order][approval]") {
  auto place = Place({{1, "WIDGET", 10, {}}});
  place.approval_threshold = 1000;
  auto s = Run(State{}, {place});
  REQUIRE(s.status == Status::kAwaitingApproval);
  CHECK(s.placed_by == "k1");
  CHECK(Refuse(ApproveOrder{"k1", "finance", {"finance"}, kT0}, s) == RejectionCode::kNotPermitted);
  CHECK(Accept(ApproveOrder{"k2", "finance", {"finance"}, kT0}, s) == std::vector<Event>{OrderApproved{"k2", kT0}});
  // A template that turns the rule off lets the same key approve.
  CHECK(Accept(ApproveOrder{"k1", "finance", {"finance"}, kT0, false}, s).size() == 1);
  // The same key may still reject its own order.
  CHECK(Accept(RejectOrder{"k1", "finance", "mistake", {"finance"}, kT0}, s).size() == 1);
}

TEST_CASE("line numbers must fit a reservation number", "[domain][order]") {
  CHECK(Refuse(Place({{0, "WIDGET", 1, {}}}), State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Place({{kMaxLine + 1, "WIDGET", 1, {}}}), State{}) == RejectionCode::kInvalidArgument);
  CHECK(Accept(Place({{kMaxLine, "WIDGET", 1, {}}}), State{}).size() == 1);
  CHECK(LineOfReservation(ReservationNumber(7, 3)) == 7);
  CHECK(ReservationNumber(7, 0) == 7);
}

TEST_CASE("each placed order is metered once, by its log position", "[domain][tenant][usage]") {
  using namespace keel::domain::tenant;
  auto s = Run(tenant::State{}, {ProvisionTenant{"acme", "p1", "Acme", keel::domain::test::Regional(),
                                                 keel::domain::test::Growth(), Environment::kProduction, true, true, kT0},
                                 StartOnboarding{kT0}});
  s = Run(s, {MeterOrder{"o1", 10, kT0}, MeterOrder{"o2", 12, kT0}});
  CHECK(s.period_orders == 2);
  CHECK(Accept(MeterOrder{"o2", 12, kT0}, s).empty());  // a retry
  CHECK(Accept(MeterOrder{"o1", 10, kT0}, s).empty());  // a replay of an older event
  CHECK(Refuse(MeterOrder{"", 13, kT0}, s) == RejectionCode::kInvalidArgument);
  s = Run(s, {MeterOrder{"o3", 20, kT0}});
  CHECK(s.period_orders == 3);
  CHECK(s.metered_through == 20);
}
