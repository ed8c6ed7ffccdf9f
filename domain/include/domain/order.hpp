// Order aggregate: place (priced from the price list, a contract or, for permitted callers with
// advanced_pricing, given; totals in minor units; refused past a hard monthly cap), approval above the
// template's threshold by another key than the one that placed it, allocation per line and warehouse
// with backorders (topped up as stock arrives) or cancelled shortfalls, cancelling a line's
// unallocated remainder, pick, ship per warehouse, deliver, invoice, cancel before shipment, and
// returns (RMA) within the return window. Commands, events, state, Decide, Evolve; `OrderValue` is the
// one rule for what an order is worth.
// Pure: no I/O, no clock (time arrives in commands), no CAF or RocksDB headers.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "domain/common.hpp"
#include "domain/pricing.hpp"

namespace keel::domain::order {

enum class Channel : std::uint8_t { kDirect, kB2B, kMarketplace, kEdi };
std::string_view ChannelName(Channel c);  // direct, b2b, marketplace, edi
enum class ShortfallRule : std::uint8_t { kBackorder, kCancelLine };
enum class Disposition : std::uint8_t { kRestock, kScrap };

struct CatalogItem {  // what the tenant's catalog says about a SKU on the order
  std::string category;
};
using CatalogView = std::map<std::string, CatalogItem>;  // SKU -> item; missing = not catalogued

struct LineInput {
  std::uint32_t line = 0;
  std::string sku;
  std::int64_t qty = 0;
  std::optional<std::int64_t> unit_price;  // given by the caller; else resolved from prices
};

// Who may give a line's unit_price instead of the price lists' (resolved by the caller): the tenant
// needs advanced_pricing and the caller's role must be among the permitted ones.
struct PriceOverrides {
  bool entitled = false;  // the tenant has the advanced_pricing module
  std::string role;       // the caller's acting role
  std::vector<std::string> permitted_roles;
};

// Line numbers are 1..kMaxLine: a warehouse reservation number carries the line in its low 24 bits
// and, for a line reserved again at a warehouse (a backorder filled later), a slot above them.
inline constexpr std::uint32_t kMaxLine = (1u << 24) - 1;
constexpr std::uint32_t ReservationNumber(std::uint32_t line, std::uint32_t slot) { return line | (slot << 24); }
constexpr std::uint32_t LineOfReservation(std::uint32_t reservation) { return reservation & kMaxLine; }

// -- commands --
struct PlaceOrder {
  std::string id, tenant, customer, currency;
  Channel channel = Channel::kDirect;
  std::vector<LineInput> lines;
  CatalogView catalog;
  PriceList price_list;
  std::vector<ContractPrice> contracts;  // the customer's, in the order's currency (win over the list)
  std::int64_t approval_threshold = 0;  // from the workflow rules; 0: never needs approval
  Timestamp at = 0;
  std::string placed_by;     // the caller's key, for segregation of duties
  PriceOverrides overrides;  // who may give unit prices
  std::int64_t order_cap = 0;      // the plan's hard monthly order limit; 0: none (overage is billed)
  std::int64_t period_orders = 0;  // orders the tenant placed this period so far
};
struct ApproveOrder {
  std::string by, role;
  std::vector<std::string> permitted_roles;  // from the workflow rules
  Timestamp at = 0;
  bool segregate = true;  // workflow rule: the key that placed the order may not approve it
};
struct RejectOrder {
  std::string by, role, reason;
  std::vector<std::string> permitted_roles;
  Timestamp at = 0;
};
struct Allocation {
  std::uint32_t line = 0;
  std::string warehouse;
  std::int64_t qty = 0;
  std::uint32_t reservation = 0;  // the warehouse's reservation number; 0: the line itself (slot 0)
  bool operator==(const Allocation&) const = default;
};
inline std::uint32_t ReservationOf(const Allocation& a) { return a.reservation != 0 ? a.reservation : a.line; }
struct RecordAllocation {  // results of reserving stock, from the fulfilment process
  std::vector<Allocation> allocations;
  ShortfallRule shortfall = ShortfallRule::kBackorder;
  Timestamp at = 0;
};
struct PickOrder { Timestamp at = 0; };
struct ShipOrder { std::string warehouse; std::string tracking; Timestamp at = 0; };
struct DeliverOrder { Timestamp at = 0; };
struct InvoiceOrder { std::string invoice_id; Timestamp at = 0; };
struct CancelOrder { std::string reason; Timestamp at = 0; };
// Cancels what of a line is neither allocated nor cancelled yet (its backorder).
struct CancelLineRemainder { std::uint32_t line = 0; std::string reason; Timestamp at = 0; };
struct ReturnLine {
  std::uint32_t line = 0;
  std::int64_t qty = 0;
  bool operator==(const ReturnLine&) const = default;
};
struct RequestReturn {
  std::string rma;
  std::vector<ReturnLine> lines;
  std::int64_t return_window_days = 30;   // from the workflow rules
  std::int64_t auto_authorize_days = 0;   // 0: manual authorization
  Timestamp at = 0;
};
struct AuthorizeReturn { std::string rma, by; Timestamp at = 0; };
struct ReceiveReturn { std::string rma; Disposition disposition = Disposition::kRestock; std::string warehouse; Timestamp at = 0; };
struct RefundReturn { std::string rma; std::int64_t amount = 0; Timestamp at = 0; };
using Command = std::variant<PlaceOrder, ApproveOrder, RejectOrder, RecordAllocation, PickOrder, ShipOrder,
                             DeliverOrder, InvoiceOrder, CancelOrder, RequestReturn, AuthorizeReturn,
                             ReceiveReturn, RefundReturn, CancelLineRemainder>;

// -- events --
struct PricedLine {
  std::uint32_t line = 0;
  std::string sku;
  std::int64_t qty = 0, unit_price = 0, amount = 0;
  bool operator==(const PricedLine&) const = default;
};
struct OrderPlaced {
  std::string id, tenant, customer, currency;
  Channel channel = Channel::kDirect;
  std::vector<PricedLine> lines;
  std::int64_t total = 0;
  bool requires_approval = false;
  Timestamp at = 0;
  std::string placed_by;
  bool operator==(const OrderPlaced&) const = default;
};
struct OrderApproved { std::string by; Timestamp at = 0; bool operator==(const OrderApproved&) const = default; };
struct OrderRejected { std::string by, reason; Timestamp at = 0; bool operator==(const OrderRejected&) const = default; };
struct OrderAllocated {
  std::vector<Allocation> allocations;
  std::vector<ReturnLine> backordered;  // line, qty still open
  std::vector<ReturnLine> cancelled;    // line, qty cancelled for want of stock
  Timestamp at = 0;
  bool operator==(const OrderAllocated&) const = default;
};
struct OrderPicked { Timestamp at = 0; bool operator==(const OrderPicked&) const = default; };
struct OrderShipped {
  std::string warehouse, tracking;
  std::vector<ReturnLine> lines;  // what left that warehouse
  Timestamp at = 0;
  std::vector<Allocation> reservations;  // the allocations it shipped (empty in older events: one per line)
  bool operator==(const OrderShipped&) const = default;
};
struct OrderDelivered { Timestamp at = 0; bool operator==(const OrderDelivered&) const = default; };
struct OrderInvoiced { std::string invoice_id; std::int64_t amount = 0; Timestamp at = 0; bool operator==(const OrderInvoiced&) const = default; };
struct OrderCancelled {
  std::string reason;
  std::vector<Allocation> releases;  // reservations to release, per warehouse
  Timestamp at = 0;
  bool operator==(const OrderCancelled&) const = default;
};
struct ReturnRequested {
  std::string rma;
  std::vector<ReturnLine> lines;
  std::int64_t value = 0;  // refundable amount of the returned lines
  Timestamp at = 0;
  bool operator==(const ReturnRequested&) const = default;
};
struct ReturnAuthorized { std::string rma, by; bool automatic = false; Timestamp at = 0; bool operator==(const ReturnAuthorized&) const = default; };
struct ReturnReceived {
  std::string rma;
  Disposition disposition = Disposition::kRestock;
  std::string warehouse;
  std::vector<ReturnLine> lines;
  Timestamp at = 0;
  bool operator==(const ReturnReceived&) const = default;
};
struct ReturnRefunded { std::string rma; std::int64_t amount = 0; Timestamp at = 0; bool operator==(const ReturnRefunded&) const = default; };
struct OrderLineCancelled {
  std::uint32_t line = 0;
  std::int64_t qty = 0;  // the unallocated remainder that was cancelled
  std::string reason;
  Timestamp at = 0;
  bool operator==(const OrderLineCancelled&) const = default;
};
using Event = std::variant<OrderPlaced, OrderApproved, OrderRejected, OrderAllocated, OrderPicked, OrderShipped,
                           OrderDelivered, OrderInvoiced, OrderCancelled, ReturnRequested, ReturnAuthorized,
                           ReturnReceived, ReturnRefunded, OrderLineCancelled>;

// -- state --
enum class Status : std::uint8_t {
  kNone, kAwaitingApproval, kPlaced, kBackordered, kReserved, kPicked, kPartiallyShipped, kShipped,
  kDelivered, kInvoiced, kCancelled, kRejected,
};
std::string_view StatusName(Status s);

enum class ReturnStatus : std::uint8_t { kRequested, kAuthorized, kReceived, kRefunded };
struct Return {
  ReturnStatus status = ReturnStatus::kRequested;
  std::vector<ReturnLine> lines;
  std::int64_t value = 0;
  bool operator==(const Return&) const = default;
};
struct LineState {
  std::string sku;
  std::int64_t qty = 0, unit_price = 0, amount = 0;
  std::int64_t allocated = 0, cancelled = 0, shipped = 0, returned = 0;
  std::int64_t open() const { return qty - allocated - cancelled; }
  bool operator==(const LineState&) const = default;
};
struct State {
  Status status = Status::kNone;
  std::string id, tenant, customer, currency;
  Channel channel = Channel::kDirect;
  std::map<std::uint32_t, LineState> lines;
  std::int64_t total = 0;
  std::vector<Allocation> allocations;  // unshipped reservations, per warehouse
  // Reservations that left with a shipment: their warehouse consumes them after the fact, so until it
  // has, a reservation the order no longer lists may still be one it shipped (never one to adopt).
  std::vector<Allocation> shipped;
  std::set<std::string> shipped_from;
  Timestamp delivered_at = 0;
  std::map<std::string, Return> returns;
  std::string placed_by;
  bool operator==(const State&) const = default;
};

// What an order is worth: every line's quantity less what was cancelled, at its unit price. The
// order's total, its invoice and analytics all use this one rule.
std::int64_t LineValue(const LineState& line);
std::int64_t OrderValue(const State& state);

Decision<Event> Decide(const Command& command, const State& state);
State Evolve(State state, const Event& event);
// Evolve in place (same rules, no copy or move of the state): for replaying long streams.
void Apply(State& state, const Event& event);

}  // namespace keel::domain::order
