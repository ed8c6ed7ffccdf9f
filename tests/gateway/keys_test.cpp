// API keys as a partner app and an operator meet them: listed by scope without secrets, expiring,
// rotated with a grace period, never written to disk in plain (not in a stored Idempotency-Key
// answer, not in an audited query string), with random ids and keyed hashes; a key store from before
// keyed hashes keeps working and is upgraded; another master key is refused.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "gateway_world.hpp"
#include "keys.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;
using keel::test::ProblemType;

namespace {

constexpr std::int64_t kDay = 86'400'000;

void Expect(const keel::test::HttpReply& r, int status, const std::string& type) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(ProblemType(r) == type);
}

// Every file under `dir` that holds `needle` (RocksDB's WAL and tables hold values as written).
std::vector<std::string> FilesHolding(const std::string& dir, const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) found.push_back(e.path().filename().string());
  }
  return found;
}

Json Keys(GatewayWorld& w, const std::string& key) { return w.CallJson("GET", "/v1/keys", nullptr, key, 200)["keys"]; }

const Json* FindKey(const Json& keys, const std::string& id) {
  for (const auto& k : keys)
    if (k["id"] == id) return &k;
  return nullptr;
}

}  // namespace

TEST_CASE("API keys are listed by scope without secrets, expire, and rotate with a grace period", "[gateway][e2e][keys]") {
  GatewayWorld w;
  for (const std::string p : {"p1", "p2"}) w.CallJson("POST", "/v1/partners", {{"id", p}, {"name", p}}, kOwnerKey, 201);
  auto admin1 = w.CallJson("POST", "/v1/keys", {{"role", "partner_admin"}, {"partner", "p1"}, {"name", "p1 admin"}}, kOwnerKey, 201);
  auto admin2 = w.CallJson("POST", "/v1/keys", {{"role", "partner_admin"}, {"partner", "p2"}, {"name", "p2 admin"}}, kOwnerKey, 201);
  const std::string t1 = admin1["token"], id1 = admin1["id"];
  CHECK(id1 != keel::gateway::Sha256Hex(t1).substr(0, 16));  // the id says nothing about the secret
  CHECK(admin1["expires_at"].is_null());
  auto bi = w.CallJson("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"name", "bi"}, {"expires_in_days", 1}}, t1, 201);
  CHECK(bi["expires_at"] == keel::test::kStart + kDay);

  // Scope: p1's admin sees p1's keys only, the owner sees all; never a token, hash or mac.
  const Json seen1 = Keys(w, t1);
  CHECK(FindKey(seen1, id1) != nullptr);
  CHECK(FindKey(seen1, bi["id"]) != nullptr);
  CHECK(FindKey(seen1, admin2["id"]) == nullptr);
  for (const auto& k : seen1) {
    CHECK(k["partner"] == "p1");
    CHECK_FALSE(k.contains("token"));
    CHECK_FALSE(k.contains("mac"));
    CHECK_FALSE(k.contains("hash"));
  }
  CHECK(Keys(w, kOwnerKey).size() >= 4);
  CHECK(FindKey(Keys(w, t1), id1)->at("last_used_at") == keel::test::kStart);  // it was just used
  Expect(w.Call("GET", "/v1/keys", nullptr, bi["token"]), 403, "forbidden");    // an analyst manages no keys
  Expect(w.Call("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"expires_in_days", 0}}, t1), 400, "invalid_field");
  Expect(w.Call("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"expires_in_days", 3651}}, t1), 400, "invalid_field");

  // Expiry (wall clock): the key works until its time, then it is 401 and listed inactive.
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, bi["token"]).status == 200);
  w.clock.Advance(kDay);
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, bi["token"]).status == 401);
  CHECK(FindKey(Keys(w, t1), bi["id"])->at("active") == false);

  // Rotation: a new secret at once, the old one until its grace ends; rotating p2's key is not p1's to do.
  Expect(w.Call("POST", "/v1/keys/" + admin2["id"].get<std::string>() + "/rotation", nullptr, t1), 404, "not_found");
  Expect(w.Call("POST", "/v1/keys/" + id1 + "/rotation", {{"grace_seconds", -1}}, t1), 400, "invalid_field");
  auto rotated = w.CallJson("POST", "/v1/keys/" + id1 + "/rotation", {{"grace_seconds", 60}}, t1, 201);
  const std::string t1b = rotated["token"];
  CHECK(rotated["id"] != id1);
  CHECK(rotated["partner"] == "p1");
  CHECK(rotated["role"] == "partner_admin");
  CHECK(rotated["replaces"]["id"] == id1);
  CHECK(rotated["replaces"]["rotated_to"] == rotated["id"]);
  CHECK(rotated["replaces"]["expires_at"] == keel::test::kStart + kDay + 60'000);
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, t1).status == 200);
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, t1b).status == 200);
  w.clock.Advance(60'000);
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, t1).status == 401);
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, t1b).status == 200);
  Expect(w.Call("POST", "/v1/keys/" + id1 + "/rotation", nullptr, t1b), 422, "key_inactive");
  // A key that stopped working says why (to whoever holds it).
  CHECK(Json::parse(w.Call("GET", "/v1/partners/p1", nullptr, t1).body)["detail"] ==
        "this API key was rotated and its grace period has ended");
  CHECK(Json::parse(w.Call("GET", "/v1/partners/p1", nullptr, bi["token"]).body)["detail"] == "this API key has expired");
  w.CallJson("DELETE", "/v1/keys/" + rotated["id"].get<std::string>(), nullptr, kOwnerKey, 200);
  CHECK(Json::parse(w.Call("GET", "/v1/partners/p1", nullptr, t1b).body)["detail"] == "this API key was revoked");
  // Revoking a rotated key revokes the one it replaced, even in its grace period.
  auto third = w.CallJson("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"name", "rot"}}, kOwnerKey, 201);
  auto fourth = w.CallJson("POST", "/v1/keys/" + third["id"].get<std::string>() + "/rotation", {{"grace_seconds", 3600}},
                           kOwnerKey, 201);
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, third["token"]).status == 200);  // in its grace
  w.CallJson("DELETE", "/v1/keys/" + fourth["id"].get<std::string>(), nullptr, kOwnerKey, 200);
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, fourth["token"]).status == 401);
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, third["token"]).status == 401);
  // A partner admin may leave out its own partner; a binding that does not fit names the field at fault.
  const std::string admin = w.Key("partner_admin", "p1", "");
  CHECK(w.CallJson("POST", "/v1/keys", {{"role", "analyst"}, {"name", "own partner"}}, admin, 201)["partner"] == "p1");
  auto misbound = w.Call("POST", "/v1/keys", {{"role", "implementation"}, {"partner", "p1"}, {"tenant", "p1:t1"}});
  Expect(misbound, 400, "invalid_field");
  CHECK(Json::parse(misbound.body)["field"] == "tenant");
  Expect(w.Call("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"name", std::string(201, 'n')}}), 400, "invalid_field");
}

TEST_CASE("no API key secret reaches the disk: stored answers and audited query strings are redacted", "[gateway][e2e][keys]") {
  GatewayWorld w;
  w.CallJson("POST", "/v1/partners", {{"id", "p1"}, {"name", "P1"}}, kOwnerKey, 201);
  const std::string body = Json{{"role", "analyst"}, {"partner", "p1"}, {"name", "bi"}}.dump();
  auto first = w.Call("POST", "/v1/keys", Json::parse(body), kOwnerKey, "Idempotency-Key: key-1\r\n");
  REQUIRE(first.status == 201);
  const Json issued = Json::parse(first.body);
  const std::string token = issued["token"];
  CHECK(token.starts_with("keel_"));
  // The replay is the first answer without the secret: the token is shown once.
  auto again = w.Call("POST", "/v1/keys", Json::parse(body), kOwnerKey, "Idempotency-Key: key-1\r\n");
  REQUIRE(again.status == 201);
  CHECK(Json::parse(again.body)["id"] == issued["id"]);
  CHECK(Json::parse(again.body)["token"].is_null());
  CHECK(w.Call("GET", "/v1/partners/p1", nullptr, token).status == 200);  // the key itself works

  // A refused request with a secret in its query string is audited with the value redacted.
  const std::string leaked = "leakedsecret0123456789abcdef";
  CHECK(w.Call("GET", "/v1/partners/p1?key=" + leaked + "&x=1", nullptr, "").status == 401);
  REQUIRE(w.node->store().SaveCheckpoint("flush", 1));  // the audit write was queued before this one
  bool audited = false;
  REQUIRE(w.node->store().ReadModelScan("audit", "r/", [&](std::string_view, std::string_view v) {
    if (v.find("key=REDACTED&x=1") != std::string_view::npos) audited = true;
    return true;
  }));
  CHECK(audited);
  // A secret pasted for a key's id, or in any query value, is redacted too (it looks like one: keel_...).
  CHECK(w.Call("DELETE", "/v1/keys/" + token, nullptr, kOwnerKey).status >= 400);
  CHECK(w.Call("GET", "/v1/partners/p1?note=" + token, nullptr, "").status == 401);
  REQUIRE(w.node->store().SaveCheckpoint("flush", 2));
  int redacted = 0;
  REQUIRE(w.node->store().ReadModelScan("audit", "r/", [&](std::string_view, std::string_view v) {
    if (v.find("/v1/keys/REDACTED") != std::string_view::npos || v.find("note=REDACTED") != std::string_view::npos) ++redacted;
    return true;
  }));
  CHECK(redacted == 2);
  // Nowhere on disk: not the tokens, not the owner's bootstrap key, not the query string's secret, not
  // an unsalted SHA-256 of a token (a leaked store cannot be used to test guesses).
  for (const std::string& secret : {token, std::string(kOwnerKey), leaked, keel::gateway::Sha256Hex(token),
                                    keel::gateway::Sha256Hex(kOwnerKey)}) {
    INFO(secret);
    CHECK(FilesHolding(w.dir.str(), secret).empty());
  }
}

TEST_CASE("a key store from before keyed hashes verifies its keys and upgrades them, and another master key is refused",
          "[gateway][keys]") {
  keel::eventstore::test::TempDir dir;
  const std::string token = "keel_legacy_analyst_key_0123456789abcdef";
  const std::string hash = keel::gateway::Sha256Hex(token);
  const std::string secret(64, 's');
  auto store = keel::eventstore::test::OpenOrDie(dir.str());
  {
    keel::eventstore::ReadModelBatch legacy;  // as the previous version stored it
    legacy.model = "api_keys";
    legacy.puts.emplace_back(hash.substr(0, 16), Json{{"name", "old"}, {"hash", hash}, {"role", "analyst"},
                                                       {"partner", "p1"}, {"tenant", ""}, {"created_at", 1},
                                                       {"revoked", false}}.dump());
    REQUIRE(store->CommitReadModel(std::move(legacy)));
  }
  {
    keel::gateway::KeyStore keys(*store, secret);
    REQUIRE(keys.Load());
    auto who = keys.Verify(token, 1000);
    REQUIRE(who);
    CHECK(who->key_id == hash.substr(0, 16));
    CHECK_FALSE(keys.Verify("keel_legacy_analyst_key_0123456789abcdeX", 1000));
  }
  REQUIRE(store->SaveCheckpoint("flush", 1));  // the upgrade's write was queued before this one
  auto stored = store->ReadModelGet("api_keys", hash.substr(0, 16));
  REQUIRE(stored);
  REQUIRE(*stored);
  CHECK((*stored)->find(hash) == std::string::npos);  // the unsalted hash is gone
  CHECK(Json::parse(**stored)["mac"] == keel::gateway::HmacSha256Hex(secret, token));
  {
    keel::gateway::KeyStore again(*store, secret);
    REQUIRE(again.Load());
    CHECK(again.Verify(token, 2000));
    keel::gateway::KeyStore other(*store, std::string(64, 'o'));
    auto refused = other.Load();
    REQUIRE_FALSE(refused);
    CHECK(refused.error().find("master key") != std::string::npos);
  }
}

TEST_CASE("a key's workflow role comes from its tenant's template, and existence is never told before authorization",
          "[gateway][e2e][keys]") {
  GatewayWorld w;
  for (const std::string p : {"p1", "p2"}) {
    w.CallJson("POST", "/v1/partners", {{"id", p}, {"name", p}}, kOwnerKey, 201);
    w.CallJson("POST", "/v1/partners/" + p + "/certification", nullptr, kOwnerKey, 200);
  }
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t1"}, {"name", "T1"}, {"template_id", "regional-distributor"}}, kOwnerKey, 201);
  w.CallJson("POST", "/v1/partners/p2/tenants", {{"reference", "t2"}, {"name", "T2"}, {"template_id", "regional-distributor"}}, kOwnerKey, 201);
  const std::string admin1 = w.Key("partner_admin", "p1", "");
  // The template's roles are accepted; a key role, an unknown name, or a key not bound to a tenant are not.
  w.CallJson("POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p1"}, {"tenant", "p1:t1"}, {"workflow_role", "finance"}}, admin1, 201);
  for (const std::string role : {"platform_owner", "partner_admin", "ceo"}) {
    auto r = w.Call("POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p1"}, {"tenant", "p1:t1"}, {"workflow_role", role}}, admin1);
    INFO(role << ": " << r.body);
    Expect(r, 400, "invalid_field");
    CHECK(Json::parse(r.body)["field"] == "workflow_role");
  }
  Expect(w.Call("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"workflow_role", "finance"}}, admin1), 400, "invalid_field");
  // An analyst acts in no workflow, even one bound to the tenant.
  auto analyst = w.Call("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}, {"tenant", "p1:t1"}, {"workflow_role", "finance"}}, admin1);
  Expect(analyst, 400, "invalid_field");
  CHECK(Json::parse(analyst.body)["field"] == "workflow_role");
  // An Idempotency-Key header that is empty is refused, not taken for none.
  Expect(w.Call("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p1"}}, admin1, "Idempotency-Key: \r\n"), 400,
         "invalid_idempotency_key");
  // Another partner's tenant, existing or not: the same 403, decided before anything is looked up.
  auto existing = w.Call("POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p2"}, {"tenant", "p2:t2"}}, admin1);
  auto missing = w.Call("POST", "/v1/keys", {{"role", "tenant_operator"}, {"partner", "p2"}, {"tenant", "p1:t9"}}, admin1);
  Expect(existing, 403, "forbidden");
  Expect(missing, 403, "forbidden");
  CHECK(Json::parse(existing.body)["detail"] == Json::parse(missing.body)["detail"]);
  // An implementation key provisions from the template's plan, never a plan of its choosing.
  const std::string impl = w.Key("implementation", "p1", "");
  Expect(w.Call("POST", "/v1/partners/p1/tenants", {{"reference", "t3"}, {"name", "T3"}, {"template_id", "regional-distributor"}, {"plan", "scale"}}, impl),
         403, "forbidden");
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t3"}, {"name", "T3"}, {"template_id", "regional-distributor"}}, impl, 201);
}

TEST_CASE("refused key escalations, cross-scope revocations and failed WebSocket upgrades are audited with who and where",
          "[gateway][e2e][keys][audit]") {
  GatewayWorld w;
  for (const std::string p : {"p1", "p2"}) w.CallJson("POST", "/v1/partners", {{"id", p}, {"name", p}}, kOwnerKey, 201);
  const std::string admin1 = w.Key("partner_admin", "p1", "");
  auto other = w.CallJson("POST", "/v1/keys", {{"role", "analyst"}, {"partner", "p2"}, {"name", "p2 bi"}}, kOwnerKey, 201);
  auto records = [&] {
    std::vector<Json> out;
    REQUIRE(w.node->store().SaveCheckpoint("flush", 1));  // audit writes queued before are committed
    REQUIRE(w.node->store().ReadModelScan("audit", "r/", [&](std::string_view, std::string_view v) {
      out.push_back(Json::parse(v));
      return true;
    }));
    return out;
  };
  const auto before = records().size();
  Expect(w.Call("POST", "/v1/keys", {{"role", "platform_owner"}}, admin1), 403, "forbidden");  // escalation
  Expect(w.Call("DELETE", "/v1/keys/" + other["id"].get<std::string>(), nullptr, admin1), 404, "not_found");  // another scope's key
  keel::test::RawHttp ws(w.port());
  auto upgrade = ws.Request("GET", "/v1/ws", "",
                            "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer not-a-key-at-all-0123456789\r\n");
  CHECK(upgrade.status == 401);
  const auto all = records();
  REQUIRE(all.size() == before + 3);
  const Json& escalation = all[before];
  CHECK(escalation["route"] == "create_key");
  CHECK(escalation["status"] == 403);
  CHECK(escalation["role"] == "partner_admin");
  CHECK(escalation["scope"]["partner"] == "p1");
  CHECK(escalation["source"].get<std::string>().starts_with("127.0.0.1:"));
  CHECK(all[before + 1]["route"] == "revoke_key");
  CHECK(all[before + 1]["status"] == 404);
  CHECK(all[before + 2]["route"] == "websocket");
  CHECK(all[before + 2]["who"] == "anonymous");
  CHECK(all[before + 2]["status"] == 401);
  CHECK(all[before + 2].dump().find("not-a-key-at-all") == std::string::npos);
}
