// Codec of the warehouse aggregate's events: names, schema versions, and the public entry points.
#include "dynamic_codec.hpp"

namespace keel::codec {

KEEL_EVENT(d::warehouse::WarehouseCreated, WarehouseCreated, 1)
KEEL_EVENT(d::warehouse::StockReceived, StockReceived, 1)
KEEL_EVENT(d::warehouse::LandedCostAllocated, LandedCostAllocated, 1)
KEEL_EVENT(d::warehouse::StockAdjusted, StockAdjusted, 1)
KEEL_EVENT(d::warehouse::StockReserved, StockReserved, 1)
KEEL_EVENT(d::warehouse::ReservationReleased, ReservationReleased, 1)
KEEL_EVENT(d::warehouse::ReservationConsumed, ReservationConsumed, 1)
KEEL_EVENT(d::warehouse::TransferredOut, TransferredOut, 1)
KEEL_EVENT(d::warehouse::TransferredIn, TransferredIn, 1)
KEEL_EVENT(d::warehouse::ReplenishmentRuleSet, ReplenishmentRuleSet, 1)
KEEL_EVENT(d::warehouse::ReplenishmentRequested, ReplenishmentRequested, 1)
KEEL_EVENT(d::warehouse::PurchaseRequested, PurchaseRequested, 1)
KEEL_EVENT(d::warehouse::StockReturned, StockReturned, 1)

EncodedEvent Encode(const d::warehouse::Event& event) { return EncodeVariant(event); }
std::string_view TypeName(const d::warehouse::Event& event) { return TypeNameOf(event); }
Decoded<d::warehouse::Event> DecodeWarehouse(std::string_view type, std::uint32_t version, std::string_view payload) {
  return DecodeVariant<d::warehouse::Event>(type, version, payload);
}
std::string Describe(const d::warehouse::Event& event) { return DescribeVariant(event); }

}  // namespace keel::codec
