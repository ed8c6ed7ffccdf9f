// Request bodies of commands whose client input is not a member of the command (a template
// id and version, a plan id).
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

}  // namespace keel::gateway::json
