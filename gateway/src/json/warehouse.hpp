// JSON descriptors of the warehouse aggregate's commands (client fields only), events and state.
// Part of domain_json.hpp (see there for the rules); json_fields.hpp explains the descriptors.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/warehouse.hpp"
#include "json/values.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// Warehouse. Commands' `catalog` (and CreateWarehouse's tenant and entitlements, transfers' tenants)
// are resolved by the gateway.

template <> struct Describe<domain::warehouse::LotQty> {
  using T = domain::warehouse::LotQty;
  static constexpr auto fields = std::make_tuple(OptId("lot", &T::lot), Opt("expiry", &T::expiry), Opt("qty", &T::qty));
};
template <> struct Describe<domain::warehouse::ItemFacts> {
  using T = domain::warehouse::ItemFacts;
  static constexpr auto fields = std::make_tuple(Opt("lot_tracked", &T::lot_tracked));
};
template <> struct Describe<domain::warehouse::ReceiptLine> {
  using T = domain::warehouse::ReceiptLine;
  static constexpr auto fields =
      std::make_tuple(ReqSku("sku", &T::sku), Req("qty", &T::qty), Opt("unit_cost", &T::unit_cost), OptId("lot", &T::lot),
                      Opt("expiry", &T::expiry));
};
template <> struct Describe<domain::warehouse::LandedCharge> {
  using T = domain::warehouse::LandedCharge;
  static constexpr auto fields = std::make_tuple(Req("kind", &T::kind), Req("amount", &T::amount));
};
template <> struct Describe<domain::warehouse::LineCharge> {
  using T = domain::warehouse::LineCharge;
  static constexpr auto fields = std::make_tuple(Opt("line", &T::line), Opt("sku", &T::sku), Opt("amount", &T::amount));
};

// -- commands --
template <> struct Describe<domain::warehouse::CreateWarehouse> {
  using T = domain::warehouse::CreateWarehouse;
  static constexpr auto fields =
      std::make_tuple(ReqId("id", &T::id), Req("name", &T::name), Req("currency", &T::currency));
};
template <> struct Describe<domain::warehouse::ReceiveStock> {
  using T = domain::warehouse::ReceiveStock;
  static constexpr auto fields = std::make_tuple(ReqId("receipt_id", &T::receipt_id), Req("lines", &T::lines));
};
template <> struct Describe<domain::warehouse::AllocateLandedCost> {
  using T = domain::warehouse::AllocateLandedCost;
  static constexpr auto fields =
      std::make_tuple(ReqId("receipt_id", &T::receipt_id), ReqId("allocation_id", &T::allocation_id),
                      Req("charges", &T::charges), Opt("method", &T::method));
};
template <> struct Describe<domain::warehouse::AdjustStock> {
  using T = domain::warehouse::AdjustStock;
  static constexpr auto fields =
      std::make_tuple(ReqSku("sku", &T::sku), Req("delta", &T::delta), Req("reason", &T::reason), OptId("lot", &T::lot),
                      Opt("expiry", &T::expiry));
};
template <> struct Describe<domain::warehouse::ReserveStock> {
  using T = domain::warehouse::ReserveStock;
  static constexpr auto fields =
      std::make_tuple(ReqId("order_id", &T::order_id), Req("line", &T::line), ReqSku("sku", &T::sku), Req("qty", &T::qty));
};
template <> struct Describe<domain::warehouse::ReleaseReservation> {
  using T = domain::warehouse::ReleaseReservation;
  static constexpr auto fields = std::make_tuple(ReqId("order_id", &T::order_id), Req("line", &T::line));
};
template <> struct Describe<domain::warehouse::ConsumeReservation> {
  using T = domain::warehouse::ConsumeReservation;
  static constexpr auto fields = std::make_tuple(ReqId("order_id", &T::order_id), Req("line", &T::line));
};
template <> struct Describe<domain::warehouse::TransferOut> {  // to_tenant: the caller's tenant
  using T = domain::warehouse::TransferOut;
  static constexpr auto fields =
      std::make_tuple(ReqId("transfer_id", &T::transfer_id), ReqId("to_warehouse", &T::to_warehouse), ReqSku("sku", &T::sku),
                      Req("qty", &T::qty));
};
template <> struct Describe<domain::warehouse::TransferIn> {  // from_tenant: the caller's tenant
  using T = domain::warehouse::TransferIn;
  static constexpr auto fields =
      std::make_tuple(Req("transfer_id", &T::transfer_id), Req("from_warehouse", &T::from_warehouse),
                      Req("sku", &T::sku), Req("qty", &T::qty), Opt("unit_cost", &T::unit_cost), Opt("lots", &T::lots));
};
template <> struct Describe<domain::warehouse::SetReplenishmentRule> {
  using T = domain::warehouse::SetReplenishmentRule;
  static constexpr auto fields =
      std::make_tuple(ReqSku("sku", &T::sku), Req("min", &T::min), Req("max", &T::max), Opt("multiple", &T::multiple));
};
template <> struct Describe<domain::warehouse::RequestPurchase> {
  using T = domain::warehouse::RequestPurchase;
  static constexpr auto fields = std::make_tuple(ReqId("request_id", &T::request_id), ReqSku("sku", &T::sku),
                                                 Req("qty", &T::qty), Opt("reason", &T::reason));
};

// -- events --
template <> struct Describe<domain::warehouse::WarehouseCreated> {
  using T = domain::warehouse::WarehouseCreated;
  static constexpr auto fields = std::make_tuple(Opt("id", &T::id), Opt("tenant", &T::tenant), Opt("name", &T::name),
                                                 Opt("currency", &T::currency), Opt("lot_tracking", &T::lot_tracking),
                                                 Opt("landed_cost", &T::landed_cost), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::StockReceived> {
  using T = domain::warehouse::StockReceived;
  static constexpr auto fields =
      std::make_tuple(Opt("receipt_id", &T::receipt_id), Opt("lines", &T::lines), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::LandedCostAllocated> {
  using T = domain::warehouse::LandedCostAllocated;
  static constexpr auto fields = std::make_tuple(Opt("receipt_id", &T::receipt_id), Opt("allocation_id", &T::allocation_id),
                                                 Opt("method", &T::method), Opt("charges", &T::charges),
                                                 Opt("allocations", &T::allocations), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::StockAdjusted> {
  using T = domain::warehouse::StockAdjusted;
  static constexpr auto fields =
      std::make_tuple(Opt("sku", &T::sku), Opt("delta", &T::delta), Opt("reason", &T::reason), Opt("lot", &T::lot),
                      Opt("expiry", &T::expiry), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::StockReserved> {
  using T = domain::warehouse::StockReserved;
  static constexpr auto fields = std::make_tuple(Opt("order_id", &T::order_id), Opt("line", &T::line),
                                                 Opt("sku", &T::sku), Opt("qty", &T::qty), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::ReservationReleased> {
  using T = domain::warehouse::ReservationReleased;
  static constexpr auto fields = std::make_tuple(Opt("order_id", &T::order_id), Opt("line", &T::line),
                                                 Opt("sku", &T::sku), Opt("qty", &T::qty), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::ReservationConsumed> {
  using T = domain::warehouse::ReservationConsumed;
  static constexpr auto fields =
      std::make_tuple(Opt("order_id", &T::order_id), Opt("line", &T::line), Opt("sku", &T::sku), Opt("qty", &T::qty),
                      Opt("lots", &T::lots), Opt("unit_cost", &T::unit_cost), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::TransferredOut> {
  using T = domain::warehouse::TransferredOut;
  static constexpr auto fields =
      std::make_tuple(Opt("transfer_id", &T::transfer_id), Opt("to_warehouse", &T::to_warehouse), Opt("sku", &T::sku),
                      Opt("qty", &T::qty), Opt("unit_cost", &T::unit_cost), Opt("lots", &T::lots), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::TransferredIn> {
  using T = domain::warehouse::TransferredIn;
  static constexpr auto fields = std::make_tuple(
      Opt("transfer_id", &T::transfer_id), Opt("from_warehouse", &T::from_warehouse), Opt("sku", &T::sku),
      Opt("qty", &T::qty), Opt("unit_cost", &T::unit_cost), Opt("lots", &T::lots), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::ReplenishmentRuleSet> {
  using T = domain::warehouse::ReplenishmentRuleSet;
  static constexpr auto fields = std::make_tuple(Opt("sku", &T::sku), Opt("min", &T::min), Opt("max", &T::max),
                                                 Opt("multiple", &T::multiple), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::ReplenishmentRequested> {
  using T = domain::warehouse::ReplenishmentRequested;
  static constexpr auto fields =
      std::make_tuple(Opt("sku", &T::sku), Opt("qty", &T::qty), Opt("available", &T::available), Opt("at", &T::at));
};
template <> struct Describe<domain::warehouse::PurchaseRequested> {
  using T = domain::warehouse::PurchaseRequested;
  static constexpr auto fields = std::make_tuple(Opt("request_id", &T::request_id), Opt("sku", &T::sku),
                                                 Opt("qty", &T::qty), Opt("reason", &T::reason), Opt("at", &T::at));
};

template <> struct Describe<domain::warehouse::StockReturned> {
  using T = domain::warehouse::StockReturned;
  static constexpr auto fields = std::make_tuple(Opt("order_id", &T::order_id), Opt("rma", &T::rma),
                                                 Opt("lines", &T::lines), Opt("at", &T::at));
};

// -- state --
template <> struct Describe<domain::warehouse::LandedSplit> {
  using T = domain::warehouse::LandedSplit;
  static constexpr auto fields = std::make_tuple(Opt("total", &T::total), Opt("per_line", &T::per_line));
};
template <> struct Describe<domain::warehouse::Shipment> {
  using T = domain::warehouse::Shipment;
  static constexpr auto fields = std::make_tuple(Opt("sku", &T::sku), Opt("qty", &T::qty),
                                                 Opt("unit_cost", &T::unit_cost), Opt("lots", &T::lots));
};
template <> struct Describe<domain::warehouse::SkuStock> {
  using T = domain::warehouse::SkuStock;
  static constexpr auto fields =
      std::make_tuple(Opt("lot_tracked", &T::lot_tracked), Opt("on_hand", &T::on_hand), Opt("reserved", &T::reserved),
                      Opt("value", &T::value), Opt("unabsorbed_landed", &T::unabsorbed_landed), Opt("lots", &T::lots));
};
template <> struct Describe<domain::warehouse::Reservation> {
  using T = domain::warehouse::Reservation;
  static constexpr auto fields = std::make_tuple(Opt("sku", &T::sku), Opt("qty", &T::qty));
};
template <> struct Describe<domain::warehouse::Rule> {
  using T = domain::warehouse::Rule;
  static constexpr auto fields = std::make_tuple(Opt("min", &T::min), Opt("max", &T::max),
                                                 Opt("multiple", &T::multiple), Opt("request_open", &T::request_open));
};
template <> struct Describe<domain::warehouse::Receipt> {
  using T = domain::warehouse::Receipt;
  static constexpr auto fields = std::make_tuple(Opt("lines", &T::lines), Opt("landed", &T::landed),
                                                 Opt("allocations", &T::allocations), Opt("splits", &T::splits));
};
// An order line (order id, line): in `consumed`, the object {"order_id", "line"}.
template <> struct Describe<domain::warehouse::LineKey> {
  using T = domain::warehouse::LineKey;
  static constexpr auto fields = std::make_tuple(Opt("order_id", &T::first), Opt("line", &T::second));
};
// `reservations` is keyed by an order line, which is no JSON object key: it is written as a list of
// {"order_id", "line", "sku", "qty"} (see the ToJson / FromJson specializations below).
struct ReservationEntry {
  std::string order_id;
  std::uint32_t line = 0;
  domain::warehouse::Sku sku;
  std::int64_t qty = 0;
};
template <> struct Describe<ReservationEntry> {
  using T = ReservationEntry;
  static constexpr auto fields =
      std::make_tuple(Opt("order_id", &T::order_id), Opt("line", &T::line), Opt("sku", &T::sku), Opt("qty", &T::qty));
};
using Reservations = std::map<domain::warehouse::LineKey, domain::warehouse::Reservation>;
template <> struct WrittenAs<Reservations> {
  using type = std::vector<ReservationEntry>;
};

template <> inline Json ToJson<Reservations>(const Reservations& value) {
  Json out = Json::array();
  for (const auto& [key, r] : value) out.push_back(ToJson(ReservationEntry{key.first, key.second, r.sku, r.qty}));
  return out;
}
template <>
inline std::optional<FieldError> FromJson<Reservations>(const Json& j, Reservations& out, const std::string& path) {
  std::vector<ReservationEntry> entries;
  if (auto e = FromJson(j, entries, path)) return e;
  out.clear();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto& entry = entries[i];
    domain::warehouse::LineKey key{std::move(entry.order_id), entry.line};
    if (!out.emplace(std::move(key), domain::warehouse::Reservation{std::move(entry.sku), entry.qty}).second) {
      return FieldError{Index(path, i), "duplicate order line"};
    }
  }
  return std::nullopt;
}

template <> struct Describe<domain::warehouse::State> {
  using T = domain::warehouse::State;
  static constexpr auto fields = std::make_tuple(
      Opt("created", &T::created), Opt("id", &T::id), Opt("tenant", &T::tenant), Opt("name", &T::name),
      Opt("currency", &T::currency), Opt("lot_tracking", &T::lot_tracking), Opt("landed_cost", &T::landed_cost),
      Opt("stock", &T::stock), Opt("reservations", &T::reservations), Opt("rules", &T::rules));
  // Not the ledger (receipts, transfers, shipped lines): it is kept by id in the store, not in the state.
};

}  // namespace keel::gateway::json
