// Roles, bindings and the pure access checks (see access.hpp).
#include "gateway/access.hpp"

#include <array>
#include <utility>

namespace keel::gateway {
namespace {
constexpr std::array<std::pair<Role, std::string_view>, 6> kRoles{{
    {Role::kPlatformOwner, "platform_owner"},
    {Role::kPartnerAdmin, "partner_admin"},
    {Role::kImplementation, "implementation"},
    {Role::kTenantOperator, "tenant_operator"},
    {Role::kAnalyst, "analyst"},
    {Role::kExtension, "extension"},
}};
}  // namespace

std::string_view RoleName(Role r) {
  for (const auto& [role, name] : kRoles)
    if (role == r) return name;
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& [role, n] : kRoles)
    if (n == name) return role;
  return std::nullopt;
}

bool ValidBinding(Role role, const std::string& partner, const std::string& tenant) {
  switch (role) {
    case Role::kPlatformOwner: return partner.empty() && tenant.empty();
    case Role::kPartnerAdmin:
    case Role::kImplementation: return !partner.empty() && tenant.empty();
    case Role::kTenantOperator:
    case Role::kExtension: return !partner.empty() && !tenant.empty();
    case Role::kAnalyst: return tenant.empty() || !partner.empty();
  }
  return false;
}

bool RoleAllows(Role role, Category category) {
  if (category == Category::kPublic) return true;
  switch (role) {
    case Role::kPlatformOwner: return true;
    case Role::kPartnerAdmin: return category != Category::kPlatformAdmin;
    case Role::kImplementation:
      return category == Category::kRead || category == Category::kLifecycle || category == Category::kOperations;
    case Role::kTenantOperator: return category == Category::kRead || category == Category::kOperations;
    case Role::kAnalyst: return category == Category::kRead;
    // Narrowed further to what the extension declared (GrantAllows).
    case Role::kExtension:
      return category == Category::kRead || category == Category::kOperations || category == Category::kLifecycle;
  }
  return false;
}

bool ExtensionMayDeclare(const Route& route) {
  if (!route.command || route.scope != Scope::kTenant) return false;
  if (route.category != Category::kOperations && route.category != Category::kLifecycle) return false;
  return route.id != "install_extension" && route.id != "uninstall_extension";
}

bool GrantAllows(const ExtensionGrant& grant, const Route& route) {
  if (route.id == "websocket") return !grant.events.empty();
  if (route.scope != Scope::kTenant) return false;
  if (route.command) return ExtensionMayDeclare(route) && grant.commands.contains(route.id);
  const std::string_view scope = ReadScopeOf(route);
  return !scope.empty() && grant.scopes.contains(scope);
}

bool Sees(const Principal& p, std::string_view partner, std::string_view tenant) {
  if (p.partner.empty()) return true;  // platform scope
  if (partner.empty() || p.partner != partner) return false;
  if (p.tenant.empty()) return true;  // the partner's whole scope
  return !tenant.empty() && p.tenant == tenant;
}

std::string TenantId(std::string_view partner, std::string_view reference) {
  std::string id;
  id.reserve(partner.size() + 1 + reference.size());
  id.append(partner).push_back(kTenantSeparator);
  id.append(reference);
  return id;
}

std::string_view TenantNamespace(std::string_view tenant) {
  const auto at = tenant.find(kTenantSeparator);
  return at == std::string_view::npos ? std::string_view() : tenant.substr(0, at);
}

bool OutsideByName(const Principal& p, std::string_view tenant) {
  if (p.partner.empty()) return false;  // platform scope
  if (!p.tenant.empty()) return p.tenant != tenant;
  const auto ns = TenantNamespace(tenant);
  return !ns.empty() && ns != p.partner;
}

bool MayIssue(const Principal& creator, Role role, const std::string& partner, const std::string& tenant) {
  if (!ValidBinding(role, partner, tenant)) return false;
  if (creator.role == Role::kPlatformOwner) return true;
  if (creator.role != Role::kPartnerAdmin) return false;  // only owners and partner admins manage keys
  if (role == Role::kPlatformOwner) return false;
  return Sees(creator, partner, tenant) && creator.partner == partner;
}

}  // namespace keel::gateway
