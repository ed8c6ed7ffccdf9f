// The demo platform `keel serve --demo` seeds into an empty data directory, through the same API
// handlers partner apps use: two branded, certified partners with price lists, a tenant from each
// segment template (onboarded and live), catalogs, warehouses with stock, a few orders, and demo keys.
// Given control of business time (DemoTime), it seeds months of history instead (demo_history.cpp):
// tenants going live one after another, daily orders, an upgrade, an add-on, a churned tenant, a
// stalled onboarding, tickets, integration outages, monthly invoices paid or left overdue.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
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

// Business time under the seeder's control: `set` moves it to a time (only forward), `end` is where
// the history ends (now), `days` how far back it starts.
struct DemoTime {
  std::function<void(std::int64_t)> set;
  std::int64_t end = 0;
  int days = 150;
};

// Seeds the demo (with `time`: its history); fails (naming the request) on the first refusal.
std::expected<DemoSummary, std::string> SeedDemo(gateway::Api& api, actors::Runtime& runtime,
                                                 const DemoTime* time = nullptr);

}  // namespace keel::app
