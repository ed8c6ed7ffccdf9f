// The analytics routes computed per tenant from its analytics state and its day facts (see
// projections/analytics.hpp), in the caller's scope, per tenant or aggregated by partner, segment or
// tier, as JSON or CSV:
//   GET /v1/analytics/usage         modules entitled vs used in the range, warehouses active, orders
//       against the plan's monthly volume, API calls;
//   GET /v1/analytics/renewal-risk  a 0-100 score per tenant with every factor's value, risk, weight and
//       contribution (weights from analytics.json), highest first, as of business time's now;
//   GET /v1/analytics/onboarding    milestones done and pending, days since provisioning, time to
//       go-live, lifecycle stage; aggregated: the funnel and the median time to go-live.
#include <algorithm>
#include <map>

#include "analytics_support.hpp"
#include "domain/analytics.hpp"
#include "projections/analytics_query.hpp"

namespace keel::gateway {
namespace {

using json::Json;
namespace pj = projections;
namespace an = domain::analytics;


std::set<domain::Module> Entitled(const Json& s) {
  std::set<domain::Module> out;
  for (const auto& m : s.value("modules", Json::array()))
    if (auto parsed = domain::ParseModule(m.get<std::string>())) out.insert(*parsed);
  return out;
}

std::set<domain::Module> Used(std::int64_t mask) {
  std::set<domain::Module> out;
  for (domain::Module m : domain::kAllModules)
    if (mask & pj::ModuleBit(m)) out.insert(m);
  return out;
}

Json Names(const std::set<domain::Module>& modules) {
  Json out = Json::array();
  for (auto m : modules) out.push_back(domain::ModuleName(m));
  return out;
}

std::int64_t Adopted(const std::set<domain::Module>& entitled, const std::set<domain::Module>& used) {
  return static_cast<std::int64_t>(std::ranges::count_if(entitled, [&](auto m) { return used.contains(m); }));
}

// The tenant's facts summed over [from, to].
std::expected<pj::Facts, Response> Summed(Call& c, const AnalyticsQuery& q, const std::string& tenant,
                                          const std::string& from, const std::string& to) {
  auto range = pj::ReadGroup(c.ctx.store, q.model, "t/" + tenant, from, to);
  if (!range) return std::unexpected(ReadModelUnreadable("analytics"));
  pj::Facts sum;
  for (const auto& d : range->days) sum.Add(d.facts);
  return sum;
}

std::string DaysBefore(const std::string& day, int days) {
  return DayString(*ParseDay(day) - std::chrono::days(days));
}

std::optional<std::int64_t> DaysBetween(const Json& from_ms, std::int64_t to_ms) {
  if (!from_ms.is_number_integer()) return std::nullopt;
  return std::max<std::int64_t>(0, (to_ms - from_ms.get<std::int64_t>()) / domain::kDayMs);
}

Json Or(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(); }

// Per-tenant items, or (a dimension other than tenant, or none) their aggregate per label.
template <class PerTenant, class Aggregate>
Response TenantRoute(Call& c, const AnalyticsQuery& q, std::string_view name, bool with_terminated, PerTenant per_tenant,
                     Aggregate aggregate) {
  const bool per = q.dimension == "tenant" || !q.tenant.empty();
  std::string next;
  auto states = TenantStatesInScope(c, q, with_terminated, per, next);
  if (!states) return states.error();
  std::vector<Json> rows;
  for (const Json& s : *states) {
    auto row = per_tenant(s);
    if (!row) return row.error();
    if (row->is_null()) continue;  // filtered out
    rows.push_back(std::move(*row));
  }
  if (per) {
    Json items = Json::array();
    for (auto& r : rows) items.push_back(std::move(r));
    return AnalyticsAnswer(c, q, name, std::move(items), next);
  }
  const std::string field = q.dimension.empty() ? (q.partner.empty() ? "" : "partner") : q.dimension;
  std::map<std::string, std::vector<Json>> groups;
  if (!field.empty() || !rows.empty())
    for (auto& r : rows) groups[field.empty() ? "" : r.value(field, "")].push_back(std::move(r));
  Json items = Json::array();
  for (auto& [label, members] : groups) {
    Json item = field.empty() ? Json::object() : Json{{field, label}};
    aggregate(item, members);
    items.push_back(std::move(item));
  }
  return AnalyticsAnswer(c, q, name, std::move(items), "");
}

Json Median(std::vector<std::int64_t> v) {
  if (v.empty()) return Json();
  std::ranges::sort(v);
  const auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Response Usage(Call& c) {
  auto q = ParseAnalytics(c, {.extra = {}, .buckets = false});
  if (!q) return q.error();
  const std::int64_t days = (*ParseDay(q->to) - *ParseDay(q->from)).count() + 1;
  return TenantRoute(
      c, *q, "usage", true,
      [&](const Json& s) -> std::expected<Json, Response> {
        const std::string tenant = s.value("tenant", "");
        auto sum = Summed(c, *q, tenant, q->from, q->to);
        if (!sum) return std::unexpected(sum.error());
        auto active = pj::ActiveWarehouses(c.ctx.store, q->model, tenant, q->from, q->to);
        if (!active) return std::unexpected(ReadModelUnreadable("analytics"));
        const auto entitled = Entitled(s);
        const auto used = Used(sum->n[pj::kModulesUsed]);
        const std::int64_t orders = sum->n[pj::kOrders];
        const std::int64_t volume = s.value("monthly_volume", std::int64_t{0});
        const std::int64_t per_month = orders * 30 / days;
        Json row = LabelsOf(s, "tenant");
        row["modules_entitled"] = Names(entitled);
        row["modules_used"] = Names(used);
        row["adoption_bps"] = entitled.empty() ? Json() : Json(Adopted(entitled, used) * 10'000 / static_cast<std::int64_t>(entitled.size()));
        row["warehouses_active"] = *active;
        row["warehouses_registered"] = s.value("warehouses", 0);
        row["orders"] = orders;
        row["orders_per_30_days"] = per_month;
        row["monthly_volume"] = volume;
        row["volume_bps"] = volume > 0 ? Json(per_month * 10'000 / volume) : Json();
        row["api_calls"] = sum->n[pj::kApiCalls];
        row["events"] = sum->n[pj::kEvents];
        return row;
      },
      [](Json& item, const std::vector<Json>& members) {
        std::int64_t orders = 0, api = 0, events = 0, active = 0, adoption = 0, adoption_n = 0;
        std::map<std::string, std::int64_t> using_module;
        for (const Json& m : members) {
          orders += m["orders"].get<std::int64_t>();
          api += m["api_calls"].get<std::int64_t>();
          events += m["events"].get<std::int64_t>();
          active += m["warehouses_active"].get<std::int64_t>();
          if (m["adoption_bps"].is_number()) adoption += m["adoption_bps"].get<std::int64_t>(), ++adoption_n;
          for (const auto& mod : m["modules_used"]) ++using_module[mod.get<std::string>()];
        }
        item["tenants"] = members.size();
        item["mean_adoption_bps"] = adoption_n > 0 ? Json(adoption / adoption_n) : Json();
        item["tenants_using"] = using_module;
        item["warehouses_active"] = active;
        item["orders"] = orders;
        item["api_calls"] = api;
        item["events"] = events;
      });
}

std::expected<an::RiskInputs, Response> RiskInputsOf(Call& c, const AnalyticsQuery& q, const Json& s, const an::Rules& rules,
                                                     std::set<domain::Module>* used_recently) {
  const std::string tenant = s.value("tenant", "");
  const int window = static_cast<int>(rules.scales.trend_window_days);
  auto range = pj::ReadGroup(c.ctx.store, q.model, "t/" + tenant, DaysBefore(q.now_day, 2 * window - 1), q.now_day);
  if (!range) return std::unexpected(ReadModelUnreadable("analytics"));
  const std::string recent_from = DaysBefore(q.now_day, window - 1);
  an::RiskInputs in;
  std::int64_t mask = 0;
  for (const auto& d : range->days) {
    const bool recent = d.day >= recent_from;
    (recent ? in.orders_recent : in.orders_prior) += d.facts.n[pj::kOrders];
    if (recent) {
      in.integration_failures += d.facts.n[pj::kEdiFailures] + d.facts.n[pj::kMarketplaceFailures];
      mask |= d.facts.n[pj::kModulesUsed];
    }
  }
  const auto entitled = Entitled(s);
  const auto used = Used(mask);
  if (used_recently) *used_recently = used;
  in.modules_entitled = static_cast<std::int64_t>(entitled.size());
  in.modules_used = Adopted(entitled, used);
  const auto live_days = DaysBetween(s.value("went_live_at", Json()), c.now);
  in.live_for_window = live_days && *live_days >= window;
  const Json tickets = s.value("open_tickets", Json::object());  // held: items() of a temporary dangles
  for (const auto& [ticket, opened_at] : tickets.items()) {
    ++in.open_tickets;
    in.oldest_ticket_age_days = std::max(in.oldest_ticket_age_days, DaysBetween(opened_at, c.now).value_or(0));
  }
  const std::int64_t period_end = s.value("period_end", std::int64_t{0});
  in.days_to_renewal = period_end > c.now ? (period_end - c.now + domain::kDayMs - 1) / domain::kDayMs : 0;
  in.cancelled = s.value("cancelled", false);
  const Json invoices = s.value("invoices", Json::object());
  for (const auto& [id, inv] : invoices.items()) {
    if (inv.value("overdue", false)) ++in.overdue_invoices;
    in.dunning_level = std::max(in.dunning_level, inv.value("dunning", std::int64_t{0}));
  }
  return in;
}

Response RenewalRisk(Call& c) {
  auto q = ParseAnalytics(c, {.extra = {"band", "min_score"}, .buckets = false, .range = false, .internal = true, .pages = false});
  if (!q) return q.error();
  q->echo_range = false;
  const std::string band = Query(c, "band");
  if (!band.empty() && band != "low" && band != "medium" && band != "high")
    return BadField({"band", "expected one of: low, medium, high"});
  std::int64_t min_score = 0;
  if (const std::string v = Query(c, "min_score"); !v.empty()) {
    auto n = Number(v);
    if (!n || *n > 100) return BadField({"min_score", "expected a score from 0 to 100"});
    min_score = static_cast<std::int64_t>(*n);
  }
  const an::Rules& rules = c.ctx.analytics_rules;
  AnalyticsQuery all = *q;
  if (all.dimension == "tenant") all.dimension.clear();  // ranked over the whole scope, not a page
  std::string unused;
  auto states = TenantStatesInScope(c, all, false, false, unused);
  if (!states) return states.error();
  std::vector<std::pair<std::int64_t, Json>> scored;
  for (const Json& s : *states) {
    auto in = RiskInputsOf(c, *q, s, rules, nullptr);
    if (!in) return in.error();
    const an::RiskScore score = an::Risk(*in, rules);
    Json row = LabelsOf(s, "tenant");
    row["score"] = score.score;
    row["band"] = score.band;
    row["days_to_renewal"] = in->days_to_renewal;
    Json factors = Json::object();
    for (const auto& f : score.factors)
      factors[f.name] = {{"value", f.value},
                         {"risk", static_cast<double>(f.risk_bps) / 10'000},
                         {"weight", f.weight},
                         {"contribution", static_cast<double>(f.contribution_bps) / 100}};
    row["factors"] = std::move(factors);
    scored.emplace_back(score.score, std::move(row));
  }
  const bool per = q->dimension == "tenant" || q->dimension.empty() || !q->tenant.empty();
  if (!per && !Query(c, "limit").empty())
    return BadField({"limit", "lists tenants: only without group_by or with group_by=tenant"});
  std::erase_if(scored, [&](const auto& s) { return s.first < min_score || (!band.empty() && s.second["band"] != band); });
  if (per) {
    std::ranges::stable_sort(scored, [](const auto& a, const auto& b) { return a.first > b.first; });
    Json items = Json::array();
    for (auto& [score, row] : scored) {
      if (items.size() == q->list.limit) break;
      items.push_back(std::move(row));
    }
    return AnalyticsAnswer(c, *q, "renewal-risk", std::move(items));
  }
  std::map<std::string, std::vector<Json>> groups;
  for (auto& [score, row] : scored) groups[row.value(q->dimension, "")].push_back(std::move(row));
  Json items = Json::array();
  for (auto& [label, members] : groups) {
    std::int64_t total = 0;
    std::map<std::string, std::int64_t> bands{{"low", 0}, {"medium", 0}, {"high", 0}};
    for (const Json& m : members) {
      total += m["score"].get<std::int64_t>();
      ++bands[m["band"].get<std::string>()];
    }
    items.push_back({{q->dimension, label},
                     {"tenants", members.size()},
                     {"mean_score", total / static_cast<std::int64_t>(members.size())},
                     {"bands", bands}});
  }
  return AnalyticsAnswer(c, *q, "renewal-risk", std::move(items));
}

Response Onboarding(Call& c) {
  auto q = ParseAnalytics(c, {.extra = {}, .buckets = false});
  if (!q) return q.error();
  // A cohort only when asked for: tenants provisioned in [from, to].
  const bool cohort = !Query(c, "from").empty() || !Query(c, "to").empty();
  q->echo_range = cohort;
  const an::Rules& rules = c.ctx.analytics_rules;
  return TenantRoute(
      c, *q, "onboarding", true,
      [&](const Json& s) -> std::expected<Json, Response> {
        const std::int64_t provisioned = s.value("provisioned_at", std::int64_t{0});
        const std::string day = pj::Day(provisioned);
        if (cohort && (day < q->from || day > q->to)) return Json();
        auto sum = Summed(c, *q, s.value("tenant", ""), DaysBefore(q->now_day, 29), q->now_day);
        if (!sum) return std::unexpected(sum.error());
        const auto entitled = Entitled(s);
        const auto used = Used(sum->n[pj::kModulesUsed]);
        const Json went_live = s.value("went_live_at", Json());
        an::StageInputs in;
        in.live = went_live.is_number_integer();
        in.days_live = DaysBetween(went_live, c.now).value_or(0);
        in.integration_failing = !s.value("failing", Json::object()).empty();
        in.modules_entitled = static_cast<std::int64_t>(entitled.size());
        in.modules_used = Adopted(entitled, used);
        in.orders_30d = sum->n[pj::kOrders];
        in.monthly_volume = s.value("monthly_volume", std::int64_t{0});
        Json done = Json::array(), pending = Json::array();
        std::int64_t required_pending = 0;
        for (const auto& m : s.value("milestones", Json::array())) {
          (m.value("done", false) ? done : pending).push_back(m.value("id", ""));
          if (!m.value("done", false) && m.value("required", true)) ++required_pending;
        }
        Json row = LabelsOf(s, "tenant");
        row["status"] = s.value("status", "");
        // A terminated tenant left the lifecycle: "churned" (its milestones and time to go-live stay).
        row["stage"] = s.value("status", "") == "terminated" ? std::string("churned") : std::string(an::Stage(in, rules.stages));
        row["milestones_done"] = std::move(done);
        row["milestones_pending"] = std::move(pending);
        row["required_pending"] = required_pending;
        row["provisioned_at"] = provisioned;
        row["days_since_provisioning"] = Or(DaysBetween(provisioned, c.now));
        row["went_live_at"] = went_live;
        row["days_to_go_live"] = in.live ? Json(std::max<std::int64_t>(0, (went_live.get<std::int64_t>() - provisioned) / domain::kDayMs)) : Json();
        return row;
      },
      [](Json& item, const std::vector<Json>& members) {
        Json stages = Json::object();
        for (auto stage : an::kStages) stages[std::string(stage)] = 0;
        stages["churned"] = 0;
        std::vector<std::int64_t> to_live;
        std::int64_t done = 0, pending = 0;
        for (const Json& m : members) {
          stages[m["stage"].get<std::string>()] = stages[m["stage"].get<std::string>()].get<std::int64_t>() + 1;
          if (m["days_to_go_live"].is_number()) to_live.push_back(m["days_to_go_live"].get<std::int64_t>());
          done += static_cast<std::int64_t>(m["milestones_done"].size());
          pending += static_cast<std::int64_t>(m["milestones_pending"].size());
        }
        item["tenants"] = members.size();
        item["stages"] = std::move(stages);
        item["live"] = to_live.size();
        item["median_days_to_go_live"] = Median(std::move(to_live));
        item["milestones_done"] = done;
        item["milestones_pending"] = pending;
      });
}

}  // namespace

std::string RiskBandNow(Call& c, const std::string& tenant) {
  auto model = ReadModel(c, "analytics", 0);
  if (!model) return "low";
  AnalyticsQuery q;
  q.model = model->first;
  q.now_day = pj::Day(c.now);
  auto state = pj::ReadTenantState(c.ctx.store, q.model, tenant);
  if (!state || !*state) return "low";
  auto in = RiskInputsOf(c, q, **state, c.ctx.analytics_rules, nullptr);
  if (!in) return "low";
  return an::Risk(*in, c.ctx.analytics_rules).band;
}

void AddAnalyticsTenantHandlers(HandlerTable& t) {
  t["analytics_usage"] = Usage;
  t["analytics_renewal_risk"] = RenewalRisk;
  t["analytics_onboarding"] = Onboarding;
}

}  // namespace keel::gateway
