// Handlers of staged template rollouts (the platform owner's): starting one (the template's tenants
// found through the "tenants" read model, each one's version, environment and status read from the
// tenant itself), its progress by wave and the list (the "rollouts" read model), pause, resumption and
// roll back. The moves themselves are made by the rollouts process (actors/rollouts.hpp). Every
// accepted step is audited with subject rollout:<template>.v<version>.
#include <set>
#include <string>

#include "domain_json.hpp"
#include "list_support.hpp"
#include "projections/read_models.hpp"

namespace keel::gateway {
namespace {
namespace r = domain::rollout;

constexpr std::int64_t kMaxSoakMinutes = r::kMaxSoakMs / 60'000;

Response Audited(Response resp, const std::string& id) {
  if (resp.status < 300) {
    resp.audit = true;
    resp.audit_subject = "rollout:" + id;
  }
  return resp;
}

std::expected<std::pair<std::string, int>, Response> Named(Call& c) {
  auto id = r::ParseId(c.Param("rollout"));
  if (!id) return std::unexpected(NotFound("rollout '" + c.Param("rollout").substr(0, 140) + "' does not exist (a rollout's id is <template>.v<version>)"));
  return *id;
}

std::optional<Response> CheckWaves(const std::vector<int>& waves, bool canary) {
  if (waves.empty()) return BadField({"waves", "at least one cumulative percentage, the last 100 (e.g. [25, 100])"});
  if (static_cast<int>(waves.size()) + (canary ? 1 : 0) > r::kMaxWaves)
    return BadField({"waves", "at most " + std::to_string(r::kMaxWaves) + " waves, the canary included"});
  for (std::size_t i = 0; i < waves.size(); ++i) {
    const std::string field = "waves[" + std::to_string(i) + "]";
    if (waves[i] < 1 || waves[i] > 100) return BadField({field, "a percentage from 1 to 100"});
    if (i > 0 && waves[i] <= waves[i - 1]) return BadField({field, "percentages are cumulative: each above the one before"});
  }
  if (waves.back() != 100) return BadField({"waves[" + std::to_string(waves.size() - 1) + "]", "the last wave takes the rest: 100"});
  return std::nullopt;
}

std::string Versions(const config::TemplateRegistry& templates, const std::string& id) {
  std::string out;
  for (const auto& [tid, v] : templates.Keys()) {
    if (tid == id) out += (out.empty() ? "" : ", ") + std::to_string(v);
  }
  return out;
}

Response Start(Call& c) {
  auto body = ParseBody<json::StartRolloutBody>(c);
  if (!body) return body.error();
  const std::string& tid = body->template_id;
  // One at a time per template: said before anything about the body's tenants.
  if (auto current = c.client->Get(actors::RolloutKey(tid)); current && !current->As<r::State>().rollouts.empty()) {
    const auto& last = current->As<r::State>().rollouts.back();
    if (r::Active(last))
      return Unprocessable("illegal_transition", "the rollout " + r::IdOf(tid, last.version) + " is still " +
                                                     std::string(r::StatusName(last.status)) + ": finish or roll it back first");
  }
  if (!c.ctx.templates.Latest(tid)) return BadField({"template", "no template '" + tid.substr(0, 64) + "' (GET /v1/templates)"});
  if (!c.ctx.templates.Find(tid, body->version))
    return BadField({"version", "template " + tid + " has no version " + std::to_string(body->version) + " (published: " +
                                    Versions(c.ctx.templates, tid) + ")"});
  const bool canary = !body->canary.partners.empty() || !body->canary.tenants.empty() || body->canary.sandbox;
  if (auto bad = CheckWaves(body->waves, canary)) return *bad;
  if (body->soak_minutes < 0 || body->soak_minutes > kMaxSoakMinutes)
    return BadField({"soak_minutes", "from 0 to " + std::to_string(kMaxSoakMinutes) + " (30 days)"});
  if (body->canary.partners.size() > 100 || body->canary.tenants.size() > 1000)
    return BadField({body->canary.partners.size() > 100 ? "canary.partners" : "canary.tenants", "too many entries (100 partners, 1000 tenants)"});
  for (const auto& p : body->canary.partners) {
    auto key = actors::PartnerKey(p);
    if (!ValidKey(key)) return BadField({"canary.partners", "'" + p.substr(0, 64) + "' is not a partner id"});
    auto snap = c.client->Get(key);
    if (!snap) return Problem(503, "unavailable", "The service is unavailable", "the partner did not answer");
    if (!snap->As<domain::partner::State>().registered) return BadField({"canary.partners", "no partner '" + p + "'"});
  }
  // The template's tenants, as the tenant directory lists them once it has folded the whole log.
  auto model = ReadModel(c, "tenants", c.ctx.store.HeadPosition());
  if (!model) return model.error();
  std::vector<std::string> ids;
  auto scanned = c.ctx.store.ReadModelScan(model->first, "p/", [&](std::string_view, std::string_view value) {
    auto row = json::Json::parse(value, nullptr, false);
    if (row.is_object() && row.value("template_id", "") == tid) ids.push_back(row.value("id", ""));
    return true;
  });
  if (!scanned) return ReadModelUnreadable("tenants");
  r::StartRollout cmd{tid, body->version, {body->canary.partners, body->canary.tenants, body->canary.sandbox},
                      body->waves, body->soak_minutes * 60'000, {}, c.who.Name(), c.now};
  std::set<std::string> eligible;
  for (const auto& id : ids) {
    auto snap = c.client->Get(actors::TenantKey(id));
    if (!snap) return Problem(503, "unavailable", "The service is unavailable", "a tenant did not answer");
    const auto& st = snap->As<domain::tenant::State>();
    if (st.template_id != tid) continue;  // the directory is behind a move it has not folded yet
    const bool terminated = st.status == domain::tenant::Status::kTerminated;
    cmd.candidates.push_back({st.id, st.partner, st.template_version, st.environment == domain::Environment::kSandbox, terminated});
    if (!terminated && st.template_version < body->version) eligible.insert(st.id);
  }
  for (const auto& t : body->canary.tenants) {
    if (!eligible.contains(t))
      return BadField({"canary.tenants", "'" + t.substr(0, 64) + "' is not a tenant of " + tid + " below version " +
                                             std::to_string(body->version) + " (terminated ones take no part)"});
  }
  const std::string id = r::IdOf(tid, body->version);
  return Audited(Run(c, actors::RolloutKey(tid), r::Command(std::move(cmd)), 201), id);
}

template <class Cmd>
Response Step(Call& c) {
  Cmd cmd;
  if constexpr (std::is_same_v<Cmd, r::PauseRollout> || std::is_same_v<Cmd, r::RollBackRollout>) {
    auto body = ParseBody<json::RolloutReasonBody>(c);
    if (!body) return body.error();
    if (body->reason.empty() || body->reason.size() > 500) return BadField({"reason", "1..500 characters"});
    cmd.reason = std::move(body->reason);
  }
  auto named = Named(c);
  if (!named) return named.error();
  auto snap = Load(c, actors::RolloutKey(named->first));
  if (!snap || !r::Find(snap->As<r::State>(), named->second)) return NotFound("rollout '" + c.Param("rollout") + "' does not exist");
  cmd.version = named->second;
  cmd.by = c.who.Name();
  cmd.at = c.now;
  return Audited(Run(c, actors::RolloutKey(named->first), r::Command(std::move(cmd))), c.Param("rollout"));
}

Response Get(Call& c) {
  auto params = Params(c, {});
  if (!params) return params.error();
  auto named = Named(c);
  if (!named) return named.error();
  auto model = ReadModel(c, "rollouts", params->min_position);
  if (!model) return model.error();
  auto row = c.ctx.store.ReadModelGet(model->first, projections::RolloutRowKey(named->first, named->second));
  if (!row) return ReadModelUnreadable("rollouts");
  if (!*row) return NotFound("rollout '" + c.Param("rollout") + "' does not exist (just started? pass the position its start answered as min_position)");
  json::Json out = json::Json::parse(**row, nullptr, false);
  if (!out.is_object()) return ReadModelUnreadable("rollouts");
  out["projection"] = model->second;
  return JsonResponse(200, out);
}

// GET /v1/rollouts?template=&status=: newest version last within a template, templates by id; the
// waves' counts without their tenant lists (GET /v1/rollouts/{rollout} has them).
Response List(Call& c) {
  auto params = Params(c, {"template", "status"});
  if (!params) return params.error();
  const std::string tid = Query(c, "template");
  const std::string status = Query(c, "status");
  if (!status.empty() && !r::ParseStatus(status))
    return BadField({"status", "one of: running, paused, rolling_back, rolled_back, completed"});
  auto opened = Open(c, "rollouts", *params);
  if (!opened) return opened.error();
  opened->request.prefix = tid.empty() ? "r/" : "r/" + tid + "/";
  if (!status.empty()) opened->request.keep = [status](const json::Json& row) { return row.value("status", "") == status; };
  return Listing(c, std::move(opened->request), opened->figures, [](json::Json row) {
    for (auto& wave : row["waves"]) wave.erase("tenants");
    return row;
  });
}

}  // namespace

std::optional<Response> Unreleased(Call& c, const std::string& template_id, int version) {
  if (c.client == nullptr) return std::nullopt;
  auto snap = c.client->Get(actors::RolloutKey(template_id));
  if (!snap || r::Released(snap->As<r::State>(), version)) return std::nullopt;
  const auto* latest = r::Find(snap->As<r::State>(), version);
  return Unprocessable("version_not_released",
                       "version " + std::to_string(version) + " of " + template_id + " is " +
                           (latest && latest->status == r::Status::kRolledBack
                                ? std::string("rolled back: it is given to no tenant (publish a fixed version)")
                                : "being rolled out (" + r::IdOf(template_id, version) + "): tenants reach it through its rollout only"));
}

void AddRolloutHandlers(HandlerTable& t) {
  t["start_rollout"] = Start;
  t["get_rollout"] = Get;
  t["list_rollouts"] = List;
  t["pause_rollout"] = Step<r::PauseRollout>;
  t["resume_rollout"] = Step<r::ResumeRollout>;
  t["roll_back_rollout"] = Step<r::RollBackRollout>;
}

}  // namespace keel::gateway
