// The warehouse's ledger (see warehouse.hpp): what it keeps of receipts, landed-cost allocations,
// shipments, transfers and purchase requests for exactly-once decisions, and the store's id-index keys
// of its commands and events. Kept apart from warehouse.cpp (the decider).
#include "domain/warehouse.hpp"

#include "decider_support.hpp"

namespace keel::domain::warehouse {

void ApplyLedger(Ledger& l, const Event& event) {
  std::visit(
      Overloaded{
          [&](const StockReceived& e) { l.receipts[e.receipt_id] = Receipt{e.lines, false, {}, {}}; },
          [&](const LandedCostAllocated& e) {
            auto& receipt = l.receipts[e.receipt_id];
            const auto method = static_cast<std::size_t>(e.method);
            if (receipt.splits.size() <= method) receipt.splits.resize(method + 1);
            auto& split = receipt.splits[method];
            if (split.per_line.size() < receipt.lines.size()) split.per_line.resize(receipt.lines.size());
            std::int64_t charged = 0;
            for (const auto& ch : e.charges) charged += ch.amount;
            for (const auto& a : e.allocations) {
              if (a.line < split.per_line.size()) split.per_line[a.line] += a.amount;
              if (e.charges.empty()) charged += a.amount;  // an allocation from before charges were recorded
            }
            split.total += charged;
            receipt.landed = true;
            receipt.allocations[e.allocation_id] = LandedContent(e.method, e.charges);
          },
          [&](const ReservationConsumed& e) {
            l.shipments[ShipmentKey(e.order_id, e.line)] = Shipment{e.sku, e.qty, e.unit_cost, e.lots};
          },
          [&](const TransferredOut& e) { l.transfers_out[e.transfer_id] = TransferContent(e.to_warehouse, e.sku, e.qty); },
          [&](const TransferredIn& e) { l.transfers_in.insert(e.transfer_id); },
          [&](const PurchaseRequested& e) { l.purchase_requests.insert(e.request_id); },
          [](const auto&) {},
      },
      event);
}

std::string ShipmentKey(const std::string& order_id, std::uint32_t line) {
  return order_id + "#" + std::to_string(line);
}

std::string ReceiptKey(const std::string& receipt_id) { return "r:" + receipt_id; }
std::string TransferOutKey(const std::string& transfer_id) { return "o:" + transfer_id; }
std::string TransferInKey(const std::string& transfer_id) { return "i:" + transfer_id; }
std::string PurchaseKey(const std::string& request_id) { return "p:" + request_id; }
std::string ShippedKey(const std::string& order_id, std::uint32_t line) { return "s:" + ShipmentKey(order_id, line); }

std::vector<std::string> LedgerKeys(const Command& command) {
  return std::visit(
      Overloaded{
          [](const ReceiveStock& c) { return std::vector<std::string>{ReceiptKey(c.receipt_id)}; },
          [](const AllocateLandedCost& c) { return std::vector<std::string>{ReceiptKey(c.receipt_id)}; },
          [](const ReserveStock& c) { return std::vector<std::string>{ShippedKey(c.order_id, c.line)}; },
          [](const ReserveLines& c) {
            std::vector<std::string> keys;
            for (const auto& l : c.lines) keys.push_back(ShippedKey(c.order_id, l.line));
            return keys;
          },
          [](const ConsumeReservation& c) { return std::vector<std::string>{ShippedKey(c.order_id, c.line)}; },
          [](const TransferOut& c) { return std::vector<std::string>{TransferOutKey(c.transfer_id)}; },
          [](const TransferIn& c) { return std::vector<std::string>{TransferInKey(c.transfer_id)}; },
          [](const RequestPurchase& c) { return std::vector<std::string>{PurchaseKey(c.request_id)}; },
          [](const auto&) { return std::vector<std::string>{}; },
      },
      command);
}

std::vector<std::string> LedgerKeys(const Event& event) {
  return std::visit(
      Overloaded{
          [](const StockReceived& e) { return std::vector<std::string>{ReceiptKey(e.receipt_id)}; },
          [](const LandedCostAllocated& e) { return std::vector<std::string>{ReceiptKey(e.receipt_id)}; },
          [](const ReservationConsumed& e) { return std::vector<std::string>{ShippedKey(e.order_id, e.line)}; },
          [](const TransferredOut& e) { return std::vector<std::string>{TransferOutKey(e.transfer_id)}; },
          [](const TransferredIn& e) { return std::vector<std::string>{TransferInKey(e.transfer_id)}; },
          [](const PurchaseRequested& e) { return std::vector<std::string>{PurchaseKey(e.request_id)}; },
          [](const auto&) { return std::vector<std::string>{}; },
      },
      event);
}

std::vector<std::string> LedgerKeys(const Ledger& l) {
  std::vector<std::string> keys;
  for (const auto& [id, r] : l.receipts) keys.push_back(ReceiptKey(id));
  for (const auto& [id, c] : l.transfers_out) keys.push_back(TransferOutKey(id));
  for (const auto& id : l.transfers_in) keys.push_back(TransferInKey(id));
  for (const auto& id : l.purchase_requests) keys.push_back(PurchaseKey(id));
  for (const auto& [key, sh] : l.shipments) keys.push_back("s:" + key);
  return keys;
}

std::string LandedContent(AllocationMethod method, const std::vector<LandedCharge>& charges) {
  std::string out = std::to_string(static_cast<int>(method));
  for (const auto& c : charges) out += ";" + c.kind + "=" + std::to_string(c.amount);
  return out;
}

std::string TransferContent(const std::string& to_warehouse, const Sku& sku, std::int64_t qty) {
  return to_warehouse + '\n' + sku + '\n' + std::to_string(qty);
}

}  // namespace keel::domain::warehouse
