// Warehouse decider: given events, when a command, then events or a rejection; plus a property test
// over random command sequences.
#include <catch2/catch.hpp>

#include <random>

#include "domain/warehouse.hpp"
#include "decider_support.hpp"

using namespace keel::domain;
using keel::domain::test::Accept;
using keel::domain::test::Refuse;
using keel::domain::test::Run;
using namespace keel::domain::warehouse;

namespace {

constexpr Timestamp kT0 = 1'700'000'000'000;
const CatalogView kCatalog{{"WIDGET", {false}}, {"SERUM", {true}}, {"BOLT", {false}}};

State Given(const std::vector<Event>& events) {
  State s;
  for (const auto& e : events) s = Evolve(std::move(s), e);
  return s;
}

WarehouseCreated Created(bool lots = true, bool landed = true) {
  return WarehouseCreated{"w1", "acme", "Main", "EUR", lots, landed, kT0};
}

StockReceived Received(std::string id, std::vector<ReceiptLine> lines) {
  return StockReceived{std::move(id), std::move(lines), kT0};
}

}  // namespace

TEST_CASE("a warehouse is created once with a valid currency", "[domain][warehouse]") {
  CHECK(Accept(CreateWarehouse{"w1", "acme", "Main", "EUR", true, false, kT0}, State{}) ==
        std::vector<Event>{WarehouseCreated{"w1", "acme", "Main", "EUR", true, false, kT0}});
  CHECK(Refuse(CreateWarehouse{"w1", "acme", "Main", "EUR", false, false, kT0}, Given({Created()})) ==
        RejectionCode::kAlreadyExists);
  CHECK(Refuse(CreateWarehouse{"w1", "acme", "Main", "euro", false, false, kT0}, State{}) ==
        RejectionCode::kInvalidArgument);
  CHECK(Refuse(ReserveStock{"o1", 1, "WIDGET", 1, kT0}, State{}) == RejectionCode::kNotFound);
}

TEST_CASE("receipts add stock at cost and refuse uncatalogued or malformed lines", "[domain][warehouse]") {
  auto s = Given({Created()});
  auto events = Accept(ReceiveStock{"r1", {{"WIDGET", 10, 250, "", 0}}, kCatalog, kT0}, s);
  s = Given({Created(), events[0]});
  CHECK(s.stock.at("WIDGET").on_hand == 10);
  CHECK(s.stock.at("WIDGET").average_cost() == 250);
  CHECK(Accept(ReceiveStock{"r1", {{"WIDGET", 10, 250, "", 0}}, kCatalog, kT0}, s).empty());  // retry
  CHECK(Refuse(ReceiveStock{"r1", {{"WIDGET", 12, 250, "", 0}}, kCatalog, kT0}, s) == RejectionCode::kIdReused);
  CHECK(Refuse(ReceiveStock{"r1", {{"WIDGET", 10, 260, "", 0}}, kCatalog, kT0}, s) == RejectionCode::kIdReused);

  CHECK(Refuse(ReceiveStock{"r2", {{"NOPE", 1, 1, "", 0}}, kCatalog, kT0}, s) == RejectionCode::kUnknownSku);
  CHECK(Refuse(ReceiveStock{"r2", {{"WIDGET", 0, 1, "", 0}}, kCatalog, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(ReceiveStock{"r2", {{"WIDGET", 1, -1, "", 0}}, kCatalog, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(ReceiveStock{"r2", {{"SERUM", 1, 1, "", 0}}, kCatalog, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(ReceiveStock{"r2", {{"WIDGET", 1, 1, "L1", kT0}}, kCatalog, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(ReceiveStock{"r2", {}, kCatalog, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(ReceiveStock{"r2", {{"SERUM", 1, 1, "L1", kT0 + 10}, {"SERUM", 1, 1, "L1", kT0 + 11}}, kCatalog, kT0}, s) ==
        RejectionCode::kInvalidArgument);
  // Lot-tracked SKUs need the lot_tracking entitlement.
  CHECK(Refuse(ReceiveStock{"r3", {{"SERUM", 1, 1, "L1", kT0}}, kCatalog, kT0}, Given({Created(false)})) ==
        RejectionCode::kModuleNotEntitled);
}

TEST_CASE("moving average cost follows receipts", "[domain][warehouse]") {
  auto s = Given({Created(), Received("r1", {{"WIDGET", 10, 100, "", 0}}),
                  Received("r2", {{"WIDGET", 30, 200, "", 0}})});
  CHECK(s.stock.at("WIDGET").average_cost() == 175);  // (1000 + 6000) / 40
}

TEST_CASE("landed cost is allocated by equal share, quantity or value with the remainder on the last line",
          "[domain][warehouse]") {
  auto base = std::vector<Event>{Created(), Received("r1", {{"WIDGET", 1, 100, "", 0}, {"BOLT", 2, 300, "", 0}})};
  auto s = Given(base);
  auto allocations = [&](AllocationMethod m, std::vector<LandedCharge> charges) {
    auto events = Accept(AllocateLandedCost{"r1", "a1", std::move(charges), m, kT0}, s);
    std::vector<std::int64_t> out;
    for (const auto& a : std::get<LandedCostAllocated>(events.at(0)).allocations) out.push_back(a.amount);
    return out;
  };
  CHECK(allocations(AllocationMethod::kEqual, {{"freight", 101}}) == std::vector<std::int64_t>{50, 51});
  CHECK(allocations(AllocationMethod::kQuantity, {{"freight", 100}}) == std::vector<std::int64_t>{33, 67});
  // Value: 100 vs 600 -> 1/7 and 6/7 of 70 + 7 duty.
  CHECK(allocations(AllocationMethod::kValue, {{"freight", 70}, {"duty", 7}}) == std::vector<std::int64_t>{11, 66});

  auto events = Accept(AllocateLandedCost{"r1", "a1", {{"freight", 70}}, AllocationMethod::kValue, kT0}, s);
  auto after = Given({base[0], base[1], events[0]});
  CHECK(after.stock.at("WIDGET").average_cost() == 110);  // 100 + 10
  CHECK(after.stock.at("BOLT").average_cost() == 330);    // (600 + 60) / 2
  CHECK(Accept(AllocateLandedCost{"r1", "a1", {{"freight", 70}}, AllocationMethod::kValue, kT0}, after).empty());
  CHECK(Refuse(AllocateLandedCost{"r1", "a1", {{"freight", 71}}, AllocationMethod::kValue, kT0}, after) ==
        RejectionCode::kIdReused);
  CHECK(Refuse(AllocateLandedCost{"r9", "a2", {{"freight", 1}}, AllocationMethod::kValue, kT0}, s) ==
        RejectionCode::kNotFound);
  CHECK(Refuse(AllocateLandedCost{"r1", "a2", {{"freight", -1}}, AllocationMethod::kValue, kT0}, s) ==
        RejectionCode::kInvalidArgument);
  CHECK(Refuse(AllocateLandedCost{"r1", "", {{"freight", 1}}, AllocationMethod::kValue, kT0}, s) ==
        RejectionCode::kInvalidArgument);
  CHECK(Refuse(AllocateLandedCost{"r1", "a2", {{"freight", 1}}, AllocationMethod::kValue, kT0},
               Given({Created(true, false), base[1]})) == RejectionCode::kModuleNotEntitled);
}

TEST_CASE("reservations are idempotent per order line and never exceed what is available",
          "[domain][warehouse]") {
  auto s = Given({Created(), Received("r1", {{"WIDGET", 5, 100, "", 0}})});
  auto reserved = Accept(ReserveStock{"o1", 1, "WIDGET", 3, kT0}, s);
  CHECK(reserved == std::vector<Event>{StockReserved{"o1", 1, "WIDGET", 3, kT0}});
  s = Evolve(s, reserved[0]);
  CHECK(s.stock.at("WIDGET").available() == 2);
  CHECK(Accept(ReserveStock{"o1", 1, "WIDGET", 3, kT0}, s).empty());  // the same line again
  CHECK(Refuse(ReserveStock{"o1", 1, "WIDGET", 2, kT0}, s) == RejectionCode::kAlreadyExists);
  CHECK(Refuse(ReserveStock{"o2", 1, "WIDGET", 3, kT0}, s) == RejectionCode::kInsufficientStock);
  CHECK(Refuse(ReserveStock{"o2", 1, "WIDGET", 0, kT0}, s) == RejectionCode::kInvalidArgument);

  auto released = Accept(ReleaseReservation{"o1", 1, kT0}, s);
  CHECK(released == std::vector<Event>{ReservationReleased{"o1", 1, "WIDGET", 3, kT0}});
  CHECK(Accept(ReleaseReservation{"o9", 1, kT0}, s).empty());  // nothing held: a retry is harmless
}

TEST_CASE("several lines are reserved in one decision, each taking what is left of its SKU",
          "[domain][warehouse]") {
  auto s = Given({Created(), Received("r1", {{"WIDGET", 5, 100, "", 0}, {"BOLT", 2, 10, "", 0}})});
  // Two lines of one SKU share what is there: the second gets the rest; BOLT is short and takes 2 of 4;
  // SERUM has no stock and takes nothing.
  auto reserved = Accept(ReserveLines{"o1", {{1, "WIDGET", 3}, {2, "WIDGET", 3}, {3, "BOLT", 4}, {4, "SERUM", 1}}, kT0}, s);
  CHECK(reserved == std::vector<Event>{StockReserved{"o1", 1, "WIDGET", 3, kT0}, StockReserved{"o1", 2, "WIDGET", 2, kT0},
                                       StockReserved{"o1", 3, "BOLT", 2, kT0}});
  for (const auto& e : reserved) s = Evolve(s, e);
  CHECK(s.stock.at("WIDGET").available() == 0);
  CHECK(CheckInvariants(s).empty());
  // Lines this order already holds here are an earlier attempt's: left as they are, whatever asked.
  CHECK(Accept(ReserveLines{"o1", {{1, "WIDGET", 9}, {3, "BOLT", 1}}, kT0}, s).empty());
  // Nothing left: nothing taken, nothing refused.
  CHECK(Accept(ReserveLines{"o2", {{1, "WIDGET", 1}}, kT0}, s).empty());
  // Malformed requests are refused.
  CHECK(Refuse(ReserveLines{"", {{1, "WIDGET", 1}}, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(ReserveLines{"o2", {}, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(ReserveLines{"o2", {{1, "WIDGET", 0}}, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(ReserveLines{"o2", {{1, "", 1}}, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(ReserveLines{"o2", {{1, "WIDGET", 1}, {1, "BOLT", 1}}, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(ReserveLines{"o2", {{1, "WIDGET", 1}}, kT0}, State{}) == RejectionCode::kNotFound);
}

TEST_CASE("reserving several lines raises one replenishment request per SKU that falls short",
          "[domain][warehouse]") {
  auto s = Given({Created(), Received("r1", {{"WIDGET", 10, 100, "", 0}})});
  s = Evolve(s, Accept(SetReplenishmentRule{"WIDGET", 4, 20, 6, kCatalog, kT0}, s)[0]);
  // 4 + 3 taken: 3 left < 4 -> ask for 17, rounded up to a multiple of 6: 18 (as one reservation of 7 would).
  auto events = Accept(ReserveLines{"o1", {{1, "WIDGET", 4}, {2, "WIDGET", 3}}, kT0}, s);
  REQUIRE(events.size() == 3);
  CHECK(std::get<ReplenishmentRequested>(events[2]) == ReplenishmentRequested{"WIDGET", 18, 3, kT0});
  for (const auto& e : events) s = Evolve(s, e);
  CHECK(Accept(ReserveLines{"o2", {{1, "WIDGET", 1}}, kT0}, s).size() == 1);  // still short: no new request
}

TEST_CASE("shipping consumes the reservation and picks lots first-expiry-first-out", "[domain][warehouse]") {
  auto s = Given({Created(),
                  Received("r1", {{"SERUM", 4, 100, "LATE", kT0 + 90 * kDayMs},
                                  {"SERUM", 3, 100, "SOON", kT0 + 10 * kDayMs}}),
                  StockReserved{"o1", 1, "SERUM", 5, kT0}});
  auto consumed = Accept(ConsumeReservation{"o1", 1, kT0}, s);
  const auto& e = std::get<ReservationConsumed>(consumed.at(0));
  CHECK(e.lots == std::vector<LotQty>{{"SOON", kT0 + 10 * kDayMs, 3}, {"LATE", kT0 + 90 * kDayMs, 2}});
  s = Evolve(s, consumed[0]);
  CHECK(s.stock.at("SERUM").on_hand == 2);
  CHECK(s.stock.at("SERUM").reserved == 0);
  CHECK(s.stock.at("SERUM").lots.size() == 1);
  CHECK(CheckInvariants(s).empty());
  CHECK(Accept(ConsumeReservation{"o1", 1, kT0}, s).empty());  // retried shipment
  CHECK(Refuse(ConsumeReservation{"o2", 1, kT0}, s) == RejectionCode::kNotFound);
  CHECK(Refuse(ReserveStock{"o1", 1, "SERUM", 1, kT0}, s) == RejectionCode::kAlreadyDone);
}

TEST_CASE("adjustments need a reason and cannot dig below what is reserved", "[domain][warehouse]") {
  auto s = Given({Created(), Received("r1", {{"WIDGET", 5, 100, "", 0}}), StockReserved{"o1", 1, "WIDGET", 4, kT0}});
  CHECK(Accept(AdjustStock{"WIDGET", -1, "cycle count", "", 0, kCatalog, kT0}, s) ==
        std::vector<Event>{StockAdjusted{"WIDGET", -1, "cycle count", "", 0, kT0}});
  CHECK(Refuse(AdjustStock{"WIDGET", -2, "cycle count", "", 0, kCatalog, kT0}, s) == RejectionCode::kInsufficientStock);
  CHECK(Refuse(AdjustStock{"WIDGET", 1, "", "", 0, kCatalog, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(AdjustStock{"WIDGET", 0, "x", "", 0, kCatalog, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(AdjustStock{"GHOST", 1, "x", "", 0, kCatalog, kT0}, s) == RejectionCode::kUnknownSku);

  auto lots = Given({Created(), Received("r1", {{"SERUM", 2, 100, "L1", kT0 + kDayMs}})});
  CHECK(Refuse(AdjustStock{"SERUM", -1, "count", "", 0, kCatalog, kT0}, lots) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(AdjustStock{"SERUM", -3, "count", "L1", 0, kCatalog, kT0}, lots) == RejectionCode::kInsufficientStock);
  CHECK(Refuse(AdjustStock{"SERUM", 1, "count", "L2", 0, kCatalog, kT0}, lots) == RejectionCode::kInvalidArgument);
  auto found = Accept(AdjustStock{"SERUM", 1, "count", "L2", kT0 + 5 * kDayMs, kCatalog, kT0}, lots);
  auto after = Evolve(lots, found.at(0));
  CHECK(after.stock.at("SERUM").on_hand == 3);
  CHECK(CheckInvariants(after).empty());
}

TEST_CASE("transfers move stock between warehouses of one tenant", "[domain][warehouse]") {
  auto s = Given({Created(), Received("r1", {{"SERUM", 5, 120, "L1", kT0 + kDayMs}})});
  auto out = Accept(TransferOut{"t1", "w2", "acme", "SERUM", 2, kT0}, s);
  const auto& e = std::get<TransferredOut>(out.at(0));
  CHECK(e.unit_cost == 120);
  CHECK(e.lots == std::vector<LotQty>{{"L1", kT0 + kDayMs, 2}});
  CHECK(Refuse(TransferOut{"t2", "w2", "globex", "SERUM", 1, kT0}, s) == RejectionCode::kNotPermitted);
  CHECK(Refuse(TransferOut{"t2", "w2", "acme", "SERUM", 9, kT0}, s) == RejectionCode::kInsufficientStock);
  CHECK(Refuse(TransferOut{"t2", "w1", "acme", "SERUM", 1, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Accept(TransferOut{"t1", "w2", "acme", "SERUM", 2, kT0}, Evolve(s, out[0])).empty());
  // The same transfer id with another quantity, SKU or target is not a retry: 409 id_reused.
  CHECK(Refuse(TransferOut{"t1", "w2", "acme", "SERUM", 3, kT0}, Evolve(s, out[0])) == RejectionCode::kIdReused);
  CHECK(Refuse(TransferOut{"t1", "w3", "acme", "SERUM", 2, kT0}, Evolve(s, out[0])) == RejectionCode::kIdReused);

  auto w2 = Given({WarehouseCreated{"w2", "acme", "Overflow", "EUR", true, false, kT0}});
  auto in = Accept(TransferIn{"t1", "w1", "acme", "SERUM", 2, 120, e.lots, kCatalog, kT0}, w2);
  w2 = Evolve(w2, in.at(0));
  CHECK(w2.stock.at("SERUM").on_hand == 2);
  CHECK(w2.stock.at("SERUM").average_cost() == 120);
  CHECK(Accept(TransferIn{"t1", "w1", "acme", "SERUM", 2, 120, e.lots, kCatalog, kT0}, w2).empty());
  CHECK(Refuse(TransferIn{"t3", "w1", "globex", "SERUM", 2, 120, e.lots, kCatalog, kT0}, w2) ==
        RejectionCode::kNotPermitted);
  CHECK(Refuse(TransferIn{"t3", "w1", "acme", "SERUM", 3, 120, e.lots, kCatalog, kT0}, w2) ==
        RejectionCode::kInvalidArgument);
}

TEST_CASE("a replenishment request is raised once per shortfall", "[domain][warehouse]") {
  auto s = Given({Created(), Received("r1", {{"WIDGET", 10, 100, "", 0}})});
  CHECK(Refuse(SetReplenishmentRule{"WIDGET", 5, 2, 1, kCatalog, kT0}, s) == RejectionCode::kInvalidArgument);
  auto rule = Accept(SetReplenishmentRule{"WIDGET", 4, 20, 6, kCatalog, kT0}, s);
  REQUIRE(rule.size() == 1);  // 10 available: no shortfall yet
  s = Evolve(s, rule[0]);

  auto first = Accept(ReserveStock{"o1", 1, "WIDGET", 7, kT0}, s);  // 3 left < 4
  REQUIRE(first.size() == 2);
  CHECK(std::get<ReplenishmentRequested>(first[1]) == ReplenishmentRequested{"WIDGET", 18, 3, kT0});  // 17 -> 18
  for (const auto& e : first) s = Evolve(s, e);
  auto second = Accept(ReserveStock{"o2", 1, "WIDGET", 1, kT0}, s);  // still short: no new request
  CHECK(second.size() == 1);
  s = Evolve(s, second[0]);

  s = Evolve(s, Received("r2", {{"WIDGET", 20, 100, "", 0}}));  // shortfall over
  CHECK_FALSE(s.rules.at("WIDGET").request_open);
  auto third = Accept(ReserveStock{"o3", 1, "WIDGET", 20, kT0}, s);  // short again: a new request
  CHECK(third.size() == 2);
}

TEST_CASE("random valid command sequences keep the invariants and fold to the same state",
          "[domain][warehouse][property]") {
  std::mt19937 rng(GENERATE(1u, 2u, 3u, 4u, 5u));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::vector<Sku> skus{"WIDGET", "SERUM", "BOLT"};
  State state = Given({Created()});
  std::vector<Event> log{Created()};
  int accepted = 0;
  for (int step = 0; step < 400; ++step) {
    const Sku sku = skus[static_cast<std::size_t>(pick(3))];
    const bool lots = kCatalog.at(sku).lot_tracked;
    const std::string lot = "L" + std::to_string(pick(3));
    const Timestamp expiry = kT0 + (std::stoi(lot.substr(1)) + 1) * kDayMs;
    const std::string order = "o" + std::to_string(pick(15));
    Command c;
    switch (pick(8)) {
      case 0: c = ReceiveStock{"r" + std::to_string(step), {{sku, 1 + pick(20), 50 + pick(100), lots ? lot : "", lots ? expiry : 0}}, kCatalog, kT0}; break;
      case 1:
        if (pick(2) == 0) {
          c = ReserveStock{order, 1, sku, 1 + pick(8), kT0};
        } else {  // several lines of one order at once, each taking what it can
          c = ReserveLines{order, {{1, sku, 1 + pick(8)}, {2, skus[static_cast<std::size_t>(pick(3))], 1 + pick(8)}}, kT0};
        }
        break;
      case 2: c = ReleaseReservation{order, 1, kT0}; break;
      case 3: c = ConsumeReservation{order, 1, kT0}; break;
      case 4: c = AdjustStock{sku, pick(2) ? 1 + pick(3) : -(1 + pick(3)), "cycle count", lots ? lot : "", lots ? expiry : 0, kCatalog, kT0}; break;
      case 5: c = TransferOut{"t" + std::to_string(step), "w2", "acme", sku, 1 + pick(4), kT0}; break;
      case 6: c = SetReplenishmentRule{sku, pick(5), 5 + pick(20), 1 + pick(4), kCatalog, kT0}; break;
      default: c = AllocateLandedCost{"r" + std::to_string(step - 1), "a" + std::to_string(step), {{"freight", pick(500)}}, AllocationMethod::kQuantity, kT0}; break;
    }
    auto d = Decide(c, state);
    if (!d) continue;
    ++accepted;
    for (const auto& e : *d) {
      state = Evolve(std::move(state), e);
      log.push_back(e);
    }
    const std::string broken = CheckInvariants(state);
    if (!broken.empty()) FAIL("invariant broken after step " << step << ": " << broken);
  }
  CHECK(accepted > 100);
  CHECK(Given(log) == state);
}

TEST_CASE("a purchase request is raised once per id", "[domain][warehouse]") {
  auto s = Given({Created()});
  auto raised = Accept(RequestPurchase{"pr-1", "WIDGET", 20, "no surplus in other warehouses", kT0}, s);
  CHECK(raised == std::vector<Event>{PurchaseRequested{"pr-1", "WIDGET", 20, "no surplus in other warehouses", kT0}});
  s = Evolve(s, raised[0]);
  CHECK(Accept(RequestPurchase{"pr-1", "WIDGET", 20, "retry", kT0}, s).empty());
  CHECK(Refuse(RequestPurchase{"pr-2", "WIDGET", 0, "", kT0}, s) == RejectionCode::kInvalidArgument);
}
