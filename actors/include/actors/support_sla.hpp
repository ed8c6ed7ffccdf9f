// Support SLA sweep, driven by business time: on each tick every tenant's open tickets are checked
// against their due times, and a target that fell due unmet is recorded on the tenant as a breach
// (RecordSlaBreach, idempotency key per tenant, ticket opening and target: a tick repeated after a
// crash records nothing twice). The tenant decides whether it really is a breach (a first response
// or a wait on the customer may have come between), so a tick never reads more than tenant states.
// Breaches are then routed like integration exceptions (exception_router.hpp).
#pragma once

#include <cstdint>

#include "actors/runtime.hpp"
#include "eventstore/store.hpp"

namespace keel::actors {

struct SlaTick {
  int breaches = 0, errors = 0;
};

// Records every breach due at or before `now_ms` (business time) across the platform's tenants.
SlaTick SweepSupportSla(eventstore::EventStore& store, Runtime& runtime, std::int64_t now_ms);

}  // namespace keel::actors
