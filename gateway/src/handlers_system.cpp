// Handlers of the system routes: health, readiness, metrics, the OpenAPI document, the service
// catalog and templates, API keys, and closing billing periods.
#include "call.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {
struct CreateKeyBody {
  std::string role, name, partner, tenant, workflow_role;
};
}  // namespace

namespace json {
template <>
struct Describe<CreateKeyBody> {
  static constexpr auto fields = std::make_tuple(Req("role", &CreateKeyBody::role), Opt("name", &CreateKeyBody::name),
                                                 Opt("partner", &CreateKeyBody::partner), Opt("tenant", &CreateKeyBody::tenant),
                                                 Opt("workflow_role", &CreateKeyBody::workflow_role));
};
}  // namespace json

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
  if (!health.writable) return JsonResponse(200, {{"status", "degraded"}});
  return JsonResponse(200, {{"status", "ready"}});
}

Response MetricsText(Call& c) {
  Response r;
  r.content_type = "text/plain; version=0.0.4";
  r.body = c.ctx.metrics.Render();
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

Response ListTemplates(Call& c) {
  json::Json list = json::Json::array();
  for (const auto& [id, version] : c.ctx.templates.Keys()) list.push_back(json::ToJson(*c.ctx.templates.Find(id, version)));
  return JsonResponse(200, {{"templates", list}});
}

Response CreateKey(Call& c) {
  auto body = ParseBody<CreateKeyBody>(c);
  if (!body) return body.error();
  auto role = ParseRole(body->role);
  if (!role)
    return BadField({"role", "expected one of: platform_owner, partner_admin, implementation, tenant_operator, analyst"});
  if (!ValidBinding(*role, body->partner, body->tenant))
    return BadField({"partner", "this role needs " + std::string(*role == Role::kPlatformOwner ? "no partner or tenant"
                                                               : *role == Role::kTenantOperator ? "a partner and a tenant"
                                                                                                : "a partner")});
  if (!body->tenant.empty()) {
    auto tenant = c.client->Get(actors::TenantKey(body->tenant));
    if (!tenant || tenant->version == 0 || tenant->As<domain::tenant::State>().partner != body->partner)
      return NotFound("tenant '" + body->tenant + "' of partner '" + body->partner + "' does not exist");
  }
  if (!MayIssue(c.who, *role, body->partner, body->tenant))
    return Problem(403, "forbidden", "Forbidden", "this key may not issue a " + body->role + " key with that scope");
  if (!body->partner.empty()) {  // minting keys is one of the partner's own writes (lifecycle table)
    auto partner = c.client->Get(actors::PartnerKey(body->partner));
    if (!partner) return Problem(503, "unavailable", "The service is unavailable", "the partner did not answer");
    if (partner->version == 0) return NotFound("partner '" + body->partner + "' does not exist");
    const auto& st = partner->As<domain::partner::State>();
    if (auto refused = domain::lifecycle::PartnerAdmits(st.suspended, domain::lifecycle::PartnerActivity::kOwnWrite))
      return Unprocessable(domain::RejectionCodeName(refused->code), refused->message);
  }
  auto issued = c.ctx.keys.Create(*role, body->partner, body->tenant, body->name, c.now, body->workflow_role);
  if (!issued) return StoreUnavailable(issued.error());
  return JsonResponse(201, {{"id", issued->record.id},
                            {"token", issued->token},
                            {"role", body->role},
                            {"partner", body->partner},
                            {"tenant", body->tenant},
                            {"name", body->name},
                            {"workflow_role", body->workflow_role}});
}

Response RevokeKey(Call& c) {
  auto key = c.ctx.keys.Find(c.Param("key"));
  if (!key || !MayIssue(c.who, key->role, key->partner, key->tenant)) return NotFound("key '" + c.Param("key") + "' does not exist");
  if (auto done = c.ctx.keys.Revoke(key->id); !done)
    return StoreUnavailable(done.error());
  return JsonResponse(200, {{"id", key->id}, {"revoked", true}});
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
  t["close_billing_periods"] = CloseBillingPeriods;
}

}  // namespace keel::gateway
