// Plans and a segment template for domain tests, built in code: the domain test binary links only
// the domain library, so it does not read the JSON files under config/.
#pragma once

#include "domain/catalog_data.hpp"

namespace keel::domain::test {

constexpr Timestamp kT0 = 1'700'000'000'000;

inline Plan Starter() {
  return Plan{"starter", 1, {Module::kInventory, Module::kReturns}, {{Module::kMarketplaceConnectors, 4900}},
              {1, 2000, 10}, 29900, 129900, 1000, 15};
}

inline Plan Growth() {
  return Plan{"growth", 2,
              {Module::kInventory, Module::kMultiWarehouse, Module::kReturns, Module::kMarketplaceConnectors},
              {{Module::kEdi, 9900}, {Module::kLotTracking, 7900}},
              {5, 25000, 50}, 89900, 249900, 10000, 10};
}

inline Plan Scale() {
  return Plan{"scale", 3,
              {Module::kInventory, Module::kMultiWarehouse, Module::kLotTracking, Module::kLandedCost,
               Module::kReturns, Module::kEdi},
              {},
              {20, 150000, 200}, 249900, 599900, 60000, 6};
}

inline ServiceCatalog Catalog() {
  ServiceCatalog c;
  c.currency = "EUR";
  for (const auto& p : {Starter(), Growth(), Scale()}) c.plans[p.id] = p;
  c.support_fees = {{ServiceTier::kStandard, 0}, {ServiceTier::kPremium, 25000}, {ServiceTier::kEnterprise, 90000}};
  c.cost_shared = 6000;
  c.cost_dedicated = 55000;
  c.cost_per_ticket = 2500;
  return c;
}

inline SegmentTemplate Regional(int version = 1) {
  SegmentTemplate t;
  t.id = "regional-distributor";
  t.version = version;
  t.currency = "EUR";
  t.plan = "growth";
  t.modules = {Module::kInventory, Module::kMultiWarehouse, Module::kReturns, Module::kEdi};
  t.limits = {3, 15000, 30};
  t.sandbox_limits = {1, 500, 5};
  t.workflow.approval_threshold = 500000;
  t.workflow.approver_roles = {"tenant_admin", "finance"};
  t.workflow.exception_routing = {{"edi_failure", "implementation"}, {"marketplace_failure", "tenant_operator"},
                                  {"sync_latency", "partner_support"}};
  t.workflow.sync_latency_threshold_ms = 120000;
  t.milestones = {{"company_profile", "Company profile", true, {}},
                  {"item_import", "Item master imported", true, {}},
                  {"edi_partner_test", "EDI test", true, Module::kEdi},
                  {"lot_setup", "Lots configured", true, Module::kLotTracking},
                  {"training", "Training", false, {}}};
  t.dunning = {{7, DunningAction::kReminder}, {21, DunningAction::kBlockPlanChanges}, {45, DunningAction::kSuspend}};
  return t;
}

}  // namespace keel::domain::test
