// Domain events and states as JSON, as the API shows them, for the operator tools (`keel log`,
// `keel stream`, `keel state`, `keel export`): an event's payload decoded by its stream's kind, and
// an entity's state.
#pragma once

#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "actors/entity.hpp"

namespace keel::gateway {

// The decoded payload of an event of `stream`: an object; {"undecodable": why} when the bytes do not
// decode; null for a stream of no known kind.
nlohmann::json EventDataJson(std::string_view stream, std::string_view type, std::uint32_t schema_version,
                             std::string_view payload);

// An entity's state (what `GET` of the entity answers under "state").
nlohmann::json StateJson(const actors::AnyState& state);

}  // namespace keel::gateway
