// Warehouse decider (see warehouse.hpp): one small handler per command, Evolve without rules (its
// ledger: warehouse_ledger.cpp; transfers, invariants and proportional splits: warehouse_checks.cpp).
#include "domain/warehouse.hpp"

#include "decider_support.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace keel::domain::warehouse {
namespace {

using R = RejectionCode;

Decision<Event> One(Event e) { return std::vector<Event>{std::move(e)}; }

const SkuStock* Find(const State& s, const Sku& sku) {
  auto it = s.stock.find(sku);
  return it == s.stock.end() ? nullptr : &it->second;
}

// Without time (Evolve): on hand minus reserved.
std::int64_t Available(const State& s, const Sku& sku) {
  const SkuStock* st = Find(s, sku);
  return st ? st->available() : 0;
}

bool Expired(Timestamp expiry, Timestamp at) { return expiry != 0 && expiry <= at; }

bool Shipped(const State& s, const LineKey& key) { return s.ledger.shipments.contains(ShipmentKey(key.first, key.second)); }

// What can still be reserved, shipped or transferred at `at`: unexpired stock minus what is reserved.
std::int64_t Available(const State& s, const Sku& sku, Timestamp at) {
  const SkuStock* st = Find(s, sku);
  if (st == nullptr) return 0;
  if (!st->lot_tracked) return st->available();
  std::int64_t usable = 0;
  for (const auto& [id, lot] : st->lots) {
    if (!Expired(lot.expiry, at)) usable += lot.qty;
  }
  return std::min(st->available(), usable - st->reserved);
}

// Unexpired lots of `sku` in FEFO order (earliest expiry first, then lot id) covering `qty` (or as
// much of it as they hold).
std::vector<LotQty> PickFefo(const SkuStock& stock, std::int64_t qty, Timestamp at) {
  std::vector<LotQty> lots;
  for (const auto& [id, lot] : stock.lots) {
    if (!Expired(lot.expiry, at)) lots.push_back(lot);
  }
  std::sort(lots.begin(), lots.end(), [](const LotQty& a, const LotQty& b) {
    return a.expiry != b.expiry ? a.expiry < b.expiry : a.lot < b.lot;
  });
  std::vector<LotQty> picks;
  for (const auto& lot : lots) {
    if (qty == 0) break;
    const std::int64_t take = std::min(qty, lot.qty);
    if (take > 0) picks.push_back({lot.lot, lot.expiry, take});
    qty -= take;
  }
  return picks;
}

// After an outflow, the state would raise a replenishment request if a rule says so.
void MaybeRequestReplenishment(const State& before, std::vector<Event>& events, const Sku& sku,
                               Timestamp at) {
  auto rule = before.rules.find(sku);
  if (rule == before.rules.end()) return;
  State after = before;
  for (const auto& e : events) after = Evolve(std::move(after), e);
  const Rule& r = after.rules.at(sku);
  const std::int64_t available = std::max<std::int64_t>(0, Available(after, sku, at));
  if (available >= r.min || r.request_open) return;
  std::int64_t qty = r.max - available;
  if (r.multiple > 1 && qty % r.multiple != 0) qty += r.multiple - qty % r.multiple;
  events.push_back(ReplenishmentRequested{sku, qty, available, at});
}

std::optional<Rejection> CheckItem(const State& s, const CatalogView& catalog, const Sku& sku,
                                   bool* lot_tracked, const Entitlements& now = {}) {
  auto item = catalog.find(sku);
  if (sku.empty() || item == catalog.end()) {
    return Rejection{R::kUnknownSku, "SKU '" + sku + "' is not in the tenant's catalog"};
  }
  if (item->second.lot_tracked && !now.lot_tracking.value_or(s.lot_tracking)) {
    return Rejection{R::kModuleNotEntitled, "SKU '" + sku + "' is lot-tracked but lot_tracking is not active"};
  }
  *lot_tracked = item->second.lot_tracked;
  return std::nullopt;
}

Decision<Event> Create(const CreateWarehouse& c, const State& s) {
  if (s.created) return Reject(R::kAlreadyExists, "warehouse " + s.id + " already exists");
  if (c.id.empty() || c.tenant.empty() || c.name.empty()) {
    return Reject(R::kInvalidArgument, "a warehouse needs an id, a tenant and a name");
  }
  if (!IsValidCurrency(c.currency)) return Reject(R::kInvalidArgument, "currency must be ISO 4217");
  return One(WarehouseCreated{c.id, c.tenant, c.name, c.currency, c.lot_tracking, c.landed_cost, c.at});
}

Decision<Event> Receive(const ReceiveStock& c, const State& s) {
  if (c.receipt_id.empty()) return Reject(R::kInvalidArgument, "a receipt needs an id");
  if (auto seen = s.ledger.receipts.find(c.receipt_id); seen != s.ledger.receipts.end()) {
    const auto& had = seen->second.lines;
    bool same = had.size() == c.lines.size();
    for (std::size_t i = 0; same && i < had.size(); ++i)
      same = had[i].sku == c.lines[i].sku && had[i].qty == c.lines[i].qty && had[i].unit_cost == c.lines[i].unit_cost;
    if (same) return std::vector<Event>{};  // already received: a retry
    return Reject(R::kIdReused, "receipt '" + c.receipt_id + "' was received with other lines");
  }
  if (c.lines.empty()) return Reject(R::kInvalidArgument, "a receipt needs at least one line");
  std::map<std::pair<Sku, std::string>, Timestamp> expiries;
  for (const auto& line : c.lines) {
    bool lot_tracked = false;
    if (auto bad = CheckItem(s, c.catalog, line.sku, &lot_tracked, c.entitlements)) return std::unexpected(*bad);
    if (line.qty <= 0) return Reject(R::kInvalidArgument, "received quantity must be positive");
    if (line.unit_cost < 0) return Reject(R::kInvalidArgument, "unit cost must not be negative");
    if (!MulChecked(line.qty, line.unit_cost)) return Reject(R::kInvalidArgument, "line value overflows");
    if (lot_tracked != !line.lot.empty()) {
      return Reject(R::kInvalidArgument, lot_tracked ? "SKU '" + line.sku + "' is lot-tracked: name the lot"
                                                     : "SKU '" + line.sku + "' is not lot-tracked");
    }
    if (lot_tracked) {
      if (line.expiry <= 0) return Reject(R::kInvalidArgument, "a lot needs an expiry date");
      if (Expired(line.expiry, c.at)) {
        return Reject(R::kLotExpired, "lot '" + line.lot + "' of '" + line.sku + "' expired before it was received");
      }
      const SkuStock* st = Find(s, line.sku);
      Timestamp known = 0;
      if (st != nullptr) {
        if (auto lot = st->lots.find(line.lot); lot != st->lots.end()) known = lot->second.expiry;
      }
      auto [it, inserted] = expiries.emplace(std::pair{line.sku, line.lot}, line.expiry);
      if ((!inserted && it->second != line.expiry) || (known != 0 && known != line.expiry)) {
        return Reject(R::kInvalidArgument, "lot '" + line.lot + "' has two expiry dates");
      }
    }
  }
  return One(StockReceived{c.receipt_id, c.lines, c.at});
}

Decision<Event> AllocateLanded(const AllocateLandedCost& c, const State& s) {
  if (!c.entitlements.landed_cost.value_or(s.landed_cost))
    return Reject(R::kModuleNotEntitled, "landed_cost is not active for this tenant");
  auto receipt = s.ledger.receipts.find(c.receipt_id);
  if (receipt == s.ledger.receipts.end()) return Reject(R::kNotFound, "no receipt " + c.receipt_id);
  if (c.allocation_id.empty()) return Reject(R::kInvalidArgument, "a landed-cost allocation needs an id");
  if (c.charges.empty()) return Reject(R::kInvalidArgument, "no charges to allocate");
  std::int64_t amount = 0;
  for (const auto& charge : c.charges) {
    if (charge.amount < 0 || charge.kind.empty()) {
      return Reject(R::kInvalidArgument, "a charge needs a kind and a non-negative amount");
    }
    if (__builtin_add_overflow(amount, charge.amount, &amount)) return Reject(R::kInvalidArgument, "charges overflow");
  }
  if (auto seen = receipt->second.allocations.find(c.allocation_id); seen != receipt->second.allocations.end()) {
    if (seen->second == LandedContent(c.method, c.charges)) return std::vector<Event>{};  // a retry
    return Reject(R::kIdReused, "allocation " + c.allocation_id + " was applied with other charges");
  }
  const auto& lines = receipt->second.lines;
  std::vector<std::int64_t> weights;
  for (const auto& line : lines) {
    switch (c.method) {
      case AllocationMethod::kEqual: weights.push_back(1); break;
      case AllocationMethod::kQuantity: weights.push_back(line.qty); break;
      case AllocationMethod::kValue: weights.push_back(line.qty * line.unit_cost); break;
    }
  }
  if (std::accumulate(weights.begin(), weights.end(), std::int64_t{0}) <= 0) {
    return Reject(R::kInvalidArgument, "the receipt has no value to allocate by");
  }
  // The combined split of everything allocated by this method so far, minus what earlier
  // allocations already gave each line: rounding is done once, its remainder on the last line.
  const auto method = static_cast<std::size_t>(c.method);
  const auto& splits = receipt->second.splits;
  const LandedSplit before = method < splits.size() ? splits[method] : LandedSplit{};
  std::int64_t combined = 0;
  if (__builtin_add_overflow(before.total, amount, &combined)) return Reject(R::kInvalidArgument, "charges overflow");
  const auto target = Allocate(combined, weights);
  LandedCostAllocated e{c.receipt_id, c.method, {}, c.at, c.allocation_id, c.charges};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::int64_t given = i < before.per_line.size() ? before.per_line[i] : 0;
    e.allocations.push_back({static_cast<std::uint32_t>(i), lines[i].sku, target[i] - given});
  }
  return One(std::move(e));
}

Decision<Event> Adjust(const AdjustStock& c, const State& s) {
  bool lot_tracked = false;
  if (auto bad = CheckItem(s, c.catalog, c.sku, &lot_tracked, c.entitlements)) return std::unexpected(*bad);
  if (c.delta == 0) return Reject(R::kInvalidArgument, "an adjustment changes the quantity");
  if (c.reason.empty()) return Reject(R::kInvalidArgument, "an adjustment needs a reason");
  if (lot_tracked == c.lot.empty()) {
    return Reject(R::kInvalidArgument, lot_tracked ? "name the lot being adjusted" : "this SKU has no lots");
  }
  const SkuStock* st = Find(s, c.sku);
  const std::int64_t on_hand = st ? st->on_hand : 0;
  const std::int64_t reserved = st ? st->reserved : 0;
  if (on_hand + c.delta < reserved) {
    return Reject(R::kInsufficientStock, "adjustment would leave less on hand than is reserved");
  }
  Timestamp expiry = c.expiry;
  if (lot_tracked) {
    const LotQty* lot = nullptr;
    if (st) {
      if (auto it = st->lots.find(c.lot); it != st->lots.end()) lot = &it->second;
    }
    if (lot == nullptr && (c.delta < 0 || c.expiry <= 0)) {
      return Reject(c.delta < 0 ? R::kInsufficientStock : R::kInvalidArgument,
                    "lot '" + c.lot + "' is not in stock" + (c.delta > 0 ? " (give its expiry)" : ""));
    }
    if (lot == nullptr && Expired(c.expiry, c.at)) {
      return Reject(R::kLotExpired, "lot '" + c.lot + "' has expired: it cannot be added");
    }
    if (lot != nullptr) {
      if (lot->qty + c.delta < 0) return Reject(R::kInsufficientStock, "lot '" + c.lot + "' holds less");
      expiry = lot->expiry;
    }
  }
  std::vector<Event> events{StockAdjusted{c.sku, c.delta, c.reason, c.lot, lot_tracked ? expiry : 0, c.at}};
  MaybeRequestReplenishment(s, events, c.sku, c.at);
  return events;
}

Decision<Event> Reserve(const ReserveStock& c, const State& s) {
  if (c.order_id.empty() || c.qty <= 0) {
    return Reject(R::kInvalidArgument, "a reservation needs an order and a positive quantity");
  }
  const LineKey key{c.order_id, c.line};
  if (auto it = s.reservations.find(key); it != s.reservations.end()) {
    if (it->second.sku == c.sku && it->second.qty == c.qty) return std::vector<Event>{};  // retry
    return Reject(R::kAlreadyExists, "order line already holds a different reservation here");
  }
  if (Shipped(s, key)) return Reject(R::kAlreadyDone, "order line already shipped from here");
  const std::int64_t available = std::max<std::int64_t>(0, Available(s, c.sku, c.at));
  if (available < c.qty) {
    return Reject(R::kInsufficientStock, "only " + std::to_string(available) + " of '" + c.sku +
                                             "' available, " + std::to_string(c.qty) + " requested");
  }
  std::vector<Event> events{StockReserved{c.order_id, c.line, c.sku, c.qty, c.at}};
  MaybeRequestReplenishment(s, events, c.sku, c.at);
  return events;
}

Decision<Event> ReserveMany(const ReserveLines& c, const State& s) {
  if (c.order_id.empty() || c.lines.empty()) return Reject(R::kInvalidArgument, "a reservation needs an order and lines");
  std::set<std::uint32_t> numbers;
  for (const auto& l : c.lines) {
    if (l.qty <= 0 || l.sku.empty()) return Reject(R::kInvalidArgument, "each line needs a SKU and a positive quantity");
    if (!numbers.insert(l.line).second) return Reject(R::kInvalidArgument, "a reservation number appears twice");
  }
  std::map<Sku, std::int64_t> taken;  // by this decision, per SKU
  std::vector<Event> events;
  for (const auto& l : c.lines) {
    const LineKey key{c.order_id, l.line};
    if (s.reservations.contains(key) || Shipped(s, key)) continue;  // an earlier attempt's
    const std::int64_t available = std::max<std::int64_t>(0, Available(s, l.sku, c.at)) - taken[l.sku];
    const std::int64_t take = std::min(l.qty, available);
    if (take <= 0) continue;
    taken[l.sku] += take;
    events.push_back(StockReserved{c.order_id, l.line, l.sku, take, c.at});
  }
  // Replenishment below a SKU's minimum, as a single reservation would ask for it (without copying
  // the state: reserving lowers what is available by exactly what was taken).
  for (const auto& [sku, qty] : taken) {
    auto rule = s.rules.find(sku);
    if (rule == s.rules.end() || rule->second.request_open) continue;
    const Rule& r = rule->second;
    const std::int64_t available = std::max<std::int64_t>(0, Available(s, sku, c.at) - qty);
    if (available >= r.min) continue;
    std::int64_t want = r.max - available;
    if (r.multiple > 1 && want % r.multiple != 0) want += r.multiple - want % r.multiple;
    events.push_back(ReplenishmentRequested{sku, want, available, c.at});
  }
  return events;
}

Decision<Event> Release(const ReleaseReservation& c, const State& s) {
  auto it = s.reservations.find({c.order_id, c.line});
  if (it == s.reservations.end()) return std::vector<Event>{};  // nothing held: idempotent
  return One(ReservationReleased{c.order_id, c.line, it->second.sku, it->second.qty, c.at});
}

Decision<Event> Consume(const ConsumeReservation& c, const State& s) {
  const LineKey key{c.order_id, c.line};
  if (Shipped(s, key)) return std::vector<Event>{};  // retry after shipment
  auto it = s.reservations.find(key);
  if (it == s.reservations.end()) return Reject(R::kNotFound, "no reservation for this order line");
  const SkuStock& st = s.stock.at(it->second.sku);
  std::vector<LotQty> lots;
  if (st.lot_tracked) {
    lots = PickFefo(st, it->second.qty, c.at);
    std::int64_t picked = 0;
    for (const auto& l : lots) picked += l.qty;
    // The order has shipped these goods already (its shipment is the fact this consumption records):
    // if lots reserved while fresh expired before the shipment, what is missing comes from the
    // expired lots, earliest first, and the event names them, so on hand and lots stay true.
    if (picked < it->second.qty) {
      std::vector<LotQty> expired;
      for (const auto& [id, lot] : st.lots)
        if (Expired(lot.expiry, c.at) && lot.qty > 0) expired.push_back(lot);
      std::sort(expired.begin(), expired.end(), [](const LotQty& a, const LotQty& b) {
        return a.expiry != b.expiry ? a.expiry < b.expiry : a.lot < b.lot;
      });
      for (const auto& lot : expired) {
        const std::int64_t take = std::min(it->second.qty - picked, lot.qty);
        if (take <= 0) break;
        lots.push_back({lot.lot, lot.expiry, take});
        picked += take;
      }
    }
    if (picked < it->second.qty) {
      return Reject(R::kInsufficientStock, "only " + std::to_string(picked) + " of '" + it->second.sku +
                                               "' is in the lots; the reservation cannot be consumed");
    }
  }
  std::vector<Event> events{ReservationConsumed{c.order_id, c.line, it->second.sku, it->second.qty, std::move(lots),
                                                c.at, st.average_cost()}};
  MaybeRequestReplenishment(s, events, it->second.sku, c.at);
  return events;
}

Decision<Event> Out(const TransferOut& c, const State& s) {
  if (c.transfer_id.empty() || c.qty <= 0) return Reject(R::kInvalidArgument, "a transfer needs an id and a quantity");
  if (auto seen = s.ledger.transfers_out.find(c.transfer_id); seen != s.ledger.transfers_out.end()) {
    if (seen->second == TransferContent(c.to_warehouse, c.sku, c.qty)) return std::vector<Event>{};  // a retry
    return Reject(R::kIdReused, "transfer '" + c.transfer_id + "' was made with another target, SKU or quantity");
  }
  if (c.to_tenant != s.tenant) return Reject(R::kNotPermitted, "transfers stay within one tenant");
  if (c.to_warehouse.empty() || c.to_warehouse == s.id) {
    return Reject(R::kInvalidArgument, "a transfer goes to another warehouse");
  }
  const SkuStock* st = Find(s, c.sku);
  if (st == nullptr || Available(s, c.sku, c.at) < c.qty) {
    return Reject(R::kInsufficientStock, "not enough unexpired '" + c.sku + "' available to transfer");
  }
  std::vector<LotQty> lots;
  if (st->lot_tracked) lots = PickFefo(*st, c.qty, c.at);
  std::vector<Event> events{
      TransferredOut{c.transfer_id, c.to_warehouse, c.sku, c.qty, st->average_cost(), std::move(lots), c.at}};
  MaybeRequestReplenishment(s, events, c.sku, c.at);
  return events;
}

Decision<Event> In(const TransferIn& c, const State& s) {
  if (c.transfer_id.empty() || c.qty <= 0 || c.unit_cost < 0) {
    return Reject(R::kInvalidArgument, "a transfer needs an id, a quantity and a cost");
  }
  if (s.ledger.transfers_in.contains(c.transfer_id)) return std::vector<Event>{};
  if (c.from_tenant != s.tenant) return Reject(R::kNotPermitted, "transfers stay within one tenant");
  bool lot_tracked = false;
  if (auto bad = CheckItem(s, c.catalog, c.sku, &lot_tracked)) return std::unexpected(*bad);
  std::int64_t lot_total = 0;
  for (const auto& lot : c.lots) lot_total += lot.qty;
  if (lot_tracked ? lot_total != c.qty : !c.lots.empty()) {
    return Reject(R::kInvalidArgument, "transferred lots must add up to the quantity");
  }
  return One(TransferredIn{c.transfer_id, c.from_warehouse, c.sku, c.qty, c.unit_cost, c.lots, c.at});
}

Decision<Event> SetRule(const SetReplenishmentRule& c, const State& s) {
  bool lot_tracked = false;
  if (auto bad = CheckItem(s, c.catalog, c.sku, &lot_tracked)) return std::unexpected(*bad);
  if (c.min < 0 || c.max < c.min || c.max <= 0 || c.multiple < 1) {
    return Reject(R::kInvalidArgument, "a rule needs 0 <= min <= max, max > 0 and multiple >= 1");
  }
  std::vector<Event> events{ReplenishmentRuleSet{c.sku, c.min, c.max, c.multiple, c.at}};
  MaybeRequestReplenishment(s, events, c.sku, c.at);
  return events;
}

Decision<Event> Restock(const RestockReturn& c, const State& s) {
  if (c.order_id.empty() || c.rma.empty()) return Reject(R::kInvalidArgument, "a restock names its order and RMA");
  if (c.lines.empty()) return Reject(R::kInvalidArgument, "a restock needs at least one line");
  for (const auto& line : c.lines) {
    bool lot_tracked = false;
    if (auto bad = CheckItem(s, c.catalog, line.sku, &lot_tracked)) return std::unexpected(*bad);
    if (line.qty <= 0) return Reject(R::kInvalidArgument, "restocked quantity must be positive");
    if (line.unit_cost < 0) return Reject(R::kInvalidArgument, "unit cost must not be negative");
    if (!MulChecked(line.qty, line.unit_cost)) return Reject(R::kInvalidArgument, "line value overflows");
    if (lot_tracked != !line.lot.empty()) {
      return Reject(R::kInvalidArgument, lot_tracked ? "SKU '" + line.sku + "' is lot-tracked: name the lot"
                                                     : "SKU '" + line.sku + "' is not lot-tracked");
    }
    if (!lot_tracked) continue;
    if (line.expiry <= 0) return Reject(R::kInvalidArgument, "a lot needs an expiry date");
    if (Expired(line.expiry, c.at)) return Reject(R::kLotExpired, "lot '" + line.lot + "' has expired: scrap it");
    if (const SkuStock* st = Find(s, line.sku)) {
      auto lot = st->lots.find(line.lot);
      if (lot != st->lots.end() && lot->second.expiry != line.expiry) {
        return Reject(R::kInvalidArgument, "lot '" + line.lot + "' has two expiry dates");
      }
    }
  }
  return One(StockReturned{c.order_id, c.rma, c.lines, c.at});
}

Decision<Event> Purchase(const RequestPurchase& c, const State& s) {
  if (c.request_id.empty() || c.sku.empty() || c.qty <= 0) {
    return Reject(R::kInvalidArgument, "a purchase request needs an id, a SKU and a quantity");
  }
  if (s.ledger.purchase_requests.contains(c.request_id)) return std::vector<Event>{};  // retry
  return One(PurchaseRequested{c.request_id, c.sku, c.qty, c.reason, c.at});
}

// Removes `qty` (or the given lots) from a SKU, keeping its value at the moving average.
void TakeOut(SkuStock& st, std::int64_t qty, const std::vector<LotQty>& lots) {
  const std::int64_t avg = st.average_cost();
  st.on_hand -= qty;
  st.value = st.on_hand == 0 ? 0 : st.value - avg * qty;
  for (const auto& pick : lots) {
    auto it = st.lots.find(pick.lot);
    if (it == st.lots.end()) continue;
    it->second.qty -= pick.qty;
    if (it->second.qty == 0) st.lots.erase(it);
  }
}

void PutIn(SkuStock& st, std::int64_t qty, std::int64_t unit_cost, const std::vector<LotQty>& lots) {
  st.on_hand += qty;
  st.value += qty * unit_cost;
  for (const auto& lot : lots) {
    auto& held = st.lots[lot.lot];
    held.lot = lot.lot;
    held.expiry = lot.expiry;
    held.qty += lot.qty;
  }
}

// A request stays open until the shortfall is over.
void RefreshRule(State& s, const Sku& sku) {
  auto it = s.rules.find(sku);
  if (it != s.rules.end() && it->second.request_open && Available(s, sku) >= it->second.min) {
    it->second.request_open = false;
  }
}

}  // namespace

Decision<Event> Decide(const Command& command, const State& state) {
  if (!std::holds_alternative<CreateWarehouse>(command) && !state.created) {
    return Reject(R::kNotFound, "the warehouse does not exist");
  }
  return std::visit(Overloaded{
                        [&](const CreateWarehouse& c) { return Create(c, state); },
                        [&](const ReceiveStock& c) { return Receive(c, state); },
                        [&](const AllocateLandedCost& c) { return AllocateLanded(c, state); },
                        [&](const AdjustStock& c) { return Adjust(c, state); },
                        [&](const ReserveStock& c) { return Reserve(c, state); },
                        [&](const ReleaseReservation& c) { return Release(c, state); },
                        [&](const ConsumeReservation& c) { return Consume(c, state); },
                        [&](const TransferOut& c) { return Out(c, state); },
                        [&](const TransferIn& c) { return In(c, state); },
                        [&](const SetReplenishmentRule& c) { return SetRule(c, state); },
                        [&](const RequestPurchase& c) { return Purchase(c, state); },
                        [&](const RestockReturn& c) { return Restock(c, state); },
                        [&](const ReserveLines& c) { return ReserveMany(c, state); },
                    },
                    command);
}

void Apply(State& s, const Event& event) {
  std::visit(
      Overloaded{
          [&](const WarehouseCreated& e) {
            s.created = true;
            s.id = e.id;
            s.tenant = e.tenant;
            s.name = e.name;
            s.currency = e.currency;
            s.lot_tracking = e.lot_tracking;
            s.landed_cost = e.landed_cost;
          },
          [&](const StockReceived& e) {
            for (const auto& line : e.lines) {
              auto& st = s.stock[line.sku];
              st.lot_tracked = !line.lot.empty();
              std::vector<LotQty> lots;
              if (!line.lot.empty()) lots.push_back({line.lot, line.expiry, line.qty});
              PutIn(st, line.qty, line.unit_cost, lots);
              RefreshRule(s, line.sku);
            }
          },
          [&](const LandedCostAllocated& e) {
            for (const auto& a : e.allocations) {
              auto& st = s.stock[a.sku];
              (st.on_hand > 0 ? st.value : st.unabsorbed_landed) += a.amount;
            }
          },
          [&](const StockAdjusted& e) {
            auto& st = s.stock[e.sku];
            st.lot_tracked = st.lot_tracked || !e.lot.empty();
            std::vector<LotQty> lots;
            if (!e.lot.empty()) lots.push_back({e.lot, e.expiry, e.delta < 0 ? -e.delta : e.delta});
            if (e.delta > 0) {
              PutIn(st, e.delta, st.average_cost(), lots);
            } else {
              TakeOut(st, -e.delta, lots);
            }
            RefreshRule(s, e.sku);
          },
          [&](const StockReserved& e) {
            s.stock[e.sku].reserved += e.qty;
            s.reservations[{e.order_id, e.line}] = Reservation{e.sku, e.qty};
          },
          [&](const ReservationReleased& e) {
            s.stock[e.sku].reserved -= e.qty;
            s.reservations.erase({e.order_id, e.line});
            RefreshRule(s, e.sku);
          },
          [&](const ReservationConsumed& e) {
            auto& st = s.stock[e.sku];
            st.reserved -= e.qty;
            TakeOut(st, e.qty, e.lots);
            s.reservations.erase({e.order_id, e.line});
          },
          [&](const TransferredOut& e) {
            TakeOut(s.stock[e.sku], e.qty, e.lots);
          },
          [&](const TransferredIn& e) {
            auto& st = s.stock[e.sku];
            st.lot_tracked = st.lot_tracked || !e.lots.empty();
            PutIn(st, e.qty, e.unit_cost, e.lots);
            RefreshRule(s, e.sku);
          },
          [&](const ReplenishmentRuleSet& e) {
            auto& rule = s.rules[e.sku];
            rule.min = e.min;
            rule.max = e.max;
            rule.multiple = e.multiple;
            RefreshRule(s, e.sku);
          },
          [&](const ReplenishmentRequested& e) { s.rules[e.sku].request_open = true; },
          [&](const PurchaseRequested&) {},
          [&](const StockReturned& e) {
            for (const auto& line : e.lines) {
              auto& st = s.stock[line.sku];
              st.lot_tracked = st.lot_tracked || !line.lot.empty();
              std::vector<LotQty> lots;
              if (!line.lot.empty()) lots.push_back({line.lot, line.expiry, line.qty});
              PutIn(st, line.qty, line.unit_cost, lots);
              RefreshRule(s, line.sku);
            }
          },
      },
      event);
  ApplyLedger(s.ledger, event);
}

State Evolve(State s, const Event& event) {
  Apply(s, event);
  return s;
}

std::map<Sku, std::vector<LotQty>> ExpiredLots(const State& s, Timestamp at) {
  std::map<Sku, std::vector<LotQty>> out;
  for (const auto& [sku, st] : s.stock) {
    for (const auto& [id, lot] : st.lots) {
      if (lot.qty > 0 && Expired(lot.expiry, at)) out[sku].push_back(lot);
    }
  }
  return out;
}

std::int64_t AvailableAt(const State& state, const Sku& sku, Timestamp at) {
  return std::max<std::int64_t>(0, Available(state, sku, at));
}

}  // namespace keel::domain::warehouse
