// Rollout aggregate: the staged moves of a segment template's tenants to a newer version (stream
// t/_platform/rollout/<template>; one rollout at a time per template, earlier ones kept as history).
// The platform owner starts a rollout with a canary cohort (by partner, by tenant, or the sandbox
// tenants) and waves by cumulative percentage of the rest; the plan is fixed when it starts. Each
// tenant's move is the tenant's own compatibility-checked UpgradeTemplate, sent by a process manager
// (actors/src/rollouts.cpp), which records the outcome here: upgraded, skipped (incompatible, with the
// reason) or failed. A wave passes once all its tenants are decided and the rollout has been free of
// failures (failed moves, and trouble reported by tenants already moved) for the soak time; then the
// next one starts (time paused does not count: the soak starts again on resumption). The owner can
// pause, resume, and roll back: every moved tenant returns to the version it came from (tenant.hpp:
// RollBackTemplate), each return recorded here. A rolled-back version is not rolled out again; a
// completed one may be, to the tenants still below it (skipped ones, or ones provisioned meanwhile).
// A version is released — what new tenants get — when it has no rollout, or a completed one and none
// rolled back.
// Pure: no I/O, no clock (time arrives in commands), no CAF or RocksDB headers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "domain/common.hpp"

namespace keel::domain::rollout {

enum class Status : std::uint8_t { kRunning, kPaused, kRollingBack, kRolledBack, kCompleted };
std::string_view StatusName(Status s);
std::optional<Status> ParseStatus(std::string_view name);

// A tenant's place in a rollout.
enum class Move : std::uint8_t { kPending, kUpgraded, kSkipped, kFailed, kRolledBack, kRollbackFailed };
std::string_view MoveName(Move m);

inline constexpr int kMaxWaves = 10;
inline constexpr std::int64_t kMaxSoakMs = 30LL * 86'400'000;

// A tenant that may take part, as the caller found it (the tenants on the template).
struct Candidate {
  std::string tenant, partner;
  int version = 0;
  bool sandbox = false;
  bool terminated = false;
};

// The canary cohort: the tenants matching any of the parts (none given: no canary wave).
struct Cohort {
  std::set<std::string> partners, tenants;
  bool sandbox = false;  // the template's sandbox tenants
  bool empty() const { return partners.empty() && tenants.empty() && !sandbox; }
  bool operator==(const Cohort&) const = default;
};

struct Planned {
  std::string tenant, partner;
  int from_version = 0;
  bool operator==(const Planned&) const = default;
};
struct WavePlan {
  std::string name;  // "canary", "25%", ...
  int percent = 0;   // cumulative share of the non-canary tenants (0 for the canary)
  std::vector<Planned> tenants;
  bool operator==(const WavePlan&) const = default;
};

// -- commands -- (`version` names the rollout: the template version it moves tenants to)
struct StartRollout {
  std::string template_id;
  int version = 0;
  Cohort canary;
  std::vector<int> percents;  // cumulative, increasing, the last 100
  std::int64_t soak_ms = 0;
  std::vector<Candidate> candidates;
  std::string by;
  Timestamp at = 0;
};
struct RecordMove { int version = 0; std::string tenant; Move outcome = Move::kUpgraded; std::string reason; Timestamp at = 0; };
struct RecordFailure { int version = 0; std::string tenant, signal; Timestamp at = 0; };
struct AdvanceRollout { int version = 0; Timestamp at = 0; };
struct PauseRollout { int version = 0; std::string by, reason; Timestamp at = 0; };
struct ResumeRollout { int version = 0; std::string by; Timestamp at = 0; };
struct RollBackRollout { int version = 0; std::string by, reason; Timestamp at = 0; };
struct RecordRollback { int version = 0; std::string tenant; bool ok = true; std::string reason; Timestamp at = 0; };
using Command = std::variant<StartRollout, RecordMove, RecordFailure, AdvanceRollout, PauseRollout, ResumeRollout,
                             RollBackRollout, RecordRollback>;

// -- events --
struct RolloutStarted {
  std::string template_id;
  int version = 0;
  std::int64_t soak_ms = 0;
  std::vector<WavePlan> waves;
  std::string by;
  Timestamp at = 0;
  bool operator==(const RolloutStarted&) const = default;
};
struct WaveStarted { int version = 0, wave = 0; Timestamp at = 0; bool operator==(const WaveStarted&) const = default; };
struct TenantMoveRecorded {
  int version = 0;
  std::string tenant;
  Move outcome = Move::kUpgraded;
  std::string reason;
  Timestamp at = 0;
  bool operator==(const TenantMoveRecorded&) const = default;
};
struct RolloutFailureRecorded {
  int version = 0;
  std::string tenant, signal;
  Timestamp at = 0;
  bool operator==(const RolloutFailureRecorded&) const = default;
};
struct WavePassed { int version = 0, wave = 0; Timestamp at = 0; bool operator==(const WavePassed&) const = default; };
struct RolloutCompleted { int version = 0; Timestamp at = 0; bool operator==(const RolloutCompleted&) const = default; };
struct RolloutPaused { int version = 0; std::string by, reason; Timestamp at = 0; bool operator==(const RolloutPaused&) const = default; };
struct RolloutResumed { int version = 0; std::string by; Timestamp at = 0; bool operator==(const RolloutResumed&) const = default; };
struct RollbackStarted { int version = 0; std::string by, reason; Timestamp at = 0; bool operator==(const RollbackStarted&) const = default; };
struct TenantRollbackRecorded {
  int version = 0;
  std::string tenant;
  bool ok = true;
  std::string reason;
  Timestamp at = 0;
  bool operator==(const TenantRollbackRecorded&) const = default;
};
struct RolloutRolledBack { int version = 0; Timestamp at = 0; bool operator==(const RolloutRolledBack&) const = default; };
using Event = std::variant<RolloutStarted, WaveStarted, TenantMoveRecorded, RolloutFailureRecorded, WavePassed,
                           RolloutCompleted, RolloutPaused, RolloutResumed, RollbackStarted, TenantRollbackRecorded,
                           RolloutRolledBack>;

// -- state --
struct Member {
  int wave = 0;
  std::string partner;
  int from_version = 0;
  Move status = Move::kPending;
  std::string reason;  // a skip's, a failure's or a failed return's
  Timestamp at = 0;    // when the status was recorded
  bool operator==(const Member&) const = default;
};
struct Failure {
  std::string tenant, signal;
  int wave = 0;
  Timestamp at = 0;
  bool operator==(const Failure&) const = default;
};
struct Wave {
  std::string name;
  int percent = 0;
  std::vector<std::string> tenants;
  Timestamp started_at = 0, passed_at = 0;
  bool operator==(const Wave&) const = default;
};
struct Rollout {
  std::string template_id;
  int version = 0;
  std::int64_t soak_ms = 0;
  Status status = Status::kRunning;
  std::vector<Wave> waves;
  int current_wave = 0;  // the wave started last
  std::map<std::string, Member> members;
  std::vector<Failure> failures;
  Timestamp started_at = 0, finished_at = 0, last_failure_at = 0;
  Timestamp resumed_at = 0;  // the soak counts from here at the earliest
  std::string started_by, paused_by, pause_reason, rolled_back_by, rollback_reason;
  bool operator==(const Rollout&) const = default;
};
struct State {
  std::string template_id;
  std::vector<Rollout> rollouts;  // in start order; only the last can be active
  bool operator==(const State&) const = default;
};

Decision<Event> Decide(const Command& command, const State& state);
State Evolve(State state, const Event& event);
void Apply(State& state, const Event& event);

// The id the routes use: "<template>.v<version>"; parsed back by ParseId.
std::string IdOf(const std::string& template_id, int version);
std::optional<std::pair<std::string, int>> ParseId(std::string_view id);
// The latest rollout of `version`, or null.
const Rollout* Find(const State& state, int version);
// Whether `version` is released: no rollout of it, or a completed one and none rolled back.
bool Released(const State& state, int version);
// Running, paused or rolling back.
bool Active(const Rollout& r);
// When the current wave may pass: the later of its last decision and the rollout's last failure, plus
// the soak time (nullopt: a tenant of the wave is still pending, or the rollout is not running).
std::optional<Timestamp> PassableAt(const Rollout& r);
// The waves a start would plan (the canary first, then the percentages), or the reason it cannot.
std::expected<std::vector<WavePlan>, Rejection> PlanWaves(const StartRollout& c);

}  // namespace keel::domain::rollout
