// Codec of the catalog aggregate's events: names, schema versions, and the public entry points.
#include "dynamic_codec.hpp"

namespace keel::codec {

KEEL_EVENT(d::catalog::SuppliersRegistered, SuppliersRegistered, 1)
KEEL_EVENT(d::catalog::ItemsImported, ItemsImported, 1)
KEEL_EVENT(d::catalog::ContractPricesSet, ContractPricesSet, 1)

EncodedEvent Encode(const d::catalog::Event& event) { return EncodeVariant(event); }
std::string_view TypeName(const d::catalog::Event& event) { return TypeNameOf(event); }
Decoded<d::catalog::Event> DecodeCatalog(std::string_view type, std::uint32_t version, std::string_view payload) {
  return DecodeVariant<d::catalog::Event>(type, version, payload);
}
std::string Describe(const d::catalog::Event& event) { return DescribeVariant(event); }

}  // namespace keel::codec
