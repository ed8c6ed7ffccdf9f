// JSON descriptors of the extension aggregate (the catalog's extensions and their review): the request
// bodies, events and state. Part of domain_json.hpp (see there for the rules); json_fields.hpp
// explains the descriptors. A manifest's `config_schema` and an installation's `config` are JSON
// objects the handlers take out of the body before these descriptors read the rest.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "domain/extension.hpp"
#include "json/enums.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// POST /v1/extensions: a version's manifest (and `config_schema`, a JSON Schema object).
struct SubmitExtensionBody {
  std::string id, version, name, description;
  domain::ExtensionKind kind = domain::ExtensionKind::kEdiConnector;
  std::set<domain::Module> modules;
  std::vector<std::string> events, commands, scopes;
};
template <> struct Describe<SubmitExtensionBody> {
  using T = SubmitExtensionBody;
  static constexpr auto fields = std::make_tuple(
      ReqId("id", &T::id), Req("version", &T::version), Req("name", &T::name), Opt("description", &T::description),
      Req("kind", &T::kind), Opt("modules", &T::modules), Opt("events", &T::events), Opt("commands", &T::commands),
      Opt("scopes", &T::scopes));
};
// POST …/versions/{version}/rejection.
struct RejectExtensionBody {
  std::vector<std::string> reasons;
};
template <> struct Describe<RejectExtensionBody> {
  using T = RejectExtensionBody;
  static constexpr auto fields = std::make_tuple(Req("reasons", &T::reasons));
};
// POST …/versions/{version}/withdrawal.
struct WithdrawExtensionBody {
  std::string reason;
};
template <> struct Describe<WithdrawExtensionBody> {
  using T = WithdrawExtensionBody;
  static constexpr auto fields = std::make_tuple(Req("reason", &T::reason));
};
// POST /v1/tenants/{tenant}/extensions (and `config`, a JSON object; {} when left out).
struct InstallExtensionBody {
  std::string extension;
  std::string version;  // "": the latest approved
};
template <> struct Describe<InstallExtensionBody> {
  using T = InstallExtensionBody;
  static constexpr auto fields = std::make_tuple(ReqId("extension", &T::extension), Opt("version", &T::version));
};

// -- events and state --
template <> struct Describe<domain::extension::Manifest> {
  using T = domain::extension::Manifest;
  static constexpr auto fields = std::make_tuple(
      Opt("version", &T::version), Opt("name", &T::name), Opt("description", &T::description), Opt("kind", &T::kind),
      Opt("modules", &T::modules), Opt("events", &T::events), Opt("commands", &T::commands), Opt("scopes", &T::scopes),
      Opt("config_schema", &T::config_schema));
};
template <> struct Describe<domain::extension::ExtensionVersionSubmitted> {
  using T = domain::extension::ExtensionVersionSubmitted;
  static constexpr auto fields = std::make_tuple(Opt("id", &T::id), Opt("owner", &T::owner), Opt("manifest", &T::manifest),
                                                 Opt("by", &T::by), Opt("at", &T::at));
};
template <> struct Describe<domain::extension::ExtensionReviewStarted> {
  using T = domain::extension::ExtensionReviewStarted;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("by", &T::by), Opt("at", &T::at));
};
template <> struct Describe<domain::extension::ExtensionVersionApproved> {
  using T = domain::extension::ExtensionVersionApproved;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("by", &T::by), Opt("at", &T::at));
};
template <> struct Describe<domain::extension::ExtensionVersionRejected> {
  using T = domain::extension::ExtensionVersionRejected;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("by", &T::by),
                                                 Opt("reasons", &T::reasons), Opt("at", &T::at));
};
template <> struct Describe<domain::extension::ExtensionVersionWithdrawn> {
  using T = domain::extension::ExtensionVersionWithdrawn;
  static constexpr auto fields = std::make_tuple(Opt("version", &T::version), Opt("by", &T::by), Opt("reason", &T::reason),
                                                 Opt("was", &T::was), Opt("at", &T::at));
};
template <> struct Describe<domain::extension::VersionState> {
  using T = domain::extension::VersionState;
  static constexpr auto fields = std::make_tuple(
      Opt("manifest", &T::manifest), Opt("status", &T::status), Opt("submitted_by", &T::submitted_by),
      Opt("reviewer", &T::reviewer), Opt("reasons", &T::reasons), Opt("withdrawal_reason", &T::withdrawal_reason),
      Opt("submitted_at", &T::submitted_at), Opt("decided_at", &T::decided_at), Opt("approved_at", &T::approved_at),
      Opt("withdrawn_by", &T::withdrawn_by));
};
template <> struct Describe<domain::extension::State> {
  using T = domain::extension::State;
  static constexpr auto fields =
      std::make_tuple(Opt("id", &T::id), Opt("owner", &T::owner), Opt("versions", &T::versions));
};

}  // namespace keel::gateway::json
