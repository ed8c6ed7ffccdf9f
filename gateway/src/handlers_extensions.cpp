// Handlers of the extension catalog: submitting a version's manifest (checked against the routes,
// read scopes and event types there are, and its configuration schema against config_schema.hpp),
// the platform owner's review (start, approve, reject), withdrawal by the owner or the platform,
// reading and listing the catalog. A partner sees its own submissions whole and other owners'
// extensions only by their approved and withdrawn versions. Every accepted step is audited.
#include <set>
#include <string>
#include <utility>
#include <variant>

#include "codec/codec.hpp"
#include "config_schema.hpp"
#include "domain_json.hpp"
#include "extension_support.hpp"
#include "list_support.hpp"

namespace keel::gateway {
namespace {
namespace e = domain::extension;

actors::EntityKey Ext(const Call& c) { return actors::ExtensionKey(c.Param("extension")); }

// Every event type a tenant's feed can carry (what a manifest may subscribe to).
template <class Variant>
void AddTypes(std::set<std::string, std::less<>>& out) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (out.insert(std::string(codec::TypeName(Variant(std::in_place_index<I>)))), ...);
  }(std::make_index_sequence<std::variant_size_v<Variant>>{});
}
const std::set<std::string, std::less<>>& TenantEventTypes() {
  static const auto types = [] {
    std::set<std::string, std::less<>> t;
    AddTypes<domain::tenant::Event>(t);
    AddTypes<domain::catalog::Event>(t);
    AddTypes<domain::warehouse::Event>(t);
    AddTypes<domain::order::Event>(t);
    AddTypes<domain::billing::Event>(t);
    return t;
  }();
  return types;
}

std::optional<Response> CheckList(const std::vector<std::string>& items, const std::string& field,
                                  const std::function<bool(const std::string&)>& known, const std::string& what) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string path = field + "[" + std::to_string(i) + "]";
    if (!known(items[i])) return BadField({path, "'" + items[i].substr(0, 64) + "' is not " + what});
    if (!seen.insert(items[i]).second) return BadField({path, "listed twice"});
  }
  if (items.size() > 64) return BadField({field, "at most 64 entries"});
  return std::nullopt;
}

Response Audited(Response r, const std::string& id, const std::string& version, const std::string& owner) {
  if (r.status < 300) {
    r.audit = true;  // every accepted step of the catalog is in the audit trail
    r.audit_subject = "extension:" + id + (version.empty() ? "" : "@" + version);
    r.audit_partner = owner;
  }
  return r;
}

Response Submit(Call& c) {
  if (auto refused = OwnWritesAllowed(c)) return *refused;
  json::Json body = c.body;
  if (!body.contains("id")) return BadField({"id", "required"});
  auto schema = body.find("config_schema");
  if (schema == body.end()) return BadField({"config_schema", "required: the JSON Schema (an object) the configuration must satisfy"});
  if (auto bad = json::CheckConfigSchema(*schema)) return BadField(*bad);
  const std::string schema_text = schema->dump();
  body.erase("config_schema");
  json::SubmitExtensionBody b;
  if (auto err = json::FromJson(body, b, "")) return BadField(*err);
  if (b.id.find(kTenantSeparator) != std::string::npos)
    return BadField({"id", "an extension's id holds no ':' (a partner's extensions are named <partner>:<id>)"});
  if (!e::ParseVersion(b.version)) return BadField({"version", "MAJOR.MINOR.PATCH, numbers without leading zeros (e.g. 1.4.0)"});
  if (b.name.empty() || b.name.size() > 100) return BadField({"name", "1..100 characters"});
  if (b.description.size() > 2000) return BadField({"description", "at most 2000 characters"});
  if (auto bad = CheckList(b.commands, "commands", [](const std::string& id) { return DeclarableCommand(id); },
                           "a tenant command route's operation id an extension may call")) return *bad;
  if (auto bad = CheckList(b.scopes, "scopes", [](const std::string& s) {
        for (auto known : ReadScopes()) if (known == s) return true;
        return false;
      }, "a read scope (" + ReadScopeList() + ")")) return *bad;
  if (auto bad = CheckList(b.events, "events", [](const std::string& t) { return TenantEventTypes().contains(t); },
                           "an event type of a tenant's feed")) return *bad;
  if (b.commands.empty() && b.scopes.empty() && b.events.empty())
    return BadField({"commands", "an extension declares at least one command, read scope or event it needs"});
  const std::string id = c.who.partner.empty() ? b.id : TenantId(c.who.partner, b.id);
  if (id.size() > 128)
    return BadField({"id", "at most " + std::to_string(128 - (id.size() - b.id.size())) + " characters (the id is " +
                               (c.who.partner.empty() ? std::string("kept as given") : "<" + c.who.partner + ">:<id>") + ", 128 at most)"});
  auto key = actors::ExtensionKey(id);
  if (auto bad = BadId(key, "id")) return *bad;
  e::SubmitVersion cmd{id, c.who.partner,
                       e::Manifest{b.version, b.name, b.description, b.kind, b.modules, b.events, b.commands, b.scopes,
                                   schema_text},
                       c.who.Name(), c.now};
  // Another partner's extension of that name cannot exist: ids are namespaced by their owner.
  return Audited(Run(c, key, e::Command(std::move(cmd)), 201), id, b.version, c.who.partner);
}

// The platform owner's review steps.
template <class Cmd>
Response Review(Call& c) {
  auto snap = Load(c, Ext(c));
  if (!snap) return snap.error();
  Cmd cmd;
  if constexpr (std::is_same_v<Cmd, e::RejectVersion>) {
    auto body = ParseBody<json::RejectExtensionBody>(c);
    if (!body) return body.error();
    if (body->reasons.empty()) return BadField({"reasons", "a rejection gives at least one reason"});
    for (std::size_t i = 0; i < body->reasons.size(); ++i) {
      if (body->reasons[i].empty() || body->reasons[i].size() > 500)
        return BadField({"reasons[" + std::to_string(i) + "]", "1..500 characters"});
    }
    cmd.reasons = std::move(body->reasons);
  }
  cmd.version = c.Param("version");
  cmd.by = c.who.Name();
  cmd.at = c.now;
  const std::string owner = snap->As<e::State>().owner;
  return Audited(Run(c, Ext(c), e::Command(std::move(cmd))), c.Param("extension"), c.Param("version"), owner);
}

Response Withdraw(Call& c) {
  auto snap = Load(c, Ext(c));
  if (!snap) return snap.error();
  const auto& state = snap->As<e::State>();
  if (!Visible(c.who, state)) return NotFound("extension '" + c.Param("extension") + "' does not exist");
  if (!c.who.partner.empty() && state.owner != c.who.partner)
    return Problem(403, "forbidden", "Forbidden", "only the extension's owner or the platform may withdraw it");
  auto body = ParseBody<json::WithdrawExtensionBody>(c);
  if (!body) return body.error();
  if (body->reason.empty() || body->reason.size() > 500) return BadField({"reason", "1..500 characters"});
  e::WithdrawVersion cmd{c.Param("version"), c.who.Name(), body->reason, c.now};
  return Audited(Run(c, Ext(c), e::Command(std::move(cmd))), c.Param("extension"), c.Param("version"), state.owner);
}

Response Get(Call& c) {
  if (auto bad = NoQuery(c)) return *bad;
  auto snap = Load(c, Ext(c));
  if (!snap) return snap.error();
  auto seen = VisiblePart(c.who, snap->As<e::State>());
  if (!seen) return NotFound("extension '" + c.Param("extension") + "' does not exist");
  Response r = JsonResponse(200, {{"entity", {{"kind", "extension"}, {"id", c.Param("extension")}}},
                                  {"version", snap->version},
                                  {"state", json::ToJson(*seen)}});
  r.headers.emplace_back("ETag", "\"" + std::to_string(snap->version) + "\"");
  return r;
}

// GET /v1/extensions?status=&kind=&owner=&module=: one item per extension with its visible versions
// (filtered to those matching), in id order, paginated by id.
Response List(Call& c) {
  auto params = Params(c, {"status", "kind", "owner", "module"});
  if (!params) return params.error();
  std::optional<e::Status> status;
  std::optional<domain::ExtensionKind> kind;
  std::optional<domain::Module> module;
  if (auto s = Query(c, "status"); !s.empty() && !(status = e::ParseStatus(s)))
    return BadField({"status", "one of: submitted, in_review, approved, rejected, withdrawn"});
  if (auto k = Query(c, "kind"); !k.empty() && !(kind = domain::ParseExtensionKind(k)))
    return BadField({"kind", "one of: edi_connector, marketplace_connector, crm_connector, logistics_connector, workflow_pack"});
  if (auto m = Query(c, "module"); !m.empty() && !(module = domain::ParseModule(m)))
    return BadField({"module", "not a module"});
  const bool by_owner = c.match.query.contains("owner");
  std::string owner = Query(c, "owner");
  if (owner == actors::kPlatformTenant) owner.clear();  // the platform's own extensions
  auto streams = c.ctx.store.ListStreams(kExtensionStreamPrefix);
  if (!streams) return Problem(503, "store_unavailable", "The store is unavailable", streams.error().ToString());
  json::Json items = json::Json::array();
  std::string next;
  for (const auto& info : *streams) {
    const std::string id = info.stream.substr(kExtensionStreamPrefix.size());
    if (!params->cursor.empty() && id <= params->cursor) continue;
    auto snap = c.client->Get(actors::ExtensionKey(id));
    if (!snap) return Problem(503, "unavailable", "The service is unavailable", "the extension did not answer");
    auto seen = VisiblePart(c.who, snap->As<e::State>());
    if (!seen || (by_owner && seen->owner != owner)) continue;
    std::erase_if(seen->versions, [&](const e::VersionState& v) {
      return (status && v.status != *status) || (kind && v.manifest.kind != *kind) ||
             (module && !v.manifest.modules.contains(*module));
    });
    if (seen->versions.empty()) continue;
    if (items.size() == params->limit) {  // one more matches: there is a next page
      next = items.back()["id"].get<std::string>();
      break;
    }
    items.push_back(json::ToJson(*seen));
  }
  return JsonResponse(200, {{"items", items}, {"next_cursor", next.empty() ? json::Json(nullptr) : json::Json(next)}});
}

// GET /v1/extensions/{extension}/installations?version=: from the extension-notices process
// manager's read model (extension_installs: <extension> NUL <tenant> -> version), so it follows the
// log within moments. A partner-bound caller sees its own tenants only; a tenant-bound one its tenant.
Response Installations(Call& c) {
  auto params = Params(c, {"version"});
  if (!params) return params.error();
  if (c.match.query.contains("min_position"))
    return BadField({"min_position", "not taken here: the installations follow the log through a process, not a read model"});
  auto snap = Load(c, Ext(c));
  if (!snap) return snap.error();
  if (!Visible(c.who, snap->As<e::State>())) return NotFound("extension '" + c.Param("extension") + "' does not exist");
  const std::string version = Query(c, "version");
  std::string prefix = c.Param("extension");
  prefix.push_back('\0');
  json::Json items = json::Json::array();
  std::string next;
  auto scanned = c.ctx.store.ReadModelScan("extension_installs", prefix, [&](std::string_view key, std::string_view value) {
    const std::string tenant(key.substr(prefix.size()));
    if (!params->cursor.empty() && tenant <= params->cursor) return true;
    if (!version.empty() && value != version) return true;
    if (OutsideByName(c.who, tenant)) return true;
    if (items.size() == params->limit) {
      next = items.back()["tenant"].get<std::string>();
      return false;
    }
    items.push_back({{"tenant", tenant}, {"version", std::string(value)}});
    return true;
  });
  if (!scanned) return Problem(503, "store_unavailable", "The store is unavailable", scanned.error().ToString());
  return JsonResponse(200, {{"items", items}, {"next_cursor", next.empty() ? json::Json(nullptr) : json::Json(next)}});
}

}  // namespace

void AddExtensionHandlers(HandlerTable& t) {
  t["list_extension_installations"] = Installations;
  t["submit_extension"] = Submit;
  t["list_extensions"] = List;
  t["get_extension"] = Get;
  t["start_extension_review"] = Review<e::StartReview>;
  t["approve_extension"] = Review<e::ApproveVersion>;
  t["reject_extension"] = Review<e::RejectVersion>;
  t["withdraw_extension"] = Withdraw;
  AddInstallationHandlers(t);
}

}  // namespace keel::gateway
