// Billing period close, renewals and dunning, driven by the clock: on each tick, every tenant whose
// period has ended gets its invoice (production tenants only, from the period's recorded usage,
// opening plan and upgrade prorations, add-ons and support tier: billing/billing_period.hpp) and its
// renewal — or its termination when the subscription was cancelled. Unpaid invoices are assessed
// against the template's dunning steps: blocking plan changes and suspending the tenant are applied
// as commands marked as imposed by dunning. Every command carries an idempotency key derived from the
// period, so a tick repeated after a crash changes nothing twice.
//
// Dunning relief: what dunning imposed is lifted once no invoice is overdue any more — promptly, by a
// process manager ("process.dunning") that reacts to PaymentRecorded and CreditNoteIssued, and on
// every tick (which also covers a payment that landed while the tick was suspending). Only dunning's
// own suspension and block are lifted; an operator's stay. The lift is idempotent in the domain
// (nothing left to lift is a no-op) and keyed by its trigger, so the manager resumes after a crash.
#pragma once

#include <cstdint>
#include <memory>

#include "actors/process_manager.hpp"
#include "actors/runtime.hpp"
#include "config/loader.hpp"

namespace keel::actors {

struct BillingTick {
  int invoices = 0, renewals = 0, terminations = 0, dunning_actions = 0, errors = 0;
  int lifts = 0;  // dunning suspensions and blocks lifted by the tick (nothing overdue any more)
};

class BillingCycle {
 public:
  // Starts the dunning relief manager, which runs until the cycle is destroyed.
  BillingCycle(eventstore::EventStore& store, Runtime& runtime, const domain::ServiceCatalog& catalog,
               const config::TemplateRegistry& templates);
  // Closes every period that ended at or before `now_ms` (repeatedly, for tenants several periods
  // behind), then assesses overdue invoices. Call it from a timer with the injected clock's time.
  BillingTick Tick(std::int64_t now_ms);
  ProcessManager& relief() { return *relief_; }

 private:
  eventstore::EventStore& store_;
  Runtime& runtime_;
  const domain::ServiceCatalog& catalog_;
  const config::TemplateRegistry& templates_;
  std::unique_ptr<ProcessManager> relief_;  // last: stopped first
};

// The dunning relief manager on its own (BillingCycle starts one).
std::unique_ptr<ProcessManager> StartDunningRelief(eventstore::EventStore& store, Runtime& runtime);

// Lifts what dunning imposed on `tenant` (its suspension, then its plan-change block) if none of its
// invoices is overdue; `key` prefixes the commands' idempotency keys. Returns how many were lifted.
int LiftDunning(Client& client, const std::string& tenant, std::int64_t at, const std::string& key);

}  // namespace keel::actors
