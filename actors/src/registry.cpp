// Registry shards: map an entity key to its live actor, spawning it on the first message and
// forwarding every later one (commands and reads carry their own answer path, see OneShot). An idle
// actor asks its shard to passivate it; the shard forgets it first and only then tells it to stop,
// so every message routed to it before is already in its mailbox and is handled before it quits.
// The least recently used actor is evicted the same way when a shard holds more than its share.
#include <list>
#include <unordered_map>

#include "context.hpp"
#include "messages.hpp"

namespace keel::actors {

struct ShardState {
  static inline const char* name = "keel.registry";
  struct Entry {
    caf::actor actor;
    std::list<std::string>::iterator lru;
  };
  std::unordered_map<std::string, Entry> live;
  std::unordered_map<caf::actor_addr, std::string> by_actor;
  std::list<std::string> lru;  // most recent first
  std::uint64_t activations = 0, passivations = 0;
};

namespace {

void Forget(caf::stateful_actor<ShardState>* self, const std::string& key) {
  auto& st = self->state;
  auto it = st.live.find(key);
  if (it == st.live.end()) return;
  caf::actor actor = it->second.actor;
  st.lru.erase(it->second.lru);
  st.by_actor.erase(actor.address());
  st.live.erase(it);
  ++st.passivations;
  self->send(actor, stop_atom::value);
}

const caf::actor& Route(caf::stateful_actor<ShardState>* self, Context* ctx, const EntityKey& key) {
  auto& st = self->state;
  std::string k = Context::KeyString(key);
  if (auto it = st.live.find(k); it != st.live.end()) {
    st.lru.splice(st.lru.begin(), st.lru, it->second.lru);
    return it->second.actor;
  }
  caf::actor actor = SpawnEntity(self, ctx, key, caf::actor_cast<caf::actor>(self));
  // Not linked (a link per entity makes each exit scan them all): an entity tells its shard when it
  // quits (`exited`), and a shard that shuts down stops its entities (see the exit handler).
  ++st.activations;
  st.lru.push_front(k);
  st.by_actor[actor.address()] = k;
  auto& entry = st.live[k] = ShardState::Entry{std::move(actor), st.lru.begin()};
  const std::size_t cap = std::max<std::size_t>(1, ctx->config.max_live_actors / ctx->config.registry_shards);
  while (st.live.size() > cap) Forget(self, st.lru.back());
  return entry.actor;
}

}  // namespace

namespace {

caf::behavior RegistryShard(caf::stateful_actor<ShardState>* self, Context* ctx) {
  self->set_exit_handler([=](caf::exit_msg& em) {
    // The runtime shutting us down: the live entities go too.
    if (em.reason == caf::exit_reason::user_shutdown) {
      for (auto& [key, entry] : self->state.live) self->send_exit(entry.actor, em.reason);
      self->quit(em.reason);
    }
  });
  return {
      [=](exited_atom, const caf::actor_addr& who) {
        // A live entity stopped on its own (an error): forget it so the next message respawns it. One
        // already forgotten (passivated, evicted) is not found.
        auto& st = self->state;
        auto it = st.by_actor.find(who);
        if (it == st.by_actor.end()) return;
        std::string key = it->second;
        st.by_actor.erase(it);
        if (auto live = st.live.find(key); live != st.live.end()) {
          st.lru.erase(live->second.lru);
          st.live.erase(live);
        }
      },
      [=](cmd_atom, CommandEnvelope& envelope) {
        // The envelope carries its own answer path (ReplySink), so a plain send is enough.
        const caf::actor& target = Route(self, ctx, envelope.key);
        self->send(target, cmd_atom::value, std::move(envelope));
      },
      [=](get_atom, const EntityKey& key, SnapshotSink& sink) {
        const caf::actor& target = Route(self, ctx, key);
        self->send(target, get_atom::value, std::move(sink));
      },
      [=](refresh_atom, const EntityKey& key, SnapshotSink& sink) {
        const caf::actor& target = Route(self, ctx, key);
        self->send(target, refresh_atom::value, std::move(sink));
      },
      [=](passivate_atom, const std::string& key, const caf::actor& who) {
        auto it = self->state.live.find(key);
        if (it != self->state.live.end() && it->second.actor == who) Forget(self, key);
      },
      [=](stats_atom) {
        const auto& st = self->state;
        return ShardStats{st.live.size(), st.activations, st.passivations};
      },
  };
}

}  // namespace

caf::actor SpawnRegistryShard(caf::actor_system& system, Context* ctx) { return system.spawn(RegistryShard, ctx); }

}  // namespace keel::actors
