// Reference data: what a tenant's commands need besides their body — the tenant's facts (state,
// pinned template, plan, lifecycle status), its partner's price list, its catalog — answered from
// memory and checked against the event log on every call, so that a command whose reference data did
// not change costs no actor round trip for it.
//  - Tenant facts are a private copy of the tenant's state. When the tenant's stream has moved, only
//    its new events are read from the store, decoded and applied with the domain's own
//    domain::tenant::Apply; more than `max_catch_up` behind (or not cached), the state is read again
//    from the tenant's actor.
//  - Partner and catalog are the entities' snapshots (shared with the entity, never copied here),
//    served while the stream's version (one stream-index look-up) is the one they were read at, and
//    read again from the actor otherwise. A stream without events is answered without any actor.
// Memory is bounded (one LRU per kind); calls are thread-safe (the gateway's worker pool and io
// threads). A call without a client (an io thread) never waits for an actor: what would need one is
// kWouldWait, and the caller hands the request to the worker pool. Errors are values; nothing throws.
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "actors/runtime.hpp"
#include "config/loader.hpp"
#include "eventstore/store.hpp"
#include "lru_map.hpp"

namespace keel::gateway {

// A tenant as of `version` of its stream (0: the tenant does not exist).
struct TenantFacts {
  domain::tenant::State state;
  std::uint64_t version = 0;
  const domain::SegmentTemplate* segment = nullptr;  // its pinned template; null when not configured here
  const domain::Plan* plan = nullptr;                // its current plan; null when not configured here
  bool exists() const { return version > 0; }
};
using TenantFactsRef = std::shared_ptr<const TenantFacts>;

struct ReferenceError {
  enum class Kind : std::uint8_t {
    kWouldWait,    // only an actor can answer, and the caller may not wait (no client)
    kUnavailable,  // the store or the actor did not answer
  };
  Kind kind = Kind::kUnavailable;
  std::string detail;
};
template <class T>
using ReferenceResult = std::expected<T, ReferenceError>;

class ReferenceData {
 public:
  struct Options {
    std::size_t tenants = 16'384;  // tenant states held (a few KiB each)
    std::size_t partners = 4'096;  // partner snapshots held
    std::size_t catalogs = 1'024;  // catalog snapshots held (a catalog may be large)
    std::uint64_t max_catch_up = 64;  // further behind: read the tenant's state again
  };
  struct Stats {
    std::uint64_t hits = 0;       // answered as cached (the stream had not moved)
    std::uint64_t catch_ups = 0;  // tenant facts brought up to date by applying new events
    std::uint64_t reloads = 0;    // read from the entity's actor
    std::uint64_t evictions = 0;  // entries forgotten for room
    std::uint64_t tenant_lookups = 0;  // calls of Tenant (each reads the tenant's stream version)
  };

  ReferenceData(const eventstore::EventStore& store, const domain::ServiceCatalog& catalog,
                const config::TemplateRegistry& templates, Options options);
  ReferenceData(const eventstore::EventStore& store, const domain::ServiceCatalog& catalog,
                const config::TemplateRegistry& templates)
      : ReferenceData(store, catalog, templates, Options{}) {}

  // The tenant's current facts (not existing: version 0). `client` null: never waits for an actor.
  ReferenceResult<TenantFactsRef> Tenant(const std::string& tenant, actors::Client* client);
  // The partner's current snapshot (version 0 and an empty state: no such partner).
  ReferenceResult<actors::Snapshot> Partner(const std::string& partner, actors::Client* client);
  // The tenant's current catalog (version 0 and an empty state: nothing catalogued yet).
  ReferenceResult<actors::Snapshot> Catalog(const std::string& tenant, actors::Client* client);

  Stats stats() const;

 private:
  using SnapshotCache = LruMap<std::string, actors::Snapshot>;
  ReferenceResult<actors::Snapshot> Current(SnapshotCache& cache, const actors::EntityKey& key,
                                            const std::string& name, actors::Client* client);
  // `from` brought to the stream's `version` by applying its newer events; null if they do not decode.
  TenantFactsRef CatchUp(const TenantFacts& from, const std::string& stream, std::uint64_t version) const;
  void Resolve(TenantFacts& facts) const;

  const eventstore::EventStore& store_;
  const domain::ServiceCatalog& catalog_;
  const config::TemplateRegistry& templates_;
  const Options options_;
  LruMap<std::string, TenantFactsRef> tenants_;
  SnapshotCache partners_;
  SnapshotCache catalogs_;
  std::atomic<std::uint64_t> hits_{0}, catch_ups_{0}, reloads_{0}, tenant_lookups_{0};
};

}  // namespace keel::gateway
