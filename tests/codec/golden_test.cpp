// Golden test: an event list rendered to text, compared with the literal it must stay equal to.
// A change here is a change to what auditors and operators read.
#include <catch2/catch.hpp>

#include "codec/codec.hpp"

using namespace keel;

TEST_CASE("an order's events render to stable text", "[codec][golden]") {
  namespace o = domain::order;
  const std::vector<o::Event> events{
      o::OrderPlaced{"o1", "acme", "cust-9", "EUR", o::Channel::kB2B, {{1, "WIDGET", 10, 900, 9000}}, 9000, true, 1000, ""},
      o::OrderApproved{"u2", 2000},
      o::OrderAllocated{{{1, "w1", 6}, {1, "w2", 4}}, {}, {}, 3000},
      o::OrderShipped{"w1", "TRK-1", {{1, 6}}, 4000, {}},
      o::OrderCancelled{"customer changed mind", {{1, "w2", 4}}, 5000},
  };
  std::string text;
  for (const auto& e : events) text += codec::Describe(e) + "\n";
  CHECK(text ==
        "OrderPlaced{id=\"o1\", tenant=\"acme\", customer=\"cust-9\", currency=\"EUR\", channel=1, "
        "lines=[{line=1, sku=\"WIDGET\", qty=10, unitPrice=900, amount=9000}], requiresApproval=true, at=1000, "
        "total=9000, placedBy=\"\"}\n"
        "OrderApproved{by=\"u2\", at=2000}\n"
        "OrderAllocated{allocations=[{line=1, warehouse=\"w1\", qty=6, reservation=0}, {line=1, warehouse=\"w2\", qty=4, "
        "reservation=0}], backordered=[], cancelled=[], at=3000}\n"
        "OrderShipped{warehouse=\"w1\", tracking=\"TRK-1\", lines=[{line=1, qty=6}], at=4000, reservations=[]}\n"
        "OrderCancelled{reason=\"customer changed mind\", releases=[{line=1, warehouse=\"w2\", qty=4, reservation=0}], "
        "at=5000}\n");
}

TEST_CASE("a tenant's and a warehouse's events render to stable text", "[codec][golden]") {
  namespace t = domain::tenant;
  namespace w = domain::warehouse;
  std::string text = codec::Describe(t::Event(t::ModuleActivated{domain::Module::kLotTracking, {{"lot_setup", true, false}}, 7})) + "\n" +
                     codec::Describe(w::Event(w::ReservationConsumed{"o1", 1, "SERUM", 5, {{"SOON", 10, 3}, {"LATE", 90, 2}}, 8}));
  CHECK(text ==
        "ModuleActivated{module=2, milestones=[{id=\"lot_setup\", required=true, done=false}], at=7}\n"
        "ReservationConsumed{orderId=\"o1\", line=1, sku=\"SERUM\", qty=5, lots=[{lot=\"SOON\", expiry=10, qty=3}, "
        "{lot=\"LATE\", expiry=90, qty=2}], at=8, unitCost=0}");
}
