// A small tenant world for actor tests: a provisioned tenant with warehouses and stock, built through
// real commands; and the fulfilment invariant (reservations equal allocations, none orphaned).
#pragma once

#include <map>
#include <sstream>

#include "actor_support.hpp"
#include "codec/codec.hpp"

namespace keel::actors::test {

inline domain::Plan GrowthPlan() {
  return domain::Plan{"growth", 2,
                      {domain::Module::kInventory, domain::Module::kMultiWarehouse, domain::Module::kReturns},
                      {}, {10, 100000, 100}, 89900, 249900, 10000, 10};
}

inline domain::SegmentTemplate Distributor() {
  domain::SegmentTemplate t;
  t.id = "regional-distributor";
  t.version = 1;
  t.currency = "EUR";
  t.plan = "growth";
  t.modules = {domain::Module::kInventory, domain::Module::kMultiWarehouse, domain::Module::kReturns};
  t.limits = {10, 100000, 100};
  t.sandbox_limits = {1, 100, 5};
  t.milestones = {{"item_import", "Items", true, {}}};
  return t;
}

// Provisions `tenant` and creates `warehouses` with `widgets` and `bolts` each. Returns "" or an error.
inline std::string BuildTenant(Client& client, const std::string& tenant, int warehouses, std::int64_t widgets,
                               std::int64_t bolts) {
  namespace t = domain::tenant;
  auto check = [](const Reply& r, const char* what) {
    return r ? std::string() : std::string(what) + ": " + r.error().message + r.error().rejection.message;
  };
  if (auto e = check(client.Execute(TenantKey(tenant), t::ProvisionTenant{tenant, "p1", tenant + " Ltd", Distributor(),
                                                                          GrowthPlan(), domain::Environment::kProduction,
                                                                          true, true, kT0}),
                     "provision");
      !e.empty()) {
    return e;
  }
  if (auto e = check(client.Execute(TenantKey(tenant), t::StartOnboarding{kT0}), "onboard"); !e.empty()) return e;
  namespace c = domain::catalog;
  c::ImportItems items{{{1, {"WIDGET", "Widget", "pcs", "hardware", 120, false, ""}},
                        {2, {"BOLT", "Bolt", "pcs", "hardware", 10, false, ""}}},
                       true, false, {"pcs"}, {"hardware"}, kT0};
  if (auto e = check(client.Execute(CatalogKey(tenant), items), "catalog"); !e.empty()) return e;
  for (int i = 1; i <= warehouses; ++i) {
    const std::string wh = "w" + std::to_string(i);
    if (auto e = check(client.Execute(TenantKey(tenant), t::RegisterWarehouse{wh, kT0}), "register"); !e.empty()) return e;
    if (auto e = check(client.Execute(WarehouseKey(tenant, wh), CreateWarehouse(tenant, wh)), "create"); !e.empty()) return e;
    if (auto e = check(client.Execute(WarehouseKey(tenant, wh), Receive("opening", widgets, bolts)), "receive"); !e.empty()) {
      return e;
    }
  }
  return {};
}

// Every order's unshipped allocations equal what its warehouses reserve for it; nothing is reserved
// for an order that does not hold it. Returns "" when that holds, else the first difference.
inline std::string CheckReservations(Client& client, const std::string& tenant, int warehouses,
                                     const std::vector<std::string>& orders) {
  std::map<std::tuple<std::string, std::string, std::uint32_t>, std::int64_t> reserved, allocated;
  for (int i = 1; i <= warehouses; ++i) {
    const std::string wh = "w" + std::to_string(i);
    auto s = client.Get(WarehouseKey(tenant, wh));
    if (!s) return "no state for " + wh;
    const auto& state = s->As<domain::warehouse::State>();
    // A line reserved again at a warehouse (a backorder filled later) has a reservation number per slot.
    for (const auto& [key, r] : state.reservations)
      reserved[{key.first, wh, domain::order::LineOfReservation(key.second)}] += r.qty;
    std::int64_t sum = 0;
    for (const auto& [key, r] : state.reservations) sum += r.qty;
    for (const auto& [sku, stock] : state.stock) sum -= stock.reserved;
    if (sum != 0) return wh + ": reservations do not add up to the reserved stock";
  }
  for (const auto& id : orders) {
    auto s = client.Get(OrderKey(tenant, id));
    if (!s) return "no state for order " + id;
    for (const auto& a : s->As<domain::order::State>().allocations) allocated[{id, a.warehouse, a.line}] += a.qty;
  }
  for (const auto& [key, qty] : reserved) {
    auto it = allocated.find(key);
    if (it == allocated.end() || it->second != qty) {
      std::ostringstream s;
      s << "order " << std::get<0>(key) << " line " << std::get<2>(key) << " at " << std::get<1>(key) << ": reserved "
        << qty << ", allocated " << (it == allocated.end() ? 0 : it->second);
      return s.str();
    }
  }
  for (const auto& [key, qty] : allocated) {
    if (!reserved.contains(key)) return "order " + std::get<0>(key) + " allocation without a reservation";
  }
  return {};
}

}  // namespace keel::actors::test
