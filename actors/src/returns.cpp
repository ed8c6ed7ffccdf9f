// Returns: receiving a return (restocked together with its warehouse) and the returns process
// manager that refunds every received return (see process_managers.hpp).
#include "actors/process_managers.hpp"

#include <chrono>
#include <thread>

namespace keel::actors {

domain::warehouse::CatalogView CatalogFacts(Client& client, const std::string& tenant,
                                            const std::vector<std::string>& skus) {
  domain::warehouse::CatalogView view;
  auto snap = client.Get(CatalogKey(tenant));
  if (!snap) return view;
  const auto& catalog = snap->As<domain::catalog::State>();
  for (const auto& sku : skus) {
    if (auto it = catalog.items.find(sku); it != catalog.items.end()) view[sku] = {it->second.lot_tracked};
  }
  return view;
}

namespace {

namespace o = domain::order;
namespace w = domain::warehouse;

// What each returned line puts back: its SKU, and the unit cost and lot it left with (the shipments
// recorded by the warehouses it shipped from; a line shipped before they were recorded comes back
// at the target warehouse's average cost). A refusal names what does not fit.
std::expected<std::vector<w::ReceiptLine>, domain::Rejection> RestockLines(Client& client, const o::State& order,
                                                                           const o::Return& rma,
                                                                           const std::vector<ReturnLot>& named,
                                                                           const w::State& target) {
  std::vector<w::ReceiptLine> out;
  for (const auto& returned : rma.lines) {
    const std::string& sku = order.lines.at(returned.line).sku;
    std::int64_t shipped = 0, value = 0;
    std::map<std::string, domain::Timestamp> lots;
    for (const auto& from : order.shipped_from) {
      const EntityKey from_key = WarehouseKey(order.tenant, from);
      auto snap = client.Get(from_key);
      if (!snap) continue;
      auto with = client.WithLedger(from_key, std::move(*snap), {w::ShippedKey(order.id, returned.line)});
      if (!with) continue;
      const auto& ships = with->As<w::State>().ledger.shipments;
      auto it = ships.find(w::ShipmentKey(order.id, returned.line));
      if (it == ships.end()) continue;
      shipped += it->second.qty;
      value += it->second.qty * it->second.unit_cost;
      for (const auto& l : it->second.lots) lots[l.lot] = l.expiry;
    }
    w::ReceiptLine line{sku, returned.qty, 0, "", 0};
    if (shipped > 0) {
      line.unit_cost = value / shipped;
    } else if (auto st = target.stock.find(sku); st != target.stock.end()) {
      line.unit_cost = st->second.average_cost();
    }
    std::string lot;
    for (const auto& n : named) {
      if (n.line == returned.line) lot = n.lot;
    }
    if (lot.empty() && lots.size() == 1) lot = lots.begin()->first;
    if (!lot.empty()) {
      auto known = lots.find(lot);
      if (known == lots.end()) {
        return std::unexpected(domain::Rejection{domain::RejectionCode::kInvalidArgument,
                                                 "line " + std::to_string(returned.line) + " did not ship in lot '" + lot + "'"});
      }
      line.lot = lot;
      line.expiry = known->second;
    }
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace

JointReply ReceiveReturn(Client& client, const std::string& tenant, const std::string& order_id,
                         const o::ReceiveReturn& receipt, const std::vector<ReturnLot>& lots, CommandMeta meta) {
  const EntityKey order_key = OrderKey(tenant, order_id);
  if (receipt.disposition != o::Disposition::kRestock) {
    auto decide = [&](const std::vector<Snapshot>& states) -> JointDecision {
      auto received = o::Decide(receipt, states[0].As<o::State>());
      if (!received) return std::unexpected(received.error());
      return std::vector<AnyEvents>{std::move(*received)};
    };
    return client.ExecuteJoint({order_key}, decide, std::move(meta));
  }
  auto decide = [&](const std::vector<Snapshot>& states) -> JointDecision {
    const auto& order = states[0].As<o::State>();
    auto received = o::Decide(receipt, order);
    if (!received) return std::unexpected(received.error());
    const auto& wh = states[1].As<w::State>();
    if (!wh.created) return domain::Reject(domain::RejectionCode::kNotFound, "warehouse '" + receipt.warehouse + "' does not exist");
    auto lines = RestockLines(client, order, order.returns.at(receipt.rma), lots, wh);
    if (!lines) return std::unexpected(lines.error());
    std::vector<std::string> skus;
    for (const auto& l : *lines) skus.push_back(l.sku);
    auto restocked = w::Decide(w::RestockReturn{order.id, receipt.rma, std::move(*lines), CatalogFacts(client, tenant, skus), receipt.at}, wh);
    if (!restocked) return std::unexpected(restocked.error());
    return std::vector<AnyEvents>{std::move(*received), std::move(*restocked)};
  };
  return client.ExecuteJoint({order_key, WarehouseKey(tenant, receipt.warehouse)}, decide, std::move(meta));
}

namespace {

// The order as of the event at least. A restocked return is written by a joint append (joint.cpp),
// which refreshes the order's actor only after the append: this process can see ReturnReceived
// before the actor has it, and an order read then still says "authorized" (a return was once left
// unrefunded so). Bounded: after 5 s the refund is sent anyway and the order decides.
std::optional<Snapshot> OrderAsOf(Client& client, const EntityKey& key, std::uint64_t version, bool& behind) {
  auto snap = client.Get(key);
  for (int i = 0; snap && snap->version < version && i < 500; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    snap = client.Get(key);
  }
  behind = snap && snap->version < version;
  return snap;
}

void OnReceived(Client& client, const DomainEvent& cause, const o::ReturnReceived& e) {
  const std::string& tenant = cause.key.tenant;
  const std::string& order_id = cause.key.id;
  bool behind = false;
  auto snap = OrderAsOf(client, OrderKey(tenant, order_id), cause.version, behind);
  if (!snap) return;
  const auto& order = snap->As<o::State>();
  auto rma = order.returns.find(e.rma);
  if (rma == order.returns.end()) return;
  auto meta = [&](const std::string& step) {
    return CommandMeta{"returns:" + order_id + ":" + e.rma + ":" + step, "process:returns", "order:" + order_id,
                       "position:" + std::to_string(cause.position), std::nullopt};
  };
  // A restocked return was put back in the same append as ReturnReceived (the gateway's receipt
  // route): nothing is left to do here but the refund, which therefore follows only a real receipt.
  if (rma->second.status == o::ReturnStatus::kReceived || behind) {
    client.Execute(OrderKey(tenant, order_id), o::RefundReturn{e.rma, rma->second.value, cause.timestamp_ms}, meta("refund"));
  }
}

}  // namespace

std::unique_ptr<ProcessManager> StartReturns(eventstore::EventStore& store, Runtime& runtime) {
  return std::make_unique<ProcessManager>("process.returns", store, runtime, [](Client& client, const DomainEvent& ev) {
    if (const auto* order = std::get_if<o::Event>(&ev.event)) {
      if (const auto* received = std::get_if<o::ReturnReceived>(order)) OnReceived(client, ev, *received);
    }
  }, std::set<std::string, std::less<>>{"ReturnReceived"});
}

}  // namespace keel::actors
