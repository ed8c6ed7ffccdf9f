// Staged template rollouts carried out (see rollouts.hpp).
#include "actors/rollouts.hpp"

#include <algorithm>
#include <cctype>

namespace keel::actors {

namespace t = domain::tenant;
namespace r = domain::rollout;

struct Rollouts::Shared {
  eventstore::EventStore& store;
  Runtime& runtime;
  const domain::ServiceCatalog& catalog;
  const config::TemplateRegistry& templates;
  const Clock& clock;
  std::mutex drive_mu;  // one driver at a time (the manager's thread or a tick)
};

namespace {

constexpr std::string_view kStreamPrefix = "t/_platform/rollout/";

CommandMeta Meta(const r::Rollout& ro, const std::string& tenant, std::string_view step) {
  const std::string id = r::IdOf(ro.template_id, ro.version);
  return CommandMeta{"rollout:" + id + ":" + tenant + ":" + std::string(step), "process:rollouts", "tenant:" + tenant,
                     "rollout:" + id, std::nullopt};
}
CommandMeta RolloutMeta(const r::Rollout& ro, std::string_view what) {
  return CommandMeta{{}, "process:rollouts", "rollout:" + r::IdOf(ro.template_id, ro.version), std::string(what), std::nullopt};
}

bool Transient(const Failure& f) {
  return f.kind == Failure::Kind::kUnavailable || f.kind == Failure::Kind::kStore;
}

std::string Reason(const Failure& f) {
  if (f.kind == Failure::Kind::kRejected) {
    return std::string(domain::RejectionCodeName(f.rejection.code)) + ": " + f.rejection.message;
  }
  return f.message.empty() ? "the command failed" : f.message;
}

std::optional<r::Rollout> Load(Client& client, const std::string& template_id) {
  auto snap = client.Get(RolloutKey(template_id));
  if (!snap) return std::nullopt;
  const auto& s = snap->As<r::State>();
  if (s.rollouts.empty()) return std::nullopt;
  return s.rollouts.back();
}

// Moves one tenant and records the outcome; false when it could not be decided now (retried later).
bool Move(Rollouts::Shared& sh, Client& client, const r::Rollout& ro, const std::string& tenant, std::int64_t at) {
  auto record = [&](r::Move outcome, std::string reason) {
    auto done = client.Execute(RolloutKey(ro.template_id), r::RecordMove{ro.version, tenant, outcome, std::move(reason), at},
                               RolloutMeta(ro, "move:" + tenant));
    return done.has_value();
  };
  auto snap = client.Get(TenantKey(tenant));
  if (!snap) return false;
  const auto& st = snap->As<t::State>();
  if (st.status == t::Status::kNone) return record(r::Move::kSkipped, "not_found: no such tenant");
  if (st.template_id != ro.template_id) return record(r::Move::kSkipped, "the tenant is on template " + st.template_id + " now");
  const auto* segment = sh.templates.Find(ro.template_id, ro.version);
  if (!segment) return record(r::Move::kFailed, "this node has no version " + std::to_string(ro.version) + " of " + ro.template_id);
  const auto* plan = sh.catalog.FindPlan(st.plan);
  if (!plan) return record(r::Move::kFailed, "the tenant's plan " + st.plan + " is not in the catalog");
  // Sent even to a tenant on the version already: the idempotency key answers with this rollout's own
  // earlier move (a crash between the move and its record), else the tenant moved outside the rollout.
  auto reply = client.Execute(TenantKey(tenant), t::UpgradeTemplate{*segment, *plan, at}, Meta(ro, tenant, "move"));
  if (reply) return record(r::Move::kUpgraded, {});
  if (Transient(reply.error())) return false;
  if (st.template_version >= ro.version) {
    return record(r::Move::kSkipped, "already on version " + std::to_string(st.template_version) +
                                         " (moved outside this rollout: a roll back leaves it there)");
  }
  return record(reply.error().kind == Failure::Kind::kRejected ? r::Move::kSkipped : r::Move::kFailed, Reason(reply.error()));
}

bool Return(Rollouts::Shared& sh, Client& client, const r::Rollout& ro, const std::string& tenant, const r::Member& m,
            std::int64_t at) {
  auto snap = client.Get(TenantKey(tenant));
  if (!snap) return false;
  const auto* plan = sh.catalog.FindPlan(snap->As<t::State>().plan);
  const auto* leaving = sh.templates.Find(ro.template_id, ro.version);
  t::RollBackTemplate cmd{ro.template_id, m.from_version, r::IdOf(ro.template_id, ro.version),
                          plan ? *plan : domain::Plan{}, leaving ? *leaving : domain::SegmentTemplate{}, at};
  auto reply = client.Execute(TenantKey(tenant), std::move(cmd), Meta(ro, tenant, "return"));
  if (!reply && Transient(reply.error())) return false;
  auto done = client.Execute(RolloutKey(ro.template_id),
                             r::RecordRollback{ro.version, tenant, reply.has_value(), reply ? std::string{} : Reason(reply.error()), at},
                             RolloutMeta(ro, "return:" + tenant));
  return done.has_value();
}

// Carries the template's current rollout one wave as far as it goes now; true when a next wave started.
bool DriveOnce(Rollouts::Shared& sh, Client& client, const std::string& template_id, RolloutTick& tick);

// Carries the template's current rollout as far as it goes now: a wave that starts is moved in the
// same drive, at the same business time.
void Drive(Rollouts::Shared& sh, Client& client, const std::string& template_id, RolloutTick& tick) {
  std::lock_guard lock(sh.drive_mu);
  for (int wave = 0; wave <= domain::rollout::kMaxWaves && DriveOnce(sh, client, template_id, tick); ++wave) {
  }
}

bool DriveOnce(Rollouts::Shared& sh, Client& client, const std::string& template_id, RolloutTick& tick) {
  auto ro = Load(client, template_id);
  if (!ro || !r::Active(*ro)) return false;
  const std::int64_t now = sh.clock.NowMs();
  if (ro->status == r::Status::kRollingBack) {
    for (const auto& [tenant, m] : ro->members) {
      if (m.status != r::Move::kUpgraded) continue;
      if (!Return(sh, client, *ro, tenant, m, now)) ++tick.errors;
      else ++tick.returns;
    }
    if (auto after = Load(client, template_id); after && after->status == r::Status::kRolledBack) ++tick.rolled_back;
    return false;
  }
  if (ro->status != r::Status::kRunning) return false;
  for (int w = 0; w <= ro->current_wave; ++w) {
    for (const auto& tenant : ro->waves[static_cast<std::size_t>(w)].tenants) {
      if (ro->members.at(tenant).status != r::Move::kPending) continue;
      // Paused or rolled back meanwhile: no further move.
      auto now_state = Load(client, template_id);
      if (!now_state || now_state->version != ro->version || now_state->status != r::Status::kRunning) return false;
      if (Move(sh, client, *ro, tenant, now)) ++tick.moves;
      else ++tick.errors;
    }
  }
  auto advanced = client.Execute(RolloutKey(template_id), r::AdvanceRollout{ro->version, sh.clock.NowMs()}, RolloutMeta(*ro, "advance"));
  if (!advanced) {
    ++tick.errors;
    return false;
  }
  bool started = false;
  for (const auto& e : std::get<std::vector<r::Event>>(advanced->events)) {
    if (std::holds_alternative<r::WaveStarted>(e)) {
      ++tick.waves_started;
      started = true;
    }
    if (std::holds_alternative<r::RolloutCompleted>(e)) ++tick.completed;
  }
  return started;
}

std::string Name(t::Integration i) { return i == t::Integration::kEdi ? "edi" : "marketplace"; }

bool Alarming(const std::string& severity) {
  std::string s = severity;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s == "high" || s == "critical" || s == "urgent";
}

std::vector<std::string> TemplatesWithRollouts(eventstore::EventStore& store) {
  std::vector<std::string> out;
  auto streams = store.ListStreams(kStreamPrefix);
  if (!streams) return out;
  for (const auto& info : *streams) out.push_back(info.stream.substr(kStreamPrefix.size()));
  return out;
}

// A moved tenant's trouble, recorded on the running (or paused) rollout that moved it.
void Watch(Rollouts::Shared& sh, Client& client, const DomainEvent& ev, const std::string& signal) {
  for (const auto& template_id : TemplatesWithRollouts(sh.store)) {
    auto ro = Load(client, template_id);
    if (!ro || (ro->status != r::Status::kRunning && ro->status != r::Status::kPaused)) continue;
    auto it = ro->members.find(ev.key.tenant);
    if (it == ro->members.end() || it->second.status != r::Move::kUpgraded) continue;
    CommandMeta meta = RolloutMeta(*ro, "position:" + std::to_string(ev.position));
    meta.idempotency_key = "rollout-failure:" + std::to_string(ev.position) + ":" + template_id;
    (void)client.Execute(RolloutKey(template_id), r::RecordFailure{ro->version, ev.key.tenant, signal, ev.timestamp_ms}, meta);
  }
}

void OnEvent(Rollouts::Shared& sh, Client& client, const DomainEvent& ev) {
  if (const auto* re = std::get_if<r::Event>(&ev.event)) {
    bool drives = std::holds_alternative<r::WaveStarted>(*re) || std::holds_alternative<r::RolloutResumed>(*re) ||
                  std::holds_alternative<r::RollbackStarted>(*re);
    if (const auto* m = std::get_if<r::TenantMoveRecorded>(re); m && m->outcome == r::Move::kUpgraded) {
      // A move that landed after a roll back started: the tenant is returned too.
      auto ro = Load(client, ev.key.id);
      drives = ro && ro->status == r::Status::kRollingBack;
    }
    RolloutTick ignored;
    if (drives) Drive(sh, client, ev.key.id, ignored);
    return;
  }
  const auto* te = std::get_if<t::Event>(&ev.event);
  if (!te) return;
  if (const auto* f = std::get_if<t::IntegrationFailed>(te)) {
    Watch(sh, client, ev, std::string("integration failed (") + Name(f->integration) + "): " + f->detail);
  } else if (const auto* b = std::get_if<t::SyncLatencyBreached>(te)) {
    Watch(sh, client, ev, std::string("sync latency breached (") + Name(b->integration) + "): " +
                              std::to_string(b->latency_ms) + " ms");
  } else if (const auto* o = std::get_if<t::TicketOpened>(te); o && Alarming(o->severity)) {
    Watch(sh, client, ev, "ticket " + o->ticket + " (" + o->severity + "): " + o->subject);
  }
}

}  // namespace

Rollouts::Rollouts(eventstore::EventStore& store, Runtime& runtime, const domain::ServiceCatalog& catalog,
                   const config::TemplateRegistry& templates, const Clock& clock)
    : shared_(std::make_shared<Shared>(store, runtime, catalog, templates, clock)) {
  auto sh = shared_;
  manager_ = std::make_unique<ProcessManager>(
      "process.rollouts", store, runtime, [sh](Client& client, const DomainEvent& ev) { OnEvent(*sh, client, ev); },
      std::set<std::string, std::less<>>{"WaveStarted", "RolloutResumed", "RollbackStarted", "TenantMoveRecorded",
                                         "IntegrationFailed", "SyncLatencyBreached", "TicketOpened"});
}

Rollouts::~Rollouts() {
  if (manager_) manager_->Stop();
}

RolloutTick Rollouts::Tick() {
  RolloutTick tick;
  Client client(shared_->runtime);
  for (const auto& template_id : TemplatesWithRollouts(shared_->store)) Drive(*shared_, client, template_id, tick);
  return tick;
}

}  // namespace keel::actors
