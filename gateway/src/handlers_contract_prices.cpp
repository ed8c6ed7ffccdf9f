// Handlers of a customer's contract prices, kept on the tenant's catalog (stream t/<tenant>/catalog/main):
//   PUT /v1/tenants/{tenant}/customers/{customer}/contract-prices
//       {"currency": "EUR", "prices": [{"sku", "unit_price", "valid_from"?, "valid_to"?}]}
//       replaces the customer's whole list; {"prices": []} clears it (currency then optional).
//   GET of the same path: {"customer", "currency", "prices"} in the PUT's shape; a customer without
//       contract prices has an empty list ("currency": "").
// Bad input is 400 naming the field (catalog::CheckContractPrices, the decider's own rules); a SKU
// the catalog does not hold is 422 unknown_sku. Orders of the customer are priced by these
// (handlers_order.cpp).
#include "call.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {
namespace cat = domain::catalog;


actors::EntityKey Catalog(const Call& c) { return actors::CatalogKey(c.Param("tenant")); }

std::expected<Prepared, Response> BuildSet(Call& c) {
  auto body = ParseBody<json::ContractPricesBody>(c);
  if (!body) return std::unexpected(body.error());
  cat::SetContractPrices cmd{c.Param("customer"), body->currency, {}, c.now};
  cmd.prices.reserve(body->prices.size());
  for (const auto& p : body->prices) cmd.prices.push_back({"", p.sku, p.unit_price, p.valid_from, p.valid_to});
  if (auto bad = cat::CheckContractPrices(cmd)) return std::unexpected(BadField({bad->field, bad->message}));
  return Prepared{Catalog(c), cat::Command(std::move(cmd)), 200};
}

Response Get(Call& c) {
  if (auto tenant = TenantOf(c); !tenant) return tenant.error();
  auto snap = c.client->Get(Catalog(c));
  if (!snap) return Problem(503, "unavailable", "The service is unavailable", "the catalog did not answer");
  const auto& state = snap->As<cat::State>();
  const std::string& customer = c.Param("customer");
  json::Json body{{"customer", customer}, {"currency", ""}, {"prices", json::Json::array()}, {"version", snap->version}};
  if (auto it = state.contracts.find(customer); it != state.contracts.end()) {
    body["currency"] = it->second.currency;
    for (const auto& p : it->second.prices) {
      body["prices"].push_back(
          {{"sku", p.sku}, {"unit_price", p.unit_price}, {"valid_from", p.valid_from}, {"valid_to", p.valid_to}});
    }
  }
  Response r = JsonResponse(200, body);
  r.headers.emplace_back("ETag", "\"" + std::to_string(snap->version) + "\"");
  return r;
}

}  // namespace

void AddContractPriceHandlers(HandlerTable& t, AsyncTable& a) {
  Both(t, a, "set_contract_prices", RunBuilt<BuildSet>, BuildSet);
  t["get_contract_prices"] = Get;
}

}  // namespace keel::gateway
