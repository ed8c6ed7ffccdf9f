// Closing a tenant's billing period: the invoice command built from the tenant's recorded facts of
// its current period (opening plan, plan at the end, deployment, tier, modules, orders, upgrade
// prorations). The billing cycle issues exactly this; domain tests drive it the same way.
// Pure: no I/O, no clock, no CAF or RocksDB headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/billing.hpp"
#include "domain/tenant.hpp"

namespace keel::domain::billing {

// The invoice id of the tenant's period that starts at `period_start`.
std::string PeriodInvoiceId(const std::string& tenant, Timestamp period_start);

// The invoice closing `tenant`'s current period, issued at its end; nullopt when the tenant's plan
// is not in the catalog. (Sandboxes get one too; the billing decider refuses to bill them.)
std::optional<IssueInvoice> CloseCurrentPeriod(const tenant::State& tenant, const ServiceCatalog& catalog,
                                               std::int64_t partner_bps, std::int64_t payment_terms_days);

}  // namespace keel::domain::billing
