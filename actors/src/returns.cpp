// Returns process manager (see process_managers.hpp).
#include "actors/process_managers.hpp"

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

void OnReceived(Client& client, const DomainEvent& cause, const o::ReturnReceived& e) {
  const std::string& tenant = cause.key.tenant;
  const std::string& order_id = cause.key.id;
  auto snap = client.Get(OrderKey(tenant, order_id));
  if (!snap) return;
  const auto& order = snap->As<o::State>();
  auto rma = order.returns.find(e.rma);
  if (rma == order.returns.end()) return;
  auto meta = [&](const std::string& step) {
    return CommandMeta{"returns:" + order_id + ":" + e.rma + ":" + step, "process:returns", "order:" + order_id,
                       "position:" + std::to_string(cause.position), std::nullopt};
  };
  if (e.disposition == o::Disposition::kRestock) {
    for (const auto& line : e.lines) {
      const std::string& sku = order.lines.at(line.line).sku;
      client.Execute(WarehouseKey(tenant, e.warehouse),
                     w::AdjustStock{sku, line.qty, "return " + e.rma, "", 0, CatalogFacts(client, tenant, {sku}), cause.timestamp_ms},
                     meta("restock:" + std::to_string(line.line)));
    }
  }
  if (rma->second.status == o::ReturnStatus::kReceived) {
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
