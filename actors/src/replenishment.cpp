// Replenishment process manager (see process_managers.hpp). A surplus is what a warehouse has
// available beyond the request and beyond its own replenishment minimum for that SKU.
#include "actors/process_managers.hpp"

namespace keel::actors {
namespace {

namespace w = domain::warehouse;
namespace t = domain::tenant;

void OnRequested(Client& client, const DomainEvent& cause, const w::ReplenishmentRequested& e) {
  const std::string& tenant = cause.key.tenant;
  const std::string& target = cause.key.id;
  auto meta = [&](const std::string& step) {
    return CommandMeta{"replenish:" + target + ":" + std::to_string(cause.position) + ":" + step,
                       "process:replenishment", "warehouse:" + target, "position:" + std::to_string(cause.position), std::nullopt};
  };
  auto tenant_state = client.Get(TenantKey(tenant));
  if (!tenant_state) return;
  const auto& warehouses = tenant_state->As<t::State>().warehouses;
  const std::string transfer_id = "repl-" + target + "-" + std::to_string(cause.position);
  for (const auto& source : warehouses) {
    if (source == target) continue;
    auto s = client.Get(WarehouseKey(tenant, source));
    if (!s) continue;
    const auto& state = s->As<w::State>();
    auto stock = state.stock.find(e.sku);
    if (stock == state.stock.end()) continue;
    std::int64_t keep = 0;
    if (auto rule = state.rules.find(e.sku); rule != state.rules.end()) keep = rule->second.min;
    if (stock->second.available() - keep < e.qty) continue;
    // The same idempotency key on a retry returns the first TransferredOut, lots and cost included.
    auto out = client.Execute(WarehouseKey(tenant, source), w::TransferOut{transfer_id, target, tenant, e.sku, e.qty, cause.timestamp_ms},
                              meta("out"));
    if (!out) continue;
    const auto& events = std::get<std::vector<w::Event>>(out->events);
    const w::TransferredOut* sent = nullptr;
    for (const auto& ev : events) {
      if (const auto* t_out = std::get_if<w::TransferredOut>(&ev)) sent = t_out;
    }
    if (sent == nullptr) continue;
    client.Execute(WarehouseKey(tenant, target),
                   w::TransferIn{transfer_id, source, tenant, e.sku, sent->qty, sent->unit_cost, sent->lots,
                                 CatalogFacts(client, tenant, {e.sku}), cause.timestamp_ms},
                   meta("in"));
    return;
  }
  client.Execute(WarehouseKey(tenant, target),
                 w::RequestPurchase{"pr-" + target + "-" + std::to_string(cause.position), e.sku, e.qty,
                                    "no other warehouse has a surplus", cause.timestamp_ms},
                 meta("purchase"));
}

}  // namespace

std::unique_ptr<ProcessManager> StartReplenishment(eventstore::EventStore& store, Runtime& runtime) {
  return std::make_unique<ProcessManager>("process.replenishment", store, runtime, [](Client& client, const DomainEvent& ev) {
    if (const auto* wh = std::get_if<w::Event>(&ev.event)) {
      if (const auto* requested = std::get_if<w::ReplenishmentRequested>(wh)) OnRequested(client, ev, *requested);
    }
  }, std::set<std::string, std::less<>>{"ReplenishmentRequested"});
}

}  // namespace keel::actors
