// Handlers of the system routes: health, readiness, metrics, the OpenAPI document, the service
// catalog and templates, API keys, and closing billing periods.
#include <map>
#include <set>

#include "call.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {

Response Healthz(Call&) { return JsonResponse(200, {{"status", "ok"}}); }

// Status only (DESIGN.md §4, listeners): what a load balancer needs.
Response Readyz(Call& c) {
  if (c.ctx.draining) return Problem(503, "draining", "Shutting down", "the server is draining connections");
  if (!c.ctx.ready) return Problem(503, "starting", "Starting", "the node is still starting (seeding, process managers)");
  // Writes refused for lack of space: reads are served and writes resume on their own, so the node
  // stays in rotation as 'degraded'. Refused for any other failure: out until an operator restarts it.
  const auto health = c.ctx.store.health();
  if (!health.readable)
    return Problem(503, "store_unreadable", "The event store cannot be read", "reopening the store failed; it keeps trying");
  if (!health.writable && !health.recovering)
    return Problem(503, "store_fail_stopped", "The event store cannot take writes", "a write failed; restart the server");
  json::Json body{{"status", health.writable ? "ready" : "degraded"}};
  if (c.req.admin) {  // the admin listener's readiness: what an operator needs to see
    body["head"] = c.ctx.store.HeadPosition();
    body["store"] = {{"writable", health.writable},       {"recovering", health.recovering}, {"read_only", health.read_only},
                     {"reason", health.reason},           {"room", health.room},             {"recoveries", health.recoveries}};
  }
  return JsonResponse(200, body);
}

Response MetricsText(Call& c) {
  Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = c.ctx.metrics.Render(c.ctx.reference.stats(), c.ctx.projections ? c.ctx.projections->StatusAll() : std::vector<projections::ProjectionStatus>{});
  return r;
}

Response OpenApi(Call& c) {
  Response r;
  r.body = c.ctx.openapi;
  return r;
}

Response WebSocketOnly(Call&) {
  return Problem(426, "upgrade_required", "Upgrade required", "connect with a WebSocket upgrade to /v1/ws");
}

Response ListPlans(Call& c) {
  json::Json plans = json::Json::array();
  for (const auto& [id, plan] : c.ctx.catalog.plans) plans.push_back(json::ToJson(plan));
  return JsonResponse(200, {{"currency", c.ctx.catalog.currency}, {"plans", plans}});
}

// Each version with where its rollouts left it: released (what new tenants may get), rolling_out (under
// an unfinished first rollout) or rolled_back; `rollout` names its latest rollout (null: none).
Response ListTemplates(Call& c) {
  namespace r = domain::rollout;
  json::Json list = json::Json::array();
  std::map<std::string, r::State> rollouts;
  for (const auto& [id, version] : c.ctx.templates.Keys()) {
    if (!rollouts.contains(id)) {
      auto snap = c.client ? c.client->Get(actors::RolloutKey(id)) : std::nullopt;
      if (c.client && !snap) return Problem(503, "unavailable", "The service is unavailable", "the template's rollouts did not answer");
      rollouts[id] = snap ? snap->As<r::State>() : r::State{};
    }
    json::Json item = json::ToJson(*c.ctx.templates.Find(id, version));
    const r::State& state = rollouts[id];
    const r::Rollout* latest = r::Find(state, version);
    item["release"] = r::Released(state, version) ? "released"
                      : latest && latest->status == r::Status::kRolledBack ? "rolled_back"
                                                                            : "rolling_out";
    item["rollout"] = latest ? json::Json(r::IdOf(id, version)) : json::Json(nullptr);
    list.push_back(std::move(item));
  }
  return JsonResponse(200, {{"templates", list}});
}

json::Json KeyJson(const KeyRecord& k, std::int64_t now) {
  auto opt_time = [](std::int64_t t) { return t == 0 ? json::Json(nullptr) : json::Json(t); };
  return {{"id", k.id},
          {"name", k.name},
          {"role", RoleName(k.role)},
          {"partner", k.partner},
          {"tenant", k.tenant},
          {"workflow_role", k.workflow_role},
          {"created_at", k.created_at},
          {"expires_at", opt_time(k.expires_at)},
          {"last_used_at", opt_time(k.last_used_at)},
          {"revoked", k.revoked},
          {"rotated_to", k.rotated_to.empty() ? json::Json(nullptr) : json::Json(k.rotated_to)},
          {"extension", k.grant ? json::Json(k.grant->extension + "@" + k.grant->version) : json::Json(nullptr)},
          {"active", k.Active(now)}};
}

// An audited key act names the key and its binding, so that the trail filtered by the key's partner
// or tenant holds its history.
void AuditSubject(Response& r, const KeyRecord& key) {
  r.audit_subject = "key:" + key.id;
  r.audit_partner = key.partner;
  r.audit_tenant = key.tenant;
}

// 201 with the new key and its token, shown this once: what an Idempotency-Key replay gets back is the
// same answer with "token": null (the secret is never stored).
Response IssuedResponse(const IssuedKey& issued, json::Json extra) {
  json::Json body = KeyJson(issued.record, issued.record.created_at);
  for (auto& [k, v] : extra.items()) body[k] = v;
  body["token"] = nullptr;
  const std::string stored = body.dump();
  body["token"] = issued.token;
  Response r = JsonResponse(201, body);
  r.stored_body = stored;
  return r;
}

Response CreateKey(Call& c) {
  auto body = ParseBody<json::CreateKeyBody>(c);
  if (!body) return body.error();
  auto role = ParseRole(body->role);
  if (role == Role::kExtension)
    return BadField({"role", "an extension's key is made by installing the extension (POST /v1/tenants/{tenant}/extensions)"});
  if (!role)
    return BadField({"role", "expected one of: platform_owner, partner_admin, implementation, tenant_operator, analyst"});
  if (body->name.size() > 200) return BadField({"name", "a key's name is at most 200 characters"});
  // A partner-bound caller's keys are its partner's: `partner` may be left out.
  if (body->partner.empty() && !c.who.partner.empty() && *role != Role::kPlatformOwner) body->partner = c.who.partner;
  if (!ValidBinding(*role, body->partner, body->tenant)) {
    switch (*role) {
      case Role::kPlatformOwner:
        return BadField({body->partner.empty() ? "tenant" : "partner", "a platform_owner key is bound to no partner or tenant"});
      case Role::kPartnerAdmin:
      case Role::kImplementation:
        return BadField({body->partner.empty() ? "partner" : "tenant",
                         "a " + body->role + " key is bound to a partner and to no tenant"});
      case Role::kTenantOperator:
        return BadField({body->partner.empty() ? "partner" : "tenant", "a tenant_operator key is bound to a partner and one of its tenants"});
      case Role::kAnalyst:
        return BadField({"partner", "an analyst key bound to a tenant names its partner too"});
      case Role::kExtension: break;  // refused above
    }
  }
  // Authorization before existence: whether another partner's tenant exists is not this caller's to learn.
  if (!MayIssue(c.who, *role, body->partner, body->tenant))
    return Problem(403, "forbidden", "Forbidden", "this key may not issue a key of role '" + body->role + "' with that scope");
  const domain::SegmentTemplate* segment = nullptr;
  if (!body->tenant.empty()) {
    // Another partner's namespace is answered as a missing tenant, before any look-up (access.hpp).
    const auto ns = TenantNamespace(body->tenant);
    if (!ns.empty() && ns != body->partner) {
      Response r = NotFound("tenant '" + body->tenant + "' of partner '" + body->partner + "' does not exist");
      r.audit = true;  // another partner's tenant: denied, as a look outside one's scope is
      r.audit_tenant = body->tenant;  // as the caller named it
      r.audit_partner = std::string(ns);
      return r;
    }
    auto tenant = c.ctx.reference.Tenant(body->tenant, c.client);
    if (!tenant) return Problem(503, "unavailable", "The service is unavailable", "the tenant did not answer");
    if (!(*tenant)->exists() || (*tenant)->state.partner != body->partner)
      return NotFound("tenant '" + body->tenant + "' of partner '" + body->partner + "' does not exist");
    segment = (*tenant)->segment;
  }
  // A workflow role is one the tenant's template names (approvers, price overrides, exception routing),
  // never a key role: it cannot make a key more than its role.
  if (!body->workflow_role.empty()) {
    if (*role != Role::kTenantOperator)
      return BadField({"workflow_role", "a workflow role belongs to a tenant_operator key (it acts in the tenant's workflows)"});
    if (segment == nullptr)
      return BadField({"workflow_role", "a workflow role belongs to a key bound to a tenant (its template names the roles)"});
    std::set<std::string> known(segment->workflow.approver_roles.begin(), segment->workflow.approver_roles.end());
    known.insert(segment->workflow.price_override_roles.begin(), segment->workflow.price_override_roles.end());
    for (const auto& [what, routed_to] : segment->workflow.exception_routing) known.insert(routed_to);
    for (const char* key_role : {"platform_owner", "partner_admin", "implementation", "tenant_operator", "analyst"})
      known.erase(key_role);
    if (!known.contains(body->workflow_role)) {
      std::string list;
      for (const auto& r : known) list += (list.empty() ? "" : ", ") + r;
      return BadField({"workflow_role", "not a workflow role of this tenant's template (" + (list.empty() ? "none" : list) + ")"});
    }
  }
  if (!body->partner.empty()) {  // minting keys is one of the partner's own writes (lifecycle table)
    auto partner = c.client->Get(actors::PartnerKey(body->partner));
    if (!partner) return Problem(503, "unavailable", "The service is unavailable", "the partner did not answer");
    if (partner->version == 0) return NotFound("partner '" + body->partner + "' does not exist");
    const auto& st = partner->As<domain::partner::State>();
    if (auto refused = domain::lifecycle::PartnerAdmits(st.suspended, domain::lifecycle::PartnerActivity::kOwnWrite))
      return Unprocessable(domain::RejectionCodeName(refused->code), refused->message);
  }
  std::int64_t expires_at = 0;
  if (body->expires_in_days) {
    if (*body->expires_in_days < 1 || *body->expires_in_days > 3650)
      return BadField({"expires_in_days", "a key lives 1 to 3650 days (leave it out: no expiry)"});
    expires_at = c.ctx.WallNowMs() + *body->expires_in_days * 86'400'000;
  }
  auto issued = c.ctx.keys.Create(*role, body->partner, body->tenant, body->name, c.ctx.WallNowMs(), body->workflow_role,
                                  expires_at);
  if (!issued) return StoreUnavailable(issued.error());
  Response r = IssuedResponse(*issued, {});
  r.audit = true;  // a key issued: kept in the audit trail with who issued it, for whom
  AuditSubject(r, issued->record);
  return r;
}

// Every key the caller could have issued (a partner admin: its partner's and its tenants' keys), without
// secrets: ids, bindings, expiry, last use, revocation, rotation.
Response ListKeys(Call& c) {
  json::Json keys = json::Json::array();
  const std::int64_t now = c.ctx.WallNowMs();
  for (const auto& k : c.ctx.keys.List()) {
    if (MayIssue(c.who, k.role, k.partner, k.tenant)) keys.push_back(KeyJson(k, now));
  }
  return JsonResponse(200, {{"keys", keys}});
}

// A new key with the same role, binding and name; the old one keeps working for `grace_seconds`
// (default a day, 0: it stops now), so a partner app can switch without an outage.
Response RotateKey(Call& c) {
  auto body = ParseBody<json::RotateKeyBody>(c);
  if (!body) return body.error();
  const std::int64_t grace = body->grace_seconds.value_or(86'400);
  if (grace < 0 || grace > 30 * 86'400) return BadField({"grace_seconds", "0 to 2592000 (30 days)"});
  auto key = c.ctx.keys.Find(c.Param("key"));
  if (!key || !MayIssue(c.who, key->role, key->partner, key->tenant)) {
    Response r = NotFound("key '" + c.Param("key") + "' does not exist");
    r.audit = key.has_value();  // another scope's key: a refused rotation
    return r;
  }
  const std::int64_t now = c.ctx.WallNowMs();
  if (!key->Active(now)) return Unprocessable("key_inactive", "key '" + key->id + "' is revoked or expired: issue a new one");
  auto issued = c.ctx.keys.Rotate(key->id, now, now + grace * 1000);
  if (!issued) return StoreUnavailable(issued.error());
  auto old = c.ctx.keys.Find(key->id);
  Response r = IssuedResponse(*issued, {{"replaces", KeyJson(old ? *old : *key, now)}});
  r.audit = true;  // a rotation, kept in the audit trail with the key it issued
  AuditSubject(r, *key);
  r.audit_issued = "key:" + issued->record.id;
  return r;
}

Response RevokeKey(Call& c) {
  auto key = c.ctx.keys.Find(c.Param("key"));
  if (!key || !MayIssue(c.who, key->role, key->partner, key->tenant)) {
    Response r = NotFound("key '" + c.Param("key") + "' does not exist");
    r.audit = key.has_value();  // another scope's key: a refused revocation
    return r;
  }
  if (auto done = c.ctx.keys.Revoke(key->id); !done)
    return StoreUnavailable(done.error());
  Response r = JsonResponse(200, {{"id", key->id}, {"revoked", true}});
  r.audit = true;  // a revocation, kept in the audit trail
  AuditSubject(r, *key);
  return r;
}

Response CloseBillingPeriods(Call& c) {
  if (!c.ctx.close_billing) return Problem(503, "unavailable", "The service is unavailable", "billing is not running");
  auto tick = CloseEndedPeriods(c.ctx, c.now);
  return JsonResponse(200, {{"invoices", tick.invoices},
                            {"renewals", tick.renewals},
                            {"terminations", tick.terminations},
                            {"dunning_actions", tick.dunning_actions},
                            {"errors", tick.errors}});
}

}  // namespace

void AddSystemHandlers(HandlerTable& t) {
  t["healthz"] = Healthz;
  t["readyz"] = Readyz;
  t["metrics"] = MetricsText;
  t["openapi"] = OpenApi;
  t["websocket"] = WebSocketOnly;
  t["list_plans"] = ListPlans;
  t["list_templates"] = ListTemplates;
  t["create_key"] = CreateKey;
  t["revoke_key"] = RevokeKey;
  t["list_keys"] = ListKeys;
  t["rotate_key"] = RotateKey;
  t["close_billing_periods"] = CloseBillingPeriods;
}

}  // namespace keel::gateway
