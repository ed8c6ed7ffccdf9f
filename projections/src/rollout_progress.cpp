// The "rollouts" read model (see read_models.hpp): each template rollout's progress by wave, derived
// from the rollout aggregate's own state (entity_fold.hpp) after every event.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "domain/rollout.hpp"
#include "entity_fold.hpp"
#include "projections/read_models.hpp"

namespace keel::projections {
namespace {

using Json = nlohmann::json;
namespace r = domain::rollout;

constexpr r::Move kMoves[] = {r::Move::kPending, r::Move::kUpgraded, r::Move::kSkipped,
                              r::Move::kFailed, r::Move::kRolledBack, r::Move::kRollbackFailed};

Json Counts() {
  Json c = Json::object();
  for (r::Move m : kMoves) c[std::string(r::MoveName(m))] = 0;
  return c;
}

std::string WaveStatus(const r::Rollout& ro, std::size_t i, const Json& counts) {
  const r::Wave& w = ro.waves[i];
  if (w.passed_at > 0) return "passed";
  if (w.started_at == 0) return "waiting";
  if (ro.status != r::Status::kRunning && ro.status != r::Status::kCompleted) return "stopped";
  return counts["pending"].get<int>() > 0 ? "moving" : "soaking";
}

class Rollouts final : public Projection {
 public:
  std::string_view name() const override { return "rollouts"; }
  std::uint32_t version() const override { return 1; }
  bool Wants(const eventstore::EventView& e) const override { return StreamKind(e.stream) == "rollout"; }
  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    auto f = FoldEntity<r::State>(e, m, codec::DecodeRollout, [](r::State& s, const r::Event& ev) { r::Apply(s, ev); });
    if (!f) return std::unexpected(f.error());
    if (f->after.rollouts.empty()) return std::unexpected("a rollout event before its start");
    const r::Rollout& ro = f->after.rollouts.back();
    m.Put(RolloutRowKey(ro.template_id, ro.version), RolloutProgress(ro, e.timestamp_ms).dump());
    return {};
  }
};

}  // namespace

std::string RolloutRowKey(const std::string& template_id, int version) {
  char digits[16];
  std::snprintf(digits, sizeof digits, "%010d", version);
  return "r/" + template_id + "/" + digits;
}

Json RolloutProgress(const r::Rollout& ro, std::int64_t updated_at) {
  Json totals = Counts();
  Json waves = Json::array();
  const auto passable = r::PassableAt(ro);
  for (std::size_t i = 0; i < ro.waves.size(); ++i) {
    const r::Wave& w = ro.waves[i];
    Json counts = Counts();
    Json tenants = Json::array();
    for (const auto& t : w.tenants) {
      const r::Member& mb = ro.members.at(t);
      const std::string status(r::MoveName(mb.status));
      counts[status] = counts[status].get<int>() + 1;
      totals[status] = totals[status].get<int>() + 1;
      tenants.push_back({{"tenant", t},
                         {"partner", mb.partner},
                         {"from_version", mb.from_version},
                         {"status", status},
                         {"reason", mb.reason},
                         {"at", mb.at}});
    }
    const bool current = static_cast<int>(i) == ro.current_wave;
    waves.push_back({{"index", i},
                     {"name", w.name},
                     {"percent", w.percent},
                     {"status", WaveStatus(ro, i, counts)},
                     {"started_at", w.started_at},
                     {"passed_at", w.passed_at},
                     {"passable_at", current && passable ? Json(*passable) : Json(nullptr)},
                     {"counts", counts},
                     {"tenants", tenants}});
  }
  Json failures = Json::array();
  for (const auto& fl : ro.failures) failures.push_back({{"tenant", fl.tenant}, {"wave", fl.wave}, {"signal", fl.signal}, {"at", fl.at}});
  totals["tenants"] = ro.members.size();
  return Json{{"id", r::IdOf(ro.template_id, ro.version)},
              {"template_id", ro.template_id},
              {"version", ro.version},
              {"status", std::string(r::StatusName(ro.status))},
              {"soak_ms", ro.soak_ms},
              {"current_wave", ro.current_wave},
              {"started_at", ro.started_at},
              {"started_by", ro.started_by},
              {"finished_at", ro.finished_at},
              {"last_failure_at", ro.last_failure_at},
              {"paused_by", ro.paused_by},
              {"pause_reason", ro.pause_reason},
              {"rolled_back_by", ro.rolled_back_by},
              {"rollback_reason", ro.rollback_reason},
              {"totals", totals},
              {"waves", waves},
              {"failures", failures},
              {"updated_at", updated_at}};
}

std::shared_ptr<const Projection> RolloutProgressModel() { return std::make_shared<Rollouts>(); }

}  // namespace keel::projections
