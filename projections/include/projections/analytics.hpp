// The analytics read model ("analytics", analytics.cpp): a reseller's numbers folded from the log.
//  - Day facts per group: "d/<group>/<YYYY-MM-DD>" -> Facts (binary, EncodeFacts), the group being
//    "t/<tenant>", "s/<segment>", "r/<tier>", "ps/<partner>/<segment>" or "pr/<partner>/<tier>" (a
//    partner's and the platform's totals are sums of these); "d/<group>/~" -> the group's current MRR
//    and tenant count (kMrr, kTenants), so the MRR at the end of day D = current - the net movements
//    of the days after D (read in one scan, one snapshot).
//  - "n/<group>" -> "": every group that has a "~" row (listed without reading its days).
//  - "g/<tenant>" -> the tenant's analytics state (JSON: dimensions, plan and modules, MRR, lifecycle
//    dates, milestones, open tickets, failing integrations, unsettled invoices), "i/p/<partner>/<tenant>"
//    its partner index, "aw/<tenant>/<YYYY-MM-DD>/<warehouse>" the warehouses active that day.
// MRR is valued at the catalog's list prices (events carry plan ids, not fees): upgrades and module
// changes move it the day they happen, a scheduled downgrade on the renewal that applies it, a
// termination churns it; sandboxes are never counted. Billed revenue and cost to serve are
// recognised on the last day of the period an invoice bills (cost: infrastructure, integrations and
// the tickets opened since the tenant's previous invoice); credits on their own day.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/catalog_data.hpp"
#include "projections/projection.hpp"

namespace keel::projections {

enum Counter : std::uint8_t {
  kOrders, kLines, kUnits, kCancellations, kReturns, kReturnedUnits,
  kBilled, kCredited, kCost,
  kMrrNew, kMrrExpansion, kMrrContraction, kMrrChurn, kTenantsNew, kTenantsChurned, kGoLives,
  kTicketsOpened, kTicketsResolved,
  kEdiFailures, kMarketplaceFailures, kEdiBreaches, kMarketplaceBreaches, kEdiRecoveries, kMarketplaceRecoveries,
  kEdiRecoveryMs, kMarketplaceRecoveryMs,
  kApiCalls, kEvents, kModulesUsed,  // kModulesUsed: a bit per domain::Module (1 << module), or-ed
  kMrr, kTenants,                    // only in a group's "~" row: its current MRR and tenants
  kCounterCount
};

struct Facts {
  std::array<std::int64_t, kCounterCount> n{};
  std::vector<std::pair<std::string, std::int64_t>> gmv;  // placed orders' totals per currency
  void Add(const Facts& other);  // sums, or-ing kModulesUsed
  void AddGmv(std::string_view currency, std::int64_t amount);
};
std::string EncodeFacts(const Facts& f);
bool DecodeFacts(std::string_view bytes, Facts& f);  // false: not a Facts encoding

// A module's bit in kModulesUsed.
inline std::int64_t ModuleBit(domain::Module m) { return std::int64_t{1} << static_cast<int>(m); }

// "YYYY-MM-DD" of a Unix epoch milliseconds time (UTC).
std::string Day(std::int64_t epoch_ms);

std::shared_ptr<const Projection> Analytics(const domain::ServiceCatalog& catalog);

}  // namespace keel::projections
