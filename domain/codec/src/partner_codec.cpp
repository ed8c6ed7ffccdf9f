// Codec of the partner aggregate's events: names, schema versions, and the public entry points.
#include "dynamic_codec.hpp"

namespace keel::codec {

KEEL_EVENT(d::partner::PartnerRegistered, PartnerRegistered, 1)
KEEL_EVENT(d::partner::BrandingUpdated, BrandingUpdated, 1)
KEEL_EVENT(d::partner::PriceListSet, PriceListSet, 1)
KEEL_EVENT(d::partner::RevenueShareSet, RevenueShareSet, 1)
KEEL_EVENT(d::partner::PartnerLevelSet, PartnerLevelSet, 1)
KEEL_EVENT(d::partner::PartnerCertified, PartnerCertified, 1)
KEEL_EVENT(d::partner::PartnerSuspended, PartnerSuspended, 1)
KEEL_EVENT(d::partner::PartnerReinstated, PartnerReinstated, 1)

EncodedEvent Encode(const d::partner::Event& event) { return EncodeVariant(event); }
std::string_view TypeName(const d::partner::Event& event) { return TypeNameOf(event); }
Decoded<d::partner::Event> DecodePartner(std::string_view type, std::uint32_t version, std::string_view payload) {
  return DecodeVariant<d::partner::Event>(type, version, payload);
}
std::string Describe(const d::partner::Event& event) { return DescribeVariant(event); }

}  // namespace keel::codec
