// What every actor of one Runtime shares: the store, the configuration and the registry shards.
#pragma once

#include <caf/all.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/runtime.hpp"

namespace keel::actors {

struct Context {
  eventstore::EventStore* store = nullptr;
  RuntimeConfig config;
  std::vector<caf::actor> shards;
  // Appends handed to the store's writer whose callback has not finished: the runtime waits for
  // them before it goes, since a callback touches actors and answers callers.
  std::atomic<std::uint64_t> appends_in_flight{0};
  // Set once the runtime starts to stop: new commands are answered kUnavailable at once.
  std::atomic<bool> stopping{false};

  // Registry key of an entity, and the shard that owns it.
  static std::string KeyString(const EntityKey& key);
  const caf::actor& ShardFor(const EntityKey& key) const;
};

// The context of a runtime, for code beside runtime.cpp (joint.cpp).
Context& ContextOf(Runtime::Impl& runtime);

struct Client::Impl {
  Runtime::Impl& rt;
};

// Spawns the actor for `key` (used by the registry shards).
caf::actor SpawnEntity(caf::local_actor* parent, Context* ctx, const EntityKey& key, const caf::actor& shard);

inline Failure Fail(Failure::Kind kind, std::string message) {
  Failure f;
  f.kind = kind;
  f.message = std::move(message);
  return f;
}
// A refused append as the caller sees it (entities and joint commands alike).
inline Failure StoreFailure(const eventstore::Error& e) {
  using E = eventstore::Errc;
  const auto kind = e.code == E::kVersionConflict       ? Failure::Kind::kConflict
                    : e.code == E::kInvalidArgument     ? Failure::Kind::kInvalid
                    : e.code == E::kIdempotencyConflict ? Failure::Kind::kKeyReused
                                                        : Failure::Kind::kStore;
  return Fail(kind, e.ToString());
}

// Spawns one registry shard.
caf::actor SpawnRegistryShard(caf::actor_system& system, Context* ctx);

}  // namespace keel::actors
