// The past: an entity's state at a log position or a business time, folded from its own events by
// the domain's Apply (what the entity actor does at load, without a snapshot), for operators' tools
// and `GET …?as_of=`. Also: which entity a stream is, and a hash of a state to compare two stores by.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "actors/entity.hpp"
#include "eventstore/store.hpp"

namespace keel::actors {

// A moment: a log position (all digits), or a business time — RFC 3339 (`2026-11-01T12:00:00Z`,
// an offset or fraction allowed) or a day (`2026-11-01`: the end of that day, UTC).
struct AsOf {
  bool by_position = true;
  std::uint64_t position = 0;
  std::int64_t time_ms = 0;  // the last millisecond included
};
std::expected<AsOf, std::string> ParseAsOf(std::string_view text);

struct PastState {
  AnyState state;
  std::uint64_t version = 0;   // the entity's version then
  std::uint64_t position = 0;  // the log position of its last event then
  std::int64_t at_ms = 0;      // that event's business time
};

// The entity's state at `when`: every event of its stream at or before the position (or stamped at
// or before the time; the stream's events are taken in order up to the first later one). kNotFound
// when the entity had no event by then; kCorruption naming the event when one does not decode.
eventstore::Result<PastState> StateAsOf(const eventstore::EventStore& store, const EntityKey& key, const AsOf& when);

// The position a time means for a whole tenant (`keel state --tenant`): its last event stamped at or
// before `time_ms` (0 when none). Every entity folded to that position is one consistent moment.
eventstore::Result<std::uint64_t> TenantPositionAt(const eventstore::EventStore& store, std::string_view tenant,
                                                   std::int64_t time_ms);

// The entity a stream id names (t/<tenant>/<kind>/<id>); nullopt for a stream of no known kind.
std::optional<EntityKey> KeyOfStream(std::string_view stream);

// SHA-256 (hex) of the state's snapshot encoding: two stores whose entity folds to the same state give
// the same hash (the warehouse ledger, kept by id in the store, is not part of it).
std::string StateHash(const AnyState& state);

}  // namespace keel::actors
