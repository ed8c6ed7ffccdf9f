// What the analytics routes share (see analytics_support.hpp).
#include "analytics_support.hpp"

#include <map>

#include "gateway/access.hpp"
#include "json_fields.hpp"
#include "projections/analytics_query.hpp"
#include "projections/query.hpp"

namespace keel::gateway {

using json::Json;
namespace pj = projections;

namespace {

constexpr int kMaxRangeDays = 3660;
constexpr std::size_t kMaxCells = 200'000;  // sources x buckets one answer may hold


std::vector<std::pair<std::string, std::pair<std::string, std::string>>> BucketsOf(const AnalyticsQuery& q) {
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> out;
  const auto from = *ParseDay(q.from), to = *ParseDay(q.to);
  if (q.bucket.empty()) {
    out.push_back({"", {q.from, q.to}});
  } else if (q.bucket == "day") {
    for (auto d = from; d <= to; d += std::chrono::days(1)) out.push_back({DayString(d), {DayString(d), DayString(d)}});
  } else {
    for (auto d = from; d <= to;) {
      const std::chrono::year_month_day ymd{d};
      const auto next_month = std::chrono::sys_days{(ymd.year() / ymd.month() / 1) + std::chrono::months(1)};
      const auto last = std::min(to, next_month - std::chrono::days(1));
      out.push_back({DayString(d).substr(0, 7), {DayString(d), DayString(last)}});
      d = next_month;
    }
  }
  return out;
}

void Flatten(const Json& value, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& cells) {
  if (value.is_object()) {
    for (const auto& [k, v] : value.items()) Flatten(v, prefix.empty() ? k : prefix + "." + k, cells);
  } else if (value.is_array()) {
    std::string joined;
    for (const auto& v : value) {
      if (!joined.empty()) joined += ";";
      joined += v.is_string() ? v.get<std::string>() : v.dump();
    }
    cells.emplace_back(prefix, joined);
  } else if (value.is_string()) {
    cells.emplace_back(prefix, value.get<std::string>());
  } else if (value.is_null()) {
    cells.emplace_back(prefix, "");
  } else {
    cells.emplace_back(prefix, value.dump());
  }
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

}  // namespace

std::optional<std::chrono::sys_days> ParseDay(const std::string& t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  const int y = std::stoi(t.substr(0, 4));
  const unsigned m = std::stoul(t.substr(5, 2)), d = std::stoul(t.substr(8, 2));
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok() || y < 1970) return std::nullopt;
  return std::chrono::sys_days(ymd);
}

std::string DayString(std::chrono::sys_days d) {
  return pj::Day(std::chrono::duration_cast<std::chrono::milliseconds>(d.time_since_epoch()).count());
}

std::expected<AnalyticsQuery, Response> ParseAnalytics(Call& c, const AnalyticsShape& shape) {
  if (shape.internal && !c.who.tenant.empty())
    return std::unexpected(Problem(403, "forbidden", "Forbidden",
                                   "cost to serve and renewal risk are the reseller's figures: partner and platform keys only"));
  std::set<std::string> allowed = shape.extra;
  for (const char* name : {"group_by", "format", "partner", "tenant"}) allowed.insert(name);
  if (shape.range) allowed.insert({"from", "to"});
  auto p = Params(c, allowed);
  if (!p) return std::unexpected(p.error());
  AnalyticsQuery q;
  q.list = *p;
  q.now_day = pj::Day(c.now);
  const auto today = *ParseDay(q.now_day);
  auto day = [&](const char* name, std::chrono::sys_days fallback) -> std::expected<std::chrono::sys_days, Response> {
    const std::string v = Query(c, name);
    if (v.empty()) return fallback;
    auto d = ParseDay(v);
    if (!d) return std::unexpected(BadField({name, "expected a day as YYYY-MM-DD (UTC)"}));
    return *d;
  };
  auto to = day("to", today);
  if (!to) return std::unexpected(to.error());
  auto from = day("from", *to - std::chrono::days(shape.default_days - 1));
  if (!from) return std::unexpected(from.error());
  if (*from > *to) return std::unexpected(BadField({"from", "after to"}));
  if ((*to - *from).count() >= kMaxRangeDays)
    return std::unexpected(BadField({"to", "a range of at most " + std::to_string(kMaxRangeDays) + " days"}));
  q.from = DayString(*from);
  q.to = DayString(*to);
  if (const std::string g = Query(c, "group_by"); !g.empty()) {
    std::size_t start = 0;
    while (start <= g.size()) {
      const auto comma = std::min(g.find(',', start), g.size());
      const std::string part = g.substr(start, comma - start);
      start = comma + 1;
      if (part == "tenant" || part == "partner" || part == "segment" || part == "tier") {
        if (!q.dimension.empty()) return std::unexpected(BadField({"group_by", "one of tenant, partner, segment, tier at a time"}));
        q.dimension = part;
      } else if (part == "day" || part == "month") {
        if (!shape.buckets) return std::unexpected(BadField({"group_by", "this route covers the whole range: tenant, partner, segment or tier"}));
        if (!q.bucket.empty()) return std::unexpected(BadField({"group_by", "one of day, month at a time"}));
        q.bucket = part;
      } else {
        return std::unexpected(BadField({"group_by", "expected a comma-separated list of tenant, partner, segment, tier" +
                                                         std::string(shape.buckets ? ", day, month" : "")}));
      }
    }
  }
  if (const std::string f = Query(c, "format"); !f.empty()) {
    if (f != "json" && f != "csv") return std::unexpected(BadField({"format", "expected json or csv"}));
    q.csv = f == "csv";
  }
  q.partner = c.who.partner;
  q.tenant = c.who.tenant;
  if (const std::string partner = Query(c, "partner"); !partner.empty()) {
    if (!eventstore::IsValidId(partner)) return std::unexpected(BadField({"partner", std::string(json::kIdRule)}));
    if (!q.partner.empty() && partner != q.partner) return std::unexpected(OutsideScope("partner '" + partner + "' does not exist"));
    if (q.partner.empty()) {  // the platform names one: it must exist
      auto exists = PartnerOf(c, partner);
      if (!exists) return std::unexpected(exists.error());
      if (exists->version == 0) return std::unexpected(NotFound("partner '" + partner + "' does not exist"));
    }
    q.partner = partner;
  }
  if (const std::string tenant = Query(c, "tenant"); !tenant.empty()) {
    if (!eventstore::IsValidId(tenant)) return std::unexpected(BadField({"tenant", std::string(json::kIdRule)}));
    if (OutsideByName(c.who, tenant)) return std::unexpected(OutsideScope("tenant '" + tenant + "' does not exist"));
    if (!q.tenant.empty() && tenant != q.tenant) return std::unexpected(OutsideScope("tenant '" + tenant + "' does not exist"));
    if (!q.partner.empty() && !TenantNamespace(tenant).empty() && TenantNamespace(tenant) != q.partner)
      return std::unexpected(BadField({"tenant", "not a tenant of partner '" + q.partner + "'"}));
    q.tenant = tenant;
  }
  // Pages are of tenants (group_by=tenant); elsewhere a cursor or a limit would be ignored: refused.
  const bool paged = shape.pages && q.dimension == "tenant" && q.tenant.empty();
  if (!paged && !Query(c, "cursor").empty())
    return std::unexpected(BadField({"cursor", shape.pages ? "pages are of tenants: only with group_by=tenant" : "this route has no pages"}));
  if (!paged && shape.pages && !Query(c, "limit").empty())
    return std::unexpected(BadField({"limit", "pages are of tenants: only with group_by=tenant"}));
  if (paged && !q.list.cursor.empty()) {
    auto key = pj::DecodeCursor(q.list.cursor, q.partner.empty() ? "" : q.partner + ":");
    if (!key) return std::unexpected(BadField({"cursor", "not a cursor of this listing (pass next_cursor from the previous page)"}));
  }
  auto model = ReadModel(c, "analytics", q.list.min_position);
  if (!model) return std::unexpected(model.error());
  q.model = model->first;
  q.figures = model->second;
  return q;
}

json::Json LabelsOf(const Json& s, const std::string& dimension) {
  if (dimension.empty()) return Json::object();
  if (dimension == "tenant")
    return {{"tenant", s.value("tenant", "")}, {"partner", s.value("partner", "")}, {"segment", s.value("segment", "")},
            {"tier", s.value("tier", "")}};
  const std::string field = dimension == "tier" ? "tier" : dimension == "segment" ? "segment" : "partner";
  return {{field, s.value(field, "")}};
}

std::expected<std::vector<Json>, Response> TenantStatesInScope(Call& c, const AnalyticsQuery& q, bool with_terminated,
                                                               bool paged, std::string& next) {
  std::vector<Json> out;
  next.clear();
  auto keep = [&](const Json& s) {
    return s.is_object() && s.value("environment", "") == "production" &&
           (with_terminated || s.value("status", "") != "terminated");
  };
  if (!q.tenant.empty()) {
    auto state = pj::ReadTenantState(c.ctx.store, q.model, q.tenant);
    if (!state) return std::unexpected(ReadModelUnreadable("analytics"));
    if (!*state || (!c.who.partner.empty() && (**state).value("partner", "") != c.who.partner))
      return std::unexpected(NotFound("tenant '" + q.tenant + "' does not exist (or has no analytics yet)"));
    if (keep(**state)) out.push_back(std::move(**state));
    return out;
  }
  std::string after;
  if (paged && !q.list.cursor.empty()) {
    auto key = pj::DecodeCursor(q.list.cursor, "");
    if (!key) return std::unexpected(BadField({"cursor", "not a cursor of this listing (pass next_cursor from the previous page)"}));
    after = *key;
  }
  const std::size_t page = paged ? q.list.limit : 1000;
  while (true) {
    auto states = pj::ReadTenantStates(c.ctx.store, q.model, q.partner, after, page);
    if (!states) return std::unexpected(ReadModelUnreadable("analytics"));
    for (auto& s : states->states) {
      after = s.value("tenant", "");
      if (keep(s)) out.push_back(std::move(s));
    }
    if (!states->more || states->states.empty()) break;
    if (paged) {
      next = pj::EncodeCursor(after);
      break;
    }
  }
  return out;
}

std::expected<std::vector<Source>, Response> Sources(Call& c, const AnalyticsQuery& q, std::string& next) {
  std::vector<Source> out;
  next.clear();
  if (!q.tenant.empty() || q.dimension == "tenant") {
    auto states = TenantStatesInScope(c, q, true, q.tenant.empty(), next);
    if (!states) return std::unexpected(states.error());
    for (const Json& s : *states)
      out.push_back({LabelsOf(s, "tenant"), {"t/" + s.value("tenant", "")}});
    if (!q.tenant.empty() && states->empty())  // a sandbox or a tenant without analytics: its own row alone
      out.push_back({Json{{"tenant", q.tenant}}, {"t/" + q.tenant}});
    return out;
  }
  auto list = [&](const std::string& prefix) -> std::expected<std::vector<std::string>, Response> {
    auto groups = pj::ListGroups(c.ctx.store, q.model, prefix);
    if (!groups) return std::unexpected(ReadModelUnreadable("analytics"));
    return *groups;
  };
  const bool platform = q.partner.empty();
  if (q.dimension == "segment" || q.dimension == "tier") {
    const std::string kind = q.dimension == "segment" ? "s/" : "r/";
    auto groups = list(platform ? kind : "p" + kind + q.partner + "/");
    if (!groups) return std::unexpected(groups.error());
    for (const auto& g : *groups) {
      Json labels = {{q.dimension, g.substr(g.rfind('/') + 1)}};
      if (!platform) labels["partner"] = q.partner;
      out.push_back({std::move(labels), {g}});
    }
    return out;
  }
  if (q.dimension == "partner" && platform) {
    auto groups = list("ps/");
    if (!groups) return std::unexpected(groups.error());
    std::map<std::string, std::vector<std::string>> by_partner;
    for (const auto& g : *groups) by_partner[g.substr(3, g.find('/', 3) - 3)].push_back(g);
    for (auto& [partner, gs] : by_partner) out.push_back({Json{{"partner", partner}}, std::move(gs)});
    return out;
  }
  auto groups = list(platform ? "s/" : "ps/" + q.partner + "/");
  if (!groups) return std::unexpected(groups.error());
  out.push_back({platform ? Json::object() : Json{{"partner", q.partner}}, std::move(*groups)});
  return out;
}

std::expected<std::vector<SeriesRow>, Response> Series(Call& c, const AnalyticsQuery& q, const std::vector<Source>& sources) {
  const auto buckets = BucketsOf(q);
  if (sources.size() * buckets.size() > kMaxCells)
    return std::unexpected(BadField({"group_by", "too many rows (" + std::to_string(sources.size() * buckets.size()) +
                                                     "): narrow the range, group by month, or page with a lower limit"}));
  std::vector<SeriesRow> out;
  out.reserve(sources.size());
  for (const Source& source : sources) {
    SeriesRow row{source.labels, {}};
    for (const auto& b : buckets) row.buckets.push_back({b.first, {}, {}});
    for (const std::string& group : source.groups) {
      auto range = pj::ReadGroup(c.ctx.store, q.model, group, q.from, q.to);
      if (!range) return std::unexpected(ReadModelUnreadable("analytics"));
      pj::Facts current = range->opening;
      std::size_t i = 0;
      for (std::size_t b = 0; b < buckets.size(); ++b) {
        Bucketed& out_bucket = row.buckets[b];
        out_bucket.opening.n[pj::kMrr] += current.n[pj::kMrr];
        out_bucket.opening.n[pj::kTenants] += current.n[pj::kTenants];
        for (; i < range->days.size() && range->days[i].day <= buckets[b].second.second; ++i) {
          pj::Facts f = range->days[i].facts;
          current.n[pj::kMrr] = f.n[pj::kMrr];
          current.n[pj::kTenants] = f.n[pj::kTenants];
          f.n[pj::kMrr] = f.n[pj::kTenants] = 0;
          out_bucket.sum.Add(f);
        }
        out_bucket.sum.n[pj::kMrr] += current.n[pj::kMrr];
        out_bucket.sum.n[pj::kTenants] += current.n[pj::kTenants];
      }
    }
    out.push_back(std::move(row));
  }
  return out;
}

Response AnalyticsAnswer(Call& c, const AnalyticsQuery& q, std::string_view name, Json items, const std::string& next) {
  if (q.csv) {
    // Columns: the labels first (who and when), then the figures in name order; a figure a row
    // lacks that other rows have as a number (a currency's GMV, a module's users) is 0.
    std::vector<std::string> columns;
    std::set<std::string> numeric;
    std::vector<std::map<std::string, std::string>> rows;
    for (const Json& item : items) {
      std::vector<std::pair<std::string, std::string>> cells;
      Flatten(item, "", cells);
      std::map<std::string, std::string> row;
      for (auto& [column, value] : cells) {
        if (std::find(columns.begin(), columns.end(), column) == columns.end()) columns.push_back(column);
        if (!value.empty() && value.find_first_not_of("-0123456789") == std::string::npos) numeric.insert(column);
        row[column] = std::move(value);
      }
      rows.push_back(std::move(row));
    }
    static const std::vector<std::string> kLabels{"tenant", "partner", "segment", "tier", "period"};
    auto rank = [](const std::string& column) {
      const auto it = std::find(kLabels.begin(), kLabels.end(), column);
      return it == kLabels.end() ? kLabels.size() : static_cast<std::size_t>(it - kLabels.begin());
    };
    std::stable_sort(columns.begin(), columns.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    std::string body;
    for (std::size_t i = 0; i < columns.size(); ++i) body += (i ? "," : "") + CsvField(columns[i]);
    body += "\r\n";
    for (const auto& row : rows) {
      for (std::size_t i = 0; i < columns.size(); ++i) {
        auto it = row.find(columns[i]);
        const std::string missing = numeric.contains(columns[i]) ? "0" : "";
        body += (i ? "," : "") + (it == row.end() ? missing : CsvField(it->second));
      }
      body += "\r\n";
    }
    Response r;
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + std::string(name) + ".csv\"");
    if (!next.empty()) r.headers.emplace_back("X-Next-Cursor", next);
    r.body = std::move(body);
    return r;
  }
  Json group_by = Json::array();
  if (!q.dimension.empty()) group_by.push_back(q.dimension);
  if (!q.bucket.empty()) group_by.push_back(q.bucket);
  return JsonResponse(200, {{"from", q.echo_range ? Json(q.from) : Json()},
                            {"to", q.echo_range ? Json(q.to) : Json()},
                            {"group_by", std::move(group_by)},
                            {"currency", c.ctx.catalog.currency},
                            {"scope", {{"partner", q.partner.empty() ? Json() : Json(q.partner)},
                                       {"tenant", q.tenant.empty() ? Json() : Json(q.tenant)}}},
                            {"items", std::move(items)},
                            {"next_cursor", next.empty() ? Json() : Json(next)},
                            {"projection", q.figures}});
}

}  // namespace keel::gateway
