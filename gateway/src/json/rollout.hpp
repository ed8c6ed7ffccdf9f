// JSON descriptors of the rollout aggregate (a segment template's staged rollouts): the request
// bodies, events and state. Part of domain_json.hpp (see there for the rules); json_fields.hpp
// explains the descriptors.
#pragma once

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "domain/rollout.hpp"
#include "json/enums.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// POST /v1/rollouts: the canary cohort (any of its parts; left out: no canary wave).
struct RolloutCanaryBody {
  std::set<std::string> partners, tenants;
  bool sandbox = false;
};
template <> struct Describe<RolloutCanaryBody> {
  using T = RolloutCanaryBody;
  static constexpr auto fields =
      std::make_tuple(Opt("partners", &T::partners), Opt("tenants", &T::tenants), Opt("sandbox", &T::sandbox));
};
struct StartRolloutBody {
  std::string template_id;
  int version = 0;
  RolloutCanaryBody canary;
  std::vector<int> waves;
  std::int64_t soak_minutes = 0;
};
template <> struct Describe<StartRolloutBody> {
  using T = StartRolloutBody;
  static constexpr auto fields =
      std::make_tuple(ReqId("template", &T::template_id), Req("version", &T::version), Opt("canary", &T::canary),
                      Req("waves", &T::waves), Opt("soak_minutes", &T::soak_minutes));
};
// POST …/pause and …/rollback.
struct RolloutReasonBody {
  std::string reason;
};
template <> struct Describe<RolloutReasonBody> {
  using T = RolloutReasonBody;
  static constexpr auto fields = std::make_tuple(Req("reason", &T::reason));
};

// -- events --
template <> struct Describe<domain::rollout::Planned> {
  using T = domain::rollout::Planned;
  static constexpr auto fields =
      std::make_tuple(Opt("tenant", &T::tenant), Opt("partner", &T::partner), Opt("from_version", &T::from_version));
};
template <> struct Describe<domain::rollout::WavePlan> {
  using T = domain::rollout::WavePlan;
  static constexpr auto fields = std::make_tuple(Opt("name", &T::name), Opt("percent", &T::percent), Opt("tenants", &T::tenants));
};
template <> struct Describe<domain::rollout::RolloutStarted> {
  using T = domain::rollout::RolloutStarted;
  static constexpr auto fields = std::make_tuple(Opt("template_id", &T::template_id), Opt("version", &T::version),
                                                 Opt("soak_ms", &T::soak_ms), Opt("waves", &T::waves), Opt("by", &T::by),
                                                 Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::WaveStarted> {
  using T = domain::rollout::WaveStarted;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("wave", &T::wave), Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::TenantMoveRecorded> {
  using T = domain::rollout::TenantMoveRecorded;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("tenant", &T::tenant),
                                                 Opt("outcome", &T::outcome), Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::RolloutFailureRecorded> {
  using T = domain::rollout::RolloutFailureRecorded;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("tenant", &T::tenant),
                                                 Opt("signal", &T::signal), Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::WavePassed> {
  using T = domain::rollout::WavePassed;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("wave", &T::wave), Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::RolloutCompleted> {
  using T = domain::rollout::RolloutCompleted;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::RolloutPaused> {
  using T = domain::rollout::RolloutPaused;
  static constexpr auto fields =
      std::make_tuple(Opt("version", &T::version), Opt("by", &T::by), Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::RolloutResumed> {
  using T = domain::rollout::RolloutResumed;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("by", &T::by), Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::RollbackStarted> {
  using T = domain::rollout::RollbackStarted;
  static constexpr auto fields =
      std::make_tuple(Opt("version", &T::version), Opt("by", &T::by), Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::TenantRollbackRecorded> {
  using T = domain::rollout::TenantRollbackRecorded;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("tenant", &T::tenant), Opt("ok", &T::ok),
                                                 Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::RolloutRolledBack> {
  using T = domain::rollout::RolloutRolledBack;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("at", &T::at));
};

// -- state --
template <> struct Describe<domain::rollout::Member> {
  using T = domain::rollout::Member;
  static constexpr auto fields =
      std::make_tuple(Opt("wave", &T::wave), Opt("partner", &T::partner), Opt("from_version", &T::from_version),
                      Opt("status", &T::status), Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::Failure> {
  using T = domain::rollout::Failure;
  static constexpr auto fields =
      std::make_tuple(Opt("tenant", &T::tenant), Opt("signal", &T::signal), Opt("wave", &T::wave), Opt("at", &T::at));
};
template <> struct Describe<domain::rollout::Wave> {
  using T = domain::rollout::Wave;
  static constexpr auto fields = std::make_tuple(Opt("name", &T::name), Opt("percent", &T::percent), Opt("tenants", &T::tenants),
                                                 Opt("started_at", &T::started_at), Opt("passed_at", &T::passed_at));
};
template <> struct Describe<domain::rollout::Rollout> {
  using T = domain::rollout::Rollout;
  static constexpr auto fields = std::make_tuple(
      Opt("template_id", &T::template_id), Opt("version", &T::version), Opt("soak_ms", &T::soak_ms), Opt("status", &T::status),
      Opt("waves", &T::waves), Opt("current_wave", &T::current_wave), Opt("members", &T::members),
      Opt("failures", &T::failures), Opt("started_at", &T::started_at), Opt("finished_at", &T::finished_at),
      Opt("last_failure_at", &T::last_failure_at), Opt("started_by", &T::started_by), Opt("paused_by", &T::paused_by),
      Opt("pause_reason", &T::pause_reason), Opt("rolled_back_by", &T::rolled_back_by),
      Opt("rollback_reason", &T::rollback_reason), Opt("resumed_at", &T::resumed_at));
};
template <> struct Describe<domain::rollout::State> {
  using T = domain::rollout::State;
  static constexpr auto fields = std::make_tuple(Opt("template_id", &T::template_id), Opt("rollouts", &T::rollouts));
};

}  // namespace keel::gateway::json
