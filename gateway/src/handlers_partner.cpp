// Handlers of the partner routes: registration, branding, price list, revenue share, level,
// certification, suspension, reinstatement, reading a partner, and provisioning its tenants.
#include "call.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {
namespace p = domain::partner;

actors::EntityKey Partner(const Call& c) { return actors::PartnerKey(c.Param("partner")); }

Response Register(Call& c) {
  auto cmd = ParseBody<p::RegisterPartner>(c);
  if (!cmd) return cmd.error();
  cmd->at = c.now;
  auto key = actors::PartnerKey(cmd->id);
  if (auto bad = BadId(key, "id")) return *bad;
  if (cmd->id.find(kTenantSeparator) != std::string::npos)
    return BadField({"id", "a partner id holds no ':' (it namespaces the partner's tenant ids)"});
  return Run(c, key, p::Command(std::move(*cmd)), 201);
}

Response Get(Call& c) {
  if (auto past = AsOfState(c, Partner(c))) return *past;
  auto snap = Load(c, Partner(c));
  if (!snap) return snap.error();
  return StateResponse(Partner(c), *snap);
}

Response Certify(Call& c) {
  auto cmd = ParseBody<p::CertifyPartner>(c);
  if (!cmd) return cmd.error();
  cmd->by = c.who.Name();
  cmd->at = c.now;
  return Run(c, Partner(c), p::Command(std::move(*cmd)));
}

// The version a new tenant gets when it names none: the newest one that is neither being rolled out
// (its rollout still running, paused or rolling back) nor rolled back — a version still on trial, or
// withdrawn by a roll back, is not handed to new customers.
const domain::SegmentTemplate* Released(Call& c, const std::string& template_id) {
  const domain::SegmentTemplate* latest = c.ctx.templates.Latest(template_id);
  if (latest == nullptr || c.client == nullptr) return latest;
  auto snap = c.client->Get(actors::RolloutKey(template_id));
  if (!snap) return latest;
  const auto& rollouts = snap->As<domain::rollout::State>();
  for (int v = latest->version; v >= 1; --v) {
    const auto* segment = c.ctx.templates.Find(template_id, v);
    if (segment != nullptr && domain::rollout::Released(rollouts, v)) return segment;
  }
  return latest;
}

Response ProvisionTenant(Call& c) {
  auto body = ParseBody<json::ProvisionTenantBody>(c);
  if (!body) return body.error();
  const domain::SegmentTemplate* segment = body->template_version
                                               ? c.ctx.templates.Find(body->template_id, *body->template_version)
                                               : Released(c, body->template_id);
  if (segment == nullptr && body->template_version && c.ctx.templates.Latest(body->template_id))
    return BadField({"template_version", "template " + body->template_id + " has no version " + std::to_string(*body->template_version)});
  if (segment == nullptr) return BadField({"template_id", "no such segment template"});
  if (auto held = Unreleased(c, body->template_id, segment->version)) return *held;
  // The plan is a commercial choice: a partner admin's or the platform owner's (as plan changes are).
  if (body->plan && c.who.role != Role::kPartnerAdmin && c.who.role != Role::kPlatformOwner)
    return Problem(403, "forbidden", "Forbidden", "choosing a plan is for a partner admin or the platform owner; leave 'plan' out for the template's");
  const std::string plan_id = body->plan.value_or(segment->plan);
  const domain::Plan* plan = c.ctx.catalog.FindPlan(plan_id);
  if (plan == nullptr) return BadField({"plan", "no such plan '" + plan_id + "'"});
  auto snap = PartnerOf(c, c.Param("partner"));
  if (!snap) return snap.error();
  if (snap->version == 0) return NotFound("partner '" + c.Param("partner") + "' does not exist");
  const auto& partner = snap->As<p::State>();
  // A reference holds no ':' either: "p1:p2:x" would read as p2's tenant to a person.
  if (body->reference.find(kTenantSeparator) != std::string::npos)
    return BadField({"reference", "a tenant's reference holds no ':' (the id is <partner>:<reference>)"});
  domain::tenant::ProvisionTenant cmd;
  cmd.id = TenantId(c.Param("partner"), body->reference);
  cmd.partner = c.Param("partner");
  cmd.name = body->name;
  cmd.segment = *segment;
  cmd.plan = *plan;
  cmd.environment = body->environment;
  cmd.partner_certified = partner.certified;
  cmd.partner_active = !partner.suspended;
  cmd.at = c.now;
  // The tenant's id is "<partner>:<reference>" (access.hpp): the reference is unique within the
  // partner only, so provisioning tells a partner nothing of other partners' tenants.
  if (!eventstore::IsValidId(cmd.id))
    return BadField({"reference", "with its partner's namespace ('" + cmd.partner +
                                      ":') the tenant id would be longer than 128 characters"});
  const auto key = actors::TenantKey(cmd.id);
  if (auto bad = BadId(key, "reference")) return *bad;
  return Run(c, key, domain::tenant::Command(std::move(cmd)), 201);
}

}  // namespace

void AddPartnerHandlers(HandlerTable& t, AsyncTable& a) {
  t["register_partner"] = Register;
  t["get_partner"] = Get;
  a["get_partner"].read = Partner;
  Simple<p::Command, p::UpdateBranding, Partner>(t, a, "update_branding");
  Simple<p::Command, p::SetPriceList, Partner>(t, a, "set_price_list");
  Simple<p::Command, p::SetRevenueShare, Partner>(t, a, "set_revenue_share");
  Simple<p::Command, p::SetPartnerLevel, Partner>(t, a, "set_partner_level");
  t["certify_partner"] = Certify;
  Simple<p::Command, p::SuspendPartner, Partner>(t, a, "suspend_partner");
  Simple<p::Command, p::ReinstatePartner, Partner>(t, a, "reinstate_partner");
  t["provision_tenant"] = ProvisionTenant;
}

}  // namespace keel::gateway
