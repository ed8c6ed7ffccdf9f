// The process managers besides fulfilment (see fulfilment.hpp):
// - returns: a received return (restocked in the same append, or scrapped) is refunded: the refund
//   of the returned value is recorded on the order;
// - replenishment: a replenishment request raises a transfer from another of the tenant's
//   warehouses with surplus (in the same currency), or an inbound purchase request when none has it;
// - extension notices: when the catalog withdraws an approved extension version, every tenant that
//   runs it is told (NoteExtensionWithdrawn), and so is a tenant that installed it in the moment
//   before (extension_notices.cpp).
// Each reacts to the log from a durable checkpoint and sends idempotent commands.
#pragma once

#include <memory>

#include "actors/process_manager.hpp"

namespace keel::actors {

std::unique_ptr<ProcessManager> StartReturns(eventstore::EventStore& store, Runtime& runtime);
std::unique_ptr<ProcessManager> StartReplenishment(eventstore::EventStore& store, Runtime& runtime);
std::unique_ptr<ProcessManager> StartExtensionNotices(eventstore::EventStore& store, Runtime& runtime);

// The tenant catalog's facts about `skus`, for warehouse commands; uncatalogued SKUs are left out.
domain::warehouse::CatalogView CatalogFacts(Client& client, const std::string& tenant,
                                            const std::vector<std::string>& skus);

// A transfer between two of a tenant's warehouses (transfers.cpp): both sides decided together
// (domain::warehouse::DecideTransfer) and written in ONE atomic append of the two streams, so no
// crash can leave the stock out of one warehouse and not in the other. Outcomes: {from, to}.
// The lot a returned order line comes back in (when it shipped in more than one).
struct ReturnLot {
  std::uint32_t line = 0;
  std::string lot;
};
// Receives a return on its order (returns.cpp). A restocked one is decided together with the
// restock of the goods into `receipt.warehouse` (at the unit cost and in the lot they shipped with,
// from the shipping warehouses' records) and appended with it atomically; a scrapped one is the
// order's alone. Outcomes: {order, warehouse} or {order}.
JointReply ReceiveReturn(Client& client, const std::string& tenant, const std::string& order_id,
                         const domain::order::ReceiveReturn& receipt, const std::vector<ReturnLot>& lots,
                         CommandMeta meta);

JointReply TransferStock(Client& client, const std::string& tenant, const std::string& from, const std::string& to,
                         const domain::warehouse::Transfer& transfer, CommandMeta meta);

}  // namespace keel::actors
