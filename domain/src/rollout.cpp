// Rollout decider (see rollout.hpp): planning the waves, recording moves, failures and returns, passing
// waves after the soak time, pause, resume and roll back.
#include "domain/rollout.hpp"

#include <algorithm>
#include <charconv>

#include "decider_support.hpp"

namespace keel::domain::rollout {
namespace {

using R = RejectionCode;
Decision<Event> One(Event e) { return std::vector<Event>{std::move(e)}; }

// A stable spread of tenants over the waves (FNV-1a 64), so a wave is not one partner's tenants.
std::uint64_t Spread(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

bool InCohort(const Cohort& c, const Candidate& t) {
  return c.partners.contains(t.partner) || c.tenants.contains(t.tenant) || (c.sandbox && t.sandbox);
}

Rollout* Current(State& s) { return s.rollouts.empty() ? nullptr : &s.rollouts.back(); }

// The rollout a command names: the current one of that version.
std::expected<const Rollout*, Rejection> Named(const State& s, int version) {
  if (s.rollouts.empty() || s.rollouts.back().version != version) {
    return std::unexpected(Rejection{R::kNotFound, "no rollout of version " + std::to_string(version) + " of " +
                                                       (s.template_id.empty() ? std::string("this template") : s.template_id)});
  }
  return &s.rollouts.back();
}

Rejection Illegal(const Rollout& r, const std::string& what) {
  return Rejection{R::kIllegalTransition,
                   "cannot " + what + " a rollout that is " + std::string(StatusName(r.status))};
}

bool NoneUpgraded(const Rollout& r, const std::string& except = {}) {
  return std::none_of(r.members.begin(), r.members.end(),
                      [&](const auto& m) { return m.second.status == Move::kUpgraded && m.first != except; });
}

Decision<Event> Start(const StartRollout& c, const State& s) {
  if (c.template_id.empty()) return Reject(R::kInvalidArgument, "a rollout needs a template");
  if (!s.template_id.empty() && s.template_id != c.template_id) return Reject(R::kInvalidArgument, "another template's rollouts");
  if (c.soak_ms < 0 || c.soak_ms > kMaxSoakMs) return Reject(R::kInvalidArgument, "soak: from 0 to 30 days");
  for (const auto& r : s.rollouts) {
    if (Active(r)) {
      return Reject(R::kIllegalTransition, "the rollout of version " + std::to_string(r.version) + " of " + c.template_id +
                                               " is still " + std::string(StatusName(r.status)) + ": finish or roll it back first");
    }
    if (r.version == c.version && r.status == Status::kRolledBack) {
      return Reject(R::kAlreadyExists, "version " + std::to_string(c.version) + " of " + c.template_id +
                                           " was rolled back: publish a fixed version");
    }
  }
  auto waves = PlanWaves(c);
  if (!waves) return std::unexpected(waves.error());
  std::vector<Event> out;
  out.push_back(RolloutStarted{c.template_id, c.version, c.soak_ms, std::move(*waves), c.by, c.at});
  out.push_back(WaveStarted{c.version, 0, c.at});
  return out;
}

Decision<Event> Record(const RecordMove& c, const State& s) {
  auto r = Named(s, c.version);
  if (!r) return std::unexpected(r.error());
  auto it = (*r)->members.find(c.tenant);
  if (it == (*r)->members.end()) return Reject(R::kNotFound, c.tenant + " is not in the rollout");
  if (c.outcome != Move::kUpgraded && c.outcome != Move::kSkipped && c.outcome != Move::kFailed) {
    return Reject(R::kInvalidArgument, "a move is upgraded, skipped or failed");
  }
  if (it->second.status != Move::kPending) return std::vector<Event>{};  // recorded already
  if (it->second.wave > (*r)->current_wave) return Reject(R::kIllegalTransition, c.tenant + "'s wave has not started");
  return One(TenantMoveRecorded{c.version, c.tenant, c.outcome, c.reason, c.at});
}

Decision<Event> Fail(const RecordFailure& c, const State& s) {
  auto r = Named(s, c.version);
  if (!r) return std::unexpected(r.error());
  auto it = (*r)->members.find(c.tenant);
  const bool watched = (*r)->status == Status::kRunning || (*r)->status == Status::kPaused;
  if (it == (*r)->members.end() || it->second.status != Move::kUpgraded || !watched) return std::vector<Event>{};
  return One(RolloutFailureRecorded{c.version, c.tenant, c.signal, c.at});
}

Decision<Event> Advance(const AdvanceRollout& c, const State& s) {
  auto r = Named(s, c.version);
  if (!r) return std::unexpected(r.error());
  const auto when = PassableAt(**r);
  if (!when || c.at < *when) return std::vector<Event>{};
  std::vector<Event> out{WavePassed{c.version, (*r)->current_wave, c.at}};
  if ((*r)->current_wave + 1 < static_cast<int>((*r)->waves.size())) {
    out.push_back(WaveStarted{c.version, (*r)->current_wave + 1, c.at});
  } else {
    out.push_back(RolloutCompleted{c.version, c.at});
  }
  return out;
}

Decision<Event> Returned(const RecordRollback& c, const State& s) {
  auto r = Named(s, c.version);
  if (!r) return std::unexpected(r.error());
  auto it = (*r)->members.find(c.tenant);
  if (it == (*r)->members.end()) return Reject(R::kNotFound, c.tenant + " is not in the rollout");
  if (it->second.status != Move::kUpgraded || (*r)->status != Status::kRollingBack) return std::vector<Event>{};
  std::vector<Event> out{TenantRollbackRecorded{c.version, c.tenant, c.ok, c.reason, c.at}};
  if (NoneUpgraded(**r, c.tenant)) out.push_back(RolloutRolledBack{c.version, c.at});
  return out;
}

}  // namespace

std::string_view StatusName(Status s) {
  switch (s) {
    case Status::kRunning: return "running";
    case Status::kPaused: return "paused";
    case Status::kRollingBack: return "rolling_back";
    case Status::kRolledBack: return "rolled_back";
    case Status::kCompleted: return "completed";
  }
  return "unknown";
}

std::optional<Status> ParseStatus(std::string_view name) {
  for (Status s : {Status::kRunning, Status::kPaused, Status::kRollingBack, Status::kRolledBack, Status::kCompleted}) {
    if (StatusName(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view MoveName(Move m) {
  switch (m) {
    case Move::kPending: return "pending";
    case Move::kUpgraded: return "upgraded";
    case Move::kSkipped: return "skipped";
    case Move::kFailed: return "failed";
    case Move::kRolledBack: return "rolled_back";
    case Move::kRollbackFailed: return "rollback_failed";
  }
  return "unknown";
}

std::string IdOf(const std::string& template_id, int version) { return template_id + ".v" + std::to_string(version); }

std::optional<std::pair<std::string, int>> ParseId(std::string_view id) {
  const auto dot = id.rfind(".v");
  if (dot == std::string_view::npos || dot == 0 || dot + 2 >= id.size()) return std::nullopt;
  int version = 0;
  const auto digits = id.substr(dot + 2);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (ec != std::errc{} || end != digits.data() + digits.size() || version <= 0 || digits.front() == '0') return std::nullopt;
  return std::pair{std::string(id.substr(0, dot)), version};
}

const Rollout* Find(const State& state, int version) {
  for (auto it = state.rollouts.rbegin(); it != state.rollouts.rend(); ++it) {
    if (it->version == version) return &*it;
  }
  return nullptr;
}

bool Released(const State& state, int version) {
  bool any = false, completed = false;
  for (const auto& r : state.rollouts) {
    if (r.version != version) continue;
    any = true;
    if (r.status == Status::kRolledBack) return false;
    completed = completed || r.status == Status::kCompleted;
  }
  return !any || completed;
}

bool Active(const Rollout& r) {
  return r.status == Status::kRunning || r.status == Status::kPaused || r.status == Status::kRollingBack;
}

std::optional<Timestamp> PassableAt(const Rollout& r) {
  if (r.status != Status::kRunning || r.waves.empty()) return std::nullopt;
  const Wave& w = r.waves[static_cast<std::size_t>(r.current_wave)];
  Timestamp quiet_since = std::max({w.started_at, r.last_failure_at, r.resumed_at});
  for (const auto& t : w.tenants) {
    const Member& m = r.members.at(t);
    if (m.status == Move::kPending) return std::nullopt;
    quiet_since = std::max(quiet_since, m.at);
  }
  return quiet_since + r.soak_ms;
}

std::expected<std::vector<WavePlan>, Rejection> PlanWaves(const StartRollout& c) {
  auto bad = [](std::string m) { return std::unexpected(Rejection{R::kInvalidArgument, std::move(m)}); };
  if (c.percents.empty()) return bad("waves: at least one percentage (the last 100)");
  if (static_cast<int>(c.percents.size()) + (c.canary.empty() ? 0 : 1) > kMaxWaves) {
    return bad("waves: at most " + std::to_string(kMaxWaves) + " waves, the canary included");
  }
  for (std::size_t i = 0; i < c.percents.size(); ++i) {
    const int p = c.percents[i];
    if (p < 1 || p > 100) return bad("waves: each percentage from 1 to 100");
    if (i > 0 && p <= c.percents[i - 1]) return bad("waves: percentages are cumulative, each above the one before");
  }
  if (c.percents.back() != 100) return bad("waves: the last wave takes the rest (100)");
  std::vector<const Candidate*> canary, rest;
  std::set<std::string> seen;
  for (const auto& t : c.candidates) {
    if (t.terminated || t.version >= c.version || !seen.insert(t.tenant).second) continue;
    (c.canary.empty() || !InCohort(c.canary, t) ? rest : canary).push_back(&t);
  }
  if (!c.canary.empty() && canary.empty()) return bad("canary: no tenant below version " + std::to_string(c.version) + " matches the cohort");
  if (canary.empty() && rest.empty()) {
    return bad("no tenant of " + c.template_id + " is below version " + std::to_string(c.version));
  }
  auto planned = [](const Candidate* t) { return Planned{t->tenant, t->partner, t->version}; };
  std::vector<WavePlan> waves;
  if (!canary.empty()) {
    std::sort(canary.begin(), canary.end(), [](auto* a, auto* b) { return a->tenant < b->tenant; });
    WavePlan w{"canary", 0, {}};
    for (auto* t : canary) w.tenants.push_back(planned(t));
    waves.push_back(std::move(w));
  }
  std::sort(rest.begin(), rest.end(), [](auto* a, auto* b) {
    const auto ha = Spread(a->tenant), hb = Spread(b->tenant);
    return ha != hb ? ha < hb : a->tenant < b->tenant;
  });
  std::size_t from = 0;
  for (int p : c.percents) {
    // The cumulative share, rounded to the nearest tenant, and at least one more than before while
    // any is left (a small population's wave is not empty by rounding).
    std::size_t to = (rest.size() * static_cast<std::size_t>(p) + 50) / 100;
    if (to <= from && from < rest.size()) to = from + 1;
    if (to <= from) continue;
    WavePlan w{std::to_string(p) + "%", p, {}};
    for (std::size_t i = from; i < to; ++i) w.tenants.push_back(planned(rest[i]));
    waves.push_back(std::move(w));
    from = to;
  }
  return waves;
}

Decision<Event> Decide(const Command& command, const State& s) {
  return std::visit(
      Overloaded{
          [&](const StartRollout& c) { return Start(c, s); },
          [&](const RecordMove& c) { return Record(c, s); },
          [&](const RecordFailure& c) { return Fail(c, s); },
          [&](const AdvanceRollout& c) { return Advance(c, s); },
          [&](const PauseRollout& c) -> Decision<Event> {
            auto r = Named(s, c.version);
            if (!r) return std::unexpected(r.error());
            if ((*r)->status == Status::kPaused) return std::vector<Event>{};
            if ((*r)->status != Status::kRunning) return std::unexpected(Illegal(**r, "pause"));
            return One(RolloutPaused{c.version, c.by, c.reason, c.at});
          },
          [&](const ResumeRollout& c) -> Decision<Event> {
            auto r = Named(s, c.version);
            if (!r) return std::unexpected(r.error());
            if ((*r)->status == Status::kRunning) return std::vector<Event>{};
            if ((*r)->status != Status::kPaused) return std::unexpected(Illegal(**r, "resume"));
            return One(RolloutResumed{c.version, c.by, c.at});
          },
          [&](const RollBackRollout& c) -> Decision<Event> {
            auto r = Named(s, c.version);
            if (!r) return std::unexpected(r.error());
            if ((*r)->status == Status::kRollingBack || (*r)->status == Status::kRolledBack) return std::vector<Event>{};
            if ((*r)->status == Status::kCompleted) {
              return Reject(R::kIllegalTransition, "the rollout is completed: its moves stay; publish a fixed version and roll that out");
            }
            std::vector<Event> out{RollbackStarted{c.version, c.by, c.reason, c.at}};
            if (NoneUpgraded(**r)) out.push_back(RolloutRolledBack{c.version, c.at});
            return out;
          },
          [&](const RecordRollback& c) { return Returned(c, s); },
      },
      command);
}

void Apply(State& s, const Event& event) {
  std::visit(Overloaded{
                 [&](const RolloutStarted& e) {
                   s.template_id = e.template_id;
                   Rollout r;
                   r.template_id = e.template_id;
                   r.version = e.version;
                   r.soak_ms = e.soak_ms;
                   r.started_at = e.at;
                   r.started_by = e.by;
                   for (std::size_t i = 0; i < e.waves.size(); ++i) {
                     Wave w{e.waves[i].name, e.waves[i].percent, {}, 0, 0};
                     for (const auto& t : e.waves[i].tenants) {
                       w.tenants.push_back(t.tenant);
                       r.members[t.tenant] = Member{static_cast<int>(i), t.partner, t.from_version, Move::kPending, {}, 0};
                     }
                     r.waves.push_back(std::move(w));
                   }
                   s.rollouts.push_back(std::move(r));
                 },
                 [&](const WaveStarted& e) {
                   auto* r = Current(s);
                   if (!r || e.wave >= static_cast<int>(r->waves.size())) return;
                   r->current_wave = e.wave;
                   r->waves[static_cast<std::size_t>(e.wave)].started_at = e.at;
                 },
                 [&](const TenantMoveRecorded& e) {
                   auto* r = Current(s);
                   if (!r) return;
                   auto& m = r->members[e.tenant];
                   m.status = e.outcome;
                   m.reason = e.reason;
                   m.at = e.at;
                   if (e.outcome == Move::kFailed) {
                     r->last_failure_at = std::max(r->last_failure_at, e.at);
                     r->failures.push_back(Failure{e.tenant, "move failed: " + e.reason, m.wave, e.at});
                   }
                   // A move that landed after the rollback finished reopens it (the tenant is returned too).
                   if (e.outcome == Move::kUpgraded && r->status == Status::kRolledBack) r->status = Status::kRollingBack;
                 },
                 [&](const RolloutFailureRecorded& e) {
                   auto* r = Current(s);
                   if (!r) return;
                   r->last_failure_at = std::max(r->last_failure_at, e.at);
                   r->failures.push_back(Failure{e.tenant, e.signal, r->members[e.tenant].wave, e.at});
                 },
                 [&](const WavePassed& e) {
                   auto* r = Current(s);
                   if (r && e.wave < static_cast<int>(r->waves.size())) r->waves[static_cast<std::size_t>(e.wave)].passed_at = e.at;
                 },
                 [&](const RolloutCompleted& e) {
                   if (auto* r = Current(s)) {
                     r->status = Status::kCompleted;
                     r->finished_at = e.at;
                   }
                 },
                 [&](const RolloutPaused& e) {
                   if (auto* r = Current(s)) {
                     r->status = Status::kPaused;
                     r->paused_by = e.by;
                     r->pause_reason = e.reason;
                   }
                 },
                 [&](const RolloutResumed& e) {
                   if (auto* r = Current(s)) {
                     r->status = Status::kRunning;
                     r->resumed_at = e.at;
                   }
                 },
                 [&](const RollbackStarted& e) {
                   if (auto* r = Current(s)) {
                     r->status = Status::kRollingBack;
                     r->rolled_back_by = e.by;
                     r->rollback_reason = e.reason;
                   }
                 },
                 [&](const TenantRollbackRecorded& e) {
                   if (auto* r = Current(s)) {
                     auto& m = r->members[e.tenant];
                     m.status = e.ok ? Move::kRolledBack : Move::kRollbackFailed;
                     m.reason = e.reason;
                     m.at = e.at;
                   }
                 },
                 [&](const RolloutRolledBack& e) {
                   if (auto* r = Current(s)) {
                     r->status = Status::kRolledBack;
                     r->finished_at = e.at;
                   }
                 },
             },
             event);
}

State Evolve(State state, const Event& event) {
  Apply(state, event);
  return state;
}

}  // namespace keel::domain::rollout
