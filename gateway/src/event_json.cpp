// Events and states as JSON for operator tools (see event_json.hpp).
#include "gateway/event_json.hpp"

#include "actors/as_of.hpp"
#include "codec/codec.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {

template <class Decoded>
json::Json Data(const Decoded& d) {
  if (!d) return json::Json{{"undecodable", d.error().message}};
  return std::visit([](const auto& e) { return json::ToJson(e); }, *d);
}

}  // namespace

nlohmann::json EventDataJson(std::string_view stream, std::string_view type, std::uint32_t version,
                             std::string_view payload) {
  auto key = actors::KeyOfStream(stream);
  if (!key) return nullptr;
  switch (key->kind) {
    case actors::Kind::kPartner: return Data(codec::DecodePartner(type, version, payload));
    case actors::Kind::kTenant: return Data(codec::DecodeTenant(type, version, payload));
    case actors::Kind::kCatalog: return Data(codec::DecodeCatalog(type, version, payload));
    case actors::Kind::kWarehouse: return Data(codec::DecodeWarehouse(type, version, payload));
    case actors::Kind::kOrder: return Data(codec::DecodeOrder(type, version, payload));
    case actors::Kind::kBilling: return Data(codec::DecodeBilling(type, version, payload));
    case actors::Kind::kExtension: return Data(codec::DecodeExtension(type, version, payload));
    case actors::Kind::kRollout: return Data(codec::DecodeRollout(type, version, payload));
  }
  return nullptr;
}

nlohmann::json StateJson(const actors::AnyState& state) {
  return std::visit([](const auto& st) { return json::ToJson(st); }, state);
}

}  // namespace keel::gateway
