// Codec of the rollout aggregate's events: names, schema versions, and the public entry points.
#include "dynamic_codec.hpp"

namespace keel::codec {

KEEL_EVENT(d::rollout::RolloutStarted, RolloutStarted, 1)
KEEL_EVENT(d::rollout::WaveStarted, WaveStarted, 1)
KEEL_EVENT(d::rollout::TenantMoveRecorded, TenantMoveRecorded, 1)
KEEL_EVENT(d::rollout::RolloutFailureRecorded, RolloutFailureRecorded, 1)
KEEL_EVENT(d::rollout::WavePassed, WavePassed, 1)
KEEL_EVENT(d::rollout::RolloutCompleted, RolloutCompleted, 1)
KEEL_EVENT(d::rollout::RolloutPaused, RolloutPaused, 1)
KEEL_EVENT(d::rollout::RolloutResumed, RolloutResumed, 1)
KEEL_EVENT(d::rollout::RollbackStarted, RollbackStarted, 1)
KEEL_EVENT(d::rollout::TenantRollbackRecorded, TenantRollbackRecorded, 1)
KEEL_EVENT(d::rollout::RolloutRolledBack, RolloutRolledBack, 1)

EncodedEvent Encode(const d::rollout::Event& event) { return EncodeVariant(event); }
std::string_view TypeName(const d::rollout::Event& event) { return TypeNameOf(event); }
Decoded<d::rollout::Event> DecodeRollout(std::string_view type, std::uint32_t version, std::string_view payload) {
  return DecodeVariant<d::rollout::Event>(type, version, payload);
}
std::string Describe(const d::rollout::Event& event) { return DescribeVariant(event); }

}  // namespace keel::codec
