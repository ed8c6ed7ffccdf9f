// Support analytics from the "support" read model (projections/src/support_analytics.cpp), the
// reseller's figures (partner and platform keys; a partner sees its own):
//   GET /v1/analytics/support-load?partner=     per support tier: tickets opened, open, resolved,
//       comments, mean resolution time, and opened / open by priority
//   GET /v1/analytics/sla-attainment?partner=   per partner: first-response and resolution targets
//       met and breached, and the share met
#include "domain/partner.hpp"
#include "list_support.hpp"

namespace keel::gateway {
namespace {

using json::Json;

struct Scope {
  std::string partner;  // "" for the whole platform
  std::string model;
  Json figures;
};

std::expected<Scope, Response> ScopeOf(Call& c) {
  if (!c.who.tenant.empty())
    return std::unexpected(Problem(403, "forbidden", "Forbidden", "support figures are the reseller's: partner and platform keys only"));
  auto p = Params(c, {"partner"});
  if (!p) return std::unexpected(p.error());
  Scope s;
  s.partner = Query(c, "partner");
  if (!s.partner.empty() && !eventstore::IsValidId(s.partner)) return std::unexpected(BadField({"partner", std::string(json::kIdRule)}));
  if (!c.who.partner.empty()) {
    if (!s.partner.empty() && s.partner != c.who.partner) return std::unexpected(OutsideScope("partner '" + s.partner + "' does not exist"));
    s.partner = c.who.partner;
  } else if (!s.partner.empty()) {  // the platform naming a partner: it must exist
    auto snap = c.client->Get(actors::PartnerKey(s.partner));
    if (!snap) return std::unexpected(Problem(503, "unavailable", "The service is unavailable", "the partner did not answer"));
    if (!snap->As<domain::partner::State>().registered) return std::unexpected(NotFound("partner '" + s.partner + "' does not exist"));
  }
  auto model = ReadModel(c, "support", p->min_position);
  if (!model) return std::unexpected(model.error());
  s.model = model->first;
  s.figures = model->second;
  return s;
}

std::int64_t Int(const Json& j, const char* key) { return j.is_object() ? j.value(key, std::int64_t{0}) : 0; }

Response SupportLoad(Call& c) {
  auto scope = ScopeOf(c);
  if (!scope) return scope.error();
  std::map<std::string, Json> tiers;
  for (const char* tier : {"standard", "premium", "enterprise"}) tiers[tier] = Json::object();
  auto scanned = c.ctx.store.ReadModelScan(scope->model, scope->partner.empty() ? "l/" : "l/" + scope->partner + "/",
                                           [&](std::string_view key, std::string_view value) {
                                             const std::string tier(key.substr(key.rfind('/') + 1));
                                             Json row = Json::parse(value, nullptr, false);
                                             if (!row.is_object()) return true;
                                             Json& sum = tiers[tier];
                                             for (const char* f : {"opened", "open", "resolved", "comments", "resolution_ms"})
                                               sum[f] = Int(sum, f) + Int(row, f);
                                             if (row.contains("by_priority"))
                                               for (const auto& [priority, counts] : row["by_priority"].items())
                                                 for (const char* f : {"opened", "open"})
                                                   sum["by_priority"][priority][f] = Int(sum["by_priority"][priority], f) + Int(counts, f);
                                             return true;
                                           });
  if (!scanned) return ReadModelUnreadable("support");
  Json items = Json::array();
  for (auto& [tier, sum] : tiers) {
    const std::int64_t resolved = Int(sum, "resolved");
    Json by_priority = Json::object();
    for (const char* priority : {"p1", "p2", "p3", "p4"})
      by_priority[priority] = {{"opened", Int(sum.value("by_priority", Json::object()).value(priority, Json::object()), "opened")},
                               {"open", Int(sum.value("by_priority", Json::object()).value(priority, Json::object()), "open")}};
    items.push_back({{"tier", tier},
                     {"opened", Int(sum, "opened")},
                     {"open", Int(sum, "open")},
                     {"resolved", resolved},
                     {"comments", Int(sum, "comments")},
                     {"mean_resolution_minutes", resolved > 0 ? Json(Int(sum, "resolution_ms") / resolved / 60'000) : Json(nullptr)},
                     {"by_priority", std::move(by_priority)}});
  }
  Json out{{"items", std::move(items)}, {"projection", scope->figures}};
  if (!scope->partner.empty()) out["partner"] = scope->partner;
  return JsonResponse(200, out);
}

Json Attainment(const Json& counts) {
  const std::int64_t met = Int(counts, "met"), breached = Int(counts, "breached");
  return {{"met", met},
          {"breached", breached},
          {"attainment", met + breached > 0 ? Json(static_cast<double>(met) / static_cast<double>(met + breached)) : Json(nullptr)}};
}

Response SlaAttainment(Call& c) {
  auto scope = ScopeOf(c);
  if (!scope) return scope.error();
  Json items = Json::array();
  auto scanned = c.ctx.store.ReadModelScan(scope->model, scope->partner.empty() ? "a/" : "a/" + scope->partner,
                                           [&](std::string_view key, std::string_view value) {
                                             const std::string partner(key.substr(2));
                                             if (!scope->partner.empty() && partner != scope->partner) return true;
                                             Json row = Json::parse(value, nullptr, false);
                                             if (!row.is_object()) return true;
                                             items.push_back({{"partner", partner},
                                                              {"first_response", Attainment(row.value("first_response", Json::object()))},
                                                              {"resolution", Attainment(row.value("resolution", Json::object()))}});
                                             return true;
                                           });
  if (!scanned) return ReadModelUnreadable("support");
  if (!scope->partner.empty() && items.empty())  // a partner with no ticket under a target yet
    items.push_back({{"partner", scope->partner}, {"first_response", Attainment(Json::object())}, {"resolution", Attainment(Json::object())}});
  return JsonResponse(200, Json{{"items", std::move(items)}, {"projection", scope->figures}});
}

}  // namespace

void AddSupportAnalyticsHandlers(HandlerTable& t) {
  t["analytics_support_load"] = SupportLoad;
  t["analytics_sla_attainment"] = SlaAttainment;
}

}  // namespace keel::gateway
