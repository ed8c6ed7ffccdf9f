// The entity actor, one per partner / tenant / catalog / warehouse / order / billing stream:
// load (snapshot + tail) -> per command: idempotency check, Decide, append through the store's writer
// (never blocking this thread on an fsync), Evolve and reply once durable. Commands that arrive while
// an append is in flight wait in order, so nothing is decided on stale state. Holds no business rule.
#include <algorithm>
#include <chrono>
#include <atomic>
#include <deque>
#include <memory>

#include "actors/snapshot_policy.hpp"
#include "context.hpp"
#include "ledger.hpp"
#include "messages.hpp"
#include "traits.hpp"

namespace keel::actors {
namespace {

using Clock = std::chrono::steady_clock;

template <Kind K>
struct EntityState {
  using T = Traits<K>;
  static inline const char* name = "keel.entity";

  struct Pending {
    CommandEnvelope envelope;  // its ReplySink is the answer path
    int attempts = 0;
  };

  Context* ctx = nullptr;
  EntityKey key;
  std::string stream;
  caf::actor shard;
  // The state, inside the variant a Snapshot carries: readers share it (see Mutable).
  std::shared_ptr<AnyState> shared = std::make_shared<AnyState>(std::in_place_index<static_cast<std::size_t>(K)>);
  std::uint64_t version = 0;
  SnapshotProgress since_snapshot;  // what was applied since the last snapshot
  std::uint64_t in_flight_bytes = 0;  // encoded payload bytes of in_flight_events
  std::string load_error;
  std::deque<Pending> queue;
  bool in_flight = false;
  std::vector<typename T::Event> in_flight_events;
  // Reads that arrived while an append was in flight: answered once it is applied, so a reader that
  // saw the event in the log (a process manager) never gets the state from before it.
  std::vector<SnapshotSink> waiting_reads;
  Clock::time_point last_active = Clock::now();
  // A warehouse whose ledger is being backfilled into the store keeps the whole ledger in its state
  // until that write is durable (ledger.hpp); otherwise its state holds no ledger between commands.
  bool keep_ledger = false;
  bool idle_timer = false;
  bool stop_requested = false;
};

template <Kind K>
using Self = caf::stateful_actor<EntityState<K>>;

template <Kind K>
const typename Traits<K>::State& View(const EntityState<K>& st) {
  return std::get<static_cast<std::size_t>(K)>(*st.shared);
}

// The state, to change it. A reader still holding a snapshot of it keeps that one unchanged: the
// entity changes a copy. Readers drop theirs with an acq_rel decrement; seeing the count at 1 and
// then the acquire fence orders their last reads before our writes. (The standard calls use_count()
// approximate; libstdc++ and libc++ read the same counter the decrements release on. Once it reads 1
// it stays 1: only holders can copy the pointer, and the entity is the only one left.)
template <Kind K>
typename Traits<K>::State& Mutable(EntityState<K>& st) {
  if (st.shared.use_count() > 1) {
    st.shared = std::make_shared<AnyState>(*st.shared);
  } else {
    std::atomic_thread_fence(std::memory_order_acquire);
  }
  return std::get<static_cast<std::size_t>(K)>(*st.shared);
}

// What the writer's callback needs to answer a successful command itself (see Pump).
template <Kind K>
struct DirectReply {
  ReplySink sink;
  std::vector<typename Traits<K>::Event> events;
};

// Rebuilds the state: the latest snapshot if it decodes, then every later event of the stream.
template <Kind K>
void Load(Self<K>* self) {
  auto& st = self->state;
  // A fresh state: readers keep the one they hold.
  st.shared = std::make_shared<AnyState>(std::in_place_index<static_cast<std::size_t>(K)>);
  auto& state = std::get<static_cast<std::size_t>(K)>(*st.shared);
  st.version = 0;
  st.load_error.clear();
  bool marked = true;  // kinds without a ledger, and warehouses whose ledger is in the store
  if constexpr (kHasLedger<K>) {
    auto mark = LedgerMarked(*st.ctx->store, st.stream);
    if (!mark) {
      st.load_error = "cannot read " + st.stream + ": " + mark.error().ToString();
      return;
    }
    marked = *mark;
  }
  // Without the mark the ledger must be folded from the whole stream: no snapshot then.
  auto snap = marked ? st.ctx->store->LoadSnapshot(st.stream) : eventstore::Result<std::optional<eventstore::Snapshot>>{};
  st.since_snapshot = {};
  if (snap && *snap && codec::DecodeSnapshot((*snap)->bytes, state)) {
    st.version = (*snap)->version;
    st.since_snapshot.snapshot_bytes = (*snap)->bytes.size();
  } else {
    state = {};  // no snapshot, or one from an older layout: replay from the start
  }
  SnapshotProgress replayed = st.since_snapshot;
  auto scanned = st.ctx->store->ScanStream(st.stream, st.version + 1, SIZE_MAX, [&](const eventstore::EventView& v) {
    auto event = Traits<K>::Decode(v.type, v.schema_version, v.payload);
    if (!event) {
      st.load_error = "cannot decode " + st.stream + " v" + std::to_string(v.version) + ": " + event.error().message;
      return false;
    }
    Traits<K>::Apply(state, *event);
    st.version = v.version;
    ++replayed.events;
    replayed.event_bytes += v.payload.size();
    return true;
  }, eventstore::EventStore::Fields::kPayloadOnly);
  if (!scanned) {
    st.load_error = "cannot read " + st.stream + ": " + scanned.error().ToString();
    return;
  }
  if (!st.load_error.empty()) return;
  st.since_snapshot = replayed;
  if constexpr (kHasLedger<K>) {
    st.keep_ledger = !marked && st.version > 0;
    if (st.keep_ledger) {
      // Written before the ledger left the state: store it once, and keep it until that is durable.
      caf::actor me = caf::actor_cast<caf::actor>(self);
      st.ctx->store->SaveRecordsAsync(BackfillRecords(st.stream, state.ledger), [me](eventstore::Result<void> r) {
        caf::anon_send(me, ledger_atom::value, r.has_value());
      });
    } else {
      state.ledger = {};
    }
  }
}

template <Kind K>
Outcome MakeOutcome(std::vector<typename Traits<K>::Event> events, std::uint64_t version, std::uint64_t first,
                    std::uint64_t last, bool duplicate) {
  Outcome o;
  o.events.template emplace<static_cast<std::size_t>(K)>(std::move(events));
  o.version = version;
  o.first_position = first;
  o.last_position = last;
  o.duplicate = duplicate;
  return o;
}

// The reply of an earlier attempt with the same idempotency key, if the store still remembers it.
template <Kind K>
std::optional<Reply> Remembered(Self<K>* self, const CommandMeta& meta) {
  auto& st = self->state;
  if (meta.idempotency_key.empty()) return std::nullopt;
  auto found = st.ctx->store->LookupIdempotency(st.key.tenant, meta.idempotency_key, meta.fingerprint);
  if (!found && found.error().code == eventstore::Errc::kIdempotencyConflict)
    return Reply(std::unexpected(StoreFailure(found.error())));
  if (!found || !*found) return std::nullopt;
  const eventstore::AppendResult& first = **found;
  std::vector<typename Traits<K>::Event> events;
  std::uint64_t version = st.version;
  for (const auto& sr : first.streams) {
    if (sr.stream != st.stream) continue;
    auto recorded = st.ctx->store->ReadStream(st.stream, sr.first_version, sr.last_version - sr.first_version + 1);
    if (!recorded) return Reply(std::unexpected(Fail(Failure::Kind::kStore, recorded.error().ToString())));
    for (const auto& r : *recorded) {
      auto e = Traits<K>::Decode(r.type, r.schema_version, r.payload);
      if (!e) return Reply(std::unexpected(Fail(Failure::Kind::kStore, e.error().message)));
      events.push_back(std::move(*e));
    }
    version = sr.last_version;
  }
  return Reply(MakeOutcome<K>(std::move(events), version, first.first_position, first.last_position, true));
}

template <Kind K>
void MaybeSnapshot(Self<K>* self) {
  auto& st = self->state;
  const auto& per_kind = st.ctx->config.snapshot_every_kind;
  const auto every = per_kind.contains(K) ? per_kind.at(K) : st.ctx->config.snapshot_every;
  const auto& config = st.ctx->config;
  if (!SnapshotDue(st.since_snapshot, every, config.snapshot_tail_ratio, config.snapshot_max_tail)) return;
  auto bytes = codec::EncodeSnapshot(View(st));
  st.since_snapshot = {0, 0, bytes.size()};
  // Written by the store's writer thread; the command path does not wait for it.
  st.ctx->store->SaveSnapshotAsync(st.stream, {st.version, std::move(bytes)}, [](auto) {});
}

template <Kind K>
void MaybeStop(Self<K>* self) {
  auto& st = self->state;
  if (st.stop_requested && !st.in_flight && st.queue.empty()) self->quit();
}

// Works through queued commands until one needs an append (or the queue is empty).
template <Kind K>
void Pump(Self<K>* self) {
  auto& st = self->state;
  while (!st.in_flight && !st.queue.empty()) {
    auto& p = st.queue.front();
    auto answer = [&](Reply r) {
      p.envelope.reply.Deliver(std::move(r), caf::actor_cast<caf::actor>(self));
      st.queue.pop_front();
    };
    if (!st.load_error.empty()) {
      Load(self);  // the store may have recovered; otherwise refuse
      if (!st.load_error.empty()) {
        answer(std::unexpected(Fail(Failure::Kind::kStore, st.load_error)));
        continue;
      }
    }
    const auto* command = std::get_if<static_cast<std::size_t>(K)>(&p.envelope.command);
    if (command == nullptr) {
      answer(std::unexpected(Fail(Failure::Kind::kInvalid, "command does not belong to a " + std::string(KindName(K)))));
      continue;
    }
    if (auto earlier = Remembered(self, p.envelope.meta)) {
      answer(std::move(*earlier));
      continue;
    }
    if (const auto& expected = p.envelope.meta.expected_version; expected && *expected != st.version) {
      auto current = st.ctx->store->StreamVersion(st.stream);
      if (current && *current != st.version && p.attempts < st.ctx->config.max_conflict_retries) {
        ++p.attempts;
        Load(self);  // our state may be stale: compare with the stream as it is
        continue;
      }
      answer(std::unexpected(Fail(Failure::Kind::kConflict, "expected version " + std::to_string(*expected) +
                                                                 ", the entity is at version " + std::to_string(st.version))));
      continue;
    }
    if constexpr (kHasLedger<K>) {
      if (auto keys = domain::warehouse::LedgerKeys(*command); !keys.empty()) {
        if (auto filled = FillLedger(*st.ctx->store, st.stream, keys, Mutable(st).ledger); !filled) {
          answer(std::unexpected(StoreFailure(filled.error())));
          continue;
        }
      }
    }
    auto decision = Traits<K>::Decide(*command, View(st));
    std::vector<eventstore::StreamRecord> records;
    if constexpr (kHasLedger<K>) {
      if (decision && !decision->empty()) records = LedgerRecords(st.stream, st.version, View(st).ledger, *decision);
      if (!st.keep_ledger && !View(st).ledger.empty()) Mutable(st).ledger = {};
    }
    if (!decision && p.attempts < st.ctx->config.max_conflict_retries) {
      // A refusal appends nothing, so no conflict would reveal stale state: check the stream's
      // version first, and decide again on fresh state if another writer moved it.
      auto current = st.ctx->store->StreamVersion(st.stream);
      if (current && *current != st.version) {
        ++p.attempts;
        Load(self);
        continue;
      }
    }
    if (!decision) {
      Failure f;
      f.kind = Failure::Kind::kRejected;
      f.rejection = std::move(decision.error());
      answer(std::unexpected(std::move(f)));
      continue;
    }
    if (decision->empty()) {
      answer(MakeOutcome<K>({}, st.version, 0, 0, false));
      continue;
    }
    eventstore::AppendRequest request;
    eventstore::StreamAppend append{st.stream, eventstore::ExpectedVersion::Exact(st.version), {}};
    st.in_flight_bytes = 0;
    for (const auto& e : *decision) {
      auto encoded = Traits<K>::Encode(e);
      st.in_flight_bytes += encoded.payload.size();
      append.events.push_back({std::move(encoded.type), encoded.schema_version, std::move(encoded.payload)});
    }
    request.streams.push_back(std::move(append));
    request.records = std::move(records);
    const CommandMeta& meta = p.envelope.meta;
    request.metadata = {0, meta.principal, meta.correlation_id, meta.causation_id};
    request.idempotency_key = meta.idempotency_key;
    request.fingerprint = meta.fingerprint;
    st.in_flight = true;
    st.in_flight_events = std::move(*decision);
    caf::actor me = caf::actor_cast<caf::actor>(self);
    // A command whose append commits alone is answered straight from the writer's callback once
    // durable: one thread wake-up fewer on a lone command's path. Under load (a group of appends) the
    // writer's thread is the bottleneck and keeps to committing; the actor answers. Answering before
    // the actor has applied the events is safe: until AppendDone arrives the actor queues commands
    // and holds reads, so whatever the requester sends next sees them applied. Duplicates and
    // failures always go through the actor.
    DirectReply<K> direct;
    if (p.envelope.reply) direct = {p.envelope.reply, st.in_flight_events};
    Context* ctx = st.ctx;
    ctx->appends_in_flight.fetch_add(1);
    ctx->store->AppendAsync(std::move(request), [me, ctx, direct = std::move(direct)](eventstore::Result<eventstore::AppendResult> r) mutable {
      // Also while the runtime stops: the append is durable, and its actor may be gone already.
      if (direct.sink && r && !r->duplicate && (r->group_appends == 1 || ctx->stopping.load())) {
        direct.sink.Deliver(Reply(MakeOutcome<K>(std::move(direct.events), r->streams.at(0).last_version,
                                                 r->first_position, r->last_position, false)),
                            me);
      }
      caf::anon_send(me, appended_atom::value, AppendDone{std::move(r)});
      direct = {};  // the last copy of a sink may answer its caller: before the runtime can go
      me = caf::actor{};
      ctx->appends_in_flight.fetch_sub(1);
    });
  }
  MaybeStop(self);
}

template <Kind K>
actors::Snapshot Current(Self<K>* self) {
  return actors::Snapshot{self->state.shared, self->state.version};
}

template <Kind K>
void OnAppended(Self<K>* self, AppendDone& done) {
  auto& st = self->state;
  st.in_flight = false;
  if (st.queue.empty()) return;  // cannot happen: the command waits at the front
  auto& p = st.queue.front();
  if (done.result) {
    const auto& r = *done.result;
    if (r.duplicate) {
      // Another attempt with this key committed first (another actor instance): our state is stale.
      Load(self);
    } else {
      auto& state = Mutable(st);
      for (const auto& e : st.in_flight_events) Traits<K>::Apply(state, e);
      if constexpr (kHasLedger<K>) {
        if (!st.keep_ledger) state.ledger = {};  // the entries are in the store now
      }
      st.version = r.streams.at(0).last_version;
      st.since_snapshot.events += st.in_flight_events.size();
      st.since_snapshot.event_bytes += st.in_flight_bytes;
    }
    auto events = r.duplicate ? std::vector<typename Traits<K>::Event>{} : std::move(st.in_flight_events);
    // A no-op when the writer's callback already answered.
    p.envelope.reply.Deliver(Reply(MakeOutcome<K>(std::move(events), st.version, r.first_position, r.last_position, r.duplicate)),
                             caf::actor_cast<caf::actor>(self));
    st.queue.pop_front();
    MaybeSnapshot(self);
  } else if (done.result.error().code == eventstore::Errc::kVersionConflict &&
             ++p.attempts <= st.ctx->config.max_conflict_retries) {
    Load(self);  // another writer moved the stream: decide again on fresh state
  } else {
    p.envelope.reply.Deliver(Reply(std::unexpected(StoreFailure(done.result.error()))),
                             caf::actor_cast<caf::actor>(self));
    st.queue.pop_front();
  }
  st.in_flight_events.clear();
  for (auto& read : st.waiting_reads) read.Deliver(Current(self), caf::actor_cast<caf::actor>(self));
  st.waiting_reads.clear();
  Pump(self);
}

template <Kind K>
void Touch(Self<K>* self) {
  auto& st = self->state;
  st.last_active = Clock::now();
  if (!st.idle_timer) {
    st.idle_timer = true;
    self->delayed_send(self, st.ctx->config.idle_timeout, idle_atom::value);
  }
}

template <Kind K>
caf::behavior Entity(Self<K>* self, Context* ctx, EntityKey key, caf::actor shard) {
  auto& st = self->state;
  st.ctx = ctx;
  st.key = std::move(key);
  st.stream = StreamOf(st.key);
  st.shard = std::move(shard);
  // The shard learns of this actor's exit from the actor itself (one attachable here) rather than by
  // a link: a shard linked to every live entity scans all its links on each exit (CAF keeps them in
  // a list), which made every passivation cost O(live actors).
  self->attach_functor([shard = st.shard, me = self->address()] { caf::anon_send(shard, exited_atom::value, me); });
  Load(self);
  Touch(self);
  return {
      [=](cmd_atom, CommandEnvelope& envelope) {
        Touch(self);
        self->state.queue.push_back({std::move(envelope), 0});
        Pump(self);
      },
      [=](get_atom, SnapshotSink& sink) {
        Touch(self);
        if (self->state.in_flight) {
          self->state.waiting_reads.push_back(std::move(sink));
        } else {
          sink.Deliver(Current(self), caf::actor_cast<caf::actor>(self));
        }
      },
      [=](refresh_atom, SnapshotSink& sink) {
        // Another writer (a joint append, joint.cpp) moved the stream: load it before answering.
        // An append in flight now was decided on the old state and will conflict and reload.
        Touch(self);
        auto& s = self->state;
        if (s.in_flight) {
          s.waiting_reads.push_back(std::move(sink));
          return;
        }
        if (auto current = s.ctx->store->StreamVersion(s.stream); current && *current != s.version) Load(self);
        sink.Deliver(Current(self), caf::actor_cast<caf::actor>(self));
      },
      [=](appended_atom, AppendDone& done) { OnAppended(self, done); },
      [=](ledger_atom, bool saved) {
        // The backfill is durable (or failed: the next load tries again; the state stays whole).
        if constexpr (kHasLedger<K>) {
          auto& s = self->state;
          if (saved && s.keep_ledger) {
            s.keep_ledger = false;
            if (!View(s).ledger.empty()) Mutable(s).ledger = {};
          }
        }
      },
      [=](idle_atom) {
        auto& s = self->state;
        s.idle_timer = false;
        const auto idle = Clock::now() - s.last_active;
        if (idle >= s.ctx->config.idle_timeout && !s.in_flight && s.queue.empty()) {
          self->send(s.shard, passivate_atom::value, Context::KeyString(s.key), caf::actor_cast<caf::actor>(self));
        } else {
          s.idle_timer = true;
          const auto left = s.ctx->config.idle_timeout - std::chrono::duration_cast<std::chrono::milliseconds>(idle);
          self->delayed_send(self, std::max(left, std::chrono::milliseconds(1)), idle_atom::value);
        }
      },
      [=](stop_atom) {
        self->state.stop_requested = true;  // the registry no longer routes here
        MaybeStop(self);
      },
  };
}

}  // namespace

caf::actor SpawnEntity(caf::local_actor* parent, Context* ctx, const EntityKey& key, const caf::actor& shard) {
  auto& sys = parent->system();
  switch (key.kind) {
    case Kind::kPartner: return sys.spawn<caf::lazy_init>(Entity<Kind::kPartner>, ctx, key, shard);
    case Kind::kTenant: return sys.spawn<caf::lazy_init>(Entity<Kind::kTenant>, ctx, key, shard);
    case Kind::kCatalog: return sys.spawn<caf::lazy_init>(Entity<Kind::kCatalog>, ctx, key, shard);
    case Kind::kWarehouse: return sys.spawn<caf::lazy_init>(Entity<Kind::kWarehouse>, ctx, key, shard);
    case Kind::kOrder: return sys.spawn<caf::lazy_init>(Entity<Kind::kOrder>, ctx, key, shard);
    case Kind::kBilling: return sys.spawn<caf::lazy_init>(Entity<Kind::kBilling>, ctx, key, shard);
    case Kind::kExtension: return sys.spawn<caf::lazy_init>(Entity<Kind::kExtension>, ctx, key, shard);
    case Kind::kRollout: return sys.spawn<caf::lazy_init>(Entity<Kind::kRollout>, ctx, key, shard);
  }
  return {};
}

}  // namespace keel::actors
