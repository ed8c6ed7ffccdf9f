// Order fulfilment process manager: on an order placed (and approved when it must be), reserve each
// line in the tenant's warehouses — one warehouse that can serve the whole order if there is one,
// else split by availability — and record the allocations on the order (shortfalls backordered or
// cancelled per the tenant's rule); on cancellation release every reservation; on shipment consume
// them. Backordered lines wait in a per-tenant index (oldest first, a read model beside the log);
// stock that becomes available (receipt, transfer in, upward adjustment or restocked return, a
// released reservation) is reserved for them and recorded on their orders. Each placed order is
// metered on its tenant (MeterOrder with the event's log position: counted once). If a step fails
// midway it releases what it reserved, so no reservation is left without an order that holds it.
// Safe to replay after a crash: every step is idempotent. Orders are fulfilled concurrently, each
// order's steps in order (lanes.hpp); no thread waits for a command.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "actors/process_manager.hpp"

namespace keel::actors {

struct FulfilmentOptions {
  // The tenant's shortfall rule (from its segment template's workflow rules). Called from the
  // manager's asynchronous work: it must be quick and must not block or call the runtime.
  std::function<domain::order::ShortfallRule(const domain::tenant::State& tenant)> shortfall_rule =
      [](const domain::tenant::State&) { return domain::order::ShortfallRule::kBackorder; };
  // Events whose work may be unfinished at once (orders being fulfilled side by side).
  std::size_t max_in_flight = 512;
};

std::unique_ptr<ProcessManager> StartFulfilment(eventstore::EventStore& store, Runtime& runtime,
                                                FulfilmentOptions options = {});

}  // namespace keel::actors
