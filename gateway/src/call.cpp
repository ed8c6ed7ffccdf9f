// Shared handler helpers (see call.hpp): problem responses, loading state, reference data, running
// commands and rendering their outcomes.
#include "call.hpp"

#include "actors/as_of.hpp"

#include "eventstore/stream_id.hpp"

#include "codec/codec.hpp"
#include "domain_json.hpp"

namespace keel::gateway {

Response JsonResponse(int status, const json::Json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::Json::error_handler_t::replace);
  return r;
}

Response BadField(const json::FieldError& e) {
  json::Json extra{{"field", e.field}};
  return Problem(400, "invalid_field", "A field is missing or has the wrong type",
                 (e.field.empty() ? std::string("body") : e.field) + ": " + e.message, extra);
}

Response NotFound(std::string detail) { return Problem(404, "not_found", "Not found", std::move(detail)); }

Response Unprocessable(std::string_view type, std::string detail) {
  return Problem(422, type, "The command was refused", std::move(detail), {{"code", std::string(type)}});
}

Response FailureResponse(const actors::Failure& f) {
  using K = actors::Failure::Kind;
  switch (f.kind) {
    case K::kRejected: {
      const auto code = domain::RejectionCodeName(f.rejection.code);
      json::Json extra{{"code", std::string(code)}};
      if (!f.rejection.details.empty()) extra["details"] = f.rejection.details;
      if (f.rejection.code == domain::RejectionCode::kNotFound)
        return Problem(404, "not_found", "Not found", f.rejection.message, extra);
      if (f.rejection.code == domain::RejectionCode::kIdReused)
        return Problem(409, code, "The id was already used for something else", f.rejection.message, extra);
      return Problem(422, code, "The command was refused", f.rejection.message, extra);
    }
    case K::kConflict: return Problem(409, "version_conflict", "The entity has moved on", f.message);
    case K::kKeyReused: {
      Response r = Problem(409, "idempotency_key_reused", "Idempotency-Key reused",
                           "this Idempotency-Key was first used for a different request");
      r.keep_for_key = false;
      return r;
    }
    case K::kInvalid: return Problem(400, "invalid_command", "The command is not valid here", f.message);
    case K::kUnavailable: return Problem(503, "unavailable", "The service is unavailable", f.message);
    case K::kStore: return StoreUnavailable(f.message);
  }
  return Problem(500, "internal", "Internal error", f.message);
}

actors::BillingTick CloseEndedPeriods(ApiContext& ctx, std::int64_t now) {
  actors::BillingTick total;
  for (int round = 0; round < 1000; ++round) {  // 1000 ticks of two years each: far past any clock move
    const actors::BillingTick tick = ctx.close_billing(now);
    total.invoices += tick.invoices;
    total.renewals += tick.renewals;
    total.terminations += tick.terminations;
    total.dunning_actions += tick.dunning_actions;
    total.errors += tick.errors;
    total.lifts += tick.lifts;
    if (tick.invoices == 0 && tick.renewals == 0 && tick.terminations == 0) break;
    if (tick.errors > 0) break;  // a failing tenant would fail again: report it rather than spin
  }
  return total;
}

std::expected<void, Response> FromPath(Call& c, const std::string& param, const std::string& field) {
  const std::string& value = c.Param(param);
  auto it = c.body.find(field);
  if (it != c.body.end() && !(it->is_string() && it->get_ref<const std::string&>() == value))
    return std::unexpected(BadField({field, "contradicts the path, which says '" + value + "'"}));
  c.body[field] = value;
  return {};
}

bool ValidKey(const actors::EntityKey& key) {
  return key.id.find('/') == std::string::npos && eventstore::IsValidId(key.id) &&
         eventstore::ParseStreamId(actors::StreamOf(key)).has_value();
}

std::optional<Response> BadId(const actors::EntityKey& key, const std::string& field) {
  if (ValidKey(key)) return std::nullopt;
  return BadField({field, std::string(json::kIdRule)});
}

namespace {
Response NoSuch(const actors::EntityKey& key) {
  return NotFound(std::string(actors::KindName(key.kind)) + " '" + key.id + "' does not exist");
}
}  // namespace

std::expected<actors::Snapshot, Response> Load(Call& c, const actors::EntityKey& key) {
  if (!ValidKey(key)) return std::unexpected(NoSuch(key));  // no entity can have that id
  auto snap = c.client->Get(key);
  if (!snap) return std::unexpected(Problem(503, "unavailable", "The service is unavailable", "the entity did not answer"));
  if (snap->version == 0) return std::unexpected(NoSuch(key));
  return std::move(*snap);
}

namespace {
json::Json EntityJson(const actors::EntityKey& key) {
  json::Json e{{"kind", std::string(actors::KindName(key.kind))}, {"id", key.id}};
  if (key.tenant != actors::kPlatformTenant) e["tenant"] = key.tenant;
  return e;
}
}  // namespace

json::Json OutcomeJson(const actors::EntityKey& key, const actors::Outcome& o) {
  json::Json events = json::Json::array();
  std::visit(
      [&](const auto& list) {
        for (const auto& ev : list) {
          json::Json data = std::visit([](const auto& e) { return json::ToJson(e); }, ev);
          events.push_back({{"type", codec::TypeName(ev)}, {"data", std::move(data)}});
        }
      },
      o.events);
  return {{"entity", EntityJson(key)}, {"version", o.version}, {"position", o.last_position}, {"events", events}};
}

Response RenderReply(ApiContext& ctx, std::string_view route, const actors::EntityKey& key, const actors::Reply& reply,
                     int status) {
  ctx.metrics.Command(route, reply.has_value());
  if (!reply) return FailureResponse(reply.error());
  Response r = JsonResponse(status, OutcomeJson(key, *reply));
  r.headers.emplace_back("ETag", "\"" + std::to_string(reply->version) + "\"");
  return r;
}

Response Run(Call& c, const actors::EntityKey& key, actors::AnyCommand command, int status) {
  // A creating handler checks its new id first (BadId); an id from the path that no entity can have:
  if (!ValidKey(key)) return NoSuch(key);
  auto reply = c.client->Execute(key, std::move(command), c.meta);
  return RenderReply(c.ctx, c.match.route->id, key, reply, status);
}

Response StateResponse(const actors::EntityKey& key, const actors::Snapshot& s) {
  json::Json state = std::visit([](const auto& st) { return json::ToJson(st); }, *s.state);
  Response r = JsonResponse(200, {{"entity", EntityJson(key)}, {"version", s.version}, {"state", state}});
  r.headers.emplace_back("ETag", "\"" + std::to_string(s.version) + "\"");
  return r;
}

std::optional<Response> AsOfState(Call& c, const actors::EntityKey& key) {
  const auto param = c.match.query.find("as_of");
  if (param == c.match.query.end()) return std::nullopt;
  auto when = actors::ParseAsOf(param->second);
  if (!when) return BadField({"as_of", when.error()});
  const std::uint64_t head = c.ctx.store.HeadPosition();
  if (when->by_position && when->position > head)
    return BadField({"as_of", "position " + std::to_string(when->position) + " is past the log's head (" +
                                  std::to_string(head) + ")"});
  if (!ValidKey(key)) return NoSuch(key);
  auto past = actors::StateAsOf(c.ctx.store, key, *when);
  json::Json as_of{{"position", nullptr}, {"at", nullptr}};
  json::Json state;
  std::uint64_t version = 0;
  if (past) {
    as_of = {{"position", past->position}, {"at", past->at_ms}};
    state = std::visit([](const auto& st) { return json::ToJson(st); }, past->state);
    version = past->version;
  } else if (past.error().code != eventstore::Errc::kNotFound) {
    return Problem(503, "unavailable", "The service is unavailable", "the entity's events could not be read");
  } else if (key.kind == actors::Kind::kCatalog) {
    state = json::ToJson(domain::catalog::State{});
  } else if (key.kind == actors::Kind::kBilling) {
    state = json::ToJson(domain::billing::State{});
  } else {
    return NotFound(std::string(actors::KindName(key.kind)) + " '" + key.id + "' did not exist by then");
  }
  return JsonResponse(200, {{"entity", EntityJson(key)}, {"version", version}, {"state", std::move(state)}, {"as_of", std::move(as_of)}});
}

namespace {
Response ReferenceFailure(const ReferenceError& e) {
  return Problem(503, "unavailable", "The service is unavailable", e.detail);
}
}  // namespace

std::expected<TenantFactsRef, Response> TenantOf(Call& c) {
  TenantFactsRef facts = c.tenant;
  if (!facts) {  // not read by the pipeline (not a tenant-scoped route)
    auto read = c.ctx.reference.Tenant(c.Param("tenant"), c.client);
    if (!read) return std::unexpected(ReferenceFailure(read.error()));
    facts = std::move(*read);
  }
  if (!facts->exists()) return std::unexpected(NotFound("tenant '" + c.Param("tenant") + "' does not exist"));
  return facts;
}

std::expected<const domain::SegmentTemplate*, Response> TemplateOf(const TenantFacts& tenant) {
  if (tenant.segment == nullptr)
    return std::unexpected(Problem(503, "configuration_missing", "Configuration missing",
                                   "the tenant's template is not in this server's configuration"));
  return tenant.segment;
}

std::expected<actors::Snapshot, Response> PartnerOf(Call& c, const std::string& partner) {
  auto snap = c.ctx.reference.Partner(partner, c.client);
  if (!snap) return std::unexpected(ReferenceFailure(snap.error()));
  return std::move(*snap);
}

std::expected<actors::Snapshot, Response> CatalogOf(Call& c) {
  auto snap = c.ctx.reference.Catalog(c.Param("tenant"), c.client);
  if (!snap) return std::unexpected(ReferenceFailure(snap.error()));
  return std::move(*snap);
}

}  // namespace keel::gateway
