// GET /v1/audit?tenant=&partner=&principal=&result=&from=&to=: the audit trail in log order — every
// command the log accepted (read model "commands", one row per command) merged in time order with the
// requests the gateway refused or denied and the operators' acts it recorded (model "audit",
// audit.hpp). A partner-bound key reads its partner's commands, what its own keys tried and the
// operators' acts done on its scope (keys issued for it), a tenant-bound key the same of its tenant;
// another scope's attempts on it are the platform owner's to see (they name the other scope's keys).
// The cursor holds where each source resumes ("<commands>.<audit>", each opaque; empty: its start).
#include <algorithm>

#include "audit_trail.hpp"
#include "list_support.hpp"
#include "projections/read_models.hpp"

namespace keel::gateway {
namespace {

using json::Json;
constexpr std::string_view kDone = "-";

struct Source {
  projections::PageRequest request;
  projections::Page page;
  std::string cursor;  // where this source resumes ("" from its start, kDone when exhausted)
};

// The trail's order: log positions. An accepted command sorts at its first event's position; a
// refusal after the log's head when it was refused ("r/<head>-<seq>", audit_trail.hpp), so after
// every command accepted before it and before every command accepted after it.
std::string SortKey(std::string_view key, std::string_view prefix, char source) {
  key.remove_prefix(prefix.size());
  if (const auto slash = key.rfind('/'); slash != std::string_view::npos) key.remove_prefix(slash + 1);
  return std::string(key.substr(0, 20)) + source + std::string(key.substr(std::min<std::size_t>(20, key.size())));
}

Response ListAudit(Call& c) {
  auto p = Params(c, {"tenant", "partner", "principal", "result", "from", "to"});
  if (!p) return p.error();
  std::string tenant = Query(c, "tenant"), partner = Query(c, "partner");
  std::string principal = Query(c, "principal");
  const std::string result = Query(c, "result");
  if (!tenant.empty() && !eventstore::IsValidId(tenant)) return BadField({"tenant", std::string(json::kIdRule)});
  if (!partner.empty() && !eventstore::IsValidId(partner)) return BadField({"partner", std::string(json::kIdRule)});
  if (!principal.empty() && (principal.size() > 300 || principal.find('/') != std::string::npos))
    return BadField({"principal", "expected a principal as events name it, e.g. key:<id> or process:<name>"});
  // A key acts as its holder, the first key of its rotations (events and records name it): a later
  // key of the rotation finds the same entries.
  if (principal.starts_with("key:"))
    if (auto key = c.ctx.keys.Find(principal.substr(4))) principal = "key:" + key->Holder();
  if (!result.empty() && result != "accepted" && result != "refused" && result != "denied")
    return BadField({"result", "expected one of: accepted, refused, denied"});
  std::optional<std::uint64_t> from, to;
  if (auto v = Query(c, "from"); !v.empty() && !(from = Number(v))) return BadField({"from", "expected Unix epoch milliseconds"});
  if (auto v = Query(c, "to"); !v.empty() && !(to = Number(v))) return BadField({"to", "expected Unix epoch milliseconds"});
  if (from && to && *from > *to) return BadField({"from", "after to"});
  // A filter outside the caller's scope is 404, as the scope's resources are (and audited as such).
  const auto outside = OutsideScope;
  if (!c.who.partner.empty() && !partner.empty() && partner != c.who.partner)
    return outside("partner '" + partner + "' does not exist");
  if (!tenant.empty() && OutsideByName(c.who, tenant)) return outside("tenant '" + tenant + "' does not exist");
  if (!tenant.empty() && !partner.empty() && TenantNamespace(tenant) != partner)
    return BadField({"tenant", "not a tenant of partner '" + partner + "'"});
  // What the caller may see: a partner-bound key its partner's commands and what its partner's keys
  // tried; a tenant-bound key the same of its tenant. Another scope's attempts on this one are not
  // shown (they name the other scope's keys); the platform owner sees every entry.
  const std::string own_partner = c.who.partner, own_tenant = c.who.tenant;
  // The index the log's commands are read through: the narrowest the filters and the scope give.
  const std::string by_tenant = !tenant.empty() ? tenant : own_tenant;
  const std::string by_partner = !partner.empty() ? partner : own_partner;

  auto commands_model = ReadModel(c, "commands", p->min_position);
  if (!commands_model) return commands_model.error();
  const std::uint64_t commands_position = commands_model->second["position"].get<std::uint64_t>();
  // The two cursors.
  std::string cursor_a, cursor_b;
  if (!p->cursor.empty()) {
    const auto dot = p->cursor.find('.');
    if (dot == std::string::npos) return BadField({"cursor", "not a cursor of this listing (pass next_cursor from the previous page)"});
    cursor_a = p->cursor.substr(0, dot);
    cursor_b = p->cursor.substr(dot + 1);
  }
  auto keep = [=](const Json& row) {
    const auto at = row.value("at", std::int64_t{0});
    auto field = [&](const char* name) { return row.contains(name) && row[name].is_string() ? row[name].get<std::string>() : std::string(); };
    const std::string who = row.contains("principal") ? field("principal") : field("who");
    std::string scope_partner, scope_tenant;
    const bool refusal = row.contains("scope") && row["scope"].is_object();
    if (refusal) {
      scope_partner = row["scope"].value("partner", "");
      scope_tenant = row["scope"].value("tenant", "");
    }
    // The log's commands on the caller's scope; what the caller's scope tried; and an operator's act
    // that succeeded on the caller's scope (a key issued for it, say), whoever did it.
    const bool on_own = field("partner") == own_partner && (own_tenant.empty() || field("tenant") == own_tenant);
    const bool visible = own_partner.empty() ||
                         (refusal ? (scope_partner == own_partner && (own_tenant.empty() || scope_tenant == own_tenant)) ||
                                        (field("result") == "accepted" && on_own)
                                  : on_own);
    return visible && (tenant.empty() || field("tenant") == tenant) && (partner.empty() || field("partner") == partner) &&
           (principal.empty() || who == principal) && (result.empty() || field("result") == result) &&
           (!from || at >= static_cast<std::int64_t>(*from)) && (!to || at <= static_cast<std::int64_t>(*to));
  };
  Source a, b;
  a.request.model = commands_model->first;
  if (!by_tenant.empty()) a.request.prefix = "i/tenant/" + by_tenant + "/";
  else if (!by_partner.empty()) a.request.prefix = "i/partner/" + by_partner + "/";
  else if (!principal.empty()) a.request.prefix = "i/principal/" + principal + "/";
  else a.request.prefix = "a/";
  if (a.request.prefix != "a/") a.request.rows_at = "a/";
  b.request.model = "audit";
  b.request.prefix = std::string(AuditTrail::kRecords);
  for (Source* s : {&a, &b}) {
    s->request.limit = p->limit;
    s->request.keep = keep;
    s->request.max_examined = 5'000;
  }
  // A time window is the filter's (keys are in log order, not time order).
  if (!p->cursor.empty()) {
    a.cursor = cursor_a;
    b.cursor = cursor_b;
  }
  // Where the audit records stop for this read: before the earliest one still being written, and
  // before any made from now on (taken before the pages are read; audit_trail.hpp).
  const AuditTrail::Stop stop = c.ctx.audit_trail.Hold();
  const std::string hold = SortKey(stop.key, AuditTrail::kRecords, 'r');
  for (Source* s : {&a, &b}) {
    if (s->cursor == kDone) continue;
    if (!s->cursor.empty() && !projections::DecodeCursor(s->cursor, s->request.prefix))
      return BadField({"cursor", "not a cursor of this listing (pass next_cursor from the previous page)"});
    s->request.cursor = s->cursor;
    auto page = projections::ReadPage(c.ctx.store, s->request);
    if (!page) return Problem(503, "unavailable", "The service is unavailable", "the audit could not be read");
    s->page = std::move(*page);
  }
  // Rows up to the point both sources have read (a source that stopped early bounds the merge), and
  // no further than the commands read model has folded: a refusal after a command not folded yet
  // waits for it, so that an entry never appears behind a cursor already handed out.
  std::string bound = projections::Padded(static_cast<std::int64_t>(commands_position)) + "r~";
  for (Source* s : {&a, &b})
    if (s->cursor != kDone && !s->page.next.empty())
      bound = std::min(bound, SortKey(*projections::DecodeCursor(s->page.next, s->request.prefix), s->request.prefix,
                                      s == &a ? 'a' : 'r'));
  auto within = [&](const std::string& sort) { return sort <= bound && sort < hold; };
  struct Taken {
    std::string sort;
    Source* from;
    std::size_t index;
  };
  std::vector<Taken> rows;
  for (Source* s : {&a, &b})
    for (std::size_t i = 0; i < s->page.rows.size(); ++i) {
      std::string sort = SortKey(s->page.keys[i], s->request.prefix, s == &a ? 'a' : 'r');
      if (within(sort)) rows.push_back({std::move(sort), s, i});
    }
  std::sort(rows.begin(), rows.end(), [](const Taken& x, const Taken& y) { return x.sort < y.sort; });
  if (rows.size() > p->limit) rows.resize(p->limit);
  Json items = Json::array();
  std::size_t taken_a = 0, taken_b = 0;
  for (const auto& t : rows) {
    Json row = std::move(t.from->page.rows[t.index]);
    if (t.from == &b) {  // a recorded refusal, in the trail's shape
      row["principal"] = row.value("who", "anonymous");
      row.erase("who");
      if (row.value("tenant", "").empty()) row["tenant"] = nullptr;
      if (row.value("partner", "").empty()) row["partner"] = nullptr;
      if (!row.contains("result")) row["result"] = "denied";
    }
    (t.from == &a ? taken_a : taken_b) = t.index + 1;
    items.push_back(std::move(row));
  }
  // Each source resumes after its last row served; one whose page was served whole resumes where it
  // stopped reading. The trail ends when both were read to their end, everything read was served and
  // no record is still being written (a cursor of an earlier version may say "-": that source was done).
  bool done = !stop.pending;
  for (auto [s, taken] : {std::pair{&a, taken_a}, std::pair{&b, taken_b}}) {
    if (s->cursor == kDone) continue;
    const bool whole = taken == s->page.rows.size();
    if (whole && s->page.next.empty()) {
      if (!s->page.keys.empty()) s->cursor = projections::EncodeCursor(s->page.keys.back());
    } else if (whole && within(SortKey(*projections::DecodeCursor(s->page.next, s->request.prefix), s->request.prefix,
                                       s == &a ? 'a' : 'r'))) {
      s->cursor = s->page.next;
      done = false;
    } else {
      if (taken > 0) s->cursor = projections::EncodeCursor(s->page.keys[taken - 1]);
      done = false;
    }
  }
  // A follower keeps resume_cursor: on the last page too, it resumes after everything served.
  const std::string resume = a.cursor + "." + b.cursor;
  return JsonResponse(200, {{"items", std::move(items)},
                            {"next_cursor", done ? Json(nullptr) : Json(resume)},
                            {"resume_cursor", resume},
                            {"projection", commands_model->second}});
}

}  // namespace

void AddAuditHandlers(HandlerTable& t) { t["list_audit"] = ListAudit; }

}  // namespace keel::gateway
