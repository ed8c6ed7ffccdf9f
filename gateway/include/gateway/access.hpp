// Who a caller is and what it may do: roles, the scope a key is bound to, and the two pure checks the
// gateway makes on every request — does the role allow the route's category, and does the caller's
// scope contain the resource (a resource outside it is answered 404, so its existence is not revealed).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "gateway/router.hpp"

namespace keel::gateway {

// kExtension: the key an installed extension acts through (made by installing it, never by POST
// /v1/keys), bound to one tenant and limited to what the extension's manifest declared (its grant).
enum class Role : std::uint8_t { kPlatformOwner, kPartnerAdmin, kImplementation, kTenantOperator, kAnalyst, kExtension };
std::string_view RoleName(Role r);
std::optional<Role> ParseRole(std::string_view name);

// What an installed extension's key may do: the commands (route operation ids), the read scopes and the
// event types of its manifest's approved version.
struct ExtensionGrant {
  std::string extension, version;
  std::set<std::string, std::less<>> commands, scopes, events;
  std::set<std::string, std::less<>> modules;  // what it requires: the key stops while one is not active
  bool operator==(const ExtensionGrant&) const = default;
};

struct Principal {
  std::string key_id;   // the API key's public id; goes into every event's envelope as "key:<id>"
  Role role = Role::kAnalyst;
  std::string partner;  // the partner the key is bound to ("" = every partner: platform scope)
  std::string tenant;   // the tenant the key is bound to ("" = the partner's whole scope)
  std::string workflow_role;  // the tenant workflow role it acts as (e.g. "finance" for order approvals)
  std::string holder;  // the first key of its rotations ("" = key_id): the one who acts
  std::shared_ptr<const ExtensionGrant> grant = {};  // set for an extension's key only
  // "key:<holder>": the name in events' envelopes, approvals and audits (a rotated key is the same
  // holder; the request log shows the key's own id).
  std::string Name() const { return "key:" + (holder.empty() ? key_id : holder); }
};

// Whether a key with this role and binding is well formed: platform_owner is unbound, partner_admin and
// implementation are bound to a partner only, tenant_operator to a tenant (and its partner), analyst to
// any of the three.
bool ValidBinding(Role role, const std::string& partner, const std::string& tenant);

// Whether `role` may perform a route of `category` (inside its scope).
bool RoleAllows(Role role, Category category);

// Whether an extension's grant covers `route`: a tenant command its manifest declares, a tenant read in
// one of its scopes, or the WebSocket feed when it subscribes to events.
bool GrantAllows(const ExtensionGrant& grant, const Route& route);
// Whether a manifest may declare `route` among its commands: a tenant-scoped operation or lifecycle
// command, never one that manages extensions or keys.
bool ExtensionMayDeclare(const Route& route);

// Whether the caller sees a resource of partner `partner` (and tenant `tenant`, "" for a partner-level
// resource). `partner` is the resource's owning partner ("" when unknown: only the platform sees it).
bool Sees(const Principal& p, std::string_view partner, std::string_view tenant);

// Tenant ids are namespaced by their partner: "<partner>:<reference>", the reference being the
// partner's own name for the tenant. So a partner's tenants are known from their ids alone, and the
// scope check of a partner-bound caller needs no look-up: another partner's tenant and a tenant that does
// not exist get the same answer, in the same time. Partner ids hold no ':'.
inline constexpr char kTenantSeparator = ':';
std::string TenantId(std::string_view partner, std::string_view reference);
// The partner a tenant id names ("" for an id without a namespace: a tenant provisioned before ids were
// namespaced, whose partner only its state knows).
std::string_view TenantNamespace(std::string_view tenant);
// Whether the caller's scope excludes `tenant` on its id alone (no look-up): a partner-bound caller and
// a namespaced id of another partner, or a tenant-bound caller and another id.
bool OutsideByName(const Principal& p, std::string_view tenant);

// Whether `creator` may issue a key with this role and binding (never above its own role or outside
// its own scope).
bool MayIssue(const Principal& creator, Role role, const std::string& partner, const std::string& tenant);

}  // namespace keel::gateway
