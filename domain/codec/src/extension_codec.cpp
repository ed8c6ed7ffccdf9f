// Codec of the extension aggregate's events: names, schema versions, and the public entry points.
#include "dynamic_codec.hpp"

namespace keel::codec {

KEEL_EVENT(d::extension::ExtensionVersionSubmitted, ExtensionVersionSubmitted, 1)
KEEL_EVENT(d::extension::ExtensionReviewStarted, ExtensionReviewStarted, 1)
KEEL_EVENT(d::extension::ExtensionVersionApproved, ExtensionVersionApproved, 1)
KEEL_EVENT(d::extension::ExtensionVersionRejected, ExtensionVersionRejected, 1)
KEEL_EVENT(d::extension::ExtensionVersionWithdrawn, ExtensionVersionWithdrawn, 1)

EncodedEvent Encode(const d::extension::Event& event) { return EncodeVariant(event); }
std::string_view TypeName(const d::extension::Event& event) { return TypeNameOf(event); }
Decoded<d::extension::Event> DecodeExtension(std::string_view type, std::uint32_t version, std::string_view payload) {
  return DecodeVariant<d::extension::Event>(type, version, payload);
}
std::string Describe(const d::extension::Event& event) { return DescribeVariant(event); }

}  // namespace keel::codec
