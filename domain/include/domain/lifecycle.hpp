// The lifecycle table: which kinds of command each tenant state and each partner state admit. One
// place for every decider (tenant, partner) and every route of the gateway; docs/ARCHITECTURE.md
// states the same table. Pure: no I/O, no clock, no infrastructure headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "domain/common.hpp"
#include "domain/partner.hpp"
#include "domain/tenant.hpp"

namespace keel::domain::lifecycle {

// What a command does, as far as the tenant's lifecycle is concerned.
enum class Activity : std::uint8_t {
  kRead,          // queries
  kOperate,       // the tenant's business: catalog, warehouses, stock, orders, returns, integration
                  // events, usage reports by clients
  kSetUp,         // onboarding: start, milestones, go-live
  kAccount,       // plan, modules, template, renewal and cancellation by hand
  kSuspend,       // suspension by hand
  kReinstate,     // reinstatement
  kTerminate,     // termination
  kPay,           // payments and credit notes
  kSupport,       // support tickets
  kBillingCycle,  // the platform's billing process: renewal at period end, overdue assessment, the
                  // dunning block and its lift
  kRevokeAccess,  // taking access away: uninstalling an extension (revokes its key), in every state
  kRollBack,      // a rollout returning the tenant to its earlier template version (every state but
                  // terminated)
  kRecord,        // recording a fact that happened before, whatever the state became since: metering
                  // an order that was placed (admitted in every state)
};
std::string_view ActivityName(Activity a);

// nullopt when a tenant in `status` admits `activity`; else the refusal (`tenant_suspended`,
// `tenant_terminated`). Provisioning, onboarding and active tenants admit everything (each decider
// still checks its own transitions); suspended ones only reads, payments, credit notes, tickets, the
// billing cycle, a rollout's roll back, reinstatement, termination and an operator's suspension taking over one dunning
// imposed; terminated ones only reads.
std::optional<Rejection> TenantAdmits(tenant::Status status, Activity activity);

// What a tenant command does (the tenant decider gates every command with it).
Activity ActivityOf(const tenant::Command& command);

// What a partner command or route does, as far as the partner's own lifecycle is concerned.
enum class PartnerActivity : std::uint8_t {
  kRead,
  kOwnWrite,        // the partner's own writes: branding, price list, revenue share, provisioning, keys
  kAdministration,  // the platform's: level, certification, suspension, reinstatement
};

// nullopt when a partner (suspended or not) admits `activity`; else `partner_suspended`. A suspended
// partner's tenants keep operating: this gate is about the partner's own writes only.
std::optional<Rejection> PartnerAdmits(bool suspended, PartnerActivity activity);

// What a partner command does (the partner decider gates every command with it).
PartnerActivity ActivityOf(const partner::Command& command);

}  // namespace keel::domain::lifecycle
