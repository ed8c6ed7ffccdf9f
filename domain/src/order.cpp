// Order decider (see order.hpp): one small handler per command, Evolve without rules.
#include "domain/order.hpp"

#include "decider_support.hpp"

#include <algorithm>

namespace keel::domain::order {
namespace {

using R = RejectionCode;

Decision<Event> One(Event e) { return std::vector<Event>{std::move(e)}; }

Rejection Illegal(const State& s, std::string_view what) {
  return Rejection{R::kIllegalTransition,
                   "cannot " + std::string(what) + " an order that is " + std::string(StatusName(s.status))};
}

bool In(Status s, std::initializer_list<Status> allowed) {
  return std::find(allowed.begin(), allowed.end(), s) != allowed.end();
}

bool Permitted(const std::string& role, const std::vector<std::string>& permitted) {
  return !role.empty() && std::find(permitted.begin(), permitted.end(), role) != permitted.end();
}

Decision<Event> Place(const PlaceOrder& c, const State& s) {
  if (s.status != Status::kNone) return Reject(R::kAlreadyExists, "order " + s.id + " already exists");
  if (c.id.empty() || c.tenant.empty() || c.customer.empty()) {
    return Reject(R::kInvalidArgument, "an order needs an id, a tenant and a customer");
  }
  if (!IsValidCurrency(c.currency)) return Reject(R::kInvalidArgument, "currency must be ISO 4217");
  if (c.lines.empty()) return Reject(R::kInvalidArgument, "an order needs at least one line");
  if (c.order_cap > 0 && c.period_orders >= c.order_cap) {
    return Reject(R::kLimitExceeded, "the plan's limit of " + std::to_string(c.order_cap) + " orders this period is reached");
  }
  OrderPlaced e{c.id, c.tenant, c.customer, c.currency, c.channel, {}, 0, false, c.at, c.placed_by};
  std::set<std::uint32_t> seen;
  for (const auto& in : c.lines) {
    const std::string where = "line " + std::to_string(in.line);
    if (!seen.insert(in.line).second) return Reject(R::kInvalidArgument, where + " appears twice");
    if (in.line < 1 || in.line > kMaxLine) {
      return Reject(R::kInvalidArgument, where + ": line numbers are 1 to " + std::to_string(kMaxLine));
    }
    if (in.qty <= 0) return Reject(R::kInvalidArgument, where + ": quantity must be positive");
    auto item = c.catalog.find(in.sku);
    if (in.sku.empty() || item == c.catalog.end()) {
      return Reject(R::kUnknownSku, where + ": SKU '" + in.sku + "' is not in the tenant's catalog");
    }
    std::int64_t price = 0;
    if (in.unit_price) {
      if (!c.overrides.entitled) {
        return Reject(R::kModuleNotEntitled, where + ": a given unit_price needs the advanced_pricing module");
      }
      if (!Permitted(c.overrides.role, c.overrides.permitted_roles)) {
        return Reject(R::kNotPermitted, where + ": role '" + c.overrides.role + "' may not override prices");
      }
      price = *in.unit_price;
    } else if (auto contract = ResolvePrice({}, c.contracts, c.customer, in.sku, "", in.qty, c.at)) {
      price = *contract;  // contracts come in the order's currency: whatever the price list's
    } else {
      if (c.price_list.currency.empty()) {
        return Reject(R::kCurrencyMismatch, where + ": the partner has no price list yet and the line gives no unit price");
      }
      if (c.price_list.currency != c.currency) {
        return Reject(R::kCurrencyMismatch, "the price list is in " + c.price_list.currency + ", the order in " + c.currency);
      }
      auto resolved = ResolvePrice(c.price_list, {}, c.customer, in.sku, item->second.category, in.qty, c.at);
      if (!resolved) return Reject(R::kInvalidArgument, where + ": no price for '" + in.sku + "' and none given");
      price = *resolved;
    }
    if (price < 0) return Reject(R::kInvalidArgument, where + ": price must not be negative");
    auto amount = MulChecked(in.qty, price);
    if (!amount || __builtin_add_overflow(e.total, *amount, &e.total)) {
      return Reject(R::kInvalidArgument, where + ": amount overflows");
    }
    e.lines.push_back({in.line, in.sku, in.qty, price, *amount});
  }
  e.requires_approval = c.approval_threshold > 0 && e.total > c.approval_threshold;
  return One(std::move(e));
}

Decision<Event> Approve(const ApproveOrder& c, const State& s) {
  if (s.status != Status::kAwaitingApproval) return std::unexpected(Illegal(s, "approve"));
  if (!Permitted(c.role, c.permitted_roles)) return Reject(R::kNotPermitted, "role '" + c.role + "' may not approve orders");
  if (c.segregate && !s.placed_by.empty() && c.by == s.placed_by) {
    return Reject(R::kNotPermitted, "the key that placed an order may not approve it");
  }
  return One(OrderApproved{c.by, c.at});
}

Decision<Event> RejectIt(const RejectOrder& c, const State& s) {
  if (s.status != Status::kAwaitingApproval) return std::unexpected(Illegal(s, "reject"));
  if (!Permitted(c.role, c.permitted_roles)) return Reject(R::kNotPermitted, "role '" + c.role + "' may not reject orders");
  if (c.reason.empty()) return Reject(R::kInvalidArgument, "a rejection needs a reason");
  return One(OrderRejected{c.by, c.reason, c.at});
}

Decision<Event> Allocate(const RecordAllocation& c, const State& s) {
  if (!In(s.status, {Status::kPlaced, Status::kBackordered, Status::kPicked, Status::kPartiallyShipped})) {
    return std::unexpected(Illegal(s, "allocate"));
  }
  std::map<std::uint32_t, std::int64_t> open;
  for (const auto& [no, line] : s.lines) open[no] = line.open();
  for (const auto& a : c.allocations) {
    auto it = open.find(a.line);
    if (it == open.end()) return Reject(R::kNotFound, "no line " + std::to_string(a.line));
    if (a.qty <= 0 || a.warehouse.empty()) return Reject(R::kInvalidArgument, "an allocation needs a warehouse and a quantity");
    if (a.qty > it->second) return Reject(R::kInvalidArgument, "line " + std::to_string(a.line) + " is over-allocated");
    if (a.reservation != 0 && LineOfReservation(a.reservation) != a.line) {
      return Reject(R::kInvalidArgument, "reservation " + std::to_string(a.reservation) + " is not line " + std::to_string(a.line) + "'s");
    }
    it->second -= a.qty;
  }
  OrderAllocated e{c.allocations, {}, {}, c.at};
  for (const auto& [no, qty] : open) {
    if (qty == 0) continue;
    (c.shortfall == ShortfallRule::kBackorder ? e.backordered : e.cancelled).push_back({no, qty});
  }
  return One(std::move(e));
}

Decision<Event> Pick(const PickOrder& c, const State& s) {
  if (!In(s.status, {Status::kReserved, Status::kBackordered}) || s.allocations.empty()) {
    return std::unexpected(Illegal(s, "pick"));
  }
  return One(OrderPicked{c.at});
}

Decision<Event> Ship(const ShipOrder& c, const State& s) {
  if (!In(s.status, {Status::kPicked, Status::kPartiallyShipped})) return std::unexpected(Illegal(s, "ship"));
  std::map<std::uint32_t, std::int64_t> lines;
  for (const auto& a : s.allocations) {
    if (a.warehouse == c.warehouse) lines[a.line] += a.qty;
  }
  if (lines.empty()) return Reject(R::kNotFound, "nothing of this order is reserved in " + c.warehouse);
  OrderShipped e{c.warehouse, c.tracking, {}, c.at, {}};
  for (const auto& [no, qty] : lines) e.lines.push_back({no, qty});
  for (const auto& a : s.allocations) {
    if (a.warehouse == c.warehouse) e.reservations.push_back(a);
  }
  return One(std::move(e));
}

Decision<Event> Deliver(const DeliverOrder& c, const State& s) {
  if (s.status != Status::kShipped) return std::unexpected(Illegal(s, "deliver"));
  return One(OrderDelivered{c.at});
}

Decision<Event> Invoice(const InvoiceOrder& c, const State& s) {
  if (s.status != Status::kDelivered) return std::unexpected(Illegal(s, "invoice"));
  if (c.invoice_id.empty()) return Reject(R::kInvalidArgument, "an invoice needs an id");
  return One(OrderInvoiced{c.invoice_id, OrderValue(s), c.at});
}

Decision<Event> CancelRemainder(const CancelLineRemainder& c, const State& s) {
  // Only once fulfilment has allocated what it could: a placed order's lines are all still open.
  if (!In(s.status, {Status::kBackordered, Status::kReserved, Status::kPicked, Status::kPartiallyShipped})) {
    return std::unexpected(Illegal(s, "cancel a line of"));
  }
  auto it = s.lines.find(c.line);
  if (it == s.lines.end()) return Reject(R::kNotFound, "no line " + std::to_string(c.line));
  if (c.reason.empty()) return Reject(R::kInvalidArgument, "a cancellation needs a reason");
  if (it->second.open() <= 0) {
    return Reject(R::kIllegalTransition, "line " + std::to_string(c.line) + " has no unallocated remainder");
  }
  return One(OrderLineCancelled{c.line, it->second.open(), c.reason, c.at});
}

Decision<Event> Cancel(const CancelOrder& c, const State& s) {
  if (!In(s.status, {Status::kAwaitingApproval, Status::kPlaced, Status::kBackordered, Status::kReserved,
                     Status::kPicked})) {
    return std::unexpected(Illegal(s, "cancel"));
  }
  if (c.reason.empty()) return Reject(R::kInvalidArgument, "a cancellation needs a reason");
  return One(OrderCancelled{c.reason, s.allocations, c.at});
}

Decision<Event> RequestRma(const RequestReturn& c, const State& s) {
  if (!In(s.status, {Status::kDelivered, Status::kInvoiced})) return std::unexpected(Illegal(s, "return"));
  if (c.rma.empty() || c.lines.empty()) return Reject(R::kInvalidArgument, "a return needs an RMA id and lines");
  if (s.returns.contains(c.rma)) return Reject(R::kAlreadyExists, "RMA " + c.rma + " already exists");
  if (c.at - s.delivered_at > c.return_window_days * kDayMs) {
    return Reject(R::kOutsideWindow, "the return window of " + std::to_string(c.return_window_days) + " days has passed");
  }
  std::map<std::uint32_t, std::int64_t> asked;
  ReturnRequested e{c.rma, c.lines, 0, c.at};
  for (const auto& l : c.lines) {
    auto it = s.lines.find(l.line);
    // A line the order does not have is the request's fault, not a missing resource.
    if (it == s.lines.end()) return Reject(R::kInvalidArgument, "the order has no line " + std::to_string(l.line));
    if (l.qty <= 0) return Reject(R::kInvalidArgument, "returned quantity must be positive");
    asked[l.line] += l.qty;
    if (it->second.returned + asked[l.line] > it->second.shipped) {
      return Reject(R::kExceedsShipped, "line " + std::to_string(l.line) + ": more returned than shipped");
    }
    e.value += l.qty * it->second.unit_price;
  }
  std::vector<Event> events{std::move(e)};
  if (c.auto_authorize_days > 0 && c.at - s.delivered_at <= c.auto_authorize_days * kDayMs) {
    events.push_back(ReturnAuthorized{c.rma, "workflow", true, c.at});
  }
  return events;
}

const Return* FindReturn(const State& s, const std::string& rma) {
  auto it = s.returns.find(rma);
  return it == s.returns.end() ? nullptr : &it->second;
}

Decision<Event> AuthorizeRma(const AuthorizeReturn& c, const State& s) {
  const Return* r = FindReturn(s, c.rma);
  if (r == nullptr) return Reject(R::kNotFound, "no RMA " + c.rma);
  if (r->status != ReturnStatus::kRequested) return Reject(R::kIllegalTransition, "RMA " + c.rma + " is past authorization");
  return One(ReturnAuthorized{c.rma, c.by, false, c.at});
}

Decision<Event> ReceiveRma(const ReceiveReturn& c, const State& s) {
  const Return* r = FindReturn(s, c.rma);
  if (r == nullptr) return Reject(R::kNotFound, "no RMA " + c.rma);
  if (r->status != ReturnStatus::kAuthorized) return Reject(R::kIllegalTransition, "RMA " + c.rma + " is not authorized");
  if (c.disposition == Disposition::kRestock && c.warehouse.empty()) {
    return Reject(R::kInvalidArgument, "restocking needs a warehouse");
  }
  return One(ReturnReceived{c.rma, c.disposition, c.warehouse, r->lines, c.at});
}

Decision<Event> RefundRma(const RefundReturn& c, const State& s) {
  const Return* r = FindReturn(s, c.rma);
  if (r == nullptr) return Reject(R::kNotFound, "no RMA " + c.rma);
  if (r->status != ReturnStatus::kReceived) return Reject(R::kIllegalTransition, "RMA " + c.rma + " is not received");
  if (c.amount <= 0 || c.amount > r->value) {
    return Reject(R::kExceedsInvoice, "refund must be between 1 and " + std::to_string(r->value));
  }
  return One(ReturnRefunded{c.rma, c.amount, c.at});
}

// Status once allocations, backorders and shipments are what they are.
Status Progress(const State& s, Status otherwise) {
  bool open = false;
  for (const auto& [no, line] : s.lines) open = open || line.open() > 0;
  const bool shipped_any = !s.shipped_from.empty();
  if (!open && s.allocations.empty()) return shipped_any ? Status::kShipped : Status::kCancelled;
  if (shipped_any) return Status::kPartiallyShipped;
  return open ? Status::kBackordered : otherwise;
}

}  // namespace

std::int64_t LineValue(const LineState& line) { return (line.qty - line.cancelled) * line.unit_price; }

std::int64_t OrderValue(const State& state) {
  std::int64_t value = 0;
  for (const auto& [no, line] : state.lines) value += LineValue(line);
  return value;
}

std::string_view ChannelName(Channel c) {
  switch (c) {
    case Channel::kDirect: return "direct";
    case Channel::kB2B: return "b2b";
    case Channel::kMarketplace: return "marketplace";
    case Channel::kEdi: return "edi";
  }
  return "unknown";
}

std::string_view StatusName(Status s) {
  switch (s) {
    case Status::kNone: return "not placed";
    case Status::kAwaitingApproval: return "awaiting approval";
    case Status::kPlaced: return "placed";
    case Status::kBackordered: return "backordered";
    case Status::kReserved: return "reserved";
    case Status::kPicked: return "picked";
    case Status::kPartiallyShipped: return "partially shipped";
    case Status::kShipped: return "shipped";
    case Status::kDelivered: return "delivered";
    case Status::kInvoiced: return "invoiced";
    case Status::kCancelled: return "cancelled";
    case Status::kRejected: return "rejected";
  }
  return "unknown";
}

Decision<Event> Decide(const Command& command, const State& state) {
  if (!std::holds_alternative<PlaceOrder>(command) && state.status == Status::kNone) {
    return Reject(R::kNotFound, "the order does not exist");
  }
  return std::visit(Overloaded{
                        [&](const PlaceOrder& c) { return Place(c, state); },
                        [&](const ApproveOrder& c) { return Approve(c, state); },
                        [&](const RejectOrder& c) { return RejectIt(c, state); },
                        [&](const RecordAllocation& c) { return Allocate(c, state); },
                        [&](const PickOrder& c) { return Pick(c, state); },
                        [&](const ShipOrder& c) { return Ship(c, state); },
                        [&](const DeliverOrder& c) { return Deliver(c, state); },
                        [&](const InvoiceOrder& c) { return Invoice(c, state); },
                        [&](const CancelOrder& c) { return Cancel(c, state); },
                        [&](const RequestReturn& c) { return RequestRma(c, state); },
                        [&](const AuthorizeReturn& c) { return AuthorizeRma(c, state); },
                        [&](const ReceiveReturn& c) { return ReceiveRma(c, state); },
                        [&](const RefundReturn& c) { return RefundRma(c, state); },
                        [&](const CancelLineRemainder& c) { return CancelRemainder(c, state); },
                    },
                    command);
}

void Apply(State& s, const Event& event) {
  std::visit(Overloaded{
                 [&](const OrderPlaced& e) {
                   s.id = e.id;
                   s.tenant = e.tenant;
                   s.customer = e.customer;
                   s.currency = e.currency;
                   s.channel = e.channel;
                   s.total = e.total;
                   s.placed_by = e.placed_by;
                   for (const auto& l : e.lines) s.lines[l.line] = LineState{l.sku, l.qty, l.unit_price, l.amount};
                   s.status = e.requires_approval ? Status::kAwaitingApproval : Status::kPlaced;
                 },
                 [&](const OrderApproved&) { s.status = Status::kPlaced; },
                 [&](const OrderRejected&) { s.status = Status::kRejected; },
                 [&](const OrderAllocated& e) {
                   for (const auto& a : e.allocations) {
                     s.lines[a.line].allocated += a.qty;
                     s.allocations.push_back(a);
                   }
                   for (const auto& c : e.cancelled) s.lines[c.line].cancelled += c.qty;
                   s.total = OrderValue(s);
                   s.status = Progress(s, Status::kReserved);
                 },
                 [&](const OrderPicked&) { s.status = Status::kPicked; },
                 [&](const OrderShipped& e) {
                   for (const auto& l : e.lines) s.lines[l.line].shipped += l.qty;
                   std::erase_if(s.allocations, [&](const Allocation& a) { return a.warehouse == e.warehouse; });
                   s.shipped.insert(s.shipped.end(), e.reservations.begin(), e.reservations.end());
                   s.shipped_from.insert(e.warehouse);
                   s.status = Progress(s, Status::kPicked);
                 },
                 [&](const OrderDelivered& e) {
                   s.status = Status::kDelivered;
                   s.delivered_at = e.at;
                 },
                 [&](const OrderInvoiced&) { s.status = Status::kInvoiced; },
                 [&](const OrderCancelled&) {
                   s.allocations.clear();
                   s.status = Status::kCancelled;
                 },
                 [&](const ReturnRequested& e) {
                   for (const auto& l : e.lines) s.lines[l.line].returned += l.qty;
                   s.returns[e.rma] = Return{ReturnStatus::kRequested, e.lines, e.value};
                 },
                 [&](const ReturnAuthorized& e) { s.returns[e.rma].status = ReturnStatus::kAuthorized; },
                 [&](const ReturnReceived& e) { s.returns[e.rma].status = ReturnStatus::kReceived; },
                 [&](const ReturnRefunded& e) { s.returns[e.rma].status = ReturnStatus::kRefunded; },
                 [&](const OrderLineCancelled& e) {
                   s.lines[e.line].cancelled += e.qty;
                   s.total = OrderValue(s);
                   const Status before = s.status;
                   s.status = Progress(s, Status::kReserved);
                   // A picked order stays picked unless the cancellation ended or shipped it.
                   if (before == Status::kPicked && In(s.status, {Status::kReserved, Status::kBackordered})) {
                     s.status = Status::kPicked;
                   }
                 },
             },
             event);
}

State Evolve(State s, const Event& event) {
  Apply(s, event);
  return s;
}

}  // namespace keel::domain::order
