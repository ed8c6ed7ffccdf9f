// Staged template rollouts, carried out (domain/rollout.hpp decides; this runs it). A process manager
// ("process.rollouts") reacts to a rollout's steps: when a wave starts or a rollout resumes it sends
// each tenant of the started waves the tenant's own compatibility-checked UpgradeTemplate (the
// template version and the tenant's plan from the reference data) and records the outcome on the
// rollout — upgraded, skipped with the refusal as the reason, or failed; when a roll back starts it
// sends every moved tenant RollBackTemplate and records each return. It also watches the moved
// tenants: an integration failure, a sync-latency breach or a high / critical / urgent ticket of a
// moved tenant is recorded as a failure of the running rollout, which holds the next wave back for
// the soak time. Tick (from the node's timer and the simulated clock's advance) passes waves whose
// soak time is over and picks up moves a crash or an outage left pending. Every command carries an
// idempotency key derived from the rollout and the tenant, and every record is a no-op once made, so
// a repeat after a crash changes nothing twice.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "actors/clock.hpp"
#include "actors/process_manager.hpp"
#include "actors/runtime.hpp"
#include "config/loader.hpp"

namespace keel::actors {

struct RolloutTick {
  int waves_started = 0, completed = 0, rolled_back = 0;
  int moves = 0, returns = 0;  // tenants moved and returned by the tick (left over by a crash or outage)
  int errors = 0;
};

class Rollouts {
 public:
  // Starts the manager, which runs until this is destroyed.
  Rollouts(eventstore::EventStore& store, Runtime& runtime, const domain::ServiceCatalog& catalog,
           const config::TemplateRegistry& templates, const Clock& clock);
  ~Rollouts();
  RolloutTick Tick();
  ProcessManager& manager() { return *manager_; }

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<ProcessManager> manager_;  // last: stopped first
};

}  // namespace keel::actors
