// The extension catalog end to end over HTTP, as partners, the platform owner and an extension's own
// key use it: a partner submits a manifest (every bad declaration 400 naming it, nothing written),
// other partners cannot see it before approval, only the platform reviews; a tenant installs it with a
// checked configuration and gets a key that calls exactly the declared commands and reads exactly the
// declared scopes of its own tenant; a withdrawal reaches the tenants running it through the process
// manager; moves and uninstalls revoke keys; suspended tenants can uninstall but not install.
#include <thread>

#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;

namespace {

Json Manifest(const std::string& version = "1.0.0") {
  return {{"id", "edi-bridge"},
          {"version", version},
          {"name", "EDI bridge"},
          {"description", "ASNs for shipments"},
          {"kind", "edi_connector"},
          {"modules", {"edi"}},
          {"events", {"OrderShipped"}},
          {"commands", {"record_integration_event", "open_ticket"}},
          {"scopes", {"orders:read"}},
          {"config_schema",
           {{"type", "object"},
            {"properties",
             {{"endpoint", {{"type", "string"}, {"format", "uri"}}},
              {"retries", {{"type", "integer"}, {"minimum", 0}, {"maximum", 10}}}}},
            {"required", {"endpoint"}}}}};
}

Json Config() { return {{"endpoint", "https://as2.example.com/in"}, {"retries", 3}}; }

struct World {
  GatewayWorld w;
  std::string p1_admin, p2_admin;
  World() {
    w.LiveTenant("p1", "p1:t1");
    w.LiveTenant("p1", "p1:t2");
    w.LiveTenant("p2", "p2:t9");
    p1_admin = w.Key("partner_admin", "p1");
    p2_admin = w.Key("partner_admin", "p2");
  }
  // Submits `manifest` as p1 and has the platform approve it.
  void Approved(const Json& manifest) {
    w.CallJson("POST", "/v1/extensions", manifest, p1_admin, 201);
    const std::string v = "/v1/extensions/p1:" + manifest["id"].get<std::string>() + "/versions/" + manifest["version"].get<std::string>();
    w.CallJson("POST", v + "/review", nullptr, kOwnerKey, 200);
    w.CallJson("POST", v + "/approval", nullptr, kOwnerKey, 200);
  }
  Json Install(const std::string& tenant, const Json& body, int status = 201) {
    return w.CallJson("POST", "/v1/tenants/" + tenant + "/extensions", body, p1_admin, status);
  }
};

std::string Field(const keel::test::HttpReply& r) {
  auto j = Json::parse(r.body, nullptr, false);
  return j.is_object() ? j.value("field", "") : "";
}

}  // namespace

TEST_CASE("a bad manifest is refused naming the field and writes nothing", "[gateway][e2e][extensions]") {
  World x;
  const auto head = x.w.head();
  auto with = [](const std::string& key, Json value) {
    Json m = Manifest();
    m[key] = std::move(value);
    return m;
  };
  const std::vector<std::pair<Json, std::string>> cases{
      {with("commands", {"record_integration_event", "create_key"}), "commands[1]"},
      {with("commands", {"install_extension"}), "commands[0]"},
      {with("commands", {"register_partner"}), "commands[0]"},
      {with("commands", {"open_ticket", "open_ticket"}), "commands[1]"},
      {with("scopes", {"orders:write"}), "scopes[0]"},
      {with("events", {"PartnerRegistered"}), "events[0]"},
      {with("events", {"NoSuchEvent"}), "events[0]"},
      {with("version", "1.0"), "version"},
      {with("kind", "robot"), "kind"},
      {with("modules", {"teleportation"}), "modules[0]"},
      {with("id", "p2:edi"), "id"},
      {with("config_schema", {{"type", "object"}, {"properties", {{"port", {{"type", "integer"}, {"pattern", "x"}}}}}}),
       "config_schema.properties.port.pattern"},
      {with("config_schema", {{"type", "string"}}), "config_schema.type"},
      {with("config_schema", "not a schema"), "config_schema"},
      {with("name", ""), "name"},
  };
  for (const auto& [body, field] : cases) {
    auto r = x.w.Call("POST", "/v1/extensions", body, x.p1_admin);
    INFO(body.dump() << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(Field(r) == field);
  }
  Json missing = Manifest();
  missing.erase("config_schema");
  CHECK(Field(x.w.Call("POST", "/v1/extensions", missing, x.p1_admin)) == "config_schema");
  Json nothing = Manifest();
  nothing["commands"] = Json::array();
  nothing["scopes"] = Json::array();
  nothing["events"] = Json::array();
  CHECK(Field(x.w.Call("POST", "/v1/extensions", nothing, x.p1_admin)) == "commands");
  CHECK(x.w.head() == head);
  CHECK(x.w.CallJson("GET", "/v1/extensions", nullptr, kOwnerKey, 200)["items"].empty());
}

TEST_CASE("review is the platform's and others see a version only once approved", "[gateway][e2e][extensions]") {
  World x;
  auto submitted = x.w.CallJson("POST", "/v1/extensions", Manifest(), x.p1_admin, 201);
  CHECK(submitted["entity"]["id"] == "p1:edi-bridge");  // namespaced by its owner
  CHECK(submitted["events"][0]["type"] == "ExtensionVersionSubmitted");
  const std::string v1 = "/v1/extensions/p1:edi-bridge/versions/1.0.0";
  // The same version again: an approved or pending version never changes.
  CHECK(x.w.Call("POST", "/v1/extensions", Manifest(), x.p1_admin).status == 422);
  // Not visible to another partner or to the partner's tenants' keys yet; the owner and the platform see it.
  CHECK(x.w.Call("GET", "/v1/extensions/p1:edi-bridge", nullptr, x.p2_admin).status == 404);
  const std::string operator_key = x.w.Key("tenant_operator", "p1", "p1:t1");
  CHECK(x.w.Call("GET", "/v1/extensions/p1:edi-bridge", nullptr, operator_key).status == 404);
  CHECK(x.w.CallJson("GET", "/v1/extensions", nullptr, x.p2_admin, 200)["items"].empty());
  CHECK(x.w.CallJson("GET", "/v1/extensions/p1:edi-bridge", nullptr, x.p1_admin, 200)["state"]["versions"][0]["status"] ==
        "submitted");
  // Only the platform reviews; approval needs a review first.
  CHECK(x.w.Call("POST", v1 + "/review", nullptr, x.p1_admin).status == 403);
  CHECK(x.w.Call("POST", v1 + "/approval", nullptr, kOwnerKey).status == 422);
  x.w.CallJson("POST", v1 + "/review", nullptr, kOwnerKey, 200);
  // Not installable while under review.
  auto r = x.w.Call("POST", "/v1/tenants/p1:t1/extensions", {{"extension", "p1:edi-bridge"}, {"version", "1.0.0"}, {"config", Config()}}, x.p1_admin);
  CHECK(r.status == 422);
  CHECK(keel::test::ProblemType(r) == "extension_not_approved");
  x.w.CallJson("POST", v1 + "/approval", nullptr, kOwnerKey, 200);
  // Now the catalog shows it to everyone, by its approved version only.
  x.w.CallJson("POST", "/v1/extensions", Manifest("1.1.0"), x.p1_admin, 201);
  auto seen = x.w.CallJson("GET", "/v1/extensions/p1:edi-bridge", nullptr, x.p2_admin, 200);
  REQUIRE(seen["state"]["versions"].size() == 1);
  CHECK(seen["state"]["versions"][0]["manifest"]["version"] == "1.0.0");
  CHECK(x.w.CallJson("GET", "/v1/extensions/p1:edi-bridge", nullptr, x.p1_admin, 200)["state"]["versions"].size() == 2);
  auto approved = x.w.CallJson("GET", "/v1/extensions?status=approved&kind=edi_connector&module=edi", nullptr, x.p2_admin, 200);
  REQUIRE(approved["items"].size() == 1);
  CHECK(x.w.CallJson("GET", "/v1/extensions?kind=workflow_pack", nullptr, kOwnerKey, 200)["items"].empty());
  CHECK(x.w.CallJson("GET", "/v1/extensions?owner=p2", nullptr, kOwnerKey, 200)["items"].empty());
  CHECK(Field(x.w.Call("GET", "/v1/extensions?status=done", nullptr, kOwnerKey)) == "status");
  // A rejection carries reasons; another partner may not withdraw what it does not own.
  const std::string v11 = "/v1/extensions/p1:edi-bridge/versions/1.1.0";
  x.w.CallJson("POST", v11 + "/review", nullptr, kOwnerKey, 200);
  CHECK(Field(x.w.Call("POST", v11 + "/rejection", {{"reasons", Json::array()}}, kOwnerKey)) == "reasons");
  auto rejected = x.w.CallJson("POST", v11 + "/rejection", {{"reasons", {"declares open_ticket without a need"}}}, kOwnerKey, 200);
  CHECK(rejected["events"][0]["data"]["reasons"][0] == "declares open_ticket without a need");
  CHECK(x.w.Call("POST", v1 + "/withdrawal", {{"reason", "mine now"}}, x.p2_admin).status == 403);
  // Every accepted step is in the audit trail.
  int catalog_acts = 0;
  for (int i = 0; i < 200 && catalog_acts < 6; ++i) {
    catalog_acts = 0;
    auto audit = x.w.CallJson("GET", "/v1/audit?partner=p1&limit=500", nullptr, kOwnerKey, 200);
    for (const auto& e : audit["items"]) catalog_acts += e.value("subject", "").starts_with("extension:p1:edi-bridge");
    if (catalog_acts < 6) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  CHECK(catalog_acts == 6);  // two submissions, two reviews, an approval, a rejection
}

TEST_CASE("an installed extension's key does exactly what its manifest declared", "[gateway][e2e][extensions]") {
  World x;
  x.Approved(Manifest());
  const std::string t1 = "/v1/tenants/p1:t1";
  const auto keys_before = x.w.CallJson("GET", "/v1/keys", nullptr, kOwnerKey, 200)["keys"].size();
  // The configuration is checked against the manifest's schema.
  auto bad = x.w.Call("POST", t1 + "/extensions", {{"extension", "p1:edi-bridge"}, {"config", {{"endpoint", "https://a.example"}, {"retries", 99}}}}, x.p1_admin);
  CHECK(bad.status == 400);
  CHECK(Field(bad) == "config.retries");
  CHECK(Field(x.w.Call("POST", t1 + "/extensions", {{"extension", "p1:edi-bridge"}, {"config", Json::object()}}, x.p1_admin)) == "config.endpoint");
  CHECK(Field(x.w.Call("POST", t1 + "/extensions", {{"extension", "p1:edi-bridge"}, {"config", "x"}}, x.p1_admin)) == "config");
  CHECK(x.w.Call("POST", t1 + "/extensions", {{"extension", "p1:nope"}, {"config", Config()}}, x.p1_admin).status == 404);
  CHECK(x.w.CallJson("GET", "/v1/keys", nullptr, kOwnerKey, 200)["keys"].size() == keys_before);  // no key left behind
  // Installed (the latest approved version when none is named): the key is shown once.
  auto installed = x.Install("p1:t1", {{"extension", "p1:edi-bridge"}, {"config", Config()}});
  CHECK(installed["events"][0]["type"] == "ExtensionInstalled");
  CHECK(installed["events"][0]["data"]["version"] == "1.0.0");
  const std::string token = installed["key"]["token"].get<std::string>();
  const std::string key_id = installed["key"]["id"].get<std::string>();
  auto listed = x.w.CallJson("GET", t1 + "/extensions", nullptr, x.p1_admin, 200);
  REQUIRE(listed["items"].size() == 1);
  CHECK(listed["items"][0]["key_id"] == key_id);
  CHECK(listed["items"][0]["config"] == Config());
  // The configuration (which may hold a connector's credentials) is stored sealed under the master
  // key: the store holds none of it in the clear.
  int stored = 0;
  (void)x.w.node->store().ReadModelScan("extension_configs", "", [&](std::string_view, std::string_view value) {
    ++stored;
    CHECK(value.starts_with("sb1:"));
    CHECK(value.find("as2.example.com") == std::string_view::npos);
    return true;
  });
  CHECK(stored == 1);
  // Declared: its command and its read scope, on its own tenant.
  x.w.CallJson("POST", t1 + "/integration-events", {{"kind", "failure"}, {"integration", "edi"}, {"detail", "AS2 timeout"}}, token, 200);
  x.w.CallJson("GET", t1 + "/orders", nullptr, token, 200);
  // Undeclared: other commands and scopes, key management, the catalog, partner routes.
  CHECK(x.w.Call("POST", t1 + "/orders", {{"id", "o1"}, {"customer", "c"}, {"lines", Json::array()}}, token).status == 403);
  CHECK(x.w.Call("POST", t1 + "/usage", {{"api_calls", 1}}, token).status == 403);
  CHECK(x.w.Call("GET", t1 + "/billing", nullptr, token).status == 403);
  CHECK(x.w.Call("GET", t1, nullptr, token).status == 403);
  CHECK(x.w.Call("GET", "/v1/keys", nullptr, token).status == 403);
  CHECK(x.w.Call("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}}, token).status == 403);
  CHECK(x.w.Call("GET", "/v1/extensions", nullptr, token).status == 403);
  CHECK(x.w.Call("POST", t1 + "/extensions", {{"extension", "p1:edi-bridge"}}, token).status == 403);
  // Another tenant, of its partner or another: as if it did not exist.
  CHECK(x.w.Call("GET", "/v1/tenants/p1:t2/orders", nullptr, token).status == 404);
  CHECK(x.w.Call("POST", "/v1/tenants/p2:t9/integration-events", {{"kind", "failure"}, {"integration", "edi"}, {"detail", "x"}}, token).status == 404);
  CHECK(x.w.Call("GET", "/v1/partners/p1", nullptr, token).status == 404);
  // Nobody mints an extension key by hand.
  auto minted = x.w.Call("POST", "/v1/keys", {{"role", "extension"}, {"partner", "p1"}, {"tenant", "p1:t1"}}, kOwnerKey);
  CHECK(minted.status == 400);
  CHECK(Field(minted) == "role");
  // The partner sees the key among its keys, marked with what it acts for.
  Json listed_key;
  const Json all_keys = x.w.CallJson("GET", "/v1/keys", nullptr, x.p1_admin, 200);
  for (const auto& k : all_keys["keys"])
    if (k["id"] == key_id) listed_key = k;
  INFO(listed_key.dump());
  CHECK(listed_key.value("role", "") == "extension");
  CHECK(listed_key.value("extension", "") == "p1:edi-bridge@1.0.0");
}

TEST_CASE("the template and the plan decide which extensions a tenant may install", "[gateway][e2e][extensions]") {
  World x;
  Json market = Manifest();
  market["id"] = "shop-sync";
  market["kind"] = "marketplace_connector";
  market["modules"] = {"marketplace_connectors"};
  x.Approved(market);
  Json lots = Manifest();
  lots["id"] = "lot-labels";
  lots["modules"] = {"edi", "lot_tracking"};
  x.Approved(lots);
  const auto head = x.w.head();
  auto kind = x.w.Call("POST", "/v1/tenants/p1:t1/extensions", {{"extension", "p1:shop-sync"}, {"config", Config()}}, x.p1_admin);
  CHECK(kind.status == 422);
  CHECK(keel::test::ProblemType(kind) == "extension_kind_not_allowed");  // regional-distributor: no marketplace connectors
  auto module = x.w.Call("POST", "/v1/tenants/p1:t1/extensions", {{"extension", "p1:lot-labels"}, {"config", Config()}}, x.p1_admin);
  CHECK(module.status == 422);
  CHECK(keel::test::ProblemType(module) == "module_not_entitled");
  CHECK(x.w.head() == head);
  // The tenant's rules are asked before a key is made: a refused installation makes none.
  const Json keys = x.w.CallJson("GET", "/v1/keys", nullptr, kOwnerKey, 200);
  for (const auto& k : keys["keys"]) CHECK(k["role"] != "extension");
}

TEST_CASE("a withdrawal tells the tenants running the version and a move or uninstall revokes keys", "[gateway][e2e][extensions]") {
  World x;
  x.Approved(Manifest("1.0.0"));
  auto on_t1 = x.Install("p1:t1", {{"extension", "p1:edi-bridge"}, {"version", "1.0.0"}, {"config", Config()}});
  const std::string old_token = on_t1["key"]["token"];
  // A replay of the installation answers the first result without the secret and makes no key.
  const auto keys_before = x.w.CallJson("GET", "/v1/keys", nullptr, kOwnerKey, 200)["keys"].size();
  auto first = x.w.Call("POST", "/v1/tenants/p1:t2/extensions", {{"extension", "p1:edi-bridge"}, {"config", Config()}}, x.p1_admin,
                        "Idempotency-Key: install-t2\r\n");
  auto replay = x.w.Call("POST", "/v1/tenants/p1:t2/extensions", {{"extension", "p1:edi-bridge"}, {"config", Config()}}, x.p1_admin,
                         "Idempotency-Key: install-t2\r\n");
  REQUIRE(first.status == 201);
  REQUIRE(replay.status == 201);
  CHECK(Json::parse(first.body)["key"]["token"].is_string());
  CHECK(Json::parse(replay.body)["key"]["token"].is_null());
  CHECK(Json::parse(replay.body)["key"]["id"] == Json::parse(first.body)["key"]["id"]);
  CHECK(x.w.CallJson("GET", "/v1/keys", nullptr, kOwnerKey, 200)["keys"].size() == keys_before + 1);
  // Withdrawn: both tenants are told (the process manager), the installations keep working.
  x.w.CallJson("POST", "/v1/extensions/p1:edi-bridge/versions/1.0.0/withdrawal", {{"reason", "endpoint moved"}}, x.p1_admin, 200);
  for (const char* t : {"p1:t1", "p1:t2"}) {
    std::string reason;
    for (int i = 0; i < 500 && reason.empty(); ++i) {
      auto items = x.w.CallJson("GET", std::string("/v1/tenants/") + t + "/extensions", nullptr, kOwnerKey, 200)["items"];
      if (!items.empty()) reason = items[0]["withdrawn_reason"].get<std::string>();
      if (reason.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    INFO(t);
    CHECK(reason == "endpoint moved");
  }
  x.w.CallJson("GET", "/v1/tenants/p1:t1/orders", nullptr, old_token, 200);
  // Who still runs it: the platform sees both tenants, another partner none of them.
  CHECK(x.w.CallJson("GET", "/v1/extensions/p1:edi-bridge/installations?version=1.0.0", nullptr, kOwnerKey, 200)["items"].size() == 2);
  CHECK(x.w.CallJson("GET", "/v1/extensions/p1:edi-bridge/installations", nullptr, x.p2_admin, 200)["items"].empty());
  CHECK(Field(x.w.Call("GET", "/v1/extensions/p1:edi-bridge/installations?min_position=1", nullptr, kOwnerKey)) == "min_position");
  // Nobody installs a withdrawn version.
  auto late = x.w.Call("POST", "/v1/tenants/p2:t9/extensions", {{"extension", "p1:edi-bridge"}, {"version", "1.0.0"}, {"config", Config()}}, x.p2_admin);
  CHECK(late.status == 422);
  CHECK(keel::test::ProblemType(late) == "extension_not_approved");
  // A move to the next version revokes the old key.
  x.Approved(Manifest("1.1.0"));
  auto moved = x.Install("p1:t1", {{"extension", "p1:edi-bridge"}, {"version", "1.1.0"}, {"config", Config()}});
  CHECK(moved["events"][0]["data"]["previous_version"] == "1.0.0");
  const std::string new_token = moved["key"]["token"];
  CHECK(x.w.Call("GET", "/v1/tenants/p1:t1/orders", nullptr, old_token).status == 401);
  x.w.CallJson("GET", "/v1/tenants/p1:t1/orders", nullptr, new_token, 200);
  // Suspended: no new installation, but uninstalling (and so revoking) is always possible.
  x.w.CallJson("POST", "/v1/tenants/p1:t1/suspension", {{"reason", "unpaid"}}, kOwnerKey, 200);
  auto refused = x.w.Call("POST", "/v1/tenants/p1:t1/extensions", {{"extension", "p1:edi-bridge"}, {"version", "1.0.0"}}, x.p1_admin);
  CHECK(keel::test::ProblemType(refused) == "tenant_suspended");
  x.w.CallJson("DELETE", "/v1/tenants/p1:t1/extensions/p1:edi-bridge", nullptr, x.p1_admin, 200);
  CHECK(x.w.Call("GET", "/v1/tenants/p1:t1/orders", nullptr, new_token).status == 401);
  CHECK(x.w.CallJson("GET", "/v1/tenants/p1:t1/extensions", nullptr, kOwnerKey, 200)["items"].empty());
  CHECK(x.w.Call("DELETE", "/v1/tenants/p1:t1/extensions/p1:edi-bridge", nullptr, x.p1_admin).status == 404);
}

TEST_CASE("an extension key rotated by its partner is revoked with the installation", "[gateway][e2e][extensions]") {
  World x;
  x.Approved(Manifest());
  auto installed = x.Install("p1:t1", {{"extension", "p1:edi-bridge"}, {"config", Config()}});
  auto rotated = x.w.CallJson("POST", "/v1/keys/" + installed["key"]["id"].get<std::string>() + "/rotation",
                              {{"grace_seconds", 0}}, x.p1_admin, 201);
  const std::string token = rotated["token"];
  x.w.CallJson("GET", "/v1/tenants/p1:t1/orders", nullptr, token, 200);  // the rotated key keeps the grant
  CHECK(x.w.Call("GET", "/v1/tenants/p1:t1/billing", nullptr, token).status == 403);
  x.w.CallJson("DELETE", "/v1/tenants/p1:t1/extensions/p1:edi-bridge", nullptr, x.p1_admin, 200);
  CHECK(x.w.Call("GET", "/v1/tenants/p1:t1/orders", nullptr, token).status == 401);
}

TEST_CASE("what a new user found: secrets, hidden versions, suspended partners and lost modules", "[gateway][e2e][extensions]") {
  World x;
  Json secret_schema = Manifest();
  secret_schema["config_schema"]["properties"]["password"] = {{"type", "string"}};
  x.Approved(secret_schema);
  const Json config{{"endpoint", "https://as2.example.com/in"}, {"password", "hunter2"}};
  const auto head = x.w.head();
  x.Install("p1:t1", {{"extension", "p1:edi-bridge"}, {"config", config}});
  // The configuration is not in the log, nor in the tenant's state; only who may install reads it back.
  auto events = x.w.node->store().ReadAll(head + 1, 10'000);
  REQUIRE(events.has_value());
  for (const auto& e : *events) CHECK(e.payload.find("hunter2") == std::string::npos);
  CHECK(x.w.Call("GET", "/v1/tenants/p1:t1", nullptr, kOwnerKey).body.find("hunter2") == std::string::npos);
  CHECK(x.w.CallJson("GET", "/v1/tenants/p1:t1/extensions", nullptr, x.p1_admin, 200)["items"][0]["config"] == config);
  const std::string analyst = x.w.Key("analyst", "p1");
  CHECK(x.w.CallJson("GET", "/v1/tenants/p1:t1/extensions", nullptr, analyst, 200)["items"][0]["config"].is_null());
  // Installing makes a credential: not for the implementation role.
  const std::string implementation = x.w.Key("implementation", "p1");
  CHECK(x.w.Call("POST", "/v1/tenants/p1:t2/extensions", {{"extension", "p1:edi-bridge"}, {"config", config}}, implementation).status == 403);
  // A version another partner cannot see is answered as a missing one, and makes no key.
  x.w.CallJson("POST", "/v1/extensions", Manifest("1.1.0"), x.p1_admin, 201);
  auto probe = x.w.Call("POST", "/v1/tenants/p2:t9/extensions", {{"extension", "p1:edi-bridge"}, {"version", "1.1.0"}}, x.p2_admin);
  CHECK(probe.status == 404);
  // A version withdrawn before any approval never becomes visible to others.
  x.w.CallJson("POST", "/v1/extensions/p1:edi-bridge/versions/1.1.0/withdrawal", {{"reason", "not needed"}}, x.p1_admin, 200);
  CHECK(x.w.CallJson("GET", "/v1/extensions/p1:edi-bridge", nullptr, x.p2_admin, 200)["state"]["versions"].size() == 1);
  // A suspended partner submits nothing and mints no extension key.
  x.w.CallJson("POST", "/v1/partners/p2/suspension", {{"reason", "audit"}}, kOwnerKey, 200);
  Json theirs = Manifest();
  theirs["id"] = "theirs";
  CHECK(keel::test::ProblemType(x.w.Call("POST", "/v1/extensions", theirs, x.p2_admin)) == "partner_suspended");
  CHECK(keel::test::ProblemType(x.w.Call("POST", "/v1/tenants/p2:t9/extensions", {{"extension", "p1:edi-bridge"}, {"config", config}},
                                         x.p2_admin)) == "partner_suspended");
  // The key stops while the tenant lacks a module the extension requires.
  auto on_t2 = x.Install("p1:t2", {{"extension", "p1:edi-bridge"}, {"config", config}});
  const std::string token = on_t2["key"]["token"];
  x.w.CallJson("GET", "/v1/tenants/p1:t2/orders", nullptr, token, 200);
  x.w.CallJson("DELETE", "/v1/tenants/p1:t2/modules/edi", nullptr, kOwnerKey, 200);
  auto lost = x.w.Call("GET", "/v1/tenants/p1:t2/orders", nullptr, token);
  CHECK(lost.status == 403);
  CHECK(lost.body.find("requires module edi") != std::string::npos);
  // Query parameters a route does not take are named.
  CHECK(Field(x.w.Call("GET", "/v1/extensions/p1:edi-bridge?as_of=3", nullptr, kOwnerKey)) == "as_of");
  // A page ends with a cursor only when something the caller sees follows: p1:zz-draft (only submitted)
  // sorts after p1:edi-bridge and is p2's to see no more than p1's hidden versions.
  Json draft = Manifest();
  draft["id"] = "zz-draft";
  x.w.CallJson("POST", "/v1/extensions", draft, x.p1_admin, 201);
  CHECK(x.w.CallJson("GET", "/v1/extensions?limit=1", nullptr, x.p2_admin, 200)["next_cursor"].is_null());
  auto first = x.w.CallJson("GET", "/v1/extensions?limit=1", nullptr, x.p1_admin, 200);
  REQUIRE(first["next_cursor"] == "p1:edi-bridge");
  auto second = x.w.CallJson("GET", "/v1/extensions?limit=1&cursor=p1:edi-bridge", nullptr, x.p1_admin, 200);
  REQUIRE(second["items"].size() == 1);
  CHECK(second["items"][0]["id"] == "p1:zz-draft");
  CHECK(second["next_cursor"].is_null());
}
