// Client::ExecuteJoint: one decision over several entities of a tenant, written as ONE atomic
// multi-stream append (a transfer's two warehouses, a warehouse and the tenant that counts it, a
// return's order and the warehouse it restocks). Runs on the caller's thread (a process manager's,
// a gateway worker's): read the entities' states, decide (pure), append every stream at the version
// it was decided on, then refresh the entities so their in-memory state includes the events before
// the caller hears back. The store's expected versions make any race a conflict, never a lost write.
// Holds no business rule.
#include <future>
#include <memory>

#include "context.hpp"
#include "ledger.hpp"
#include "messages.hpp"
#include "traits.hpp"

namespace keel::actors {
namespace {

// Asks every entity to reload if its stream moved, and waits (bounded) for all of them.
void Refresh(Context& ctx, const std::vector<EntityKey>& keys, std::chrono::milliseconds timeout) {
  std::vector<std::future<void>> done;
  for (const auto& key : keys) {
    if (ctx.stopping.load()) return;
    auto promise = std::make_shared<std::promise<void>>();
    done.push_back(promise->get_future());
    SnapshotSink sink([promise](std::optional<Snapshot>, const caf::actor&) { promise->set_value(); });
    caf::anon_send(ctx.ShardFor(key), refresh_atom::value, key, std::move(sink));
  }
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (auto& f : done) f.wait_until(until);
}

// Events of `key`'s stream between two versions, decoded into its kind's alternative of AnyEvents.
template <Kind K>
std::expected<AnyEvents, Failure> ReadEventsOf(Context& ctx, const std::string& stream, std::uint64_t first,
                                               std::uint64_t last) {
  std::vector<typename Traits<K>::Event> events;
  auto recorded = ctx.store->ReadStream(stream, first, last - first + 1);
  if (!recorded) return std::unexpected(Fail(Failure::Kind::kStore, recorded.error().ToString()));
  for (const auto& r : *recorded) {
    auto e = Traits<K>::Decode(r.type, r.schema_version, r.payload);
    if (!e) return std::unexpected(Fail(Failure::Kind::kStore, e.error().message));
    events.push_back(std::move(*e));
  }
  AnyEvents out;
  out.template emplace<static_cast<std::size_t>(K)>(std::move(events));
  return out;
}

std::expected<AnyEvents, Failure> ReadEvents(Context& ctx, const EntityKey& key, std::uint64_t first,
                                             std::uint64_t last) {
  const std::string stream = StreamOf(key);
  switch (key.kind) {
    case Kind::kPartner: return ReadEventsOf<Kind::kPartner>(ctx, stream, first, last);
    case Kind::kTenant: return ReadEventsOf<Kind::kTenant>(ctx, stream, first, last);
    case Kind::kCatalog: return ReadEventsOf<Kind::kCatalog>(ctx, stream, first, last);
    case Kind::kWarehouse: return ReadEventsOf<Kind::kWarehouse>(ctx, stream, first, last);
    case Kind::kOrder: return ReadEventsOf<Kind::kOrder>(ctx, stream, first, last);
    case Kind::kBilling: return ReadEventsOf<Kind::kBilling>(ctx, stream, first, last);
    case Kind::kExtension: return ReadEventsOf<Kind::kExtension>(ctx, stream, first, last);
    case Kind::kRollout: return ReadEventsOf<Kind::kRollout>(ctx, stream, first, last);
  }
  return std::unexpected(Fail(Failure::Kind::kInvalid, "unknown kind"));
}

AnyEvents NoEvents(Kind kind) {
  AnyEvents out;
  switch (kind) {
    case Kind::kPartner: out.emplace<0>(); break;
    case Kind::kTenant: out.emplace<1>(); break;
    case Kind::kCatalog: out.emplace<2>(); break;
    case Kind::kWarehouse: out.emplace<3>(); break;
    case Kind::kOrder: out.emplace<4>(); break;
    case Kind::kBilling: out.emplace<5>(); break;
    case Kind::kExtension: out.emplace<6>(); break;
    case Kind::kRollout: out.emplace<7>(); break;
  }
  return out;
}

// The outcome of an earlier append (a retry with its idempotency key): each key's events in it.
JointReply FromResult(Context& ctx, const std::vector<EntityKey>& keys, const std::vector<Snapshot>& states,
                      const eventstore::AppendResult& result, bool duplicate) {
  std::vector<Outcome> out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    Outcome o;
    o.events = NoEvents(keys[i].kind);
    o.version = i < states.size() ? states[i].version : 0;
    o.duplicate = duplicate;
    const std::string stream = StreamOf(keys[i]);
    for (const auto& sr : result.streams) {
      if (sr.stream != stream) continue;
      auto events = ReadEvents(ctx, keys[i], sr.first_version, sr.last_version);
      if (!events) return std::unexpected(events.error());
      o.events = std::move(*events);
      o.version = sr.last_version;
      o.first_position = sr.first_position;
      o.last_position = sr.last_position;
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::size_t CountOf(const AnyEvents& events) {
  return std::visit([](const auto& v) { return v.size(); }, events);
}

eventstore::StreamAppend Encode(const EntityKey& key, std::uint64_t version, const AnyEvents& events) {
  eventstore::StreamAppend append{StreamOf(key), eventstore::ExpectedVersion::Exact(version), {}};
  std::visit(
      [&](const auto& list) {
        for (const auto& e : list) {
          auto encoded = codec::Encode(e);
          append.events.push_back({std::move(encoded.type), encoded.schema_version, std::move(encoded.payload)});
        }
      },
      events);
  return append;
}

}  // namespace

JointReply Client::ExecuteJoint(const std::vector<EntityKey>& keys, const JointDecider& decide, CommandMeta meta,
                                std::chrono::milliseconds timeout, const std::vector<std::vector<std::string>>& ledger_keys) {
  Context& ctx = ContextOf(impl_->rt);
  if (keys.empty()) return std::unexpected(Fail(Failure::Kind::kInvalid, "a joint command needs entities"));
  for (const auto& k : keys) {
    if (k.tenant != keys[0].tenant) return std::unexpected(Fail(Failure::Kind::kInvalid, "a joint command stays within one tenant"));
  }
  if (!meta.idempotency_key.empty()) {
    auto found = ctx.store->LookupIdempotency(keys[0].tenant, meta.idempotency_key, meta.fingerprint);
    if (!found && found.error().code == eventstore::Errc::kIdempotencyConflict)
      return std::unexpected(StoreFailure(found.error()));
    if (found && *found) return FromResult(ctx, keys, {}, **found, true);
  }
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (int attempt = 0;; ++attempt) {
    const bool may_retry = attempt < ctx.config.max_conflict_retries;
    std::vector<Snapshot> states;
    for (const auto& k : keys) {
      auto snap = Get(k, std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                                    until - std::chrono::steady_clock::now())));
      if (!snap) return std::unexpected(Fail(Failure::Kind::kUnavailable, "no state for " + StreamOf(k)));
      if (const std::size_t i = states.size(); i < ledger_keys.size()) {
        auto filled = WithLedger(k, std::move(*snap), ledger_keys[i]);
        if (!filled) return std::unexpected(filled.error());
        snap = std::move(*filled);
      }
      states.push_back(std::move(*snap));
    }
    if (meta.expected_version && *meta.expected_version != states[0].version) {
      return std::unexpected(Fail(Failure::Kind::kConflict, "expected version " + std::to_string(*meta.expected_version) +
                                                                ", the entity is at version " + std::to_string(states[0].version)));
    }
    auto stale = [&] {
      for (std::size_t i = 0; i < keys.size(); ++i) {
        auto current = ctx.store->StreamVersion(StreamOf(keys[i]));
        if (current && *current != states[i].version) return true;
      }
      return false;
    };
    auto decision = decide(states);
    if (!decision) {
      if (may_retry && stale()) {
        Refresh(ctx, keys, timeout);
        continue;
      }
      Failure f;
      f.kind = Failure::Kind::kRejected;
      f.rejection = std::move(decision.error());
      return std::unexpected(std::move(f));
    }
    if (decision->size() != keys.size()) return std::unexpected(Fail(Failure::Kind::kInvalid, "one list of events per entity"));
    eventstore::AppendRequest request;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if ((*decision)[i].index() != static_cast<std::size_t>(keys[i].kind)) {
        return std::unexpected(Fail(Failure::Kind::kInvalid, "events do not belong to a " + std::string(KindName(keys[i].kind))));
      }
      if (CountOf((*decision)[i]) == 0) continue;
      request.streams.push_back(Encode(keys[i], states[i].version, (*decision)[i]));
      if (keys[i].kind == Kind::kWarehouse) {
        auto records = LookUpAndRecord(*ctx.store, StreamOf(keys[i]), states[i].version,
                                       std::get<std::vector<domain::warehouse::Event>>((*decision)[i]));
        if (!records) return std::unexpected(StoreFailure(records.error()));
        for (auto& r : *records) request.records.push_back(std::move(r));
      }
    }
    if (request.streams.empty()) {  // an idempotent no-op everywhere
      std::vector<Outcome> out;
      for (std::size_t i = 0; i < keys.size(); ++i) {
        Outcome o;
        o.events = NoEvents(keys[i].kind);
        o.version = states[i].version;
        out.push_back(std::move(o));
      }
      return out;
    }
    request.metadata = {0, meta.principal, meta.correlation_id, meta.causation_id};
    request.idempotency_key = meta.idempotency_key;
    request.fingerprint = meta.fingerprint;
    auto appended = ctx.store->Append(std::move(request));
    if (!appended) {
      if (appended.error().code == eventstore::Errc::kVersionConflict && may_retry) {
        Refresh(ctx, keys, timeout);
        continue;
      }
      return std::unexpected(StoreFailure(appended.error()));
    }
    Refresh(ctx, keys, timeout);
    if (appended->duplicate) return FromResult(ctx, keys, states, *appended, true);
    std::vector<Outcome> out;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      Outcome o;
      o.events = std::move((*decision)[i]);
      o.version = states[i].version;
      for (const auto& sr : appended->streams) {
        if (sr.stream != StreamOf(keys[i])) continue;
        o.version = sr.last_version;
        o.first_position = sr.first_position;
        o.last_position = sr.last_position;
      }
      out.push_back(std::move(o));
    }
    return out;
  }
}

}  // namespace keel::actors
