// Visibility of the extension catalog and what a manifest may declare (see extension_support.hpp).
#include "extension_support.hpp"

#include "domain/lifecycle.hpp"

namespace keel::gateway {
namespace e = domain::extension;

namespace {
bool SeesWhole(const Principal& who, const e::State& state) {
  if (who.partner.empty()) return true;  // the platform
  return who.tenant.empty() && who.partner == state.owner && who.role != Role::kExtension;
}
// Approved, or withdrawn after an approval (tenants may run it); never what was not approved.
bool Public(const e::VersionState& v) {
  return v.status == e::Status::kApproved || (v.status == e::Status::kWithdrawn && v.approved_at != 0);
}
}  // namespace

bool Visible(const Principal& who, const e::State& state) {
  if (SeesWhole(who, state)) return true;
  for (const auto& v : state.versions) {
    if (Public(v)) return true;
  }
  return false;
}

std::optional<e::State> VisiblePart(const Principal& who, const e::State& state) {
  if (SeesWhole(who, state)) return state;
  e::State out{state.id, state.owner, {}};
  for (const auto& v : state.versions) {
    if (Public(v)) out.versions.push_back(v);
  }
  if (out.versions.empty()) return std::nullopt;
  return out;
}

bool SeesVersion(const Principal& who, const e::State& state, const e::VersionState& version) {
  return SeesWhole(who, state) || Public(version);
}

std::optional<Response> OwnWritesAllowed(Call& c) {
  if (c.who.partner.empty()) return std::nullopt;  // the platform's
  auto partner = PartnerOf(c, c.who.partner);
  if (!partner) return partner.error();
  if (auto refused = domain::lifecycle::PartnerAdmits(partner->As<domain::partner::State>().suspended,
                                                      domain::lifecycle::PartnerActivity::kOwnWrite))
    return Unprocessable(domain::RejectionCodeName(refused->code), refused->message);
  return std::nullopt;
}

std::optional<Response> NoQuery(const Call& c) {
  if (c.match.query.empty()) return std::nullopt;
  return BadField({c.match.query.begin()->first, "this route takes no query parameters"});
}

std::optional<std::string> GrantRefusal(const Principal& who, const Route& route, const domain::tenant::State* tenant) {
  if (!who.grant) return "this extension key carries no grant";
  const std::string name = who.grant->extension + " " + who.grant->version;
  if (!GrantAllows(*who.grant, route)) {
    const bool open = route.id == "websocket" ||
                      (route.scope == Scope::kTenant && (route.command ? ExtensionMayDeclare(route) : !ReadScopeOf(route).empty()));
    if (!open) return std::string(route.id) + " is not open to extensions' keys";
    if (route.command) return "extension " + name + " did not declare " + std::string(route.id) + " among its commands";
    if (route.id == "websocket") return "extension " + name + " declared no event types";
    return "extension " + name + " did not declare the read scope " + std::string(ReadScopeOf(route)) + " (" +
           std::string(route.id) + ")";
  }
  if (tenant != nullptr) {
    for (const auto& m : who.grant->modules) {
      auto module = domain::ParseModule(m);
      if (module && !tenant->modules.contains(*module))
        return "extension " + name + " requires module " + m + ", which the tenant no longer has";
    }
  }
  return std::nullopt;
}

bool DeclarableCommand(std::string_view operation) {
  for (const auto& r : Routes()) {
    if (r.id == operation) return ExtensionMayDeclare(r);
  }
  return false;
}

std::string ReadScopeList() {
  std::string out;
  for (auto s : ReadScopes()) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

}  // namespace keel::gateway
