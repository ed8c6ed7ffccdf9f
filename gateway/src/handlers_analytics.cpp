// The analytics series routes (projections/analytics.hpp), each in the caller's scope, over a range of
// days, grouped by one dimension and/or a time bucket, as JSON or CSV (analytics_support.hpp):
//   GET /v1/analytics/revenue  orders, lines, units, GMV per currency, cancellations, returns, billed
//       revenue, MRR / ARR at each bucket's end with their movements (new, expansion, contraction,
//       churn), tenants;
//   GET /v1/analytics/margin   billed revenue less credits, cost to serve, margin;
//   GET /v1/analytics/support  tickets opened and resolved, integration failures, latency breaches,
//       recoveries and mean time to recover per connector; over the whole range also the tickets open
//       now and their age.
#include <algorithm>
#include <map>

#include "analytics_support.hpp"

namespace keel::gateway {
namespace {

using json::Json;
namespace pj = projections;

Json Gmv(const pj::Facts& f) {
  Json out = Json::object();
  for (const auto& [currency, amount] : f.gmv) out[currency] = amount;
  return out;
}

// Every row of every source, each bucket one item: the labels, the period, and what `shape` says.
template <class Shape>
Json Items(const AnalyticsQuery& q, const std::vector<SeriesRow>& rows, Shape shape) {
  Json items = Json::array();
  for (const SeriesRow& row : rows)
    for (const Bucketed& b : row.buckets) {
      Json item = row.labels;
      if (!q.bucket.empty()) item["period"] = b.period;
      shape(item, b);
      items.push_back(std::move(item));
    }
  return items;
}

// The query, its sources' rows per bucket and the next page's cursor.
struct Loaded {
  AnalyticsQuery q;
  std::vector<SeriesRow> rows;
  std::string next;
};
std::expected<Loaded, Response> Load(Call& c, bool internal) {
  auto q = ParseAnalytics(c, {.internal = internal});
  if (!q) return std::unexpected(q.error());
  Loaded out{std::move(*q), {}, {}};
  auto sources = Sources(c, out.q, out.next);
  if (!sources) return std::unexpected(sources.error());
  auto rows = Series(c, out.q, *sources);
  if (!rows) return std::unexpected(rows.error());
  out.rows = std::move(*rows);
  return out;
}

template <class Shape>
Response SeriesRoute(Call& c, std::string_view name, Shape shape, bool internal = false) {
  auto loaded = Load(c, internal);
  if (!loaded) return loaded.error();
  return AnalyticsAnswer(c, loaded->q, name, Items(loaded->q, loaded->rows, shape), loaded->next);
}

Response Revenue(Call& c) {
  return SeriesRoute(c, "revenue", [](Json& item, const Bucketed& b) {
    const auto& n = b.sum.n;
    item["orders"] = n[pj::kOrders];
    item["lines"] = n[pj::kLines];
    item["units"] = n[pj::kUnits];
    item["gmv"] = Gmv(b.sum);
    item["cancellations"] = n[pj::kCancellations];
    item["returns"] = n[pj::kReturns];
    item["returned_units"] = n[pj::kReturnedUnits];
    item["billed"] = n[pj::kBilled];
    item["credited"] = n[pj::kCredited];
    item["revenue"] = n[pj::kBilled] - n[pj::kCredited];
    item["mrr_start"] = b.opening.n[pj::kMrr];
    item["mrr"] = n[pj::kMrr];
    item["arr"] = n[pj::kMrr] * 12;
    item["mrr_movements"] = {{"new", n[pj::kMrrNew]},
                             {"expansion", n[pj::kMrrExpansion]},
                             {"contraction", n[pj::kMrrContraction]},
                             {"churn", n[pj::kMrrChurn]},
                             {"net", n[pj::kMrrNew] + n[pj::kMrrExpansion] - n[pj::kMrrContraction] - n[pj::kMrrChurn]}};
    item["tenants_start"] = b.opening.n[pj::kTenants];
    item["tenants"] = n[pj::kTenants];
    item["tenants_new"] = n[pj::kTenantsNew];
    item["tenants_churned"] = n[pj::kTenantsChurned];
    item["go_lives"] = n[pj::kGoLives];
    item["api_calls"] = n[pj::kApiCalls];
  });
}

Response Margin(Call& c) {
  return SeriesRoute(c, "margin", [](Json& item, const Bucketed& b) {
    const auto& n = b.sum.n;
    const std::int64_t revenue = n[pj::kBilled] - n[pj::kCredited];
    const std::int64_t margin = revenue - n[pj::kCost];
    item["billed"] = n[pj::kBilled];
    item["credited"] = n[pj::kCredited];
    item["revenue"] = revenue;
    item["cost"] = n[pj::kCost];
    item["margin"] = margin;
    item["margin_bps"] = revenue > 0 ? Json(margin * 10'000 / revenue) : Json();
    item["tenants"] = n[pj::kTenants];
  }, true);
}

Json Connector(const pj::Facts& f, pj::Counter failures, pj::Counter breaches, pj::Counter recoveries, pj::Counter ms) {
  const auto& n = f.n;
  return {{"failures", n[failures]},
          {"latency_breaches", n[breaches]},
          {"recoveries", n[recoveries]},
          {"mean_time_to_recover_ms", n[recoveries] > 0 ? Json(n[ms] / n[recoveries]) : Json()}};
}

Response Support(Call& c) {
  auto loaded = Load(c, false);
  if (!loaded) return loaded.error();
  const AnalyticsQuery* q = &loaded->q;
  const auto* rows = &loaded->rows;
  const std::string& next = loaded->next;
  // Over the whole range: the tickets open now, per row (its tenants' states, matched on the row's
  // dimension: the tenant, segment, tier or partner; the whole scope when none).
  const std::string field = !q->tenant.empty() || q->dimension == "tenant" ? "tenant" : q->dimension;
  auto key = [&](const Json& j) { return field.empty() ? std::string() : j.value(field, ""); };
  struct Open {
    std::int64_t count = 0, oldest_days = 0, total_days = 0;
  };
  std::map<std::string, Open> open;
  if (q->bucket.empty()) {
    std::string unused;
    auto states = TenantStatesInScope(c, *q, false, false, unused);
    if (!states) return states.error();
    for (const Json& s : *states) {
      Open& o = open[key(s)];
      const Json tickets = s.value("open_tickets", Json::object());  // held: items() of a temporary dangles
      for (const auto& [ticket, opened_at] : tickets.items()) {
        const std::int64_t days = std::max<std::int64_t>(0, (c.now - opened_at.get<std::int64_t>()) / domain::kDayMs);
        ++o.count;
        o.oldest_days = std::max(o.oldest_days, days);
        o.total_days += days;
      }
    }
  }
  Json items = Items(*q, *rows, [&](Json& item, const Bucketed& b) {
    item["tickets_opened"] = b.sum.n[pj::kTicketsOpened];
    item["tickets_resolved"] = b.sum.n[pj::kTicketsResolved];
    item["integrations"] = {
        {"edi", Connector(b.sum, pj::kEdiFailures, pj::kEdiBreaches, pj::kEdiRecoveries, pj::kEdiRecoveryMs)},
        {"marketplace", Connector(b.sum, pj::kMarketplaceFailures, pj::kMarketplaceBreaches, pj::kMarketplaceRecoveries,
                                  pj::kMarketplaceRecoveryMs)}};
    if (!q->bucket.empty()) return;
    const auto it = open.find(key(item));
    const Open o = it == open.end() ? Open{} : it->second;
    item["open_tickets"] = o.count;
    item["oldest_open_age_days"] = o.count > 0 ? Json(o.oldest_days) : Json();
    item["mean_open_age_days"] = o.count > 0 ? Json(o.total_days / o.count) : Json();
  });
  return AnalyticsAnswer(c, *q, "support", std::move(items), next);
}

}  // namespace

void AddAnalyticsHandlers(HandlerTable& t) {
  t["analytics_revenue"] = Revenue;
  t["analytics_margin"] = Margin;
  t["analytics_support"] = Support;
}

}  // namespace keel::gateway
