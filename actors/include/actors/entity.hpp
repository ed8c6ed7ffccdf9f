// How callers address entities and what a command returns. Entities are addressed by kind + tenant +
// id, never by actor handle, so a caller is never left holding a passivated actor.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/billing.hpp"
#include "domain/catalog.hpp"
#include "domain/extension.hpp"
#include "domain/order.hpp"
#include "domain/partner.hpp"
#include "domain/rollout.hpp"
#include "domain/tenant.hpp"
#include "domain/warehouse.hpp"
#include "eventstore/errors.hpp"

namespace keel::actors {

// The order of the alternatives of AnyCommand / AnyEvents / AnyState follows Kind.
enum class Kind : std::uint8_t { kPartner, kTenant, kCatalog, kWarehouse, kOrder, kBilling, kExtension, kRollout };
inline constexpr Kind kAllKinds[] = {Kind::kPartner, Kind::kTenant,    Kind::kCatalog,  Kind::kWarehouse,
                                     Kind::kOrder,   Kind::kBilling,   Kind::kExtension, Kind::kRollout};
std::string_view KindName(Kind k);

// The platform's own pseudo-tenant, under which partner streams live.
inline constexpr std::string_view kPlatformTenant = "_platform";

struct EntityKey {
  Kind kind = Kind::kOrder;
  std::string tenant;
  std::string id;  // the tenant's own id for kTenant; "main" for kCatalog and kBilling
  bool operator==(const EntityKey&) const = default;
};

EntityKey PartnerKey(std::string partner);
EntityKey TenantKey(std::string tenant);
EntityKey CatalogKey(std::string tenant);
EntityKey WarehouseKey(std::string tenant, std::string warehouse);
EntityKey OrderKey(std::string tenant, std::string order);
EntityKey BillingKey(std::string tenant);
// An extension of the platform's catalog lives under the platform, as partners do.
EntityKey ExtensionKey(std::string extension);
// A template's rollouts live under the platform too, one stream per template.
EntityKey RolloutKey(std::string template_id);

// The event-log stream of an entity: t/<tenant>/<kind>/<id>.
std::string StreamOf(const EntityKey& key);

using AnyCommand = std::variant<domain::partner::Command, domain::tenant::Command, domain::catalog::Command,
                                domain::warehouse::Command, domain::order::Command, domain::billing::Command,
                                domain::extension::Command, domain::rollout::Command>;
using AnyEvents = std::variant<std::vector<domain::partner::Event>, std::vector<domain::tenant::Event>,
                               std::vector<domain::catalog::Event>, std::vector<domain::warehouse::Event>,
                               std::vector<domain::order::Event>, std::vector<domain::billing::Event>,
                               std::vector<domain::extension::Event>, std::vector<domain::rollout::Event>>;
using AnyState = std::variant<domain::partner::State, domain::tenant::State, domain::catalog::State,
                              domain::warehouse::State, domain::order::State, domain::billing::State,
                              domain::extension::State, domain::rollout::State>;

// Who sent a command and why; stored in every event's envelope.
struct CommandMeta {
  std::string idempotency_key;  // a retry with the same key gets the first reply and appends nothing
  std::string principal;
  std::string correlation_id;
  std::string causation_id;
  std::optional<std::uint64_t> expected_version;  // If-Match: refuse with kConflict unless the entity is at it
  // The command's canonical fingerprint (DESIGN.md §4): the same key with another fingerprint is
  // Failure::kKeyReused, wherever the first attempt got to. Empty: the events decide sameness.
  std::string fingerprint = {};
};

struct Outcome {
  AnyEvents events;             // what was appended (empty: the command changed nothing)
  std::uint64_t version = 0;    // the stream's version after the command
  std::uint64_t first_position = 0, last_position = 0;
  bool duplicate = false;       // answered from the first attempt with the same idempotency key
};

struct Failure {
  // kKeyReused: the idempotency key was first used for a different command.
  enum class Kind : std::uint8_t { kRejected, kConflict, kStore, kInvalid, kUnavailable, kKeyReused };
  Kind kind = Kind::kRejected;
  domain::Rejection rejection{domain::RejectionCode::kInvalidArgument, {}};  // kRejected
  std::string message;                                                     // the others
};

using Reply = std::expected<Outcome, Failure>;

// An entity's state as of `version`, for queries and tests. The state is shared with the entity,
// which copies it only if it changes while a reader still holds it: a read copies nothing, however
// large the aggregate. Never null in a snapshot an entity gave.
struct Snapshot {
  std::shared_ptr<const AnyState> state;
  std::uint64_t version = 0;

  template <class S>
  const S& As() const {
    return std::get<S>(*state);
  }
};

}  // namespace keel::actors
