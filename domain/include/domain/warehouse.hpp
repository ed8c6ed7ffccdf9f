// Warehouse aggregate: stock per SKU (on hand, reserved, lots with expiry, moving average cost),
// receipts with landed cost, adjustments, reservations for order lines, consumption on shipment
// (FEFO lots), transfers, restock of returns, and replenishment rules. Commands, events, state,
// Decide, Evolve; DecideTransfer decides both sides of a transfer at once (they are appended
// together). Pure: no I/O, no clock (time arrives in commands), no CAF or RocksDB headers.
// Invariants Decide keeps: on hand >= 0, 0 <= reserved <= on hand, lots sum to on hand. A lot
// whose expiry is at or before a command's `at` is expired: never received, reserved, shipped or
// transferred; it stays visible (ExpiredLots) until an adjustment scraps it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "domain/common.hpp"

namespace keel::domain::warehouse {

using Sku = std::string;

struct LotQty {
  std::string lot;
  Timestamp expiry = 0;
  std::int64_t qty = 0;
  bool operator==(const LotQty&) const = default;
};

// What the tenant's catalog says about the SKUs a command touches; the caller resolves it from the
// Catalog aggregate. A SKU missing here is not catalogued and is refused.
struct ItemFacts {
  bool lot_tracked = false;
  bool operator==(const ItemFacts&) const = default;
};
using CatalogView = std::map<Sku, ItemFacts>;

enum class AllocationMethod : std::uint8_t { kEqual, kQuantity, kValue };

// The tenant's entitlements as the caller resolved them for this command (the gateway: from the
// tenant's modules now, so a plan change reaches warehouses created before it); unset: the flags the
// warehouse was created with.
struct Entitlements {
  std::optional<bool> lot_tracking, landed_cost;
  bool operator==(const Entitlements&) const = default;
};

// -- commands --
struct CreateWarehouse {
  std::string id, tenant, name, currency;
  bool lot_tracking = false;  // tenant entitled to lot_tracking
  bool landed_cost = false;   // tenant entitled to landed_cost
  Timestamp at = 0;
};
struct ReceiptLine {
  Sku sku;
  std::int64_t qty = 0;
  std::int64_t unit_cost = 0;  // minor units of the warehouse currency
  std::string lot;             // only for lot-tracked SKUs, then required
  Timestamp expiry = 0;
  bool operator==(const ReceiptLine&) const = default;
};
struct ReceiveStock {
  std::string receipt_id;
  std::vector<ReceiptLine> lines;
  CatalogView catalog;
  Timestamp at = 0;
  Entitlements entitlements = {};
};
struct LandedCharge {
  std::string kind;  // freight, duty, insurance
  std::int64_t amount = 0;
  bool operator==(const LandedCharge&) const = default;
};
// A landed-cost allocation: applied once per id (the same id with the same content again is a no-op,
// with other content it is refused id_reused). All of a receipt's allocations by one method are split
// as one combined amount, so rounding remainders land once, on the last line.
struct AllocateLandedCost {
  std::string receipt_id;
  std::string allocation_id;
  std::vector<LandedCharge> charges;
  AllocationMethod method = AllocationMethod::kValue;
  Timestamp at = 0;
  Entitlements entitlements = {};
};
struct AdjustStock {  // cycle count and other corrections
  Sku sku;
  std::int64_t delta = 0;
  std::string reason;
  std::string lot;
  Timestamp expiry = 0;  // for a new lot found by a count
  CatalogView catalog;
  Timestamp at = 0;
  Entitlements entitlements = {};
};
struct ReserveStock {
  std::string order_id;
  std::uint32_t line = 0;
  Sku sku;
  std::int64_t qty = 0;
  Timestamp at = 0;
};
// Reservations for several lines of one order in one decision (one append), as the fulfilment process
// asks one warehouse for everything it plans to take there: each line takes what is available of its
// quantity, up to all of it; a line whose number this order already holds or shipped here is left as
// it is (an earlier attempt's). The StockReserved events say what was taken.
struct ReserveLine {
  std::uint32_t line = 0;  // the reservation number (order line, or line and slot)
  Sku sku;
  std::int64_t qty = 0;
};
struct ReserveLines {
  std::string order_id;
  std::vector<ReserveLine> lines;
  Timestamp at = 0;
};
struct ReleaseReservation {
  std::string order_id;
  std::uint32_t line = 0;
  Timestamp at = 0;
};
struct ConsumeReservation {  // the order line shipped from this warehouse
  std::string order_id;
  std::uint32_t line = 0;
  Timestamp at = 0;
};
struct TransferOut {
  std::string transfer_id, to_warehouse, to_tenant;
  Sku sku;
  std::int64_t qty = 0;
  Timestamp at = 0;
};
struct TransferIn {
  std::string transfer_id, from_warehouse, from_tenant;
  Sku sku;
  std::int64_t qty = 0;
  std::int64_t unit_cost = 0;
  std::vector<LotQty> lots;  // as they left the other warehouse
  CatalogView catalog;
  Timestamp at = 0;
};
// A whole transfer, decided on both warehouses' states by DecideTransfer (not by Decide).
struct Transfer {
  std::string transfer_id;
  Sku sku;
  std::int64_t qty = 0;
  CatalogView catalog;
  Timestamp at = 0;
};
// Returned goods back on the shelf, in the same append as the order's ReturnReceived. The lines
// carry what the caller resolved from the shipment: the SKU, the lot and expiry and the unit cost the
// goods left with.
struct RestockReturn {
  std::string order_id, rma;
  std::vector<ReceiptLine> lines;
  CatalogView catalog;
  Timestamp at = 0;
};
struct SetReplenishmentRule {
  Sku sku;
  std::int64_t min = 0, max = 0, multiple = 1;
  CatalogView catalog;
  Timestamp at = 0;
};
// An inbound purchase request, raised when no other warehouse of the tenant can cover a shortfall.
struct RequestPurchase {
  std::string request_id;
  Sku sku;
  std::int64_t qty = 0;
  std::string reason;
  Timestamp at = 0;
};
using Command = std::variant<CreateWarehouse, ReceiveStock, AllocateLandedCost, AdjustStock,
                             ReserveStock, ReleaseReservation, ConsumeReservation, TransferOut,
                             TransferIn, SetReplenishmentRule, RequestPurchase, RestockReturn, ReserveLines>;

// -- events --
struct WarehouseCreated {
  std::string id, tenant, name, currency;
  bool lot_tracking = false, landed_cost = false;
  Timestamp at = 0;
  bool operator==(const WarehouseCreated&) const = default;
};
struct StockReceived {
  std::string receipt_id;
  std::vector<ReceiptLine> lines;
  Timestamp at = 0;
  bool operator==(const StockReceived&) const = default;
};
struct LineCharge {
  std::uint32_t line = 0;  // index into the receipt's lines
  Sku sku;
  std::int64_t amount = 0;
  bool operator==(const LineCharge&) const = default;
};
struct LandedCostAllocated {
  std::string receipt_id;
  AllocationMethod method = AllocationMethod::kValue;
  std::vector<LineCharge> allocations;
  Timestamp at = 0;
  std::string allocation_id;
  std::vector<LandedCharge> charges;  // as allocated (what a repeated id is compared with)
  bool operator==(const LandedCostAllocated&) const = default;
};
struct StockAdjusted {
  Sku sku;
  std::int64_t delta = 0;
  std::string reason, lot;
  Timestamp expiry = 0;
  Timestamp at = 0;
  bool operator==(const StockAdjusted&) const = default;
};
struct StockReserved {
  std::string order_id;
  std::uint32_t line = 0;
  Sku sku;
  std::int64_t qty = 0;
  Timestamp at = 0;
  bool operator==(const StockReserved&) const = default;
};
struct ReservationReleased {
  std::string order_id;
  std::uint32_t line = 0;
  Sku sku;
  std::int64_t qty = 0;
  Timestamp at = 0;
  bool operator==(const ReservationReleased&) const = default;
};
struct ReservationConsumed {
  std::string order_id;
  std::uint32_t line = 0;
  Sku sku;
  std::int64_t qty = 0;
  std::vector<LotQty> lots;  // FEFO picks when the SKU is lot-tracked
  Timestamp at = 0;
  std::int64_t unit_cost = 0;  // average cost when it left (a return comes back at it)
  bool operator==(const ReservationConsumed&) const = default;
};
struct TransferredOut {
  std::string transfer_id, to_warehouse;
  Sku sku;
  std::int64_t qty = 0, unit_cost = 0;
  std::vector<LotQty> lots;
  Timestamp at = 0;
  bool operator==(const TransferredOut&) const = default;
};
struct TransferredIn {
  std::string transfer_id, from_warehouse;
  Sku sku;
  std::int64_t qty = 0, unit_cost = 0;
  std::vector<LotQty> lots;
  Timestamp at = 0;
  bool operator==(const TransferredIn&) const = default;
};
struct ReplenishmentRuleSet {
  Sku sku;
  std::int64_t min = 0, max = 0, multiple = 1;
  Timestamp at = 0;
  bool operator==(const ReplenishmentRuleSet&) const = default;
};
struct ReplenishmentRequested {
  Sku sku;
  std::int64_t qty = 0;        // up to max, rounded up to the rule's multiple
  std::int64_t available = 0;  // when it was raised
  Timestamp at = 0;
  bool operator==(const ReplenishmentRequested&) const = default;
};
struct PurchaseRequested {
  std::string request_id;
  Sku sku;
  std::int64_t qty = 0;
  std::string reason;
  Timestamp at = 0;
  bool operator==(const PurchaseRequested&) const = default;
};
struct StockReturned {
  std::string order_id, rma;
  std::vector<ReceiptLine> lines;
  Timestamp at = 0;
  bool operator==(const StockReturned&) const = default;
};
using Event = std::variant<WarehouseCreated, StockReceived, LandedCostAllocated, StockAdjusted,
                           StockReserved, ReservationReleased, ReservationConsumed, TransferredOut,
                           TransferredIn, ReplenishmentRuleSet, ReplenishmentRequested, PurchaseRequested,
                           StockReturned>;

// -- state --
struct SkuStock {
  bool lot_tracked = false;
  std::int64_t on_hand = 0;
  std::int64_t reserved = 0;
  std::int64_t value = 0;               // inventory value in minor units (moving average cost)
  std::int64_t unabsorbed_landed = 0;   // landed cost that arrived when nothing was on hand
  std::map<std::string, LotQty> lots;   // by lot id
  std::int64_t available() const { return on_hand - reserved; }
  std::int64_t average_cost() const { return on_hand > 0 ? value / on_hand : 0; }
  bool operator==(const SkuStock&) const = default;
};
struct Reservation {
  Sku sku;
  std::int64_t qty = 0;
  bool operator==(const Reservation&) const = default;
};
struct Rule {
  std::int64_t min = 0, max = 0, multiple = 1;
  bool request_open = false;  // one request per shortfall
  bool operator==(const Rule&) const = default;
};
// What the allocations of one method have given a receipt's lines so far (their combined split).
struct LandedSplit {
  std::int64_t total = 0;
  std::vector<std::int64_t> per_line;
  bool operator==(const LandedSplit&) const = default;
};
struct Receipt {
  std::vector<ReceiptLine> lines;
  bool landed = false;  // some landed cost was allocated
  std::map<std::string, std::string> allocations;  // allocation id -> its content (see LandedContent)
  std::vector<LandedSplit> splits;                 // by AllocationMethod
  bool operator==(const Receipt&) const = default;
};
// What left with a shipped order line: a return of it comes back at this cost, in these lots.
struct Shipment {
  Sku sku;
  std::int64_t qty = 0, unit_cost = 0;
  std::vector<LotQty> lots;
  bool operator==(const Shipment&) const = default;
};
std::string ShipmentKey(const std::string& order_id, std::uint32_t line);  // "<order>#<line>"
using LineKey = std::pair<std::string, std::uint32_t>;  // order id, line

// What the warehouse remembers by id for good (DESIGN.md §4): receipts (with their landed cost),
// transfers out and in, purchase requests, shipped order lines. Decisions read it, Apply writes it, but
// it grows with history, so the runtime keeps it out of the hot state: each entry is a record of the
// stream in the store (one key per id, written in the same batch as its events), and before a decision
// the runtime fills in only the entries the command names (LedgerKeys). Folding events into a State
// outside the runtime (tests, replays) fills the whole ledger.
struct Ledger {
  std::map<std::string, Receipt> receipts;
  std::map<std::string, std::string> transfers_out;  // transfer id -> its content (TransferContent)
  std::set<std::string> transfers_in;
  std::set<std::string> purchase_requests;
  std::map<std::string, Shipment> shipments;  // by ShipmentKey: an order line shipped from here
  bool empty() const {
    return receipts.empty() && transfers_out.empty() && transfers_in.empty() && purchase_requests.empty() &&
           shipments.empty();
  }
  bool operator==(const Ledger&) const = default;
};

struct State {
  bool created = false;
  std::string id, tenant, name, currency;
  bool lot_tracking = false, landed_cost = false;
  std::map<Sku, SkuStock> stock;
  std::map<LineKey, Reservation> reservations;  // open ones only
  std::map<Sku, Rule> rules;
  Ledger ledger;  // not in snapshots (see Ledger)
  bool operator==(const State&) const = default;
};

// Ledger keys: one per entry, "<kind>:<id>" with kind r (receipt), o (transfer out), i (transfer in),
// p (purchase request), s (shipment, id = ShipmentKey).
std::string ReceiptKey(const std::string& receipt_id);
std::string TransferOutKey(const std::string& transfer_id);
std::string TransferInKey(const std::string& transfer_id);
std::string PurchaseKey(const std::string& request_id);
std::string ShippedKey(const std::string& order_id, std::uint32_t line);
// The entries a command's decision reads (DecideTransfer: TransferOut on the source, TransferIn on the
// target), and the entries an event writes.
std::vector<std::string> LedgerKeys(const Command& command);
std::vector<std::string> LedgerKeys(const Event& event);
// Every entry's key (a backfill writes them all).
std::vector<std::string> LedgerKeys(const Ledger& ledger);

Decision<Event> Decide(const Command& command, const State& state);
State Evolve(State state, const Event& event);
// Evolve in place (same rules, no copy or move of the state): for replaying long streams.
void Apply(State& state, const Event& event);
// The ledger's part of Apply alone (what an event writes into the entries it touches).
void ApplyLedger(Ledger& ledger, const Event& event);

// Both sides of a transfer: the events for the source and for the target warehouse, or a refusal
// (currency_mismatch when their currencies differ; the target must exist and take the lots).
struct TransferEvents {
  std::vector<Event> out, in;
};
std::expected<TransferEvents, Rejection> DecideTransfer(const Transfer& command, const State& from, const State& to);

// What of `sku` can still be reserved, shipped or transferred at `at`: stock in unexpired lots (all
// stock when the SKU is not lot-tracked) minus what is reserved. The fulfilment process plans with it.
std::int64_t AvailableAt(const State& state, const Sku& sku, Timestamp at);

// The canonical content of an outgoing transfer (target, SKU, quantity), compared on a repeated id.
std::string TransferContent(const std::string& to_warehouse, const Sku& sku, std::int64_t qty);

// Lots expired at `at` (expiry at or before it) that are still on hand, per SKU.
std::map<Sku, std::vector<LotQty>> ExpiredLots(const State& state, Timestamp at);

// The canonical content of a landed-cost allocation (method and charges), compared on a repeated id.
std::string LandedContent(AllocationMethod method, const std::vector<LandedCharge>& charges);

// Checks on hand >= 0, 0 <= reserved <= on hand, lots sum to on hand; empty when all hold.
std::string CheckInvariants(const State& state);

// Splits `amount` over `weights` proportionally (floor), the rounding remainder on the last line.
// Equal weights give an equal split. Requires a positive total weight.
std::vector<std::int64_t> Allocate(std::int64_t amount, const std::vector<std::int64_t>& weights);

}  // namespace keel::domain::warehouse
