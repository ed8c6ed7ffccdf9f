// Extension aggregate: one extension or connector of the platform's catalog (stream
// t/_platform/extension/<id>) and the review of its versions. A partner (or the platform) submits a
// version as a manifest; the platform owner reviews it: submitted -> in review -> approved | rejected
// (with reasons); an approved or pending version can be withdrawn. An approved version is immutable,
// and a new version (a higher MAJOR.MINOR.PATCH) goes through review again. Tenants install approved
// versions (tenant.hpp: InstallExtension). Commands, events, state, Decide, Evolve.
// Pure: no I/O, no clock (time arrives in commands), no CAF or RocksDB headers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "domain/catalog_data.hpp"
#include "domain/common.hpp"

namespace keel::domain::extension {

enum class Status : std::uint8_t { kSubmitted, kInReview, kApproved, kRejected, kWithdrawn };
std::string_view StatusName(Status s);
std::optional<Status> ParseStatus(std::string_view name);

// What a version declares. The gateway checks the parts only it knows (command and scope names, event
// types, the configuration schema) before submitting; the decider checks the rest.
struct Manifest {
  std::string version;      // MAJOR.MINOR.PATCH
  std::string name, description;
  ExtensionKind kind = ExtensionKind::kEdiConnector;
  std::set<Module> modules;           // the tenant must be entitled to each
  std::vector<std::string> events;    // event types it subscribes to
  std::vector<std::string> commands;  // operation ids of the routes it may call
  std::vector<std::string> scopes;    // read scopes it needs ("orders:read", ...)
  std::string config_schema;          // JSON Schema (canonical JSON) its configuration must satisfy
  bool operator==(const Manifest&) const = default;
};

struct VersionState {
  Manifest manifest;
  Status status = Status::kSubmitted;
  std::string submitted_by, reviewer;
  std::vector<std::string> reasons;  // a rejection's
  std::string withdrawal_reason;
  Timestamp submitted_at = 0, decided_at = 0;
  Timestamp approved_at = 0;   // kept when a withdrawal follows (0: never approved)
  std::string withdrawn_by;
  bool operator==(const VersionState&) const = default;
};

// -- commands --
// `owner`: the submitting partner ("" = the platform); the extension keeps its first owner.
struct SubmitVersion { std::string id, owner; Manifest manifest; std::string by; Timestamp at = 0; };
struct StartReview { std::string version, by; Timestamp at = 0; };
struct ApproveVersion { std::string version, by; Timestamp at = 0; };
struct RejectVersion { std::string version, by; std::vector<std::string> reasons; Timestamp at = 0; };
struct WithdrawVersion { std::string version, by, reason; Timestamp at = 0; };
using Command = std::variant<SubmitVersion, StartReview, ApproveVersion, RejectVersion, WithdrawVersion>;

// -- events --
struct ExtensionVersionSubmitted {
  std::string id, owner;
  Manifest manifest;
  std::string by;
  Timestamp at = 0;
  bool operator==(const ExtensionVersionSubmitted&) const = default;
};
struct ExtensionReviewStarted { std::string version, by; Timestamp at = 0; bool operator==(const ExtensionReviewStarted&) const = default; };
struct ExtensionVersionApproved { std::string version, by; Timestamp at = 0; bool operator==(const ExtensionVersionApproved&) const = default; };
struct ExtensionVersionRejected {
  std::string version, by;
  std::vector<std::string> reasons;
  Timestamp at = 0;
  bool operator==(const ExtensionVersionRejected&) const = default;
};
struct ExtensionVersionWithdrawn {
  std::string version, by, reason;
  Status was = Status::kApproved;  // the status it was withdrawn from (tenants are told only of an approved one)
  Timestamp at = 0;
  bool operator==(const ExtensionVersionWithdrawn&) const = default;
};
using Event = std::variant<ExtensionVersionSubmitted, ExtensionReviewStarted, ExtensionVersionApproved,
                           ExtensionVersionRejected, ExtensionVersionWithdrawn>;

// -- state --
struct State {
  std::string id, owner;
  std::vector<VersionState> versions;  // in submission order, which is version order
  bool operator==(const State&) const = default;
};

Decision<Event> Decide(const Command& command, const State& state);
State Evolve(State state, const Event& event);
void Apply(State& state, const Event& event);

// The version `version` of the extension, or null.
const VersionState* FindVersion(const State& state, std::string_view version);
// The highest approved version, or null.
const VersionState* LatestApproved(const State& state);

// MAJOR.MINOR.PATCH, each 0..999999 without leading zeros; nullopt otherwise.
std::optional<std::array<std::uint32_t, 3>> ParseVersion(std::string_view v);

}  // namespace keel::domain::extension
