// Codec of the billing aggregate's events: names, schema versions, and the public entry points.
#include "dynamic_codec.hpp"

namespace keel::codec {

KEEL_EVENT(d::billing::InvoiceIssued, InvoiceIssued, 1)
KEEL_EVENT(d::billing::PaymentRecorded, PaymentRecorded, 1)
KEEL_EVENT(d::billing::CreditNoteIssued, CreditNoteIssued, 1)
KEEL_EVENT(d::billing::InvoiceOverdue, InvoiceOverdue, 1)
KEEL_EVENT(d::billing::DunningStepReached, DunningStepReached, 1)

EncodedEvent Encode(const d::billing::Event& event) { return EncodeVariant(event); }
std::string_view TypeName(const d::billing::Event& event) { return TypeNameOf(event); }
Decoded<d::billing::Event> DecodeBilling(std::string_view type, std::uint32_t version, std::string_view payload) {
  return DecodeVariant<d::billing::Event>(type, version, payload);
}
std::string Describe(const d::billing::Event& event) { return DescribeVariant(event); }

}  // namespace keel::codec
