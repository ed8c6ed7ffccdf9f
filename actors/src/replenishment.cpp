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
  const std::string transfer_id = "repl-" + target + "-" + std::to_string(cause.position);
  // Handled before a crash: the transfer is in the target (both sides were appended together), so
  // the sources' stock, lower now, is not surveyed again.
  auto here_read = client.Get(WarehouseKey(tenant, target));
  if (!here_read) return;
  auto here = client.WithLedger(WarehouseKey(tenant, target), std::move(*here_read), {w::TransferInKey(transfer_id)});
  if (!here) return;
  if (here->As<w::State>().ledger.transfers_in.contains(transfer_id)) return;
  auto tenant_state = client.Get(TenantKey(tenant));
  if (!tenant_state) return;
  const auto& warehouses = tenant_state->As<t::State>().warehouses;
  const auto catalog = CatalogFacts(client, tenant, {e.sku});
  for (const auto& source : warehouses) {
    if (source == target) continue;
    auto s = client.Get(WarehouseKey(tenant, source));
    if (!s) continue;
    const auto& state = s->As<w::State>();
    if (state.currency != here->As<w::State>().currency) continue;  // the cost would not convert
    auto stock = state.stock.find(e.sku);
    if (stock == state.stock.end()) continue;
    std::int64_t keep = 0;
    if (auto rule = state.rules.find(e.sku); rule != state.rules.end()) keep = rule->second.min;
    if (stock->second.available() - keep < e.qty) continue;
    auto moved = TransferStock(client, tenant, source, target, w::Transfer{transfer_id, e.sku, e.qty, catalog, cause.timestamp_ms},
                               meta("transfer:" + source));
    // Refused (e.g. its lots expired meanwhile): try the next warehouse. Anything else may yet have
    // landed: stop, rather than move the stock twice.
    if (moved || moved.error().kind != Failure::Kind::kRejected) return;
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
