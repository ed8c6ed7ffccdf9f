// The process managers besides fulfilment (see fulfilment.hpp):
// - returns: an authorized return received into a warehouse restocks it (or is scrapped), then the
//   refund of the returned value is recorded on the order;
// - replenishment: a replenishment request raises a transfer from another of the tenant's
//   warehouses with surplus, or an inbound purchase request when none has it.
// Each reacts to the log from a durable checkpoint and sends idempotent commands.
#pragma once

#include <memory>

#include "actors/process_manager.hpp"

namespace keel::actors {

std::unique_ptr<ProcessManager> StartReturns(eventstore::EventStore& store, Runtime& runtime);
std::unique_ptr<ProcessManager> StartReplenishment(eventstore::EventStore& store, Runtime& runtime);

// The tenant catalog's facts about `skus`, for warehouse commands; uncatalogued SKUs are left out.
domain::warehouse::CatalogView CatalogFacts(Client& client, const std::string& tenant,
                                            const std::vector<std::string>& skus);

}  // namespace keel::actors
