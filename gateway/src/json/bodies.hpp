// Request bodies of commands whose client input is not a member of the command (a template
// id and version, a plan id), and of the routes that are no aggregate's command (keys, the clock).
// Part of domain_json.hpp (see there for the rules); json_fields.hpp explains the descriptors.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "actors/process_managers.hpp"
#include "domain/catalog_data.hpp"
#include "json/enums.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// Request bodies whose fields are not members of the command they become.

// POST /v1/partners/{partner}/tenants: the gateway resolves the template (newest version when none is
// given), the plan (the template's when none is given) and the partner's certification.
struct ProvisionTenantBody {
  std::string reference, name, template_id;  // reference: the partner's own id for the tenant
  std::optional<int> template_version;
  std::optional<std::string> plan;
  domain::Environment environment = domain::Environment::kProduction;
};
// PUT /v1/tenants/{tenant}/plan: the target plan's id, resolved from the service catalog.
struct ChangePlanBody {
  std::string plan;
};
// PUT /v1/tenants/{tenant}/template: the version of the tenant's template to move to.
struct UpgradeTemplateBody {
  int version = 0;
};

template <> struct Describe<ProvisionTenantBody> {
  using T = ProvisionTenantBody;
  static constexpr auto fields = std::make_tuple(
      ReqId("reference", &T::reference), Req("name", &T::name), ReqId("template_id", &T::template_id),
      Opt("template_version", &T::template_version), Opt("plan", &T::plan), Opt("environment", &T::environment));
};
template <> struct Describe<ChangePlanBody> {
  using T = ChangePlanBody;
  static constexpr auto fields = std::make_tuple(Req("plan", &T::plan));
};
template <> struct Describe<UpgradeTemplateBody> {
  using T = UpgradeTemplateBody;
  static constexpr auto fields = std::make_tuple(Req("version", &T::version));
};

// POST /v1/keys.
struct CreateKeyBody {
  std::string role, name, partner, tenant, workflow_role;
  std::optional<std::int64_t> expires_in_days;
};
template <> struct Describe<CreateKeyBody> {
  using T = CreateKeyBody;
  static constexpr auto fields = std::make_tuple(Req("role", &T::role), Opt("name", &T::name), OptId("partner", &T::partner),
                                                 OptId("tenant", &T::tenant), Opt("workflow_role", &T::workflow_role),
                                                 Opt("expires_in_days", &T::expires_in_days));
};
// POST /v1/keys/{key}/rotation.
struct RotateKeyBody {
  std::optional<std::int64_t> grace_seconds;
};
template <> struct Describe<RotateKeyBody> {
  static constexpr auto fields = std::make_tuple(Opt("grace_seconds", &RotateKeyBody::grace_seconds));
};
// POST /v1/admin/clock/advance.
struct AdvanceClockBody {
  std::int64_t days = 0, hours = 0, minutes = 0, ms = 0;
};
template <> struct Describe<AdvanceClockBody> {
  using T = AdvanceClockBody;
  static constexpr auto fields =
      std::make_tuple(Opt("days", &T::days), Opt("hours", &T::hours), Opt("minutes", &T::minutes), Opt("ms", &T::ms));
};
// POST /v1/admin/backup: where the running server backs itself up.
struct BackupBody {
  std::string to;
};
template <> struct Describe<BackupBody> {
  using T = BackupBody;
  static constexpr auto fields = std::make_tuple(Req("to", &T::to));
};
// PUT /v1/tenants/{tenant}/customers/{customer}/contract-prices: the customer's whole list.
struct ContractPriceBody {
  std::string sku;
  std::int64_t unit_price = 0;
  domain::Timestamp valid_from = 0;
  domain::Timestamp valid_to = 0;  // 0: open-ended; otherwise exclusive
};
struct ContractPricesBody {
  std::string currency;
  std::vector<ContractPriceBody> prices;
};
template <> struct Describe<ContractPriceBody> {
  using T = ContractPriceBody;
  static constexpr auto fields = std::make_tuple(ReqSku("sku", &T::sku), Req("unit_price", &T::unit_price),
                                                 Opt("valid_from", &T::valid_from), Opt("valid_to", &T::valid_to));
};
template <> struct Describe<ContractPricesBody> {
  using T = ContractPricesBody;
  static constexpr auto fields = std::make_tuple(Opt("currency", &T::currency), Req("prices", &T::prices));
};
// POST .../returns/{rma}/receipt: the order's ReceiveReturn, and for lot-tracked SKUs the lot each
// returned line comes back in (needed when the line left in more than one lot).
struct ReceiveReturnBody {
  std::string rma;
  domain::order::Disposition disposition = domain::order::Disposition::kRestock;
  std::string warehouse;
  std::vector<actors::ReturnLot> lots;
};
template <> struct Describe<actors::ReturnLot> {
  using T = actors::ReturnLot;
  static constexpr auto fields = std::make_tuple(Req("line", &T::line), Req("lot", &T::lot));
};
template <> struct Describe<ReceiveReturnBody> {
  using T = ReceiveReturnBody;
  static constexpr auto fields = std::make_tuple(Req("rma", &T::rma), Opt("disposition", &T::disposition),
                                                 Opt("warehouse", &T::warehouse), Opt("lots", &T::lots));
};
// POST /v1/tenants/{tenant}/integration-events: a failure, a recovery or a sync latency of one
// integration (each its own tenant command).
enum class IntegrationEventKind { kFailure, kRecovery, kSyncLatency };
template <> struct EnumNames<IntegrationEventKind> {
  using E = IntegrationEventKind;
  static constexpr std::array<std::pair<E, std::string_view>, 3> names{
      {{E::kFailure, "failure"}, {E::kRecovery, "recovery"}, {E::kSyncLatency, "sync_latency"}}};
};
struct IntegrationEventBody {
  IntegrationEventKind kind = IntegrationEventKind::kFailure;
  domain::tenant::Integration integration = domain::tenant::Integration::kEdi;
  std::string detail;
  std::int64_t latency_ms = 0;
};
template <> struct Describe<IntegrationEventBody> {
  using T = IntegrationEventBody;
  static constexpr auto fields = std::make_tuple(Req("kind", &T::kind), Req("integration", &T::integration),
                                                 Opt("detail", &T::detail), Opt("latency_ms", &T::latency_ms));
};

}  // namespace keel::gateway::json
