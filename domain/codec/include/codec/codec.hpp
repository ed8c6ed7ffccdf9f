// Codec: every domain event to and from Cap'n Proto bytes (schema: domain/codec/schema/events.capnp,
// compiled at build time), with a schema version per event type and upcasters that read older
// versions as the current one. Decoding never throws: bad bytes are a CodecError value.
// Knows the domain; knows nothing of the event store (the actor layer pairs the two).
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "domain/billing.hpp"
#include "domain/catalog.hpp"
#include "domain/extension.hpp"
#include "domain/order.hpp"
#include "domain/partner.hpp"
#include "domain/rollout.hpp"
#include "domain/tenant.hpp"
#include "domain/warehouse.hpp"

namespace keel::codec {

struct EncodedEvent {
  std::string type;               // e.g. "OrderPlaced": unique across aggregates
  std::uint32_t schema_version = 0;
  std::string payload;            // a flat Cap'n Proto message
};

struct CodecError {
  std::string message;
};

template <class T>
using Decoded = std::expected<T, CodecError>;

EncodedEvent Encode(const domain::warehouse::Event& event);
EncodedEvent Encode(const domain::order::Event& event);
EncodedEvent Encode(const domain::tenant::Event& event);
EncodedEvent Encode(const domain::partner::Event& event);
EncodedEvent Encode(const domain::catalog::Event& event);
EncodedEvent Encode(const domain::billing::Event& event);
EncodedEvent Encode(const domain::extension::Event& event);
EncodedEvent Encode(const domain::rollout::Event& event);

// The stored type name of an event (what Encode puts in `type`), without encoding it.
std::string_view TypeName(const domain::warehouse::Event& event);
std::string_view TypeName(const domain::order::Event& event);
std::string_view TypeName(const domain::tenant::Event& event);
std::string_view TypeName(const domain::partner::Event& event);
std::string_view TypeName(const domain::catalog::Event& event);
std::string_view TypeName(const domain::billing::Event& event);
std::string_view TypeName(const domain::extension::Event& event);
std::string_view TypeName(const domain::rollout::Event& event);

Decoded<domain::warehouse::Event> DecodeWarehouse(std::string_view type, std::uint32_t version, std::string_view payload);
Decoded<domain::order::Event> DecodeOrder(std::string_view type, std::uint32_t version, std::string_view payload);
Decoded<domain::tenant::Event> DecodeTenant(std::string_view type, std::uint32_t version, std::string_view payload);
Decoded<domain::partner::Event> DecodePartner(std::string_view type, std::uint32_t version, std::string_view payload);
Decoded<domain::catalog::Event> DecodeCatalog(std::string_view type, std::uint32_t version, std::string_view payload);
Decoded<domain::billing::Event> DecodeBilling(std::string_view type, std::uint32_t version, std::string_view payload);
Decoded<domain::extension::Event> DecodeExtension(std::string_view type, std::uint32_t version, std::string_view payload);
Decoded<domain::rollout::Event> DecodeRollout(std::string_view type, std::uint32_t version, std::string_view payload);

// One line of text per event: `Type{field=value, list=[...], nested={...}}`, for audits and
// golden tests.
std::string Describe(const domain::warehouse::Event& event);
std::string Describe(const domain::order::Event& event);
std::string Describe(const domain::tenant::Event& event);
std::string Describe(const domain::partner::Event& event);
std::string Describe(const domain::catalog::Event& event);
std::string Describe(const domain::billing::Event& event);
std::string Describe(const domain::extension::Event& event);
std::string Describe(const domain::rollout::Event& event);

}  // namespace keel::codec
