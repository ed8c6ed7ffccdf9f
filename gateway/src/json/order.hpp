// JSON descriptors of the order aggregate's commands (client fields only), events and state.
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

#include "domain/order.hpp"
#include "json/values.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// Order.

template <> struct Describe<domain::order::CatalogItem> {
  using T = domain::order::CatalogItem;
  static constexpr auto fields = std::make_tuple(Opt("category", &T::category));
};
template <> struct Describe<domain::order::LineInput> {  // only in a command
  using T = domain::order::LineInput;
  static constexpr auto fields = std::make_tuple(Req("line", &T::line), ReqSku("sku", &T::sku), Req("qty", &T::qty),
                                                 Opt("unit_price", &T::unit_price));
};
template <> struct Describe<domain::order::Allocation> {
  using T = domain::order::Allocation;
  static constexpr auto fields =
      std::make_tuple(Opt("line", &T::line), Opt("warehouse", &T::warehouse), Opt("qty", &T::qty),
                      Opt("reservation", &T::reservation));
};
template <> struct Describe<domain::order::ReturnLine> {
  using T = domain::order::ReturnLine;
  static constexpr auto fields = std::make_tuple(Req("line", &T::line), Req("qty", &T::qty));
};
template <> struct Describe<domain::order::PricedLine> {
  using T = domain::order::PricedLine;
  static constexpr auto fields = std::make_tuple(Opt("line", &T::line), Opt("sku", &T::sku), Opt("qty", &T::qty),
                                                 Opt("unit_price", &T::unit_price), Opt("amount", &T::amount));
};

// -- commands --
template <> struct Describe<domain::order::PlaceOrder> {  // tenant, catalog, prices, threshold: resolved
  using T = domain::order::PlaceOrder;
  static constexpr auto fields =
      std::make_tuple(ReqId("id", &T::id), ReqId("customer", &T::customer), Req("currency", &T::currency),
                      Opt("channel", &T::channel), Req("lines", &T::lines));
};
template <> struct Describe<domain::order::ApproveOrder> {  // by, role: the caller; roles: the rules
  static constexpr auto fields = std::make_tuple();
};
template <> struct Describe<domain::order::RejectOrder> {
  using T = domain::order::RejectOrder;
  static constexpr auto fields = std::make_tuple(Req("reason", &T::reason));
};
template <> struct Describe<domain::order::RecordAllocation> {
  using T = domain::order::RecordAllocation;
  static constexpr auto fields = std::make_tuple(Req("allocations", &T::allocations), Opt("shortfall", &T::shortfall));
};
template <> struct Describe<domain::order::PickOrder> { static constexpr auto fields = std::make_tuple(); };
template <> struct Describe<domain::order::ShipOrder> {
  using T = domain::order::ShipOrder;
  static constexpr auto fields = std::make_tuple(ReqId("warehouse", &T::warehouse), Opt("tracking", &T::tracking));
};
template <> struct Describe<domain::order::DeliverOrder> { static constexpr auto fields = std::make_tuple(); };
template <> struct Describe<domain::order::InvoiceOrder> {
  using T = domain::order::InvoiceOrder;
  static constexpr auto fields = std::make_tuple(ReqId("invoice_id", &T::invoice_id));
};
template <> struct Describe<domain::order::CancelOrder> {
  using T = domain::order::CancelOrder;
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason));
};
template <> struct Describe<domain::order::CancelLineRemainder> {  // the line comes from the path
  using T = domain::order::CancelLineRemainder;
  static constexpr auto fields = std::make_tuple(Req("reason", &T::reason));
};
template <> struct Describe<domain::order::RequestReturn> {  // window and auto-authorization: the rules
  using T = domain::order::RequestReturn;
  static constexpr auto fields = std::make_tuple(ReqId("rma", &T::rma), Req("lines", &T::lines));
};
template <> struct Describe<domain::order::AuthorizeReturn> {  // `by` is the caller
  using T = domain::order::AuthorizeReturn;
  static constexpr auto fields = std::make_tuple(ReqId("rma", &T::rma));
};
template <> struct Describe<domain::order::ReceiveReturn> {
  using T = domain::order::ReceiveReturn;
  static constexpr auto fields =
      std::make_tuple(ReqId("rma", &T::rma), Opt("disposition", &T::disposition), OptId("warehouse", &T::warehouse));
};
template <> struct Describe<domain::order::RefundReturn> {
  using T = domain::order::RefundReturn;
  static constexpr auto fields = std::make_tuple(ReqId("rma", &T::rma), Req("amount", &T::amount));
};

// -- events --
template <> struct Describe<domain::order::OrderPlaced> {
  using T = domain::order::OrderPlaced;
  static constexpr auto fields =
      std::make_tuple(Opt("id", &T::id), Opt("tenant", &T::tenant), Opt("customer", &T::customer),
                      Opt("currency", &T::currency), Opt("channel", &T::channel), Opt("lines", &T::lines),
                      Opt("total", &T::total), Opt("requires_approval", &T::requires_approval), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderApproved> {
  using T = domain::order::OrderApproved;
  static constexpr auto fields = std::make_tuple(Opt("by", &T::by), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderRejected> {
  using T = domain::order::OrderRejected;
  static constexpr auto fields = std::make_tuple(Opt("by", &T::by), Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderAllocated> {
  using T = domain::order::OrderAllocated;
  static constexpr auto fields =
      std::make_tuple(Opt("allocations", &T::allocations), Opt("backordered", &T::backordered),
                      Opt("cancelled", &T::cancelled), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderPicked> {
  using T = domain::order::OrderPicked;
  static constexpr auto fields = std::make_tuple(Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderShipped> {
  using T = domain::order::OrderShipped;
  static constexpr auto fields = std::make_tuple(Opt("warehouse", &T::warehouse), Opt("tracking", &T::tracking),
                                                 Opt("lines", &T::lines), Opt("at", &T::at),
                                                 Opt("reservations", &T::reservations));
};
template <> struct Describe<domain::order::OrderDelivered> {
  using T = domain::order::OrderDelivered;
  static constexpr auto fields = std::make_tuple(Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderInvoiced> {
  using T = domain::order::OrderInvoiced;
  static constexpr auto fields =
      std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("amount", &T::amount), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderCancelled> {
  using T = domain::order::OrderCancelled;
  static constexpr auto fields =
      std::make_tuple(Opt("reason", &T::reason), Opt("releases", &T::releases), Opt("at", &T::at));
};
template <> struct Describe<domain::order::ReturnRequested> {
  using T = domain::order::ReturnRequested;
  static constexpr auto fields =
      std::make_tuple(Opt("rma", &T::rma), Opt("lines", &T::lines), Opt("value", &T::value), Opt("at", &T::at));
};
template <> struct Describe<domain::order::ReturnAuthorized> {
  using T = domain::order::ReturnAuthorized;
  static constexpr auto fields =
      std::make_tuple(Opt("rma", &T::rma), Opt("by", &T::by), Opt("automatic", &T::automatic), Opt("at", &T::at));
};
template <> struct Describe<domain::order::ReturnReceived> {
  using T = domain::order::ReturnReceived;
  static constexpr auto fields =
      std::make_tuple(Opt("rma", &T::rma), Opt("disposition", &T::disposition), Opt("warehouse", &T::warehouse),
                      Opt("lines", &T::lines), Opt("at", &T::at));
};
template <> struct Describe<domain::order::ReturnRefunded> {
  using T = domain::order::ReturnRefunded;
  static constexpr auto fields = std::make_tuple(Opt("rma", &T::rma), Opt("amount", &T::amount), Opt("at", &T::at));
};
template <> struct Describe<domain::order::OrderLineCancelled> {
  using T = domain::order::OrderLineCancelled;
  static constexpr auto fields =
      std::make_tuple(Opt("line", &T::line), Opt("qty", &T::qty), Opt("reason", &T::reason), Opt("at", &T::at));
};

// -- state --
template <> struct Describe<domain::order::Return> {
  using T = domain::order::Return;
  static constexpr auto fields =
      std::make_tuple(Opt("status", &T::status), Opt("lines", &T::lines), Opt("value", &T::value));
};
template <> struct Describe<domain::order::LineState> {
  using T = domain::order::LineState;
  static constexpr auto fields =
      std::make_tuple(Opt("sku", &T::sku), Opt("qty", &T::qty), Opt("unit_price", &T::unit_price),
                      Opt("amount", &T::amount), Opt("allocated", &T::allocated), Opt("cancelled", &T::cancelled),
                      Opt("shipped", &T::shipped), Opt("returned", &T::returned));
};
template <> struct Describe<domain::order::State> {
  using T = domain::order::State;
  static constexpr auto fields = std::make_tuple(
      Opt("status", &T::status), Opt("id", &T::id), Opt("tenant", &T::tenant), Opt("customer", &T::customer),
      Opt("currency", &T::currency), Opt("channel", &T::channel), Opt("lines", &T::lines), Opt("total", &T::total),
      Opt("allocations", &T::allocations), Opt("shipped_from", &T::shipped_from), Opt("shipped", &T::shipped), Opt("delivered_at", &T::delivered_at),
      Opt("returns", &T::returns), Opt("placed_by", &T::placed_by));
};

// order::State keys its lines by line number: written as the decimal string ("1"), read back only in
// that canonical form (no sign, no leading zeros, in range).
template <> inline std::optional<FieldError> KeyFrom<std::uint32_t>(const std::string& s, std::uint32_t& out,
                                                                    const std::string& path) {
  std::uint32_t v = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || ptr != end || (s.size() > 1 && s[0] == '0')) {
    return FieldError{path, "expected a line number as key, got '" + s + "'"};
  }
  out = v;
  return std::nullopt;
}

}  // namespace keel::gateway::json
