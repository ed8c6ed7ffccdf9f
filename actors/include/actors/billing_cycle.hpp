// Billing period close, renewals and dunning, driven by the clock: on each tick, every tenant whose
// period has ended gets its invoice (production tenants only, from the period's recorded usage,
// plan, add-ons, support tier and upgrade prorations) and its renewal — or its termination when the
// subscription was cancelled. Unpaid invoices are assessed against the template's dunning steps:
// blocking plan changes and suspending the tenant are applied as commands. Every command carries an
// idempotency key derived from the period, so a tick repeated after a crash changes nothing twice.
#pragma once

#include <cstdint>

#include "actors/runtime.hpp"
#include "config/loader.hpp"

namespace keel::actors {

struct BillingTick {
  int invoices = 0, renewals = 0, terminations = 0, dunning_actions = 0, errors = 0;
};

class BillingCycle {
 public:
  BillingCycle(eventstore::EventStore& store, Runtime& runtime, const domain::ServiceCatalog& catalog,
               const config::TemplateRegistry& templates);
  // Closes every period that ended at or before `now_ms` (repeatedly, for tenants several periods
  // behind), then assesses overdue invoices. Call it from a timer with the injected clock's time.
  BillingTick Tick(std::int64_t now_ms);

 private:
  eventstore::EventStore& store_;
  Runtime& runtime_;
  const domain::ServiceCatalog& catalog_;
  const config::TemplateRegistry& templates_;
};

}  // namespace keel::actors
