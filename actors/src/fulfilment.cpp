// Fulfilment process manager (see fulfilment.hpp). Plans from the live state of the order, the
// tenant (its warehouses) and each warehouse (availability and what this order already holds there,
// e.g. from an attempt cut short by a crash), then reserves, records, and sweeps. Backorders wait in
// a per-tenant index (backorder_index.hpp) and are topped up, oldest first, from stock that arrives.
// It also meters every placed order on its tenant.
#include "actors/fulfilment.hpp"

#include <algorithm>
#include <map>

#include "backorder_index.hpp"

namespace keel::actors {
namespace {

namespace o = domain::order;
namespace w = domain::warehouse;
namespace t = domain::tenant;

using Held = std::map<std::pair<std::string, std::uint32_t>, std::int64_t>;  // (warehouse, line) -> qty

struct Fulfilment {
  FulfilmentOptions options;
  std::shared_ptr<BackorderIndex> index;  // used on the manager's thread only

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
              std::map<std::string, std::map<std::string, std::int64_t>>& available, domain::Timestamp at) {
    for (const auto& wh : warehouses) {
      auto s = client.Get(WarehouseKey(tenant, wh));
      if (!s) continue;
      const auto& state = s->As<w::State>();
      for (const auto& [key, r] : state.reservations) {
        if (key.first == order) held[{wh, key.second}] = r.qty;
      }
      for (const auto& [sku, stock] : state.stock) available[wh][sku] = w::AvailableAt(state, sku, at);
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
    Survey(client, tenant, order_id, warehouses, held, available, cause.timestamp_ms);

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
    Survey(client, tenant, order_id, warehouses, now, available, cause.timestamp_ms);
    Sweep(client, cause, tenant, order_id, now, plan);
  }

  void Cancelled(Client& client, const DomainEvent& cause, const o::OrderCancelled& e) {
    const std::string& tenant = cause.key.tenant;
    for (const auto& a : e.releases) {
      client.Execute(WarehouseKey(tenant, a.warehouse), w::ReleaseReservation{cause.key.id, o::ReservationOf(a), cause.timestamp_ms},
                     Meta(cause, "fulfil:" + cause.key.id + ":cancel:" + a.warehouse + ":" + std::to_string(o::ReservationOf(a))));
    }
    // Anything else this order still holds (an attempt that raced the cancellation) goes too.
    Held held;
    std::map<std::string, std::map<std::string, std::int64_t>> available;
    Survey(client, tenant, cause.key.id, Warehouses(client, tenant), held, available, cause.timestamp_ms);
    Sweep(client, cause, tenant, cause.key.id, held, {});
  }

  // Consumes the reservations the shipment took (older events name only lines: one reservation each),
  // then offers stock to the lines still open.
  void Shipped(Client& client, const DomainEvent& cause, const o::OrderShipped& e) {
    const std::string& tenant = cause.key.tenant;
    const std::string& order_id = cause.key.id;
    std::vector<std::uint32_t> numbers;
    for (const auto& a : e.reservations) numbers.push_back(o::ReservationOf(a));
    if (e.reservations.empty()) {
      for (const auto& l : e.lines) numbers.push_back(l.line);
    }
    for (std::uint32_t number : numbers) {
      client.Execute(WarehouseKey(tenant, e.warehouse), w::ConsumeReservation{order_id, number, cause.timestamp_ms},
                     Meta(cause, "fulfil:" + order_id + ":ship:" + e.warehouse + ":" + std::to_string(number)));
    }
    auto order = client.Get(OrderKey(tenant, order_id));
    if (!order) return;
    const auto state = order->As<o::State>();
    for (const auto& wh : Warehouses(client, tenant)) {
      for (const auto& [line, l] : state.lines) {
        if (l.open() > 0) TopUp(client, cause, wh, order_id, line);
      }
    }
  }

  // -- backorders --

  // Reserves stock at `warehouse` for the open rest of an order line, under a reservation number of
  // its own (line and slot), and records it on the order. A reservation of the line there that the
  // order does not record (an attempt cut short) is adopted if it fits, else released.
  void TopUp(Client& client, const DomainEvent& cause, const std::string& warehouse, const std::string& order_id,
             std::uint32_t line) {
    const std::string& tenant = cause.key.tenant;
    auto osnap = client.Get(OrderKey(tenant, order_id));
    if (!osnap) return;
    const auto& order = osnap->As<o::State>();
    auto it = order.lines.find(line);
    if (it == order.lines.end()) return;
    const std::int64_t open = it->second.open();
    if (open <= 0 || !(order.status == o::Status::kBackordered || order.status == o::Status::kPicked ||
                       order.status == o::Status::kPartiallyShipped)) {
      return;
    }
    auto wsnap = client.Get(WarehouseKey(tenant, warehouse));
    if (!wsnap) return;
    const auto& wh = wsnap->As<w::State>();
    std::set<std::uint32_t> recorded;
    for (const auto& a : order.allocations) {
      if (a.warehouse == warehouse) recorded.insert(o::ReservationOf(a));
    }
    // Shipped reservations are the OrderShipped handler's to consume, however late it runs: this
    // handler may read the order after a shipment it has not seen yet (regression: adopting one gave
    // the order an allocation without a reservation).
    for (const auto& a : order.shipped) {
      if (a.warehouse == warehouse) recorded.insert(o::ReservationOf(a));
    }
    const std::string at = ":" + warehouse + ":" + std::to_string(cause.position);
    for (auto r = wh.reservations.lower_bound({order_id, 0}); r != wh.reservations.end() && r->first.first == order_id; ++r) {
      const std::uint32_t number = r->first.second;
      if (o::LineOfReservation(number) != line || recorded.contains(number)) continue;
      const auto adopted =
          r->second.qty <= open
              ? client.Execute(OrderKey(tenant, order_id),
                               o::RecordAllocation{{{line, warehouse, r->second.qty, number}}, o::ShortfallRule::kBackorder,
                                                   cause.timestamp_ms},
                               Meta(cause, "fulfil:" + order_id + ":adopt:" + std::to_string(number) + at))
              : Reply(std::unexpected(Failure{}));
      if (!adopted) {
        client.Execute(WarehouseKey(tenant, warehouse), w::ReleaseReservation{order_id, number, cause.timestamp_ms},
                       Meta(cause, "fulfil:" + order_id + ":unadopt:" + std::to_string(number) + at));
      }
      return;  // the next arrival or shipment goes on from the order's new state
    }
    auto stock = wh.stock.find(it->second.sku);
    const std::int64_t take = stock == wh.stock.end() ? 0 : std::min(open, w::AvailableAt(wh, it->second.sku, cause.timestamp_ms));
    if (take <= 0) return;
    std::uint32_t slot = 0;
    while (wh.consumed.contains({order_id, o::ReservationNumber(line, slot)}) ||
           wh.reservations.contains({order_id, o::ReservationNumber(line, slot)})) {
      ++slot;
    }
    const std::uint32_t number = o::ReservationNumber(line, slot);
    auto reserved = client.Execute(WarehouseKey(tenant, warehouse),
                                   w::ReserveStock{order_id, number, it->second.sku, take, cause.timestamp_ms},
                                   Meta(cause, "fulfil:" + order_id + ":topup:" + std::to_string(number) + at));
    if (!reserved) return;  // stock moved meanwhile: the next arrival tries again
    auto recorded_now = client.Execute(
        OrderKey(tenant, order_id),
        o::RecordAllocation{{{line, warehouse, take, number}}, o::ShortfallRule::kBackorder, cause.timestamp_ms},
        Meta(cause, "fulfil:" + order_id + ":record:" + std::to_string(number) + at));
    if (!recorded_now) {  // compensate: the order does not hold it (cancelled meanwhile, say)
      client.Execute(WarehouseKey(tenant, warehouse), w::ReleaseReservation{order_id, number, cause.timestamp_ms},
                     Meta(cause, "fulfil:" + order_id + ":undo:" + std::to_string(number) + at));
    }
  }

  // Stock of `sku` became available at `warehouse`: offer it to the tenant's waiting lines, oldest first.
  void Arrived(Client& client, const DomainEvent& cause, const std::string& sku) {
    const std::string& tenant = cause.key.tenant;
    const auto waiting = index->Waiting(tenant, sku);
    for (const auto& [order_id, line] : waiting) {
      auto wsnap = client.Get(WarehouseKey(tenant, cause.key.id));
      if (!wsnap) return;
      if (w::AvailableAt(wsnap->As<w::State>(), sku, cause.timestamp_ms) <= 0) return;
      TopUp(client, cause, cause.key.id, order_id, line);
    }
  }

  // The index follows the order's backorders as the order records them.
  void Allocated(Client& client, const DomainEvent& cause, const o::OrderAllocated& e) {
    const std::string& tenant = cause.key.tenant;
    const std::string& order_id = cause.key.id;
    std::set<std::uint32_t> open;
    for (const auto& b : e.backordered) open.insert(b.line);
    for (std::uint32_t line : index->LinesOf(tenant, order_id)) {
      if (!open.contains(line)) index->Remove(tenant, order_id, line, cause.position);
    }
    if (open.empty()) return;
    auto snap = client.Get(OrderKey(tenant, order_id));
    if (!snap) return;
    const auto& order = snap->As<o::State>();
    for (std::uint32_t line : open) {
      if (auto it = order.lines.find(line); it != order.lines.end()) {
        index->Put(tenant, it->second.sku, order_id, line, cause.position, cause.position);
      }
    }
  }

  // Counts the order toward its tenant's period usage, once (the tenant keeps the last position).
  static void Meter(Client& client, const DomainEvent& cause) {
    client.Execute(TenantKey(cause.key.tenant), t::MeterOrder{cause.key.id, cause.position, cause.timestamp_ms},
                   Meta(cause, "meter:" + cause.key.id + ":" + std::to_string(cause.position)));
  }

  void OnWarehouseEvent(Client& client, const DomainEvent& event, const w::Event& e) {
    if (const auto* received = std::get_if<w::StockReceived>(&e)) {
      std::set<std::string> skus;
      for (const auto& l : received->lines) skus.insert(l.sku);
      for (const auto& sku : skus) Arrived(client, event, sku);
    } else if (const auto* in = std::get_if<w::TransferredIn>(&e)) {
      Arrived(client, event, in->sku);
    } else if (const auto* adjusted = std::get_if<w::StockAdjusted>(&e)) {
      if (adjusted->delta > 0) Arrived(client, event, adjusted->sku);
    } else if (const auto* returned = std::get_if<w::StockReturned>(&e)) {  // a restocked return
      std::set<std::string> skus;
      for (const auto& l : returned->lines) skus.insert(l.sku);
      for (const auto& sku : skus) Arrived(client, event, sku);
    } else if (const auto* released = std::get_if<w::ReservationReleased>(&e)) {
      Arrived(client, event, released->sku);
    }
  }

  void operator()(Client& client, const DomainEvent& event) {
    if (const auto* warehouse_event = std::get_if<w::Event>(&event.event)) {
      if (event.key.kind == Kind::kWarehouse) OnWarehouseEvent(client, event, *warehouse_event);
      return;
    }
    const auto* order_event = std::get_if<o::Event>(&event.event);
    if (order_event == nullptr) return;
    if (const auto* placed = std::get_if<o::OrderPlaced>(order_event)) {
      Meter(client, event);
      if (!placed->requires_approval) Allocate(client, event);
    } else if (std::holds_alternative<o::OrderApproved>(*order_event)) {
      Allocate(client, event);
    } else if (const auto* allocated = std::get_if<o::OrderAllocated>(order_event)) {
      Allocated(client, event, *allocated);
    } else if (const auto* line = std::get_if<o::OrderLineCancelled>(order_event)) {
      index->Remove(event.key.tenant, event.key.id, line->line, event.position);
    } else if (const auto* cancelled = std::get_if<o::OrderCancelled>(order_event)) {
      index->RemoveOrder(event.key.tenant, event.key.id, event.position);
      Cancelled(client, event, *cancelled);
    } else if (const auto* shipped = std::get_if<o::OrderShipped>(order_event)) {
      Shipped(client, event, *shipped);
    }
  }
};

// The index's first build on a log written before it existed: the backorders the log holds up to
// what the manager has handled, each checked against its order's live state.
void Rebuild(eventstore::EventStore& store, Runtime& runtime, BackorderIndex& index, std::uint64_t through) {
  std::map<std::pair<std::string, std::string>, std::map<std::uint32_t, std::uint64_t>> waiting;  // (tenant, order) -> line -> since
  std::uint64_t from = 1;
  while (from <= through) {
    std::uint64_t last = from - 1;
    auto scanned = store.ScanAll(from, 4096, [&](const eventstore::EventView& v) {
      if (v.position > through) return false;
      last = v.position;
      if (v.type != "OrderAllocated" && v.type != "OrderLineCancelled" && v.type != "OrderCancelled") return true;
      auto e = DecodeDomainEvent(v, nullptr);
      if (!e) return true;
      auto& lines = waiting[{e->key.tenant, e->key.id}];
      const auto& ev = std::get<o::Event>(e->event);
      if (const auto* a = std::get_if<o::OrderAllocated>(&ev)) {
        std::map<std::uint32_t, std::uint64_t> next;
        for (const auto& b : a->backordered) next[b.line] = lines.contains(b.line) ? lines[b.line] : v.position;
        lines = std::move(next);
      } else if (const auto* c = std::get_if<o::OrderLineCancelled>(&ev)) {
        lines.erase(c->line);
      } else {
        lines.clear();
      }
      return true;
    });
    if (!scanned || last < from) break;
    from = last + 1;
  }
  Client client(runtime);
  for (const auto& [key, lines] : waiting) {
    if (lines.empty()) continue;
    auto snap = client.Get(OrderKey(key.first, key.second));
    if (!snap) continue;
    const auto& order = snap->As<o::State>();
    for (const auto& [line, since] : lines) {
      auto it = order.lines.find(line);
      if (it != order.lines.end() && it->second.open() > 0) index.Put(key.first, it->second.sku, key.second, line, since, through);
    }
  }
  index.MarkBuilt(through);
}

}  // namespace

std::unique_ptr<ProcessManager> StartFulfilment(eventstore::EventStore& store, Runtime& runtime,
                                                FulfilmentOptions options) {
  auto index = std::make_shared<BackorderIndex>(store);
  if (!index->Load()) {
    auto checkpoint = store.LoadCheckpoint("process.fulfilment");
    Rebuild(store, runtime, *index, checkpoint && checkpoint->has_value() ? **checkpoint : 0);
  }
  return std::make_unique<ProcessManager>(
      "process.fulfilment", store, runtime, Fulfilment{std::move(options), std::move(index)},
      std::set<std::string, std::less<>>{"OrderPlaced", "OrderApproved", "OrderAllocated", "OrderLineCancelled",
                                         "OrderCancelled", "OrderShipped", "StockReceived", "TransferredIn",
                                         "StockAdjusted", "StockReturned", "ReservationReleased"});
}

}  // namespace keel::actors
