// The actor runtime: a CAF actor system with sharded registries that spawn one actor per entity on
// its first message, route later ones to it, passivate idle actors and evict the least recently used
// beyond a cap. Each entity actor loads snapshot + tail, then per command: Decide, append (durable,
// on the store's writer thread), Evolve, reply. This header is CAF-free on purpose (pimpl), so that
// layers above do not compile CAF.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "actors/clock.hpp"
#include "actors/entity.hpp"
#include "eventstore/store.hpp"

namespace keel::actors {

struct RuntimeConfig {
  std::size_t scheduler_threads = 2;
  std::size_t registry_shards = 4;
  std::chrono::milliseconds idle_timeout{30'000};  // passivate an actor idle this long
  std::size_t max_live_actors = 200'000;            // beyond: evict the least recently used
  std::uint64_t snapshot_every = 100;               // events per stream between snapshots
  std::map<Kind, std::uint64_t> snapshot_every_kind;  // per-kind overrides of snapshot_every
  // A snapshot also waits until the events since the last one hold this many times its bytes, so a
  // growing state is not rewritten every `snapshot_every` events (snapshot_policy.hpp); 0: off.
  double snapshot_tail_ratio = 1.0;
  std::uint64_t snapshot_max_tail = 1000;  // but never more events than this between snapshots (0: no cap)
  int max_conflict_retries = 3;                     // reload-and-retry on a version conflict
};

struct RuntimeStats {
  std::uint64_t live_actors = 0;
  std::uint64_t activations = 0;
  std::uint64_t passivations = 0;
};

class Runtime {
 public:
  Runtime(eventstore::EventStore& store, RuntimeConfig config = {});
  ~Runtime();  // stops every actor, then the actor system; the store stays open
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  RuntimeStats Stats() const;
  const RuntimeConfig& config() const;

  // Asynchronous forms for threads that must never wait (the gateway's io threads). The message
  // carries its own answer path (no request actor is spawned); `done` runs on a CAF worker or, for a
  // command whose append committed alone, on the store's writer thread, and is called exactly once
  // (kUnavailable / nullopt if the runtime stops first). It must be quick, must not block and must
  // not throw.
  void ExecuteAsync(const EntityKey& key, AnyCommand command, CommandMeta meta, std::function<void(Reply)> done);
  void GetAsync(const EntityKey& key, std::function<void(std::optional<Snapshot>)> done);

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// What a joint decision sees and returns (see Client::ExecuteJoint).
using JointDecision = std::expected<std::vector<AnyEvents>, domain::Rejection>;
using JointDecider = std::function<JointDecision(const std::vector<Snapshot>& states)>;
using JointReply = std::expected<std::vector<Outcome>, Failure>;  // one Outcome per key

// A synchronous caller for threads outside the actor system (process managers, tests, tools). It
// holds no state, so threads may share one. Every call gets an answer: the entity's, or an error
// when the runtime stopped first. Execute gives up after `timeout` with kUnavailable (the command
// may still be decided later: retry with the same idempotency key); Get gives nullopt.
class Client {
 public:
  explicit Client(Runtime& runtime);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Reply Execute(const EntityKey& key, AnyCommand command, CommandMeta meta = {},
                std::chrono::milliseconds timeout = std::chrono::seconds(30));
  std::optional<Snapshot> Get(const EntityKey& key, std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // `snapshot` (of `key`) with the ledger entries `ledger_keys` names filled in from the store: a
  // warehouse keeps what it must remember by id for good (receipts, transfers, shipped lines) out of
  // its state (DESIGN.md §4, domain::warehouse::Ledger). Other kinds, or no keys: the snapshot as is.
  std::expected<Snapshot, Failure> WithLedger(const EntityKey& key, Snapshot snapshot,
                                              const std::vector<std::string>& ledger_keys);

  // One decision over several entities of one tenant, appended atomically (joint.cpp): `decide`
  // gets their current states (in `keys` order) and returns each one's events, or a rejection; the
  // events of every stream that has some go into ONE multi-stream append, each stream at the version
  // it was decided on, so either all of them are in the log or none is. A version conflict (or a
  // rejection on a state that turned out stale) refreshes the entities and decides again. The
  // entities are refreshed before the reply, so the caller then reads its own writes. The meta's
  // idempotency key covers the whole append (a retry gets the first outcome, `duplicate` set); its
  // expected_version applies to keys[0]. A stream left without events is not version-checked.
  // `ledger_keys[i]`, when given, names the ledger entries keys[i]'s state needs (see WithLedger).
  JointReply ExecuteJoint(const std::vector<EntityKey>& keys, const JointDecider& decide, CommandMeta meta = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30),
                          const std::vector<std::vector<std::string>>& ledger_keys = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::actors
