// CAF atoms and message types of the actor layer (local only: the unsafe-type macro lets CAF carry
// them without serialization; remote nodes would need inspectors).
#pragma once

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
using stats_atom = caf::atom_constant<caf::atom("stats")>;

struct CommandEnvelope {
  EntityKey key;
  AnyCommand command;
  CommandMeta meta;
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
