// The role × route × scope matrix over real sockets: every role tries every route on its own
// partner's / tenant's resources and on another partner's; only what the role allows inside its scope
// gets through. Outside the scope the answer is 404 (existence is not revealed); a denied attempt
// writes no event and is audited. The expectations are written out here, independently of access.cpp.
#include <regex>
#include <thread>

#include "gateway/router.hpp"
#include "gateway_world.hpp"

using keel::gateway::Category;
using keel::gateway::Scope;
using keel::test::GatewayWorld;
using keel::test::Json;

namespace {

struct Caller {
  std::string role, token;
  enum class Bound { kPlatform, kPartner, kTenant } bound;
};

// An extension's key does what its manifest declares (written out here: the two commands and the
// orders read scope below, plus the feed for its events), on its own tenant only.
bool ExtensionAllows(const keel::gateway::Route& route) {
  if (route.id == "websocket") return true;
  if (route.scope != Scope::kTenant) return false;
  if (route.command) return route.id == "record_integration_event" || route.id == "open_ticket";
  return std::string_view(route.pattern).starts_with("/v1/tenants/{tenant}/orders");
}

bool Allows(const std::string& role, Category c) {
  switch (c) {
    case Category::kPublic: return true;
    case Category::kRead: return true;
    case Category::kPlatformAdmin: return role == "platform_owner";
    case Category::kPartnerAdmin:
    case Category::kPlan:
    case Category::kBilling:
    case Category::kKeys: return role == "platform_owner" || role == "partner_admin";
    case Category::kLifecycle: return role == "platform_owner" || role == "partner_admin" || role == "implementation";
    case Category::kOperations: return role != "analyst";
  }
  return false;
}

std::size_t AuditCount(GatewayWorld& w) {
  // Records of earlier requests (an operator's audited act too) land first: the store's writer is
  // first in, first out, so a synchronous write queued after them returns after them.
  REQUIRE(w.node->store().SaveCheckpoint("test.probe", 1).has_value());
  std::size_t n = 0;
  (void)w.node->store().ReadModelScan("audit", "r/", [&](std::string_view, std::string_view) { return ++n, true; });
  return n;
}

std::string Fill(std::string pattern, const std::string& partner, const std::string& tenant) {
  const std::map<std::string, std::string> values{{"partner", partner}, {"tenant", tenant},  {"order", "o1"},
                                                  {"warehouse", "w1"},  {"receipt", "r1"},   {"sku", "BOLT"},
                                                  {"milestone", "training"}, {"module", "edi"}, {"ticket", "tk1"},
                                                  {"rma", "rma1"},      {"invoice", "inv1"}, {"key", "0000000000000000"},
                                                  {"customer", "c1"},   {"line", "1"},
                                                  {"projection", "tenants"}, {"position", "1"},
                                                  {"extension", "x1"},  {"version", "1.0.0"}, {"rollout", "regional-distributor.v2"}};
  for (const auto& [k, v] : values) pattern = std::regex_replace(pattern, std::regex("\\{" + k + "\\}"), v);
  INFO(pattern);
  CHECK(pattern.find('{') == std::string::npos);  // every parameter has a value: a new one needs one here
  return pattern;
}

// Installs an approved extension on p1:t1 declaring two commands, the orders scope and one event type,
// and returns its key's token.
std::string ExtensionKey(GatewayWorld& w) {
  const std::string admin = w.Key("partner_admin", "p1");
  w.CallJson("POST", "/v1/extensions",
             {{"id", "x1"}, {"version", "1.0.0"}, {"name", "X1"}, {"kind", "workflow_pack"},
              {"events", {"OrderPlaced"}}, {"commands", {"record_integration_event", "open_ticket"}},
              {"scopes", {"orders:read"}}, {"config_schema", {{"type", "object"}}}},
             admin, 201);
  w.CallJson("POST", "/v1/extensions/p1:x1/versions/1.0.0/review", nullptr, keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/extensions/p1:x1/versions/1.0.0/approval", nullptr, keel::test::kOwnerKey, 200);
  auto installed = w.CallJson("POST", "/v1/tenants/p1:t1/extensions", {{"extension", "p1:x1"}}, admin, 201);
  return installed["key"]["token"].get<std::string>();
}

}  // namespace

TEST_CASE("every role on every route inside and outside its scope", "[gateway][e2e][access]") {
  GatewayWorld w;
  for (const char* p : {"p1", "p2"}) {
    w.CallJson("POST", "/v1/partners", {{"id", p}, {"name", p}}, keel::test::kOwnerKey, 201);
    w.CallJson("POST", std::string("/v1/partners/") + p + "/certification", nullptr, keel::test::kOwnerKey, 200);
  }
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t1"}, {"name", "T1"}, {"template_id", "regional-distributor"}}, keel::test::kOwnerKey, 201);
  w.CallJson("POST", "/v1/partners/p2/tenants", {{"reference", "t2"}, {"name", "T2"}, {"template_id", "regional-distributor"}}, keel::test::kOwnerKey, 201);

  const std::vector<Caller> callers{
      {"platform_owner", keel::test::kOwnerKey, Caller::Bound::kPlatform},
      {"partner_admin", w.Key("partner_admin", "p1"), Caller::Bound::kPartner},
      {"implementation", w.Key("implementation", "p1"), Caller::Bound::kPartner},
      {"tenant_operator", w.Key("tenant_operator", "p1", "p1:t1"), Caller::Bound::kTenant},
      {"analyst", w.Key("analyst", "p1"), Caller::Bound::kPartner},
      {"analyst", w.Key("analyst", "p1", "p1:t1"), Caller::Bound::kTenant},
      {"extension", ExtensionKey(w), Caller::Bound::kTenant},
  };

  int checked = 0, denied = 0;
  for (const auto& route : keel::gateway::Routes()) {
    if (route.category == Category::kPublic) continue;
    for (const auto& caller : callers) {
      for (bool foreign : {false, true}) {
        if (route.scope == Scope::kPlatform && foreign) continue;
        const std::string path = Fill(std::string(route.pattern), foreign ? "p2" : "p1", foreign ? "p2:t2" : "p1:t1");
        bool visible = true;
        if (route.scope == Scope::kPartner)
          visible = caller.bound == Caller::Bound::kPlatform || (caller.bound == Caller::Bound::kPartner && !foreign);
        if (route.scope == Scope::kTenant) visible = caller.bound == Caller::Bound::kPlatform || !foreign;
        // The reseller's own figures (cost to serve, renewal risk) are for partner and platform keys.
        const bool reseller_only = route.id == "analytics_margin" || route.id == "analytics_renewal_risk" ||
                                   route.id == "analytics_support_load" || route.id == "analytics_sla_attainment";
        // A ticket's assignment and working status are the support desk's, not the customer's side's.
        const bool desk_only = route.id == "assign_ticket" || route.id == "set_ticket_status";
        const bool allowed = caller.role == "extension"
                                 ? ExtensionAllows(route)
                                 : Allows(caller.role, route.category) &&
                                       !((reseller_only || desk_only) && caller.bound == Caller::Bound::kTenant);

        w.clock.Advance(60);  // under 20 requests per (simulated) second: under the per-source audit cap
        const auto head = w.head();
        const auto audits = AuditCount(w);
        auto r = w.Call(std::string(route.method), path, route.command ? Json::object() : Json(nullptr), caller.token);
        INFO(caller.role << " " << route.method << " " << path << " -> " << r.status << " " << r.body);
        const auto body = Json::parse(r.body, nullptr, false);
        const std::string detail = body.is_object() ? body.value("detail", "") : "";
        const bool scope_404 = r.status == 404 && (detail.starts_with("tenant '") || detail.starts_with("partner '"));
        if (!visible) {
          CHECK(scope_404);
        } else if (!allowed) {
          CHECK(r.status == 403);
        } else {
          CHECK(r.status != 401);
          CHECK(r.status != 403);
          CHECK(!scope_404);
        }
        if (!visible || !allowed) {
          ++denied;
          CHECK(w.head() == head);  // a denied attempt writes no event
          std::size_t now = 0;
          for (int i = 0; i < 200 && (now = AuditCount(w)) <= audits; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
          CHECK(now == audits + 1);  // and is audited
        }
        ++checked;
      }
    }
  }
  CHECK(checked > 500);
  CHECK(denied > 200);
}
