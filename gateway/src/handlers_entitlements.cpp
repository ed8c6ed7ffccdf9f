// GET /v1/tenants/{tenant}/entitlements: what the tenant may use and how much of it it uses this
// billing period: its plan, each module with where it comes from (the plan, or an add-on), its limits
// and its usage against them (warehouses, orders with the plan's included orders and cap, client-
// reported API calls). Read from the tenant's current facts (reference_data.hpp): as current as the
// tenant itself, the same answer a command's gate sees.
#include "call.hpp"

namespace keel::gateway {
namespace {

using json::Json;

Response Entitlements(Call& c) {
  auto facts = TenantOf(c);
  if (!facts) return facts.error();
  const auto& s = (*facts)->state;
  const domain::Plan* plan = (*facts)->plan;
  Json modules = Json::array();
  for (const auto m : s.modules)
    modules.push_back({{"module", std::string(domain::ModuleName(m))},
                       {"source", plan != nullptr && plan->modules.contains(m) ? "plan" : "addon"}});
  const std::int64_t included = plan != nullptr ? plan->included_orders : 0;
  Json orders{{"used", s.period_orders},
              {"limit", s.limits.monthly_orders},
              {"included", included},
              {"hard_cap", plan != nullptr && plan->order_hard_cap},
              {"overage", std::max<std::int64_t>(0, s.period_orders - included)}};
  return JsonResponse(200, {{"tenant", s.id},
                            {"plan", s.plan},
                            {"pending_downgrade", s.pending_downgrade ? Json(s.pending_downgrade->to) : Json(nullptr)},
                            {"period_start", s.period_start},
                            {"period_end", s.period_end},
                            {"modules", std::move(modules)},
                            {"limits", {{"warehouses", s.limits.warehouses},
                                        {"monthly_orders", s.limits.monthly_orders},
                                        {"api_rps", s.limits.api_rps}}},
                            {"usage", {{"warehouses", {{"used", s.warehouses.size()}, {"limit", s.limits.warehouses}}},
                                       {"orders", std::move(orders)},
                                       {"api_calls", {{"used", s.period_api_calls}}}}}});
}

}  // namespace

void AddEntitlementHandlers(HandlerTable& t) { t["get_entitlements"] = Entitlements; }

}  // namespace keel::gateway
