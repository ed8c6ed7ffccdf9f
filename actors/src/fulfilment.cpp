// Fulfilment process manager (see fulfilment.hpp). Plans from the live state of the order, the
// tenant (its warehouses) and each warehouse (availability and what this order already holds there,
// e.g. from an attempt cut short by a crash), then reserves, records, and sweeps.
#include "actors/fulfilment.hpp"

#include <algorithm>
#include <map>

namespace keel::actors {
namespace {

namespace o = domain::order;
namespace w = domain::warehouse;
namespace t = domain::tenant;

using Held = std::map<std::pair<std::string, std::uint32_t>, std::int64_t>;  // (warehouse, line) -> qty

struct Fulfilment {
  FulfilmentOptions options;

  static CommandMeta Meta(const DomainEvent& cause, std::string key) {
    return CommandMeta{std::move(key), "process:fulfilment", "order:" + cause.key.id,
                       "position:" + std::to_string(cause.position), std::nullopt};
  }

  std::vector<std::string> Warehouses(Client& client, const std::string& tenant) {
    auto s = client.Get(TenantKey(tenant));
    if (!s) return {};
    const auto& state = s->As<t::State>();
    return {state.warehouses.begin(), state.warehouses.end()};
  }

  // What each warehouse holds for this order, and what it has available per SKU.
  void Survey(Client& client, const std::string& tenant, const std::string& order,
              const std::vector<std::string>& warehouses, Held& held,
              std::map<std::string, std::map<std::string, std::int64_t>>& available) {
    for (const auto& wh : warehouses) {
      auto s = client.Get(WarehouseKey(tenant, wh));
      if (!s) continue;
      const auto& state = s->As<w::State>();
      for (const auto& [key, r] : state.reservations) {
        if (key.first == order) held[{wh, key.second}] = r.qty;
      }
      for (const auto& [sku, stock] : state.stock) available[wh][sku] = stock.available();
    }
  }

  // Releases what this order holds at a warehouse beyond `keep` (line -> qty there).
  void Sweep(Client& client, const DomainEvent& cause, const std::string& tenant, const std::string& order,
             const Held& held, const Held& keep) {
    for (const auto& [where, qty] : held) {
      auto k = keep.find(where);
      if (k != keep.end() && k->second == qty) continue;
      client.Execute(WarehouseKey(tenant, where.first),
                     w::ReleaseReservation{order, where.second, cause.timestamp_ms},
                     Meta(cause, "fulfil:" + order + ":release:" + where.first + ":" + std::to_string(where.second) +
                                     ":" + std::to_string(cause.position)));
    }
  }

  void Allocate(Client& client, const DomainEvent& cause) {
    const std::string& tenant = cause.key.tenant;
    const std::string& order_id = cause.key.id;
    auto snap = client.Get(OrderKey(tenant, order_id));
    if (!snap) return;
    const auto order = snap->As<o::State>();
    if (order.status != o::Status::kPlaced) return;  // allocated already, awaiting approval, or cancelled

    const auto warehouses = Warehouses(client, tenant);
    Held held;
    std::map<std::string, std::map<std::string, std::int64_t>> available;
    Survey(client, tenant, order_id, warehouses, held, available);

    // Lines still to place, after what an earlier attempt already reserved.
    std::map<std::uint32_t, std::int64_t> need;
    for (const auto& [line, l] : order.lines) need[line] = l.open();
    Held plan;
    for (const auto& [where, qty] : held) {
      auto n = need.find(where.second);
      if (n == need.end() || order.lines.at(where.second).sku.empty()) continue;
      const std::int64_t take = std::min(qty, n->second);
      if (take == qty) {  // keep only whole earlier reservations; others are swept
        plan[where] = qty;
        n->second -= take;
      }
    }
    // One warehouse for everything left, if one can.
    std::string single;
    for (const auto& wh : warehouses) {
      bool all = true;
      for (const auto& [line, qty] : need) {
        if (qty > 0 && (plan.contains({wh, line}) || available[wh][order.lines.at(line).sku] < qty)) all = false;
      }
      if (all) {
        single = wh;
        break;
      }
    }
    std::vector<std::pair<std::pair<std::string, std::uint32_t>, std::int64_t>> wanted;
    for (auto& [line, qty] : need) {
      if (qty <= 0) continue;
      const std::string& sku = order.lines.at(line).sku;
      for (const auto& wh : single.empty() ? warehouses : std::vector<std::string>{single}) {
        if (qty <= 0) break;
        if (plan.contains({wh, line})) continue;  // one reservation per line and warehouse
        const std::int64_t take = std::min(qty, available[wh][sku]);
        if (take <= 0) continue;
        available[wh][sku] -= take;
        wanted.push_back({{wh, line}, take});
        qty -= take;
      }
    }
    for (const auto& [where, qty] : wanted) {
      auto r = client.Execute(WarehouseKey(tenant, where.first),
                              w::ReserveStock{order_id, where.second, order.lines.at(where.second).sku, qty,
                                              cause.timestamp_ms},
                              Meta(cause, "fulfil:" + order_id + ":reserve:" + where.first + ":" +
                                              std::to_string(where.second) + ":" + std::to_string(cause.position)));
      if (r) plan[where] = qty;  // a refusal (stock moved meanwhile) becomes part of the shortfall
    }

    o::RecordAllocation record{{}, options.shortfall_rule(tenant), cause.timestamp_ms};
    for (const auto& [where, qty] : plan) record.allocations.push_back({where.second, where.first, qty});
    auto recorded = client.Execute(OrderKey(tenant, order_id), record,
                                   Meta(cause, "fulfil:" + order_id + ":allocate:" + std::to_string(cause.position)));
    if (!recorded) plan.clear();  // compensate: the order does not hold these, release them all
    Held now;
    Survey(client, tenant, order_id, warehouses, now, available);
    Sweep(client, cause, tenant, order_id, now, plan);
  }

  void Cancelled(Client& client, const DomainEvent& cause, const o::OrderCancelled& e) {
    const std::string& tenant = cause.key.tenant;
    for (const auto& a : e.releases) {
      client.Execute(WarehouseKey(tenant, a.warehouse), w::ReleaseReservation{cause.key.id, a.line, cause.timestamp_ms},
                     Meta(cause, "fulfil:" + cause.key.id + ":cancel:" + a.warehouse + ":" + std::to_string(a.line)));
    }
    // Anything else this order still holds (an attempt that raced the cancellation) goes too.
    Held held;
    std::map<std::string, std::map<std::string, std::int64_t>> available;
    Survey(client, tenant, cause.key.id, Warehouses(client, tenant), held, available);
    Sweep(client, cause, tenant, cause.key.id, held, {});
  }

  void Shipped(Client& client, const DomainEvent& cause, const o::OrderShipped& e) {
    for (const auto& l : e.lines) {
      client.Execute(WarehouseKey(cause.key.tenant, e.warehouse), w::ConsumeReservation{cause.key.id, l.line, cause.timestamp_ms},
                     Meta(cause, "fulfil:" + cause.key.id + ":ship:" + e.warehouse + ":" + std::to_string(l.line)));
    }
  }

  void operator()(Client& client, const DomainEvent& event) {
    const auto* order_event = std::get_if<o::Event>(&event.event);
    if (order_event == nullptr) return;
    if (const auto* placed = std::get_if<o::OrderPlaced>(order_event)) {
      if (!placed->requires_approval) Allocate(client, event);
    } else if (std::holds_alternative<o::OrderApproved>(*order_event)) {
      Allocate(client, event);
    } else if (const auto* cancelled = std::get_if<o::OrderCancelled>(order_event)) {
      Cancelled(client, event, *cancelled);
    } else if (const auto* shipped = std::get_if<o::OrderShipped>(order_event)) {
      Shipped(client, event, *shipped);
    }
  }
};

}  // namespace

std::unique_ptr<ProcessManager> StartFulfilment(eventstore::EventStore& store, Runtime& runtime,
                                                FulfilmentOptions options) {
  return std::make_unique<ProcessManager>("process.fulfilment", store, runtime, Fulfilment{std::move(options)},
                                          std::set<std::string, std::less<>>{"OrderPlaced", "OrderApproved", "OrderCancelled",
                                                                             "OrderShipped"});
}

}  // namespace keel::actors
