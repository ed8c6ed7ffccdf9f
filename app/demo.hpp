// The demo platform `keel serve --demo` seeds into an empty data directory, through the same API
// handlers partner apps use: two branded, certified partners with price lists, a tenant from each
// segment template (onboarded and live), catalogs, warehouses with stock, a few orders, and demo keys.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "actors/runtime.hpp"
#include "gateway/api.hpp"

namespace keel::app {

// The demo keys are fixed so that `make run` can print them on every start. They are for the demo
// data directory only: a real deployment sets KEEL_BOOTSTRAP_KEY and creates keys through the API.
inline constexpr const char* kDemoOwnerKey = "keel_demo_platform_owner_key_0000";
inline constexpr const char* kDemoPartnerKey = "keel_demo_partner_admin_northwind_0000";

struct DemoSummary {
  std::vector<std::string> partners, tenants;
  int warehouses = 0, orders = 0;
};

// Seeds the demo; fails (naming the request) on the first refusal.
std::expected<DemoSummary, std::string> SeedDemo(gateway::Api& api, actors::Runtime& runtime);

}  // namespace keel::app
