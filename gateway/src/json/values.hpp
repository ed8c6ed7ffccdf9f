// JSON descriptors of shared values: money, prices, plans, templates.
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

#include "domain/billing_rules.hpp"
#include "domain/catalog_data.hpp"
#include "domain/common.hpp"
#include "domain/pricing.hpp"
#include "json/enums.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// Shared values: money, prices, plans, templates.

template <> struct Describe<domain::Money> {
  using T = domain::Money;
  static constexpr auto fields = std::make_tuple(Opt("minor", &T::minor), Opt("currency", &T::currency));
};
template <> struct Describe<domain::PriceBreak> {
  using T = domain::PriceBreak;
  static constexpr auto fields = std::make_tuple(Opt("min_qty", &T::min_qty), Opt("unit_price", &T::unit_price));
};
template <> struct Describe<domain::PriceEntry> {
  using T = domain::PriceEntry;
  static constexpr auto fields =
      std::make_tuple(OptSku("sku", &T::sku), OptId("category", &T::category), Opt("breaks", &T::breaks),
                      Opt("valid_from", &T::valid_from), Opt("valid_to", &T::valid_to));
};
template <> struct Describe<domain::PriceList> {
  using T = domain::PriceList;
  static constexpr auto fields = std::make_tuple(Opt("currency", &T::currency), Opt("entries", &T::entries));
};
template <> struct Describe<domain::ContractPrice> {
  using T = domain::ContractPrice;
  static constexpr auto fields =
      std::make_tuple(OptId("customer", &T::customer), ReqSku("sku", &T::sku), Opt("unit_price", &T::unit_price),
                      Opt("valid_from", &T::valid_from), Opt("valid_to", &T::valid_to));
};
template <> struct Describe<domain::Limits> {
  using T = domain::Limits;
  static constexpr auto fields = std::make_tuple(
      Opt("warehouses", &T::warehouses), Opt("monthly_orders", &T::monthly_orders), Opt("api_rps", &T::api_rps));
};
template <> struct Describe<domain::Plan> {
  using T = domain::Plan;
  static constexpr auto fields = std::make_tuple(
      Opt("id", &T::id), Opt("rank", &T::rank), Opt("modules", &T::modules), Opt("addons", &T::addons),
      Opt("limits", &T::limits), Opt("fee_shared", &T::fee_shared), Opt("fee_dedicated", &T::fee_dedicated),
      Opt("included_orders", &T::included_orders), Opt("overage_per_order", &T::overage_per_order));
};
template <> struct Describe<domain::ServiceCatalog> {
  using T = domain::ServiceCatalog;
  static constexpr auto fields =
      std::make_tuple(Opt("currency", &T::currency), Opt("plans", &T::plans), Opt("support_fees", &T::support_fees),
                      Opt("cost_shared", &T::cost_shared), Opt("cost_dedicated", &T::cost_dedicated),
                      Opt("cost_per_ticket", &T::cost_per_ticket),
                      Opt("cost_per_integration", &T::cost_per_integration));
};
template <> struct Describe<domain::Milestone> {
  using T = domain::Milestone;
  static constexpr auto fields = std::make_tuple(Opt("id", &T::id), Opt("name", &T::name),
                                                 Opt("required", &T::required), Opt("module", &T::module));
};
template <> struct Describe<domain::DunningStep> {
  using T = domain::DunningStep;
  static constexpr auto fields = std::make_tuple(Opt("days_overdue", &T::days_overdue), Opt("action", &T::action));
};
template <> struct Describe<domain::WorkflowRules> {
  using T = domain::WorkflowRules;
  static constexpr auto fields = std::make_tuple(
      Opt("approval_threshold", &T::approval_threshold), Opt("approver_roles", &T::approver_roles),
      Opt("auto_replenishment", &T::auto_replenishment), Opt("return_window_days", &T::return_window_days),
      Opt("auto_authorize_days", &T::auto_authorize_days), Opt("backorder_shortfalls", &T::backorder_shortfalls),
      Opt("exception_routing", &T::exception_routing), Opt("sync_latency_threshold_ms", &T::sync_latency_threshold_ms));
};
template <> struct Describe<domain::SegmentTemplate> {
  using T = domain::SegmentTemplate;
  static constexpr auto fields = std::make_tuple(
      Opt("id", &T::id), Opt("version", &T::version), Opt("currency", &T::currency), Opt("plan", &T::plan),
      Opt("tier", &T::tier), Opt("deployment", &T::deployment), Opt("modules", &T::modules), Opt("limits", &T::limits),
      Opt("sandbox_limits", &T::sandbox_limits), Opt("lot_traceability_required", &T::lot_traceability_required),
      Opt("data_region", &T::data_region), Opt("workflow", &T::workflow), Opt("milestones", &T::milestones),
      Opt("payment_terms_days", &T::payment_terms_days), Opt("billing_period_days", &T::billing_period_days),
      Opt("dunning", &T::dunning), Opt("extension_kinds", &T::extension_kinds));
};

}  // namespace keel::gateway::json
