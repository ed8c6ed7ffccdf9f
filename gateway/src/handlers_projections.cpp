// Handlers of the read models' administration (the platform owner, on the admin listener):
//   GET  /v1/admin/projections                                   position, lag, parked events, rebuild progress
//   POST /v1/admin/projections/{projection}/rebuild              202: a new generation folds beside the serving one
//   POST /v1/admin/projections/{projection}/parked/{position}/retry   fold it (and its stream's later ones) again
//   POST /v1/admin/projections/{projection}/parked/{position}/skip    drop it
// Retries and skips are audited like every refusal is (who, what, when).
#include <charconv>

#include "call.hpp"

namespace keel::gateway {
namespace {

using json::Json;

Json StatusJson(const projections::ProjectionStatus& s, const std::vector<projections::Parked>& parked) {
  Json p = Json::array();
  for (const auto& e : parked) p.push_back({{"position", e.position}, {"stream", e.stream}, {"type", e.type}, {"error", e.error}});
  Json out{{"name", s.name},         {"version", s.version},       {"generation", s.generation},
           {"position", s.position}, {"head", s.head},             {"lag_events", s.lag_events},
           {"lag_ms", s.lag_ms},     {"parked", std::move(p)},     {"error", s.error.empty() ? Json(nullptr) : Json(s.error)},
           {"rebuild", nullptr}};
  if (s.rebuilding_generation)
    out["rebuild"] = {{"generation", *s.rebuilding_generation},
                      {"position", s.rebuild_position},
                      {"progress", s.rebuild_progress},
                      {"eta_seconds", s.rebuild_eta_s}};
  return out;
}

std::expected<projections::Projections*, Response> Running(Call& c) {
  if (c.ctx.projections == nullptr)
    return std::unexpected(Problem(503, "unavailable", "The service is unavailable", "the read models are not running"));
  return c.ctx.projections;
}

Response List(Call& c) {
  auto p = Running(c);
  if (!p) return p.error();
  Json items = Json::array();
  for (const auto& s : (*p)->StatusAll()) items.push_back(StatusJson(s, (*p)->ListParked(s.name)));
  return JsonResponse(200, {{"projections", std::move(items)}});
}

// The admin commands take no body: a field in one is refused, as for any command.
std::optional<Response> NoBody(const Call& c) {
  if (c.body.is_object() && !c.body.empty()) return BadField({c.body.begin().key(), "unknown field (this route takes no body)"});
  return std::nullopt;
}

Response Rebuild(Call& c) {
  if (auto bad = NoBody(c)) return *bad;
  auto p = Running(c);
  if (!p) return p.error();
  const std::string name = c.Param("projection");
  if (!(*p)->Status(name)) return NotFound("no read model '" + name + "'");
  if (!(*p)->Rebuild(name)) return Unprocessable("already_rebuilding", "'" + name + "' is rebuilding already");
  Response r = JsonResponse(202, StatusJson(*(*p)->Status(name), {}));
  r.audit = true;  // an operator's act on the read side: kept with who did it
  return r;
}

// The parked event the path names: its projection running and its position a number.
std::expected<std::uint64_t, Response> ParkedPosition(Call& c, projections::Projections& p) {
  const std::string name = c.Param("projection"), text = c.Param("position");
  if (!p.Status(name)) return std::unexpected(NotFound("no read model '" + name + "'"));
  std::uint64_t position = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), position);
  if (ec != std::errc() || end != text.data() + text.size() || position == 0)
    return std::unexpected(BadField({"position", "expected a log position (an integer >= 1)"}));
  for (const auto& e : p.ListParked(name))
    if (e.position == position) return position;
  return std::unexpected(NotFound("no parked event at position " + text + " in '" + name + "'"));
}

Response Retry(Call& c) {
  if (auto bad = NoBody(c)) return *bad;
  auto p = Running(c);
  if (!p) return p.error();
  auto position = ParkedPosition(c, **p);
  if (!position) return position.error();
  auto left = (*p)->Retry(c.Param("projection"), *position);
  if (!left) return Problem(503, "unavailable", "The service is unavailable", "the read model could not be written");
  Response r = JsonResponse(200, {{"position", *position}, {"still_parked", *left}});
  r.audit = true;
  return r;
}

Response Skip(Call& c) {
  if (auto bad = NoBody(c)) return *bad;
  auto p = Running(c);
  if (!p) return p.error();
  auto position = ParkedPosition(c, **p);
  if (!position) return position.error();
  auto skipped = (*p)->Skip(c.Param("projection"), *position);
  if (!skipped) return Problem(503, "unavailable", "The service is unavailable", "the read model could not be written");
  Response r = JsonResponse(200, {{"position", *position}, {"skipped", *skipped}});
  r.audit = true;
  return r;
}

}  // namespace

void AddProjectionHandlers(HandlerTable& t) {
  t["list_projections"] = List;
  t["rebuild_projection"] = Rebuild;
  t["retry_parked"] = Retry;
  t["skip_parked"] = Skip;
}

}  // namespace keel::gateway
