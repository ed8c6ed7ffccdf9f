// Transfers between two warehouses of a tenant (see process_managers.hpp): one joint decision over
// both warehouses' states, appended atomically. Used by the gateway's transfer route and by the
// replenishment process manager. Holds no business rule (DecideTransfer does).
#include "actors/process_managers.hpp"

namespace keel::actors {

JointReply TransferStock(Client& client, const std::string& tenant, const std::string& from, const std::string& to,
                         const domain::warehouse::Transfer& transfer, CommandMeta meta) {
  namespace w = domain::warehouse;
  auto decide = [&](const std::vector<Snapshot>& states) -> JointDecision {
    auto both = w::DecideTransfer(transfer, states[0].As<w::State>(), states[1].As<w::State>());
    if (!both) return std::unexpected(both.error());
    return std::vector<AnyEvents>{std::move(both->out), std::move(both->in)};
  };
  // Each side's ledger entry of the transfer's id (a retry finds it done).
  return client.ExecuteJoint({WarehouseKey(tenant, from), WarehouseKey(tenant, to)}, decide, std::move(meta),
                             std::chrono::seconds(30),
                             {{w::TransferOutKey(transfer.transfer_id)}, {w::TransferInKey(transfer.transfer_id)}});
}

}  // namespace keel::actors
