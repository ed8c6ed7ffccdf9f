// The route table of the HTTP API and the pure function that matches a method and path against it.
// Every route names who may call it (its scope and category, checked by access.hpp); the OpenAPI
// document (gateway/openapi.json) is checked against this table by a test.
#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/lifecycle.hpp"

namespace keel::gateway {

// Where a route's resource lives: its path names the partner or the tenant it belongs to.
enum class Scope : std::uint8_t { kPublic, kPlatform, kPartner, kTenant };
// What a route does, for the role check.
enum class Category : std::uint8_t {
  kPublic,         // no key needed (health, metrics, the OpenAPI document)
  kRead,           // reads within the caller's scope
  kPlatformAdmin,  // partners' registration, level, certification, suspension, revenue share
  kPartnerAdmin,   // a partner's branding and price list, tenant suspension and termination
  kLifecycle,      // provisioning, onboarding, milestones, go-live, tickets, usage
  kPlan,           // plan and module changes, renewals, cancellations, template upgrades
  kBilling,        // invoices, payments, credit notes, dunning
  kOperations,     // catalog, warehouses, stock, orders, returns, integration events
  kKeys,           // API keys
};
std::string_view CategoryName(Category c);

struct Route {
  std::string_view method;
  std::string_view pattern;  // e.g. /v1/tenants/{tenant}/orders/{order}
  std::string_view id;       // stable operation id, e.g. place_order
  Scope scope;
  Category category;
  std::string_view summary;
  bool command;  // changes state: takes Idempotency-Key and If-Match
};

std::span<const Route> Routes();

// What a tenant-scoped route does for the lifecycle table (domain/lifecycle.hpp): queries read; a
// command is an operation unless the table in router.cpp names it otherwise, so a new command route
// is refused by suspended and terminated tenants until someone decides it should not be.
domain::lifecycle::Activity RouteActivity(const Route& route);

// The read scope a tenant-scoped query belongs to ("orders:read", ...; what an extension's manifest
// asks for), "" for other routes; and every scope there is.
std::string_view ReadScopeOf(const Route& route);
std::span<const std::string_view> ReadScopes();

struct RouteMatch {
  const Route* route = nullptr;
  std::map<std::string, std::string> params;  // decoded path parameters
  std::map<std::string, std::string> query;
  std::string malformed_query;  // the first query parameter that does not percent-decode ("" when none)
};

struct RouteError {
  int status = 404;                // 404 no such path, 405 path exists but not with this method
  std::vector<std::string> allow;  // for 405
};

// Matches `target` (path plus optional query) for `method`. Path parameters are percent-decoded and
// must be non-empty; a parameter that does not decode is no match.
std::expected<RouteMatch, RouteError> Match(std::string_view method, std::string_view target);

}  // namespace keel::gateway
