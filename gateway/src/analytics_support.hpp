// What the analytics routes share (analytics_support.cpp): their parameters (from, to as days,
// group_by as one dimension and/or one time bucket, format, the partner / tenant filters narrowing
// the caller's scope), the sources a scope and dimension give (each a set of the analytics model's
// groups summed under labels), their facts per time bucket, and the answer as JSON or CSV.
#pragma once

#include <chrono>
#include <expected>
#include <set>
#include <string>
#include <vector>

#include "list_support.hpp"
#include "projections/analytics.hpp"

namespace keel::gateway {

struct AnalyticsQuery {
  std::string from, to;    // YYYY-MM-DD, inclusive
  std::string dimension;   // "", tenant, partner, segment, tier
  std::string bucket;      // "", day, month
  bool csv = false;
  std::string partner, tenant;  // the scope: the caller's binding, narrowed by the filters
  ListParams list;
  std::string model;   // the analytics key space
  json::Json figures;  // the read model's position and lag
  std::string now_day;  // business time's today
  bool echo_range = true;  // the answer says from / to (false: the route covers no range)
};

struct AnalyticsShape {
  std::set<std::string> extra;  // the route's own parameters
  bool buckets = true;          // group_by may hold day or month
  bool range = true;            // from / to apply
  int default_days = 30;        // the range when from is left out
  bool internal = false;        // the reseller's own figures (cost to serve, churn risk): not for tenant-bound keys
  bool pages = true;            // group_by=tenant pages with limit / cursor
};
std::expected<AnalyticsQuery, Response> ParseAnalytics(Call& c, const AnalyticsShape& shape);

std::optional<std::chrono::sys_days> ParseDay(const std::string& text);
std::string DayString(std::chrono::sys_days d);

// One row of a series route: who it is about and what happened in each bucket.
struct Source {
  json::Json labels;                // e.g. {"segment": "regional-distributor"}
  std::vector<std::string> groups;  // analytics groups summed ("s/<segment>", "t/<tenant>", ...)
};
struct Bucketed {
  std::string period;  // YYYY-MM-DD, YYYY-MM or "" (the whole range)
  projections::Facts sum;      // the bucket's facts; kMrr / kTenants at its end
  projections::Facts opening;  // kMrr / kTenants at its start
};
struct SeriesRow {
  json::Json labels;
  std::vector<Bucketed> buckets;
};
// The sources of the query's scope and dimension (a page of tenants for "tenant": `next` the cursor
// of the next page, "" when none).
std::expected<std::vector<Source>, Response> Sources(Call& c, const AnalyticsQuery& q, std::string& next);
std::expected<std::vector<SeriesRow>, Response> Series(Call& c, const AnalyticsQuery& q, const std::vector<Source>& sources);

// The tenants' analytics states in the query's scope (production tenants; terminated ones when
// `with_terminated`), all of them, or a page of them for the "tenant" dimension.
std::expected<std::vector<json::Json>, Response> TenantStatesInScope(Call& c, const AnalyticsQuery& q,
                                                                     bool with_terminated, bool paged, std::string& next);
// The tenant's renewal-risk band now (low, medium, high; "low" while analytics has no row for it):
// what a new ticket's priority is raised by (handlers_analytics_tenants.cpp).
std::string RiskBandNow(Call& c, const std::string& tenant);
// The labels of a tenant's row under a dimension ("tenant": tenant, partner, segment, tier; else that one).
json::Json LabelsOf(const json::Json& state, const std::string& dimension);

// {"from","to","group_by","currency","items","next_cursor","projection"} as JSON, or the items as CSV
// (nested objects flattened to dotted columns).
Response AnalyticsAnswer(Call& c, const AnalyticsQuery& q, std::string_view name, json::Json items,
                         const std::string& next = "");

}  // namespace keel::gateway
