// Reference data (see reference_data.hpp): tenant facts caught up by applying the stream's new
// events, partner and catalog snapshots checked against the stream's version, each kind in an LRU.
#include "reference_data.hpp"

#include "codec/codec.hpp"

namespace keel::gateway {
namespace {

std::unexpected<ReferenceError> Unavailable(std::string detail) {
  return std::unexpected(ReferenceError{ReferenceError::Kind::kUnavailable, std::move(detail)});
}
std::unexpected<ReferenceError> WouldWait() {
  return std::unexpected(ReferenceError{ReferenceError::Kind::kWouldWait, "only the entity's actor can answer"});
}

// The stream's version; a name that is no stream id names nothing (version 0).
eventstore::Result<std::uint64_t> VersionOf(const eventstore::EventStore& store, const std::string& stream) {
  auto version = store.StreamVersion(stream);
  if (!version && version.error().code == eventstore::Errc::kInvalidArgument) return 0;
  return version;
}

// The state of an entity without events, shared by every such answer.
template <actors::Kind K>
actors::Snapshot Empty() {
  static const auto state = std::make_shared<const actors::AnyState>(std::in_place_index<static_cast<std::size_t>(K)>);
  return actors::Snapshot{state, 0};
}

}  // namespace

ReferenceData::ReferenceData(const eventstore::EventStore& store, const domain::ServiceCatalog& catalog,
                             const config::TemplateRegistry& templates, Options options)
    : store_(store),
      catalog_(catalog),
      templates_(templates),
      options_(options),
      tenants_(options.tenants),
      partners_(options.partners),
      catalogs_(options.catalogs) {}

void ReferenceData::Resolve(TenantFacts& facts) const {
  facts.segment = templates_.Find(facts.state.template_id, facts.state.template_version);
  facts.plan = catalog_.FindPlan(facts.state.plan);
}

TenantFactsRef ReferenceData::CatchUp(const TenantFacts& from, const std::string& stream, std::uint64_t version) const {
  auto next = std::make_shared<TenantFacts>(from);
  bool decoded = true;
  auto scanned = store_.ScanStream(
      stream, from.version + 1, static_cast<std::size_t>(version - from.version),
      [&](const eventstore::EventView& v) {
        auto event = codec::DecodeTenant(v.type, v.schema_version, v.payload);
        if (!event) return decoded = false;
        domain::tenant::Apply(next->state, *event);
        next->version = v.version;
        return true;
      },
      eventstore::EventStore::Fields::kPayloadOnly);
  if (!scanned || !decoded || next->version != version) return nullptr;
  Resolve(*next);
  return next;
}

ReferenceResult<TenantFactsRef> ReferenceData::Tenant(const std::string& tenant, actors::Client* client) {
  static const auto absent = std::make_shared<const TenantFacts>();
  tenant_lookups_.fetch_add(1, std::memory_order_relaxed);
  const actors::EntityKey key = actors::TenantKey(tenant);
  const std::string stream = actors::StreamOf(key);
  auto version = VersionOf(store_, stream);
  if (!version) return Unavailable("the tenant's stream cannot be read: " + version.error().ToString());
  if (*version == 0) return absent;
  auto keep_newer = [](const TenantFactsRef& there, std::uint64_t v) { return there->version >= v; };

  auto cached = tenants_.Get(tenant);
  if (cached && (*cached)->version == *version) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return *cached;
  }
  if (cached && (*cached)->version < *version && *version - (*cached)->version <= options_.max_catch_up) {
    if (auto caught = CatchUp(**cached, stream, *version)) {
      catch_ups_.fetch_add(1, std::memory_order_relaxed);
      tenants_.Put(tenant, caught, [&](const TenantFactsRef& there) { return keep_newer(there, caught->version); });
      return caught;
    }
  }

  if (client == nullptr) return WouldWait();
  auto snap = client->Get(key);
  reloads_.fetch_add(1, std::memory_order_relaxed);
  if (!snap) return Unavailable("the tenant did not answer");
  auto facts = std::make_shared<TenantFacts>();
  facts->state = snap->As<domain::tenant::State>();
  facts->version = snap->version;
  Resolve(*facts);
  TenantFactsRef current = facts;
  if (facts->version < *version) {  // an actor behind the log (another instance wrote): apply the rest
    current = CatchUp(*facts, stream, *version);
    if (!current) return Unavailable("the tenant's newest events cannot be read");
  }
  tenants_.Put(tenant, current, [&](const TenantFactsRef& there) { return keep_newer(there, current->version); });
  return current;
}

ReferenceResult<actors::Snapshot> ReferenceData::Current(SnapshotCache& cache, const actors::EntityKey& key,
                                                         const std::string& name, actors::Client* client) {
  auto version = VersionOf(store_, actors::StreamOf(key));
  if (!version) return Unavailable("the " + std::string(actors::KindName(key.kind)) + "'s stream cannot be read");
  if (*version == 0) return key.kind == actors::Kind::kPartner ? Empty<actors::Kind::kPartner>() : Empty<actors::Kind::kCatalog>();
  if (auto cached = cache.Get(name); cached && cached->version == *version) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    return *cached;
  }
  if (client == nullptr) return WouldWait();
  auto snap = client->Get(key);
  reloads_.fetch_add(1, std::memory_order_relaxed);
  if (!snap) return Unavailable("the " + std::string(actors::KindName(key.kind)) + " did not answer");
  const std::uint64_t got = snap->version;
  cache.Put(name, *snap, [got](const actors::Snapshot& there) { return there.version >= got; });
  return std::move(*snap);
}

ReferenceResult<actors::Snapshot> ReferenceData::Partner(const std::string& partner, actors::Client* client) {
  return Current(partners_, actors::PartnerKey(partner), partner, client);
}

ReferenceResult<actors::Snapshot> ReferenceData::Catalog(const std::string& tenant, actors::Client* client) {
  return Current(catalogs_, actors::CatalogKey(tenant), tenant, client);
}

ReferenceData::Stats ReferenceData::stats() const {
  return Stats{hits_.load(std::memory_order_relaxed), catch_ups_.load(std::memory_order_relaxed),
               reloads_.load(std::memory_order_relaxed),
               tenants_.evictions() + partners_.evictions() + catalogs_.evictions(),
               tenant_lookups_.load(std::memory_order_relaxed)};
}

}  // namespace keel::gateway
