// Codec of the order aggregate's events: names, schema versions, and the public entry points.
#include "dynamic_codec.hpp"

namespace keel::codec {

KEEL_EVENT(d::order::OrderPlaced, OrderPlaced, 2)
KEEL_EVENT(d::order::OrderApproved, OrderApproved, 1)
KEEL_EVENT(d::order::OrderRejected, OrderRejected, 1)
KEEL_EVENT(d::order::OrderAllocated, OrderAllocated, 1)
KEEL_EVENT(d::order::OrderPicked, OrderPicked, 1)
KEEL_EVENT(d::order::OrderShipped, OrderShipped, 1)
KEEL_EVENT(d::order::OrderDelivered, OrderDelivered, 1)
KEEL_EVENT(d::order::OrderInvoiced, OrderInvoiced, 1)
KEEL_EVENT(d::order::OrderCancelled, OrderCancelled, 1)
KEEL_EVENT(d::order::ReturnRequested, ReturnRequested, 1)
KEEL_EVENT(d::order::ReturnAuthorized, ReturnAuthorized, 1)
KEEL_EVENT(d::order::ReturnReceived, ReturnReceived, 1)
KEEL_EVENT(d::order::ReturnRefunded, ReturnRefunded, 1)
KEEL_EVENT(d::order::OrderLineCancelled, OrderLineCancelled, 1)

// OrderPlaced v1 carried neither line amounts nor the order total: compute them from the lines.
template <>
void Upcast(d::order::OrderPlaced& e, std::uint32_t from_version, capnp::DynamicStruct::Reader) {
  if (from_version >= 2) return;
  e.total = 0;
  for (auto& line : e.lines) {
    line.amount = line.qty * line.unit_price;
    e.total += line.amount;
  }
}

EncodedEvent Encode(const d::order::Event& event) { return EncodeVariant(event); }
std::string_view TypeName(const d::order::Event& event) { return TypeNameOf(event); }
Decoded<d::order::Event> DecodeOrder(std::string_view type, std::uint32_t version, std::string_view payload) {
  return DecodeVariant<d::order::Event>(type, version, payload);
}
std::string Describe(const d::order::Event& event) { return DescribeVariant(event); }

}  // namespace keel::codec
