// Codec of the tenant aggregate's events: names, schema versions, and the public entry points.
#include "dynamic_codec.hpp"

namespace keel::codec {

KEEL_EVENT(d::tenant::TenantProvisioned, TenantProvisioned, 2)
KEEL_EVENT(d::tenant::OnboardingStarted, OnboardingStarted, 1)
KEEL_EVENT(d::tenant::MilestoneCompleted, MilestoneCompleted, 1)
KEEL_EVENT(d::tenant::TenantWentLive, TenantWentLive, 1)
KEEL_EVENT(d::tenant::TenantSuspended, TenantSuspended, 1)
KEEL_EVENT(d::tenant::TenantReinstated, TenantReinstated, 1)
KEEL_EVENT(d::tenant::TenantTerminated, TenantTerminated, 1)
KEEL_EVENT(d::tenant::ModuleActivated, ModuleActivated, 1)
KEEL_EVENT(d::tenant::ModuleDeactivated, ModuleDeactivated, 1)
KEEL_EVENT(d::tenant::PlanUpgraded, PlanUpgraded, 1)
KEEL_EVENT(d::tenant::PlanDowngradeScheduled, PlanDowngradeScheduled, 1)
KEEL_EVENT(d::tenant::WarehouseRegistered, WarehouseRegistered, 1)
KEEL_EVENT(d::tenant::UsageRecorded, UsageRecorded, 1)
KEEL_EVENT(d::tenant::SubscriptionRenewed, SubscriptionRenewed, 1)
KEEL_EVENT(d::tenant::SubscriptionCancelled, SubscriptionCancelled, 1)
KEEL_EVENT(d::tenant::TicketOpened, TicketOpened, 1)
KEEL_EVENT(d::tenant::TicketResolved, TicketResolved, 1)
KEEL_EVENT(d::tenant::IntegrationFailed, IntegrationFailed, 1)
KEEL_EVENT(d::tenant::IntegrationRecovered, IntegrationRecovered, 1)
KEEL_EVENT(d::tenant::SyncLatencyBreached, SyncLatencyBreached, 1)
KEEL_EVENT(d::tenant::TemplateUpgraded, TemplateUpgraded, 1)
KEEL_EVENT(d::tenant::PlanChangesBlockedSet, PlanChangesBlockedSet, 1)
KEEL_EVENT(d::tenant::OrderMetered, OrderMetered, 1)
KEEL_EVENT(d::tenant::ExtensionInstalled, ExtensionInstalled, 1)
KEEL_EVENT(d::tenant::ExtensionUninstalled, ExtensionUninstalled, 1)
KEEL_EVENT(d::tenant::ExtensionWithdrawalNoted, ExtensionWithdrawalNoted, 1)
KEEL_EVENT(d::tenant::TemplateRolledBack, TemplateRolledBack, 1)
KEEL_EVENT(d::tenant::TicketAssigned, TicketAssigned, 1)
KEEL_EVENT(d::tenant::TicketCommented, TicketCommented, 1)
KEEL_EVENT(d::tenant::TicketStatusChanged, TicketStatusChanged, 1)
KEEL_EVENT(d::tenant::TicketSlaBreached, TicketSlaBreached, 1)

// TenantProvisioned v1 kept its limits in three flat fields; v2 nests them in `limits`.
template <>
void Upcast(d::tenant::TenantProvisioned& e, std::uint32_t from_version, capnp::DynamicStruct::Reader raw) {
  if (from_version >= 2) return;
  e.limits = d::Limits{raw.get("obsoleteMaxWarehouses").as<std::int64_t>(),
                       raw.get("obsoleteMaxMonthlyOrders").as<std::int64_t>(),
                       raw.get("obsoleteMaxApiRps").as<std::int64_t>()};
}

EncodedEvent Encode(const d::tenant::Event& event) { return EncodeVariant(event); }
std::string_view TypeName(const d::tenant::Event& event) { return TypeNameOf(event); }
Decoded<d::tenant::Event> DecodeTenant(std::string_view type, std::uint32_t version, std::string_view payload) {
  return DecodeVariant<d::tenant::Event>(type, version, payload);
}
std::string Describe(const d::tenant::Event& event) { return DescribeVariant(event); }

}  // namespace keel::codec
