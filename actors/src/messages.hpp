// CAF atoms and message types of the actor layer (local only: the unsafe-type macro lets CAF carry
// them without serialization; remote nodes would need inspectors).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include <caf/all.hpp>

#include "actors/entity.hpp"
#include "eventstore/errors.hpp"
#include "eventstore/types.hpp"

namespace keel::actors {

using cmd_atom = caf::atom_constant<caf::atom("cmd")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using appended_atom = caf::atom_constant<caf::atom("appended")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;
using passivate_atom = caf::atom_constant<caf::atom("passivate")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using exited_atom = caf::atom_constant<caf::atom("exited")>;  // an entity tells its shard it quit
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using refresh_atom = caf::atom_constant<caf::atom("refresh")>;  // reload if the stream moved (joint appends)
using ledger_atom = caf::atom_constant<caf::atom("ledger")>;  // a warehouse's ledger backfill is written (ledger.hpp)

// A one-shot answer path carried in the message instead of a CAF request id, so that whoever has
// the answer first can give it: the entity on its worker, or, for a command, the store's writer
// thread right after the fsync. Nothing is spawned to wait for it, so any thread may send (CAF 0.17
// pins its logger to a thread that spawns, and the writer's thread outlives the actor system). If
// the message is dropped unanswered (its actor was gone), the last copy's destructor calls the
// function with no value, so the sender can go through the registry instead. The function must be
// quick, must not block and must not throw.
template <class T>
class OneShot {
 public:
  using Fn = std::function<void(std::optional<T>, const caf::actor& entity)>;
  OneShot() = default;
  explicit OneShot(Fn fn) : state_(std::make_shared<State>(std::move(fn))) {}
  explicit operator bool() const { return state_ != nullptr; }
  void Deliver(T value, const caf::actor& entity) {
    if (auto s = std::move(state_); s && !s->answered.exchange(true)) s->Call(std::move(value), entity);
  }

 private:
  struct State {
    Fn fn;
    std::atomic<bool> answered{false};
    explicit State(Fn f) : fn(std::move(f)) {}
    ~State() {
      if (!answered.load()) Call(std::nullopt, caf::actor{});
    }
    void Call(std::optional<T> value, const caf::actor& entity) noexcept {
      try {
        fn(std::move(value), entity);
      } catch (...) {
        // the sender's function broke its contract; CAF's threads and the writer carry on
      }
    }
  };
  std::shared_ptr<State> state_;
};

using ReplySink = OneShot<Reply>;
using SnapshotSink = OneShot<Snapshot>;

struct CommandEnvelope {
  EntityKey key;
  AnyCommand command;
  CommandMeta meta;
  ReplySink reply;
};

struct AppendDone {
  eventstore::Result<eventstore::AppendResult> result;
};

struct ShardStats {
  std::uint64_t live = 0, activations = 0, passivations = 0;
};

}  // namespace keel::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(keel::actors::EntityKey)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(keel::actors::CommandEnvelope)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(keel::actors::AppendDone)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(keel::actors::Reply)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(keel::actors::Snapshot)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(keel::actors::ShardStats)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(keel::actors::SnapshotSink)
