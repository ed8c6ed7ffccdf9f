// The analytics projection's per-tenant state (analytics.hpp, "g/<tenant>" JSON): what a tenant's
// events and its billing events change in it, and the facts and MRR movements they add.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "domain/billing.hpp"
#include "domain/catalog_data.hpp"
#include "domain/tenant.hpp"
#include "projections/analytics.hpp"
#include "projections/projection.hpp"

namespace keel::projections {

// The groups a production tenant's shared facts also go to ("k/<tenant>"; sandboxes have none).
struct TenantGroups {
  std::string partner, segment, tier;
  std::vector<std::string> Keys() const;  // s/<segment>, r/<tier>, ps/<partner>/<segment>, pr/<partner>/<tier>
};
std::optional<TenantGroups> GroupsOf(Model& m, const std::string& tenant);

struct TenantChange {
  std::vector<std::string> groups;  // t/<tenant> and its TenantGroups keys: whose "~" rows move
  std::int64_t mrr_delta = 0, tenants_delta = 0;
};
// Folds a tenant event into "g/<tenant>" (and "k/<tenant>", "i/p/<partner>/<tenant>" at provisioning);
// adds to `shared` what its groups count and to `own` what only the tenant's row does.
std::expected<TenantChange, std::string> FoldTenant(Model& m, const std::string& tenant,
                                                    const domain::tenant::Event& event, std::int64_t at,
                                                    const domain::ServiceCatalog& catalog, Facts& shared, Facts& own);
// Folds a billing event: billed revenue and cost to serve on an invoice's issue, recognised on the
// last day of the period it bills (`at` is moved there: a period closed late still counts in its
// month), credits when issued; unsettled invoices, overdue and dunning in "g/<tenant>".
std::expected<void, std::string> FoldBilling(Model& m, const std::string& tenant, const domain::billing::Event& event,
                                             const domain::ServiceCatalog& catalog, Facts& shared, std::int64_t& at);

}  // namespace keel::projections
