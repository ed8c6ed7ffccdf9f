// Fulfilment process manager (see fulfilment.hpp), asynchronous: each event's work runs in a lane —
// an order's steps in the order's lane, stock arriving at a warehouse in that warehouse's lane — so
// orders are fulfilled side by side while the steps of one order never interleave, and no thread
// waits for a command (task.hpp). Allocation reads the order, the tenant's warehouses (a cached list)
// and what each warehouse has of the order's SKUs, reserves with ONE command per warehouse for all
// the lines it takes there (sent to the warehouses at once), records the allocation, and releases
// whatever the order holds beyond it. Backorders wait in a per-tenant index (backorder_index.hpp) and
// are topped up, oldest first, from stock that arrives. It also meters every placed order.
#include "actors/fulfilment.hpp"

#include <algorithm>
#include <map>
#include <mutex>

#include "actors/task.hpp"
#include "backorder_index.hpp"

namespace keel::actors {
namespace {

namespace o = domain::order;
namespace w = domain::warehouse;
namespace t = domain::tenant;

using Held = std::map<std::pair<std::string, std::uint32_t>, std::int64_t>;  // (warehouse, number) -> qty

std::string OrderLane(const std::string& tenant, const std::string& order) { return "o\n" + tenant + "\n" + order; }
std::string MeterLane(const std::string& tenant) { return "m\n" + tenant; }
std::string WarehouseLane(const std::string& tenant, const std::string& warehouse) {
  return "w\n" + tenant + "\n" + warehouse;
}

// What allocation needs to know about a tenant, cached: its warehouses and its shortfall rule. An
// entry is dropped (on the subscription thread, in log order) when the tenant registers a warehouse
// or moves to another template, so work for any later event reads the tenant again.
struct TenantFacts {
  std::vector<std::string> warehouses;
  o::ShortfallRule shortfall = o::ShortfallRule::kBackorder;
};

// One piece of work for an event.
struct Single : std::vector<ProcessManager::Work> {
  Single(std::string lane, Lanes::Work work) { push_back({std::move(lane), std::move(work)}); }
};

struct Fulfilment {
  Runtime* runtime;
  FulfilmentOptions options;
  std::shared_ptr<BackorderIndex> index;
  std::shared_ptr<Lanes> lanes;
  std::shared_ptr<std::mutex> facts_mu = std::make_shared<std::mutex>();
  std::shared_ptr<std::map<std::string, TenantFacts>> facts = std::make_shared<std::map<std::string, TenantFacts>>();
  eventstore::EventStore* store = nullptr;  // the warehouses' ledgers (shipped reservation numbers)

  static CommandMeta Meta(const DomainEvent& cause, std::string key) {
    return CommandMeta{std::move(key), "process:fulfilment", "order:" + cause.key.id,
                       "position:" + std::to_string(cause.position), std::nullopt};
  }

  Task Facts(std::string tenant, TenantFacts& out) {
    {
      std::lock_guard lock(*facts_mu);
      if (auto it = facts->find(tenant); it != facts->end()) {
        out = it->second;
        co_return;
      }
    }
    auto tenant_read = AwaitRead(*runtime, TenantKey(tenant));
    auto s = co_await tenant_read;
    if (!s || s->version == 0) co_return;
    const auto& state = s->As<t::State>();
    out.warehouses.assign(state.warehouses.begin(), state.warehouses.end());
    out.shortfall = options.shortfall_rule(state);
    s.reset();
    std::lock_guard lock(*facts_mu);
    facts->emplace(tenant, out);
  }
  void Forget(const std::string& tenant) {
    std::lock_guard lock(*facts_mu);
    facts->erase(tenant);
  }

  // What each warehouse holds for this order, and, per warehouse, what is available of `skus` only:
  // read on each warehouse's own thread as it answers (AwaitInspectAll), so no snapshot is held.
  Task Survey(std::string tenant, std::string order, std::vector<std::string> warehouses, std::set<std::string> skus,
              std::int64_t at, Held& held, std::map<std::string, std::map<std::string, std::int64_t>>& available) {
    struct Seen {
      std::vector<std::pair<std::uint32_t, std::int64_t>> held;  // number -> qty
      std::map<std::string, std::int64_t> available;
    };
    std::vector<Seen> seen(warehouses.size());
    std::vector<EntityKey> keys;
    for (const auto& wh : warehouses) keys.push_back(WarehouseKey(tenant, wh));
    auto warehouse_reads = AwaitInspectAll(*runtime, std::move(keys), [&](std::size_t i, const Snapshot* snap) {
      if (snap == nullptr) return;
      const auto& state = snap->As<w::State>();
      for (auto r = state.reservations.lower_bound({order, 0}); r != state.reservations.end() && r->first.first == order; ++r) {
        seen[i].held.emplace_back(r->first.second, r->second.qty);
      }
      for (const auto& sku : skus) seen[i].available[sku] = w::AvailableAt(state, sku, at);
    });
    co_await warehouse_reads;
    for (std::size_t i = 0; i < warehouses.size(); ++i) {
      for (const auto& [number, qty] : seen[i].held) held[{warehouses[i], number}] = qty;
      for (auto& [sku, qty] : seen[i].available) available[warehouses[i]][sku] = qty;
    }
  }

  // Releases what this order holds beyond `keep` (warehouse, number -> qty).
  Task Sweep(DomainEvent cause, Held held, Held keep) {
    std::vector<SendCommand> sends;
    for (const auto& [where, qty] : held) {
      auto k = keep.find(where);
      if (k != keep.end() && k->second == qty) continue;
      sends.push_back({WarehouseKey(cause.key.tenant, where.first),
                       w::ReleaseReservation{cause.key.id, where.second, cause.timestamp_ms},
                       Meta(cause, "fulfil:" + cause.key.id + ":release:" + where.first + ":" +
                                       std::to_string(where.second) + ":" + std::to_string(cause.position))});
    }
    auto reservations = AwaitExecuteAll(*runtime, std::move(sends));
    co_await reservations;
  }

  Task Allocate(DomainEvent cause) {
    const std::string tenant = cause.key.tenant;
    const std::string order_id = cause.key.id;
    auto order_read = AwaitRead(*runtime, OrderKey(tenant, order_id));
    auto snap = co_await order_read;
    if (!snap) co_return;
    const auto order = snap->As<o::State>();
    snap.reset();
    if (order.status != o::Status::kPlaced) co_return;  // allocated already, awaiting approval, or cancelled

    TenantFacts tf;
    auto facts_read = Facts(tenant, tf);
    co_await facts_read;
    std::set<std::string> skus;
    for (const auto& [line, l] : order.lines) skus.insert(l.sku);
    Held held;
    std::map<std::string, std::map<std::string, std::int64_t>> available;
    auto survey = Survey(tenant, order_id, tf.warehouses, skus, cause.timestamp_ms, held, available);
    co_await survey;

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
    // Reserve what is left: one command per warehouse, all at once; each takes what is still there,
    // and what it took is what its events say. Another order may have taken stock since the survey:
    // then what is still missing is looked for again (a few rounds), so an order is not backordered
    // while stock it could have sits in another warehouse.
    Held reserved;
    bool unanswered = false;
    for (int round = 0; round < 3; ++round) {
      if (round > 0) {
        std::set<std::string> missing;
        for (const auto& [line, qty] : need) if (qty > 0) missing.insert(order.lines.at(line).sku);
        Held ignored;
        available.clear();
        auto again = Survey(tenant, order_id, tf.warehouses, std::move(missing), cause.timestamp_ms, ignored, available);
        co_await again;
      }
      // One warehouse for everything left, if one can.
      std::string single;
      for (const auto& wh : tf.warehouses) {
        bool all = true;
        for (const auto& [line, qty] : need) {
          if (qty > 0 && (plan.contains({wh, line}) || available[wh][order.lines.at(line).sku] < qty)) all = false;
        }
        if (all) {
          single = wh;
          break;
        }
      }
      std::map<std::string, std::vector<w::ReserveLine>> wanted;  // warehouse -> lines
      for (auto& [line, qty] : need) {
        if (qty <= 0) continue;
        const std::string& sku = order.lines.at(line).sku;
        for (const auto& wh : single.empty() ? tf.warehouses : std::vector<std::string>{single}) {
          if (qty <= 0) break;
          if (plan.contains({wh, line}) || held.contains({wh, line})) continue;  // one reservation per line and warehouse
          const std::int64_t take = std::min(qty, available[wh][sku]);
          if (take <= 0) continue;
          available[wh][sku] -= take;
          wanted[wh].push_back({line, sku, take});
          qty -= take;
        }
      }
      if (wanted.empty()) break;
      std::vector<SendCommand> sends;
      std::vector<std::pair<std::string, std::vector<w::ReserveLine>>> asked;
      for (auto& [wh, lines] : wanted) {
        sends.push_back({WarehouseKey(tenant, wh), w::ReserveLines{order_id, lines, cause.timestamp_ms},
                         Meta(cause, "fulfil:" + order_id + ":reserve:" + wh + ":" + std::to_string(cause.position) +
                                         (round > 0 ? ":" + std::to_string(round) : ""))});
        asked.emplace_back(wh, std::move(lines));
      }
      auto reservations = AwaitExecuteAll(*runtime, std::move(sends));
      auto replies = co_await reservations;
      bool short_taken = false;
      for (std::size_t i = 0; i < replies.size(); ++i) {
        const std::string& wh = asked[i].first;
        if (replies[i]) {
          for (const auto& e : std::get<std::vector<w::Event>>(replies[i]->events)) {
            if (const auto* r = std::get_if<w::StockReserved>(&e)) reserved[{wh, r->line}] = plan[{wh, r->line}] = r->qty;
          }
        } else {
          unanswered |= replies[i].error().kind == Failure::Kind::kUnavailable;  // refused: a shortfall
        }
        for (const auto& l : asked[i].second) {  // give back to `need` what was asked and not taken
          auto got = reserved.find({wh, l.line});
          const std::int64_t taken = got == reserved.end() ? 0 : got->second;
          if (taken < l.qty) {
            need[l.line] += l.qty - taken;
            short_taken |= static_cast<bool>(replies[i]);
          }
        }
      }
      if (!short_taken || unanswered) break;
    }

    o::RecordAllocation record{{}, tf.shortfall, cause.timestamp_ms};
    for (const auto& [where, qty] : plan) record.allocations.push_back({where.second, where.first, qty});
    auto recording = AwaitExecute(*runtime, OrderKey(tenant, order_id), record,
                                          Meta(cause, "fulfil:" + order_id + ":allocate:" + std::to_string(cause.position)));
    auto recorded = co_await recording;
    if (!recorded) plan.clear();  // compensate: the order does not hold these, release them all
    // What the order holds now: what it held before and what was just reserved (nothing else reserves
    // for it meanwhile: every step for this order runs in its lane). A warehouse that did not answer
    // may still have reserved: its events name nothing here, so survey those again.
    for (const auto& [where, qty] : reserved) held[where] = qty;
    if (unanswered || !recorded) {
      held.clear();
      auto resurvey = Survey(tenant, order_id, tf.warehouses, {}, cause.timestamp_ms, held, available);
      co_await resurvey;
    }
    auto sweep = Sweep(cause, std::move(held), std::move(plan));
    co_await sweep;
  }

  Task Cancelled(DomainEvent cause, o::OrderCancelled e) {
    const std::string& tenant = cause.key.tenant;
    index->RemoveOrder(tenant, cause.key.id, cause.position);
    std::vector<SendCommand> sends;
    for (const auto& a : e.releases) {
      sends.push_back({WarehouseKey(tenant, a.warehouse), w::ReleaseReservation{cause.key.id, o::ReservationOf(a), cause.timestamp_ms},
                       Meta(cause, "fulfil:" + cause.key.id + ":cancel:" + a.warehouse + ":" +
                                       std::to_string(o::ReservationOf(a)))});
    }
    auto releases = AwaitExecuteAll(*runtime, std::move(sends));
    co_await releases;
    // Anything else this order still holds (an attempt that raced the cancellation) goes too.
    TenantFacts tf;
    auto facts_read = Facts(tenant, tf);
    co_await facts_read;
    Held held;
    std::map<std::string, std::map<std::string, std::int64_t>> available;
    auto survey = Survey(tenant, cause.key.id, tf.warehouses, {}, cause.timestamp_ms, held, available);
    co_await survey;
    auto sweep = Sweep(cause, std::move(held), {});
    co_await sweep;
  }

  // Consumes the reservations the shipment took (older events name only lines: one reservation each),
  // then offers stock to the lines still open.
  Task Shipped(DomainEvent cause, o::OrderShipped e) {
    const std::string tenant = cause.key.tenant;
    const std::string order_id = cause.key.id;
    std::vector<std::uint32_t> numbers;
    for (const auto& a : e.reservations) numbers.push_back(o::ReservationOf(a));
    if (e.reservations.empty()) {
      for (const auto& l : e.lines) numbers.push_back(l.line);
    }
    std::vector<SendCommand> sends;
    for (std::uint32_t number : numbers) {
      sends.push_back({WarehouseKey(tenant, e.warehouse), w::ConsumeReservation{order_id, number, cause.timestamp_ms},
                       Meta(cause, "fulfil:" + order_id + ":ship:" + e.warehouse + ":" + std::to_string(number))});
    }
    auto releases = AwaitExecuteAll(*runtime, std::move(sends));
    co_await releases;
    auto order_read = AwaitRead(*runtime, OrderKey(tenant, order_id));
    auto order = co_await order_read;
    if (!order) co_return;
    std::vector<std::uint32_t> open;
    for (const auto& [line, l] : order->As<o::State>().lines) {
      if (l.open() > 0) open.push_back(line);
    }
    order.reset();
    auto offer = OfferEveryWarehouse(cause, tenant, order_id, std::move(open));
    co_await offer;
  }

  // -- backorders --

  // Reserves stock at `warehouse` for the open rest of an order line, under a reservation number of
  // its own (line and slot), and records it on the order. A reservation of the line there that the
  // order does not record (an attempt cut short) is adopted if it fits, else released. Runs in the
  // order's lane.
  Task TopUp(DomainEvent cause, std::string warehouse, std::string order_id, std::uint32_t line) {
    const std::string tenant = cause.key.tenant;
    std::vector<EntityKey> keys{OrderKey(tenant, order_id), WarehouseKey(tenant, warehouse)};
    auto reads = AwaitReadAll(*runtime, std::move(keys));
    auto states = co_await reads;
    if (!states[0] || !states[1]) co_return;
    const auto& order = states[0]->As<o::State>();
    auto it = order.lines.find(line);
    if (it == order.lines.end()) co_return;
    const std::int64_t open = it->second.open();
    if (open <= 0 || !(order.status == o::Status::kBackordered || order.status == o::Status::kPicked ||
                       order.status == o::Status::kPartiallyShipped)) {
      co_return;
    }
    const std::string sku = it->second.sku;
    const auto& wh = states[1]->As<w::State>();
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
      const std::int64_t qty = r->second.qty;
      states.clear();
      bool adopted = false;
      if (qty <= open) {
        o::RecordAllocation adopt{{o::Allocation{line, warehouse, qty, number}}, o::ShortfallRule::kBackorder, cause.timestamp_ms};
        auto adoption = AwaitExecute(*runtime, OrderKey(tenant, order_id), std::move(adopt),
                                           Meta(cause, "fulfil:" + order_id + ":adopt:" + std::to_string(number) + at));
        auto reply = co_await adoption;
        adopted = reply.has_value();
      }
      if (!adopted) {
        auto release = AwaitExecute(*runtime, WarehouseKey(tenant, warehouse), w::ReleaseReservation{order_id, number, cause.timestamp_ms},
                              Meta(cause, "fulfil:" + order_id + ":unadopt:" + std::to_string(number) + at));
        co_await release;
      }
      co_return;  // the next arrival or shipment goes on from the order's new state
    }
    const std::int64_t take = std::min(open, w::AvailableAt(wh, sku, cause.timestamp_ms));
    if (take <= 0) co_return;
    std::uint32_t slot = 0;
    // A number already shipped from here is in the warehouse's ledger (an unreadable one counts as used).
    const std::string wh_stream = StreamOf(WarehouseKey(tenant, warehouse));
    auto shipped = [&](std::uint32_t number) {
      auto found = store->LookupRecord(wh_stream, w::ShippedKey(order_id, number));
      return !found || found->has_value();
    };
    while (wh.reservations.contains({order_id, o::ReservationNumber(line, slot)}) ||
           shipped(o::ReservationNumber(line, slot))) {
      ++slot;
    }
    const std::uint32_t number = o::ReservationNumber(line, slot);
    states.clear();
    w::ReserveLines reserve{order_id, {w::ReserveLine{number, sku, take}}, cause.timestamp_ms};
    auto reservation = AwaitExecute(*runtime, WarehouseKey(tenant, warehouse), std::move(reserve),
                                          Meta(cause, "fulfil:" + order_id + ":topup:" + std::to_string(number) + at));
    auto reserved = co_await reservation;
    if (!reserved) co_return;  // the next arrival tries again
    std::int64_t got = 0;
    for (const auto& e : std::get<std::vector<w::Event>>(reserved->events)) {
      if (const auto* r = std::get_if<w::StockReserved>(&e); r && r->line == number) got = r->qty;
    }
    if (got <= 0) co_return;  // stock moved meanwhile: the next arrival tries again
    o::RecordAllocation record{{o::Allocation{line, warehouse, got, number}}, o::ShortfallRule::kBackorder, cause.timestamp_ms};
    auto recording = AwaitExecute(
        *runtime, OrderKey(tenant, order_id), std::move(record),
        Meta(cause, "fulfil:" + order_id + ":record:" + std::to_string(number) + at));
    auto recorded_now = co_await recording;
    if (!recorded_now) {  // compensate: the order does not hold it (cancelled meanwhile, say)
      auto release = AwaitExecute(*runtime, WarehouseKey(tenant, warehouse), w::ReleaseReservation{order_id, number, cause.timestamp_ms},
                            Meta(cause, "fulfil:" + order_id + ":undo:" + std::to_string(number) + at));
      co_await release;
    }
  }

  // Stock of `skus` became available at the event's warehouse: offer it to the tenant's waiting lines,
  // oldest first, each top-up in its order's lane. Runs in the warehouse's lane.
  Task Arrived(DomainEvent cause, std::vector<std::string> skus) {
    const std::string tenant = cause.key.tenant;
    const std::string warehouse = cause.key.id;
    for (const auto& sku : skus) {
      for (const auto& [order_id, line] : index->Waiting(tenant, sku)) {
        auto warehouse_read = AwaitRead(*runtime, WarehouseKey(tenant, warehouse));
        auto s = co_await warehouse_read;
        if (!s) co_return;
        // A transfer in or a restocked return is a joint append (joint.cpp) that refreshes the warehouse's
        // actor only after the append: a state read before that is behind the event, and the top-up
        // (whose reservation the warehouse decides on its own, current state) is tried anyway.
        const bool behind = s->version < cause.version;
        const bool any = behind || w::AvailableAt(s->As<w::State>(), sku, cause.timestamp_ms) > 0;
        s.reset();
        if (!any) break;
        auto top_up_in_order_lane = lanes->Run(OrderLane(tenant, order_id),
                            [this, cause, warehouse, order_id, line] { return TopUp(cause, warehouse, order_id, line); });
        co_await top_up_in_order_lane;
      }
    }
  }

  // The index follows the order's backorders as the order records them. A line that starts waiting
  // is offered the stock there is right away: stock that arrived while this step was queued may have
  // looked for waiting lines before this one was in the index.
  Task Allocated(DomainEvent cause, o::OrderAllocated e) {
    const std::string tenant = cause.key.tenant;
    const std::string order_id = cause.key.id;
    std::set<std::uint32_t> open;
    for (const auto& b : e.backordered) open.insert(b.line);
    for (std::uint32_t line : index->LinesOf(tenant, order_id)) {
      if (!open.contains(line)) index->Remove(tenant, order_id, line, cause.position);
    }
    if (open.empty()) co_return;
    auto order_read = AwaitRead(*runtime, OrderKey(tenant, order_id));
    auto snap = co_await order_read;
    if (!snap) co_return;
    std::vector<std::uint32_t> added;
    for (std::uint32_t line : open) {
      const auto& lines = snap->As<o::State>().lines;
      if (auto it = lines.find(line); it != lines.end() && it->second.open() > 0) {
        if (index->Put(tenant, it->second.sku, order_id, line, cause.position, cause.position)) added.push_back(line);
      }
    }
    snap.reset();
    if (added.empty()) co_return;
    auto offer = OfferEveryWarehouse(cause, tenant, order_id, std::move(added));
    co_await offer;
  }

  // Offers each of the order's `lines` what every warehouse of the tenant has (TopUp, in turn).
  Task OfferEveryWarehouse(DomainEvent cause, std::string tenant, std::string order_id, std::vector<std::uint32_t> lines) {
    TenantFacts tf;
    auto facts_read = Facts(tenant, tf);
    co_await facts_read;
    for (const auto& wh : tf.warehouses) {
      for (std::uint32_t line : lines) {
        auto top_up = TopUp(cause, wh, order_id, line);
        co_await top_up;
      }
    }
  }

  // Counts the order toward its tenant's period usage, once: the tenant keeps the last position it
  // metered, so meters must reach it in log order — this runs in the tenant's metering lane.
  Task Meter(DomainEvent cause) {
    auto metering = AwaitExecute(*runtime, TenantKey(cause.key.tenant),
                          t::MeterOrder{cause.key.id, cause.position, cause.timestamp_ms},
                          Meta(cause, "meter:" + cause.key.id + ":" + std::to_string(cause.position)));
    co_await metering;
  }

  Task IndexOnly(DomainEvent cause, std::uint32_t line) {
    index->Remove(cause.key.tenant, cause.key.id, line, cause.position);
    co_return;
  }

  // On the subscription thread, in log order: which lane the event's work runs in, and the work.
  std::vector<ProcessManager::Work> Route(const DomainEvent& event) {
    const std::string& tenant = event.key.tenant;
    if (const auto* te = std::get_if<t::Event>(&event.event)) {
      if (std::holds_alternative<t::WarehouseRegistered>(*te) || std::holds_alternative<t::TemplateUpgraded>(*te)) {
        Forget(tenant);
      }
      return {};
    }
    if (const auto* we = std::get_if<w::Event>(&event.event)) {
      std::set<std::string> skus;
      if (const auto* received = std::get_if<w::StockReceived>(we)) {
        for (const auto& l : received->lines) skus.insert(l.sku);
      } else if (const auto* in = std::get_if<w::TransferredIn>(we)) {
        skus.insert(in->sku);
      } else if (const auto* adjusted = std::get_if<w::StockAdjusted>(we)) {
        if (adjusted->delta > 0) skus.insert(adjusted->sku);
      } else if (const auto* returned = std::get_if<w::StockReturned>(we)) {  // a restocked return
        for (const auto& l : returned->lines) skus.insert(l.sku);
      } else if (const auto* released = std::get_if<w::ReservationReleased>(we)) {
        skus.insert(released->sku);
      }
      if (skus.empty() || !index->AnyWaiting(tenant, skus)) return {};
      return Single{WarehouseLane(tenant, event.key.id),
                                  [this, event, list = std::vector<std::string>(skus.begin(), skus.end())] {
                                    return Arrived(event, list);
                                  }};
    }
    const auto* order_event = std::get_if<o::Event>(&event.event);
    if (order_event == nullptr) return {};
    const std::string lane = OrderLane(tenant, event.key.id);
    if (const auto* placed = std::get_if<o::OrderPlaced>(order_event)) {
      const bool allocate = !placed->requires_approval;
      // Metering runs in the tenant's metering lane, in log order (the tenant counts each order once by
      // its position); allocation in the order's lane, side by side with it.
      std::vector<ProcessManager::Work> work;
      if (allocate) work.push_back({lane, [this, event] { return Allocate(event); }});
      work.push_back({MeterLane(tenant), [this, event] { return Meter(event); }});
      return work;
    }
    if (std::holds_alternative<o::OrderApproved>(*order_event)) {
      return Single{lane, [this, event] { return Allocate(event); }};
    }
    if (const auto* allocated = std::get_if<o::OrderAllocated>(order_event)) {
      return Single{lane, [this, event, e = *allocated] { return Allocated(event, e); }};
    }
    if (const auto* line = std::get_if<o::OrderLineCancelled>(order_event)) {
      return Single{lane, [this, event, l = line->line] { return IndexOnly(event, l); }};
    }
    if (const auto* cancelled = std::get_if<o::OrderCancelled>(order_event)) {
      return Single{lane, [this, event, e = *cancelled] { return Cancelled(event, e); }};
    }
    if (const auto* shipped = std::get_if<o::OrderShipped>(order_event)) {
      return Single{lane, [this, event, e = *shipped] { return Shipped(event, e); }};
    }
    return {};
  }
};

}  // namespace

std::unique_ptr<ProcessManager> StartFulfilment(eventstore::EventStore& store, Runtime& runtime,
                                                FulfilmentOptions options) {
  const std::size_t options_max_in_flight = options.max_in_flight;
  auto index = std::make_shared<BackorderIndex>(store);
  if (!index->Load()) {
    auto checkpoint = store.LoadCheckpoint("process.fulfilment");
    RebuildBackorderIndex(store, runtime, *index, checkpoint && checkpoint->has_value() ? **checkpoint : 0);
  }
  auto lanes = std::make_shared<Lanes>();
  auto fulfilment = std::make_shared<Fulfilment>(Fulfilment{&runtime, std::move(options), std::move(index), lanes});
  fulfilment->store = &store;
  return std::make_unique<ProcessManager>(
      "process.fulfilment", store, runtime, lanes,
      [fulfilment](const DomainEvent& event) { return fulfilment->Route(event); },
      std::set<std::string, std::less<>>{"OrderPlaced", "OrderApproved", "OrderAllocated", "OrderLineCancelled",
                                         "OrderCancelled", "OrderShipped", "StockReceived", "TransferredIn",
                                         "StockAdjusted", "StockReturned", "ReservationReleased",
                                         "WarehouseRegistered", "TemplateUpgraded"},
      options_max_in_flight);
}

}  // namespace keel::actors
