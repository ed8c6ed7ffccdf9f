// Order decider: placing and pricing, approval, allocation with backorders, shipping per warehouse,
// cancellation, returns; plus a property test over random command sequences.
#include <catch2/catch.hpp>

#include <random>

#include "domain/order.hpp"
#include "decider_support.hpp"

using namespace keel::domain;
using keel::domain::test::Accept;
using keel::domain::test::Refuse;
using keel::domain::test::Run;
using namespace keel::domain::order;

namespace {

constexpr Timestamp kT0 = 1'700'000'000'000;
const CatalogView kCatalog{{"WIDGET", {"hardware"}}, {"BOLT", {"hardware"}}, {"SERUM", {"pharma"}}};
const PriceList kPrices{"EUR",
                        {{"WIDGET", "", {{1, 1000}, {10, 900}}, 0, 0},
                         {"", "hardware", {{1, 50}}, 0, 0},
                         {"SERUM", "", {{1, 5000}}, kT0 + 10 * kDayMs, 0}}};
const std::vector<std::string> kApprovers{"tenant_admin", "finance"};

State Given(const std::vector<Event>& events) {
  State s;
  for (const auto& e : events) s = Evolve(std::move(s), e);
  return s;
}

PlaceOrder Place(std::vector<LineInput> lines, std::int64_t threshold = 0) {
  // Placed by key "k1", which may give unit prices (advanced_pricing, a permitted role); no order cap.
  return PlaceOrder{"o1", "acme", "cust-9", "EUR", Channel::kB2B, std::move(lines), kCatalog, kPrices, {}, threshold, kT0,
                    "k1", PriceOverrides{true, "finance", {"finance"}}, 0, 0};
}

// Placed, two lines fully allocated across two warehouses.
State Reserved() {
  return Run(State{}, {Place({{1, "WIDGET", 10, {}}, {2, "BOLT", 4, {}}}),
                       RecordAllocation{{{1, "w1", 6}, {1, "w2", 4}, {2, "w1", 4}}, ShortfallRule::kBackorder, kT0}});
}

}  // namespace

TEST_CASE("an order is priced from the list with quantity breaks, by category, or as given",
          "[domain][order]") {
  auto events = Accept(Place({{1, "WIDGET", 10, {}}, {2, "BOLT", 3, {}}, {3, "WIDGET", 1, 777}}), State{});
  const auto& placed = std::get<OrderPlaced>(events.at(0));
  CHECK(placed.lines == std::vector<PricedLine>{{1, "WIDGET", 10, 900, 9000}, {2, "BOLT", 3, 50, 150},
                                                {3, "WIDGET", 1, 777, 777}});
  CHECK(placed.total == 9927);
  CHECK_FALSE(placed.requires_approval);
  CHECK(Given(events).status == Status::kPlaced);
}

TEST_CASE("a contract price beats the price list for its customer", "[domain][order]") {
  auto c = Place({{1, "WIDGET", 1, {}}});
  c.contracts = {{"cust-9", "WIDGET", 650, 0, 0}, {"other", "WIDGET", 1, 0, 0}};
  CHECK(std::get<OrderPlaced>(Accept(c, State{}).at(0)).lines.at(0).unit_price == 650);
}

TEST_CASE("placing refuses bad orders", "[domain][order]") {
  CHECK(Refuse(Place({}), State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Place({{1, "GHOST", 1, {}}}), State{}) == RejectionCode::kUnknownSku);
  CHECK(Refuse(Place({{1, "WIDGET", 0, {}}}), State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Place({{1, "WIDGET", 1, {}}, {1, "BOLT", 1, {}}}), State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Place({{1, "SERUM", 1, {}}}), State{}) == RejectionCode::kInvalidArgument);  // not yet valid
  CHECK(Refuse(Place({{1, "WIDGET", 1, -5}}), State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Place({{1, "WIDGET", 1'000'000'000'000, 1'000'000'000'000}}), State{}) == RejectionCode::kInvalidArgument);
  auto usd = Place({{1, "WIDGET", 1, {}}});
  usd.currency = "USD";
  CHECK(Refuse(usd, State{}) == RejectionCode::kCurrencyMismatch);
  CHECK(Refuse(Place({{1, "WIDGET", 1, {}}}), Reserved()) == RejectionCode::kAlreadyExists);
  CHECK(Refuse(PickOrder{kT0}, State{}) == RejectionCode::kNotFound);
}

TEST_CASE("orders above the threshold wait for a permitted approver", "[domain][order]") {
  auto s = Run(State{}, {Place({{1, "WIDGET", 10, {}}}, 5000)});
  CHECK(s.status == Status::kAwaitingApproval);
  CHECK(Refuse(RecordAllocation{{{1, "w1", 10}}, ShortfallRule::kBackorder, kT0}, s) == RejectionCode::kIllegalTransition);
  CHECK(Refuse(ApproveOrder{"u1", "tenant_operator", kApprovers, kT0}, s) == RejectionCode::kNotPermitted);
  CHECK(Accept(ApproveOrder{"u2", "finance", kApprovers, kT0}, s) == std::vector<Event>{OrderApproved{"u2", kT0}});
  CHECK(Refuse(RejectOrder{"u2", "finance", "", kApprovers, kT0}, s) == RejectionCode::kInvalidArgument);
  auto rejected = Run(s, {RejectOrder{"u2", "finance", "credit hold", kApprovers, kT0}});
  CHECK(rejected.status == Status::kRejected);
  CHECK(Refuse(ApproveOrder{"u2", "finance", kApprovers, kT0}, rejected) == RejectionCode::kIllegalTransition);
  CHECK(Run(State{}, {Place({{1, "WIDGET", 1, {}}}, 5000)}).status == Status::kPlaced);  // below: no approval
}

TEST_CASE("allocation splits lines over warehouses and handles shortfalls per the tenant's rule",
          "[domain][order]") {
  auto placed = Run(State{}, {Place({{1, "WIDGET", 10, {}}, {2, "BOLT", 4, {}}})});
  CHECK(Refuse(RecordAllocation{{{1, "w1", 11}}, ShortfallRule::kBackorder, kT0}, placed) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(RecordAllocation{{{9, "w1", 1}}, ShortfallRule::kBackorder, kT0}, placed) == RejectionCode::kNotFound);
  CHECK(Refuse(RecordAllocation{{{1, "", 1}}, ShortfallRule::kBackorder, kT0}, placed) == RejectionCode::kInvalidArgument);

  auto backorder = Accept(RecordAllocation{{{1, "w1", 6}}, ShortfallRule::kBackorder, kT0}, placed);
  CHECK(std::get<OrderAllocated>(backorder.at(0)).backordered == std::vector<ReturnLine>{{1, 4}, {2, 4}});
  auto s = Given({Accept(Place({{1, "WIDGET", 10, {}}, {2, "BOLT", 4, {}}}), State{}).at(0), backorder.at(0)});
  CHECK(s.status == Status::kBackordered);
  s = Run(s, {RecordAllocation{{{1, "w2", 4}, {2, "w2", 4}}, ShortfallRule::kBackorder, kT0}});
  CHECK(s.status == Status::kReserved);

  auto cancel_rule = Run(placed, {RecordAllocation{{{1, "w1", 6}}, ShortfallRule::kCancelLine, kT0}});
  CHECK(cancel_rule.status == Status::kReserved);
  CHECK(cancel_rule.lines.at(1).cancelled == 4);
  CHECK(cancel_rule.lines.at(2).cancelled == 4);
  CHECK(Run(placed, {RecordAllocation{{}, ShortfallRule::kCancelLine, kT0}}).status == Status::kCancelled);
}

TEST_CASE("an order ships per warehouse, then is delivered and invoiced", "[domain][order]") {
  auto s = Reserved();
  CHECK(Refuse(ShipOrder{"w1", "T1", kT0}, s) == RejectionCode::kIllegalTransition);  // not picked
  s = Run(s, {PickOrder{kT0}});
  auto shipped = Accept(ShipOrder{"w1", "T1", kT0}, s);
  CHECK(std::get<OrderShipped>(shipped.at(0)).lines == std::vector<ReturnLine>{{1, 6}, {2, 4}});
  s = Evolve(s, shipped[0]);
  CHECK(s.status == Status::kPartiallyShipped);
  CHECK(Refuse(ShipOrder{"w1", "T1", kT0}, s) == RejectionCode::kNotFound);
  CHECK(Refuse(DeliverOrder{kT0}, s) == RejectionCode::kIllegalTransition);
  CHECK(Refuse(CancelOrder{"too late", kT0}, s) == RejectionCode::kIllegalTransition);
  s = Run(s, {ShipOrder{"w2", "T2", kT0}});
  CHECK(s.status == Status::kShipped);
  CHECK(Refuse(InvoiceOrder{"inv-1", kT0}, s) == RejectionCode::kIllegalTransition);
  s = Run(s, {DeliverOrder{kT0 + kDayMs}});
  CHECK(Refuse(InvoiceOrder{"", kT0}, s) == RejectionCode::kInvalidArgument);
  auto invoiced = Accept(InvoiceOrder{"inv-1", kT0 + kDayMs}, s);
  CHECK(std::get<OrderInvoiced>(invoiced.at(0)).amount == 9000 + 200);
}

TEST_CASE("cancelling before shipment lists every reservation to release", "[domain][order]") {
  auto s = Run(Reserved(), {PickOrder{kT0}});
  CHECK(Refuse(CancelOrder{"", kT0}, s) == RejectionCode::kInvalidArgument);
  auto cancelled = Accept(CancelOrder{"customer changed mind", kT0}, s);
  CHECK(std::get<OrderCancelled>(cancelled.at(0)).releases ==
        std::vector<Allocation>{{1, "w1", 6}, {1, "w2", 4}, {2, "w1", 4}});
  s = Evolve(s, cancelled[0]);
  CHECK(s.status == Status::kCancelled);
  CHECK(Refuse(CancelOrder{"again", kT0}, s) == RejectionCode::kIllegalTransition);
}

TEST_CASE("returns stay within the window and never exceed what shipped", "[domain][order][returns]") {
  auto delivered = Run(Reserved(), {PickOrder{kT0}, ShipOrder{"w1", "", kT0}, ShipOrder{"w2", "", kT0},
                                    DeliverOrder{kT0}});
  RequestReturn rma{"rma-1", {{1, 3}}, 30, 0, kT0 + 5 * kDayMs};
  auto requested = Accept(rma, delivered);
  REQUIRE(requested.size() == 1);  // manual authorization
  CHECK(std::get<ReturnRequested>(requested[0]).value == 2700);
  auto s = Evolve(delivered, requested[0]);
  CHECK(Refuse(RequestReturn{"rma-2", {{1, 8}}, 30, 0, kT0}, s) == RejectionCode::kExceedsShipped);  // 3 + 8 > 10
  CHECK(Refuse(RequestReturn{"rma-2", {{1, 1}}, 30, 0, kT0 + 31 * kDayMs}, s) == RejectionCode::kOutsideWindow);
  CHECK(Refuse(RequestReturn{"rma-1", {{1, 1}}, 30, 0, kT0}, s) == RejectionCode::kAlreadyExists);
  CHECK(Refuse(ReceiveReturn{"rma-1", Disposition::kRestock, "w1", kT0}, s) == RejectionCode::kIllegalTransition);
  s = Run(s, {AuthorizeReturn{"rma-1", "u1", kT0}});
  CHECK(Refuse(ReceiveReturn{"rma-1", Disposition::kRestock, "", kT0}, s) == RejectionCode::kInvalidArgument);
  s = Run(s, {ReceiveReturn{"rma-1", Disposition::kRestock, "w1", kT0}});
  CHECK(Refuse(RefundReturn{"rma-1", 2701, kT0}, s) == RejectionCode::kExceedsInvoice);
  s = Run(s, {RefundReturn{"rma-1", 2700, kT0}});
  CHECK(s.returns.at("rma-1").status == ReturnStatus::kRefunded);
  CHECK(Refuse(RefundReturn{"rma-9", 1, kT0}, s) == RejectionCode::kNotFound);

  auto automatic = Accept(RequestReturn{"rma-3", {{2, 1}}, 30, 7, kT0 + 2 * kDayMs}, delivered);
  REQUIRE(automatic.size() == 2);
  CHECK(std::get<ReturnAuthorized>(automatic[1]).automatic);
  CHECK(Accept(RequestReturn{"rma-3", {{2, 1}}, 30, 7, kT0 + 9 * kDayMs}, delivered).size() == 1);
}

TEST_CASE("random order command sequences fold to the same state and never over-ship or over-return",
          "[domain][order][property]") {
  std::mt19937 rng(GENERATE(11u, 12u, 13u, 14u, 15u, 16u));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  int completed = 0;
  for (int round = 0; round < 60; ++round) {
    State s;
    std::vector<Event> log;
    auto apply = [&](const Command& c) {
      auto d = Decide(c, s);
      if (!d) return;
      for (const auto& e : *d) {
        s = Evolve(std::move(s), e);
        log.push_back(e);
      }
    };
    apply(Place({{1, "WIDGET", 1 + pick(10), {}}, {2, "BOLT", 1 + pick(5), {}}}, pick(2) ? 5000 : 0));
    for (int step = 0; step < 80; ++step) {
      const std::uint32_t line = 1 + static_cast<std::uint32_t>(pick(2));
      const std::string wh = pick(2) ? "w1" : "w2";
      switch (pick(11)) {
        case 0: apply(ApproveOrder{"u", "finance", kApprovers, kT0}); break;
        case 1: apply(RecordAllocation{{{line, wh, 1 + pick(6)}}, pick(2) ? ShortfallRule::kBackorder : ShortfallRule::kCancelLine, kT0}); break;
        case 2: apply(PickOrder{kT0}); break;
        case 3: apply(ShipOrder{wh, "", kT0}); break;
        case 4: apply(DeliverOrder{kT0}); break;
        case 5: apply(InvoiceOrder{"i", kT0}); break;
        case 6: if (pick(4) == 0) apply(CancelOrder{"x", kT0}); break;
        case 7: apply(RequestReturn{"r" + std::to_string(step), {{line, 1 + pick(3)}}, 30, pick(2) * 7, kT0 + pick(40) * kDayMs}); break;
        case 8: apply(AuthorizeReturn{"r" + std::to_string(pick(step + 1)), "u", kT0}); break;
        case 9: apply(ReceiveReturn{"r" + std::to_string(pick(step + 1)), Disposition::kScrap, "", kT0}); break;
        default: apply(RefundReturn{"r" + std::to_string(pick(step + 1)), 1 + pick(3000), kT0}); break;
      }
      for (const auto& [no, l] : s.lines) {
        if (l.allocated + l.cancelled > l.qty || l.shipped > l.allocated || l.returned > l.shipped) {
          FAIL("line " << no << " broke its quantities at step " << step);
        }
      }
    }
    if (s.status == Status::kInvoiced || s.status == Status::kDelivered) ++completed;
    CHECK(Given(log) == s);
  }
  CHECK(completed > 0);
}

TEST_CASE("picking needs reserved stock and an RMA is authorized once", "[domain][order]") {
  auto placed = Run(State{}, {Place({{1, "WIDGET", 10, {}}})});
  CHECK(Refuse(PickOrder{kT0}, placed) == RejectionCode::kIllegalTransition);
  CHECK(Accept(PickOrder{kT0}, Reserved()) == std::vector<Event>{OrderPicked{kT0}});
  auto delivered = Run(Reserved(), {PickOrder{kT0}, ShipOrder{"w1", "", kT0}, ShipOrder{"w2", "", kT0}, DeliverOrder{kT0}});
  auto s = Run(delivered, {RequestReturn{"rma-1", {{1, 1}}, 30, 0, kT0}, AuthorizeReturn{"rma-1", "u1", kT0}});
  CHECK(Refuse(AuthorizeReturn{"rma-1", "u1", kT0}, s) == RejectionCode::kIllegalTransition);
  CHECK(Refuse(AuthorizeReturn{"rma-9", "u1", kT0}, s) == RejectionCode::kNotFound);
}
