// Rollout decider and the tenant's return: planning the waves (canary cohorts, cumulative percentages,
// who takes part), recording moves once, a wave passing only after the soak time free of failures,
// pause and resume, roll back to completion (a move landing late reopens it), one rollout at a time;
// RollBackTemplate taking away what the upgrade brought, never below what the tenant uses. Plus a
// property test: over random step sequences, a wave never passes with a pending tenant or inside the
// soak time after a failure, and the counts always add up.
#include <catch2/catch.hpp>

#include <random>

#include "domain/lifecycle.hpp"
#include "domain/rollout.hpp"
#include "domain/tenant.hpp"
#include "decider_support.hpp"
#include "fixtures.hpp"

using namespace keel::domain;
using keel::domain::test::Accept;
using keel::domain::test::Refuse;
using keel::domain::test::kT0;
namespace fx = keel::domain::test;
namespace r = keel::domain::rollout;
namespace t = keel::domain::tenant;

namespace {

constexpr std::int64_t kHour = 3'600'000;

std::vector<r::Candidate> Candidates(int n, int version = 1) {
  std::vector<r::Candidate> out;
  for (int i = 0; i < n; ++i) out.push_back({"p" + std::to_string(i % 3) + ":t" + std::to_string(i), "p" + std::to_string(i % 3), version, false, false});
  return out;
}

r::StartRollout Start(std::vector<r::Candidate> candidates, r::Cohort canary = {}, std::vector<int> waves = {50, 100},
                      std::int64_t soak = kHour) {
  return r::StartRollout{"regional", 2, std::move(canary), std::move(waves), soak, std::move(candidates), "key:o", kT0};
}

r::State Apply(r::State s, const r::Command& c) {
  for (const auto& e : Accept(c, s)) s = r::Evolve(std::move(s), e);
  return s;
}

const r::Rollout& Current(const r::State& s) { return s.rollouts.back(); }

// Records every pending tenant of the current wave as `outcome` at `at`.
r::State DecideWave(r::State s, r::Move outcome, std::int64_t at) {
  const auto& ro = Current(s);
  for (const auto& tenant : ro.waves[static_cast<std::size_t>(ro.current_wave)].tenants) {
    if (ro.members.at(tenant).status == r::Move::kPending) s = Apply(s, r::RecordMove{2, tenant, outcome, "", at});
  }
  return s;
}

}  // namespace

TEST_CASE("waves are planned from a canary cohort and cumulative percentages", "[domain][rollout]") {
  auto waves = r::PlanWaves(Start(Candidates(10), r::Cohort{{"p0"}, {}, false}, {30, 100}));
  REQUIRE(waves);
  REQUIRE(waves->size() == 3);
  CHECK((*waves)[0].name == "canary");
  CHECK((*waves)[0].tenants.size() == 4);  // p0 has t0, t3, t6, t9
  for (const auto& p : (*waves)[0].tenants) CHECK(p.partner == "p0");
  CHECK((*waves)[1].tenants.size() == 2);  // 30% of the 6 others, to the nearest tenant
  CHECK((*waves)[2].tenants.size() == 4);
  CHECK((*waves)[2].name == "100%");
  // Taken apart: tenants on the version or above, terminated ones, repeats.
  auto c = Candidates(4);
  c[0].version = 2;
  c[1].terminated = true;
  c.push_back(c[2]);
  auto few = r::PlanWaves(Start(c, {}, {100}));
  REQUIRE(few);
  REQUIRE(few->size() == 1);
  CHECK(few->at(0).tenants.size() == 2);
  // A small population: rounding up never leaves a wave empty of its share.
  auto small = r::PlanWaves(Start(Candidates(3), {}, {10, 50, 100}));
  REQUIRE(small);
  std::size_t total = 0;
  for (const auto& w : *small) {
    total += w.tenants.size();
    CHECK_FALSE(w.tenants.empty());
  }
  CHECK(total == 3);
  // The spread is stable: the same population plans the same waves.
  CHECK(*r::PlanWaves(Start(Candidates(10), {}, {30, 100})) == *r::PlanWaves(Start(Candidates(10), {}, {30, 100})));
  // A sandbox canary; a cohort matching nobody; nobody to move; bad percentages.
  auto sandboxed = Candidates(5);
  sandboxed[4].sandbox = true;
  CHECK(r::PlanWaves(Start(sandboxed, r::Cohort{{}, {}, true}))->at(0).tenants.at(0).tenant == "p1:t4");
  CHECK(Refuse(Start(Candidates(5), r::Cohort{{"ghost"}, {}, false}), r::State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Start(Candidates(5, 2)), r::State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Start(Candidates(5), {}, {50, 90}), r::State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Start(Candidates(5), {}, {60, 40, 100}), r::State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Start(Candidates(5), {}, {}), r::State{}) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Start(Candidates(5), {}, {100}, -1), r::State{}) == RejectionCode::kInvalidArgument);
}

TEST_CASE("a wave passes once decided and free of failures for the soak time", "[domain][rollout]") {
  auto s = Apply(r::State{}, Start(Candidates(6), r::Cohort{{"p0"}, {}, false}, {50, 100}));
  CHECK(Current(s).status == r::Status::kRunning);
  CHECK(Current(s).waves[0].started_at == kT0);
  // Not before every canary tenant is decided.
  CHECK(Accept(r::AdvanceRollout{2, kT0 + 10 * kHour}, s).empty());
  s = DecideWave(s, r::Move::kUpgraded, kT0 + 1000);
  // A move recorded twice changes nothing; a tenant of a wave not started cannot be recorded.
  const std::string first = Current(s).waves[0].tenants[0];
  CHECK(Accept(r::RecordMove{2, first, r::Move::kSkipped, "x", kT0}, s).empty());
  CHECK(Refuse(r::RecordMove{2, Current(s).waves[1].tenants[0], r::Move::kUpgraded, "", kT0}, s) == RejectionCode::kIllegalTransition);
  CHECK(Refuse(r::RecordMove{2, "nobody", r::Move::kUpgraded, "", kT0}, s) == RejectionCode::kNotFound);
  CHECK(Refuse(r::RecordMove{3, first, r::Move::kUpgraded, "", kT0}, s) == RejectionCode::kNotFound);
  CHECK(r::PassableAt(Current(s)) == kT0 + 1000 + kHour);
  // A moved tenant's trouble restarts the wait; an unmoved tenant's is not the rollout's.
  s = Apply(s, r::RecordFailure{2, first, "ticket", kT0 + kHour / 2});
  CHECK(Accept(r::RecordFailure{2, Current(s).waves[1].tenants[0], "ticket", kT0}, s).empty());
  CHECK(Accept(r::AdvanceRollout{2, kT0 + 1000 + kHour}, s).empty());
  auto passed = Accept(r::AdvanceRollout{2, kT0 + kHour / 2 + kHour}, s);
  REQUIRE(passed.size() == 2);
  CHECK(std::get<r::WavePassed>(passed[0]).wave == 0);
  CHECK(std::get<r::WaveStarted>(passed[1]).wave == 1);
  s = Apply(s, r::AdvanceRollout{2, kT0 + 2 * kHour});
  // A failed move is a failure too; the last wave completes the rollout.
  s = DecideWave(s, r::Move::kFailed, kT0 + 3 * kHour);
  CHECK(Current(s).failures.size() == 1 + Current(s).waves[1].tenants.size());
  CHECK(Accept(r::AdvanceRollout{2, kT0 + 3 * kHour + kHour - 1}, s).empty());
  s = Apply(s, r::AdvanceRollout{2, kT0 + 4 * kHour});
  REQUIRE(Current(s).current_wave == 2);
  s = DecideWave(s, r::Move::kSkipped, kT0 + 4 * kHour);
  auto done = Accept(r::AdvanceRollout{2, kT0 + 5 * kHour}, s);
  REQUIRE(done.size() == 2);
  CHECK(std::holds_alternative<r::RolloutCompleted>(done[1]));
  s = r::Evolve(r::Evolve(s, done[0]), done[1]);
  CHECK(Current(s).status == r::Status::kCompleted);
  // Completed: released, and no roll back; the version may go again to whoever is still below it
  // (the latest rollout of a version is the one its id names), and a new version may go.
  CHECK(r::Released(s, 2));
  CHECK(Refuse(r::RollBackRollout{2, "key:o", "late", kT0}, s) == RejectionCode::kIllegalTransition);
  auto again = Apply(s, Start(Candidates(2)));
  REQUIRE(again.rollouts.size() == 2);
  CHECK(r::Find(again, 2) == &again.rollouts.back());
  CHECK(r::Released(again, 2));  // completed once: new tenants may have it meanwhile
  auto v3 = Start(Candidates(6, 2));
  v3.version = 3;
  CHECK(Apply(s, v3).rollouts.size() == 2);
  CHECK_FALSE(r::Released(Apply(s, v3), 3));
}

TEST_CASE("pause holds the waves, and roll back returns every moved tenant", "[domain][rollout]") {
  auto s = Apply(r::State{}, Start(Candidates(6), r::Cohort{{"p0", "p1"}, {}, false}, {100}, 0));
  const auto canary = Current(s).waves[0].tenants;
  REQUIRE(canary.size() == 4);
  s = Apply(s, r::RecordMove{2, canary[0], r::Move::kUpgraded, "", kT0});
  s = Apply(s, r::RecordMove{2, canary[1], r::Move::kUpgraded, "", kT0});
  s = Apply(s, r::PauseRollout{2, "key:o", "look", kT0});
  CHECK(Accept(r::PauseRollout{2, "key:o", "again", kT0}, s).empty());
  CHECK(Accept(r::AdvanceRollout{2, kT0 + 100 * kHour}, s).empty());
  CHECK(Refuse(Start(Candidates(6)), s) == RejectionCode::kIllegalTransition);  // one at a time
  CHECK_FALSE(r::PassableAt(Current(s)).has_value());
  s = Apply(s, r::ResumeRollout{2, "key:o", kT0});
  CHECK(Current(s).status == r::Status::kRunning);
  // Time paused does not count toward the soak: it starts again on resumption.
  auto soaked = DecideWave(Apply(r::State{}, Start(Candidates(2), {}, {100}, kHour)), r::Move::kUpgraded, kT0);
  CHECK(r::PassableAt(Current(soaked)) == kT0 + kHour);
  soaked = Apply(soaked, r::PauseRollout{2, "key:o", "look", kT0});
  soaked = Apply(soaked, r::ResumeRollout{2, "key:o", kT0 + 5 * kHour});
  CHECK(r::PassableAt(Current(soaked)) == kT0 + 6 * kHour);
  CHECK(Refuse(r::ResumeRollout{3, "key:o", kT0}, s) == RejectionCode::kNotFound);
  s = Apply(s, r::RollBackRollout{2, "key:o", "bad", kT0});
  CHECK(Current(s).status == r::Status::kRollingBack);
  CHECK(Refuse(r::PauseRollout{2, "key:o", "x", kT0}, s) == RejectionCode::kIllegalTransition);
  const std::vector<std::string> moved{canary[0], canary[1]};
  s = Apply(s, r::RecordRollback{2, moved[0], true, "", kT0});
  CHECK(Current(s).status == r::Status::kRollingBack);
  auto last = Accept(r::RecordRollback{2, moved[1], false, "tenant_terminated: gone", kT0}, s);
  REQUIRE(last.size() == 2);
  CHECK(std::holds_alternative<r::RolloutRolledBack>(last[1]));
  s = r::Evolve(r::Evolve(s, last[0]), last[1]);
  CHECK(Current(s).status == r::Status::kRolledBack);
  CHECK(Current(s).members.at(moved[1]).status == r::Move::kRollbackFailed);
  // A move that lands after the roll back finished reopens it, so that tenant is returned too.
  const std::string late = canary[2];
  s = Apply(s, r::RecordMove{2, late, r::Move::kUpgraded, "", kT0});
  CHECK(Current(s).status == r::Status::kRollingBack);
  s = Apply(s, r::RecordRollback{2, late, true, "", kT0});
  CHECK(Current(s).status == r::Status::kRolledBack);
  // Rolled back is final for that version, and it is not released.
  CHECK(Refuse(Start(Candidates(6)), s) == RejectionCode::kAlreadyExists);
  CHECK_FALSE(r::Released(s, 2));
  CHECK(r::Released(s, 1));
  // Nothing moved yet: the roll back finishes at once.
  auto fresh = Apply(r::State{}, Start(Candidates(6)));
  auto at_once = Accept(r::RollBackRollout{2, "key:o", "never mind", kT0}, fresh);
  REQUIRE(at_once.size() == 2);
  CHECK(std::holds_alternative<r::RolloutRolledBack>(at_once[1]));
}

TEST_CASE("random rollout steps never pass a wave early and keep the counts whole", "[domain][rollout][property]") {
  std::mt19937 rng(20261207);
  for (int run = 0; run < 200; ++run) {
    auto s = Apply(r::State{}, Start(Candidates(2 + static_cast<int>(rng() % 12)), r::Cohort{{"p1"}, {}, false}, {34, 67, 100},
                                     static_cast<std::int64_t>(rng() % 3) * kHour));
    std::int64_t now = kT0;
    for (int step = 0; step < 60; ++step) {
      now += static_cast<std::int64_t>(rng() % (kHour / 2));
      const auto& ro = Current(s);
      const auto& wave = ro.waves[static_cast<std::size_t>(ro.current_wave)];
      const std::string tenant = wave.tenants[rng() % wave.tenants.size()];
      r::Command c;
      switch (rng() % 7) {
        case 0: c = r::RecordMove{2, tenant, static_cast<r::Move>(1 + rng() % 3), "", now}; break;
        case 1: c = r::RecordFailure{2, tenant, "ticket", now}; break;
        case 2: c = r::PauseRollout{2, "key:o", "p", now}; break;
        case 3: c = r::ResumeRollout{2, "key:o", now}; break;
        case 4: c = rng() % 4 == 0 ? r::Command(r::RollBackRollout{2, "key:o", "r", now}) : r::Command(r::AdvanceRollout{2, now}); break;
        case 5: c = r::RecordRollback{2, tenant, rng() % 2 == 0, "", now}; break;
        default: c = r::AdvanceRollout{2, now}; break;
      }
      auto events = r::Decide(c, s);
      if (!events) continue;
      for (const auto& e : *events) {
        if (const auto* p = std::get_if<r::WavePassed>(&e)) {
          const auto& passing = Current(s).waves[static_cast<std::size_t>(p->wave)];
          for (const auto& t : passing.tenants) CHECK(Current(s).members.at(t).status != r::Move::kPending);
          CHECK(Current(s).status == r::Status::kRunning);
          CHECK(p->at >= Current(s).last_failure_at + Current(s).soak_ms);
        }
        s = r::Evolve(std::move(s), e);
      }
      const auto& after = Current(s);
      std::size_t in_waves = 0;
      for (const auto& w : after.waves) in_waves += w.tenants.size();
      CHECK(in_waves == after.members.size());
      for (const auto& [id, m] : after.members)
        if (m.wave > after.current_wave) CHECK(m.status == r::Move::kPending);  // later waves untouched
      if (after.status == r::Status::kRolledBack)
        for (const auto& [id, m] : after.members) CHECK(m.status != r::Move::kUpgraded);
    }
  }
}

TEST_CASE("a tenant returns to the version its last upgrade came from, and only what that upgrade brought goes",
          "[domain][tenant][rollout]") {
  auto s = fx::Run(t::State{}, {t::ProvisionTenant{"t1", "p1", "Acme", fx::Regional(), fx::Growth(), Environment::kProduction, true, true, kT0},
                                t::StartOnboarding{kT0}, t::CompleteMilestone{"company_profile", "u1", kT0},
                                t::CompleteMilestone{"item_import", "u1", kT0}, t::CompleteMilestone{"edi_partner_test", "u1", kT0},
                                t::GoLive{kT0}});
  const Limits before = s.limits;
  auto v2 = fx::Regional(2);
  v2.modules.insert(Module::kLotTracking);
  v2.limits = {5, 20000, 40};
  s = fx::Run(s, {t::UpgradeTemplate{v2, fx::Growth(), kT0}});
  REQUIRE(s.template_steps.size() == 1);
  CHECK(s.template_steps[0].limits_after == Limits{5, 20000, 40});
  auto roll_back = [&](int to) { return t::RollBackTemplate{"regional-distributor", to, "regional-distributor.v2", fx::Growth(), v2, kT0}; };
  // The tenant grew into the new limits: four warehouses where version 1 allowed three.
  s = fx::Run(s, {t::RegisterWarehouse{"w1", kT0}, t::RegisterWarehouse{"w2", kT0}, t::RegisterWarehouse{"w3", kT0},
                  t::RegisterWarehouse{"w4", kT0}});
  CHECK(Refuse(roll_back(3), s) == RejectionCode::kIllegalTransition);
  auto other = roll_back(1);
  other.template_id = "other";
  CHECK(Refuse(other, s) == RejectionCode::kInvalidArgument);
  auto events = Accept(roll_back(1), s);
  const auto& e = std::get<t::TemplateRolledBack>(events.at(0));  // `events` outlives it
  CHECK(e.from_version == 2);
  CHECK(e.removed_modules == std::set<Module>{Module::kLotTracking});
  CHECK(e.removed_milestones == std::vector<std::string>{"lot_setup"});
  CHECK(e.limits.warehouses == 4);  // never below what it uses
  CHECK(e.limits.monthly_orders == before.monthly_orders);
  auto back = t::Evolve(s, events[0]);
  CHECK(back.template_version == 1);
  CHECK_FALSE(back.modules.contains(Module::kLotTracking));
  CHECK(back.template_steps.empty());
  CHECK(std::none_of(back.milestones.begin(), back.milestones.end(), [](const auto& m) { return m.id == "lot_setup"; }));
  CHECK(Accept(roll_back(1), back).empty());  // back already
  // A module the plan includes stays, with its milestone.
  auto with_lots = fx::Growth();
  with_lots.modules.insert(Module::kLotTracking);
  auto kept = roll_back(1);
  kept.plan = with_lots;
  const auto kept_events = Accept(kept, s);
  const auto& k = std::get<t::TemplateRolledBack>(kept_events.at(0));
  CHECK(k.removed_modules.empty());
  CHECK(k.removed_milestones.empty());
  // A module the tenant itself deactivated, or deactivated and bought again, is its own since.
  auto off = fx::Run(s, {t::DeactivateModule{Module::kLotTracking, kT0}});
  const auto off_events = Accept(roll_back(1), off);
  const auto& gone = std::get<t::TemplateRolledBack>(off_events.at(0));
  CHECK(gone.removed_modules.empty());                                      // off already
  CHECK(gone.removed_milestones == std::vector<std::string>{"lot_setup"});  // and its milestone goes
  auto own = fx::Run(off, {t::ActivateModule{Module::kLotTracking, fx::Growth(), fx::Regional(2), kT0}});
  CHECK(own.template_steps.at(0).added_modules.empty());
  const auto own_events = Accept(roll_back(1), own);
  const auto& kept_own = std::get<t::TemplateRolledBack>(own_events.at(0));
  CHECK(kept_own.removed_modules.empty());
  CHECK(kept_own.removed_milestones.empty());  // bought again: its milestone stays with it
  // A limit a later change moved (not the upgrade's value any more) stays where it is.
  auto moved = s;
  moved.limits.monthly_orders = 60000;
  CHECK(std::get<t::TemplateRolledBack>(Accept(roll_back(1), moved).at(0)).limits.monthly_orders == 60000);
  // A suspended tenant is returned too; a terminated one is not.
  auto suspended = fx::Run(s, {t::SuspendTenant{"overdue", kT0}});
  CHECK(Accept(roll_back(1), suspended).size() == 1);
  auto terminated = fx::Run(s, {t::TerminateTenant{"gone", kT0}});
  CHECK(Refuse(roll_back(1), terminated) == RejectionCode::kTenantTerminated);
  CHECK(lifecycle::ActivityOf(t::Command(t::RollBackTemplate{})) == lifecycle::Activity::kRollBack);
}

TEST_CASE("a template upgrade keeps the modules the tenant's plan includes", "[domain][tenant][rollout]") {
  auto s = fx::Run(t::State{}, {t::ProvisionTenant{"t1", "p1", "Acme", fx::Regional(), fx::Scale(), Environment::kProduction, true, true, kT0},
                                t::StartOnboarding{kT0}});
  auto lean = fx::Regional(2);
  for (Module m : fx::Scale().modules) lean.modules.erase(m);  // the version lists none of the plan's modules
  lean.modules.insert(Module::kInventory);
  CHECK(Accept(t::UpgradeTemplate{lean, fx::Scale(), kT0}, s).size() == 1);
}
