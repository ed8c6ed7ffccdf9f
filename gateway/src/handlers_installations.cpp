// Handlers of a tenant's extensions: install (or move to another version), uninstall, list. Installing
// checks the configuration against the version's schema, makes the extension's own key — limited to
// the commands, read scopes and events its manifest declared, bound to the tenant — and records the
// installation on the tenant, whose decider checks the version is approved, its kind allowed by the
// tenant's template and its modules entitled. The key is shown once; a refused installation revokes
// it again, a move revokes the previous version's key, an uninstall the installation's key.
#include "config_schema.hpp"
#include "domain_json.hpp"
#include "extension_support.hpp"
#include "keys.hpp"

namespace keel::gateway {
namespace {
namespace e = domain::extension;
namespace t = domain::tenant;

const t::ExtensionInstalled* InstalledIn(const actors::Outcome& o) {
  if (const auto* events = std::get_if<std::vector<t::Event>>(&o.events)) {
    for (const auto& ev : *events) {
      if (const auto* i = std::get_if<t::ExtensionInstalled>(&ev)) return i;
    }
  }
  return nullptr;
}

// Configurations live outside the event log (they may hold a connector's credentials): read model
// "extension_configs", key <tenant> NUL <extension> NUL <digest> -> the configuration as JSON, sealed
// under the master key (secret_box.hpp; one stored before sealing is read as it is). The
// tenant's installation names the digest it was installed with.
constexpr std::string_view kConfigModel = "extension_configs";
std::string ConfigKey(const std::string& tenant, const std::string& extension, const std::string& digest) {
  std::string k = tenant;
  k.push_back('\0');
  k += extension;
  k.push_back('\0');
  return k + digest;
}
constexpr std::size_t kMaxConfigBytes = 16 * 1024;

// Who may read an installation's configuration: who may install (platform owner, partner admin).
bool ReadsConfig(const Principal& who) { return who.role == Role::kPlatformOwner || who.role == Role::kPartnerAdmin; }

Response Install(Call& c) {
  if (auto refused = OwnWritesAllowed(c)) return *refused;
  json::Json body = c.body;
  json::Json config = json::Json::object();
  if (auto it = body.find("config"); it != body.end()) {
    if (!it->is_object()) return BadField({"config", "expected a JSON object (the extension's configuration)"});
    config = *it;
    body.erase(it);
  }
  json::InstallExtensionBody b;
  if (auto err = json::FromJson(body, b, "")) return BadField(*err);
  auto tenant = TenantOf(c);
  if (!tenant) return tenant.error();
  auto segment = TemplateOf(**tenant);
  if (!segment) return segment.error();
  const auto ext_key = actors::ExtensionKey(b.extension);
  if (!ValidKey(ext_key)) return BadField({"extension", std::string(json::kIdRule)});
  auto snap = c.client->Get(ext_key);
  if (!snap) return Problem(503, "unavailable", "The service is unavailable", "the extension did not answer");
  const auto& ext = snap->As<e::State>();
  if (snap->version == 0 || !Visible(c.who, ext)) return NotFound("extension '" + b.extension + "' does not exist");
  const e::VersionState* version = b.version.empty() ? e::LatestApproved(ext) : e::FindVersion(ext, b.version);
  if (version != nullptr && !SeesVersion(c.who, ext, *version)) version = nullptr;  // hidden: as if missing
  if (version == nullptr) {
    if (b.version.empty())
      return Unprocessable("extension_not_approved", "extension '" + b.extension + "' has no approved version");
    return NotFound("extension '" + b.extension + "' has no version " + b.version);
  }
  auto schema = json::Json::parse(version->manifest.config_schema, nullptr, false);
  if (schema.is_discarded()) return Problem(503, "unavailable", "The service is unavailable", "the manifest's schema is unreadable");
  if (version->status == e::Status::kApproved) {  // (an unapproved one is refused below, by the tenant)
    if (auto bad = json::CheckConfig(schema, config)) return BadField(*bad);
  }
  const std::string config_text = config.dump();
  if (config_text.size() > kMaxConfigBytes) return BadField({"config", "at most 16 KiB of JSON"});
  const std::string digest = Sha256Hex(config_text);
  const t::State& state = (*tenant)->state;
  t::InstallExtension cmd{ext.id,
                          version->manifest.version,
                          version->status == e::Status::kApproved,
                          version->manifest.kind,
                          version->manifest.modules,
                          (*segment)->extension_kinds,
                          "pending",
                          digest,
                          c.now};
  // The tenant's decider (its lifecycle gate included), asked with the current facts before a key is
  // made: a refused installation makes no key. One refusal goes on: "installed already" under an
  // Idempotency-Key may be this very request's first attempt, which the append below answers again.
  if (auto decided = t::Decide(t::Command(cmd), state); !decided) {
    const bool maybe_ours = decided.error().code == domain::RejectionCode::kAlreadyExists && !c.meta.idempotency_key.empty();
    if (!maybe_ours) return Unprocessable(domain::RejectionCodeName(decided.error().code), decided.error().message);
  }
  {
    eventstore::ReadModelBatch batch;
    batch.model = std::string(kConfigModel);
    batch.puts.emplace_back(ConfigKey(state.id, ext.id, digest), c.ctx.secrets.Seal(config_text));  // may hold credentials
    if (auto saved = c.ctx.store.CommitReadModel(std::move(batch)); !saved)
      return Problem(503, "store_unavailable", "The store is unavailable", saved.error().ToString());
  }
  ExtensionGrant grant{ext.id, version->manifest.version, {}, {}, {}, {}};
  for (auto m : version->manifest.modules) grant.modules.insert(std::string(domain::ModuleName(m)));
  grant.commands.insert(version->manifest.commands.begin(), version->manifest.commands.end());
  grant.scopes.insert(version->manifest.scopes.begin(), version->manifest.scopes.end());
  grant.events.insert(version->manifest.events.begin(), version->manifest.events.end());
  auto issued = c.ctx.keys.CreateForExtension(state.partner, state.id, std::move(grant), c.ctx.WallNowMs());
  if (!issued) return Problem(503, "store_unavailable", "The store is unavailable", issued.error());
  cmd.key_id = issued->record.id;
  const auto key = actors::TenantKey(state.id);
  auto reply = c.client->Execute(key, t::Command(cmd), c.meta);
  c.ctx.metrics.Command(c.match.route->id, reply.has_value());
  const t::ExtensionInstalled* installed = reply ? InstalledIn(*reply) : nullptr;
  if (!reply || installed == nullptr || installed->key_id != issued->record.id) {
    // Refused, or a retry whose first attempt installed with another key: this one is not used.
    (void)c.ctx.keys.RevokeHolder(issued->record.id);
    if (!reply) return FailureResponse(reply.error());
  }
  if (installed != nullptr && !installed->previous_key_id.empty()) (void)c.ctx.keys.RevokeHolder(installed->previous_key_id);
  json::Json answer = OutcomeJson(key, *reply);
  const bool ours = installed != nullptr && installed->key_id == issued->record.id;
  answer["key"] = {{"id", installed ? installed->key_id : ""}, {"token", nullptr}};
  const std::string stored = answer.dump();
  if (ours) answer["key"]["token"] = issued->token;  // shown once; a replay answers null
  Response r = JsonResponse(201, answer);
  r.stored_body = stored;
  r.headers.emplace_back("ETag", "\"" + std::to_string(reply->version) + "\"");
  r.audit = true;
  r.audit_subject = "extension:" + ext.id + "@" + version->manifest.version;
  r.audit_issued = installed ? "key:" + installed->key_id : "";
  return r;
}

Response Uninstall(Call& c) {
  auto tenant = TenantOf(c);
  if (!tenant) return tenant.error();
  const auto key = actors::TenantKey((*tenant)->state.id);
  auto reply = c.client->Execute(key, t::Command(t::UninstallExtension{c.Param("extension"), c.now}), c.meta);
  c.ctx.metrics.Command(c.match.route->id, reply.has_value());
  if (!reply) return FailureResponse(reply.error());
  // Revoked on every answer, a retry's too: a crash between the append and the revocation heals.
  if (const auto* events = std::get_if<std::vector<t::Event>>(&reply->events)) {
    for (const auto& ev : *events) {
      if (const auto* gone = std::get_if<t::ExtensionUninstalled>(&ev)) {
        if (auto done = c.ctx.keys.RevokeHolder(gone->key_id); !done)
          return Problem(503, "store_unavailable", "The store is unavailable", "the key was not revoked: retry");
      }
    }
  }
  Response r = JsonResponse(200, OutcomeJson(key, *reply));
  r.headers.emplace_back("ETag", "\"" + std::to_string(reply->version) + "\"");
  r.audit = true;
  r.audit_subject = "extension:" + c.Param("extension");
  return r;
}

Response ListInstalled(Call& c) {
  if (auto bad = NoQuery(c)) return *bad;
  auto tenant = TenantOf(c);
  if (!tenant) return tenant.error();
  json::Json items = json::Json::array();
  for (const auto& [id, inst] : (*tenant)->state.extensions) {
    json::Json item = json::ToJson(inst);
    item["extension"] = id;
    item["config"] = nullptr;  // for those who may install only: it may hold credentials
    if (ReadsConfig(c.who)) {
      auto stored = c.ctx.store.ReadModelGet(kConfigModel, ConfigKey((*tenant)->state.id, id, inst.config_digest));
      if (stored && *stored) {
        if (auto opened = c.ctx.secrets.Open(**stored)) {  // sealed under the master key (or stored before sealing)
          auto config = json::Json::parse(*opened, nullptr, false);
          if (!config.is_discarded()) item["config"] = std::move(config);
        }
      }
    }
    items.push_back(std::move(item));
  }
  return JsonResponse(200, {{"items", items}});
}

}  // namespace

void AddInstallationHandlers(HandlerTable& t) {
  t["install_extension"] = Install;
  t["uninstall_extension"] = Uninstall;
  t["list_installed_extensions"] = ListInstalled;
}

}  // namespace keel::gateway
