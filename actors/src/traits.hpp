// Per-kind glue between the actor and the domain: the decider's types and functions, and the codec
// entry points for its events and snapshots. No rule lives here.
#pragma once

#include "actors/entity.hpp"
#include "codec/codec.hpp"
#include "codec/snapshot.hpp"

namespace keel::actors {

template <Kind K>
struct Traits;

#define KEEL_TRAITS(K, ns, DecodeFn)                                                                  \
  template <>                                                                                         \
  struct Traits<K> {                                                                                  \
    using Command = domain::ns::Command;                                                              \
    using Event = domain::ns::Event;                                                                  \
    using State = domain::ns::State;                                                                  \
    static constexpr Kind kind = K;                                                                   \
    static domain::Decision<Event> Decide(const Command& c, const State& s) { return domain::ns::Decide(c, s); } \
    static State Evolve(State s, const Event& e) { return domain::ns::Evolve(std::move(s), e); }      \
    static void Apply(State& s, const Event& e) { domain::ns::Apply(s, e); }                          \
    static codec::EncodedEvent Encode(const Event& e) { return codec::Encode(e); }                    \
    static codec::Decoded<Event> Decode(std::string_view type, std::uint32_t version, std::string_view payload) { \
      return codec::DecodeFn(type, version, payload);                                                 \
    }                                                                                                 \
  };

KEEL_TRAITS(Kind::kPartner, partner, DecodePartner)
KEEL_TRAITS(Kind::kTenant, tenant, DecodeTenant)
KEEL_TRAITS(Kind::kCatalog, catalog, DecodeCatalog)
KEEL_TRAITS(Kind::kWarehouse, warehouse, DecodeWarehouse)
KEEL_TRAITS(Kind::kOrder, order, DecodeOrder)
KEEL_TRAITS(Kind::kBilling, billing, DecodeBilling)
KEEL_TRAITS(Kind::kExtension, extension, DecodeExtension)
KEEL_TRAITS(Kind::kRollout, rollout, DecodeRollout)

#undef KEEL_TRAITS

}  // namespace keel::actors
