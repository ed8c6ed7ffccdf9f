// What the extension catalog's handlers share (extension_support.cpp): who sees what of an
// extension, which commands and read scopes a manifest may declare, and the installation routes'
// registration (handlers_installations.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "call.hpp"
#include "domain/extension.hpp"

namespace keel::gateway {

// Extension streams: t/_platform/extension/<id>.
inline constexpr std::string_view kExtensionStreamPrefix = "t/_platform/extension/";

// Whether the caller sees the extension at all: the platform and the owner's partner-wide keys see
// everything; other keys only extensions with an approved or withdrawn version.
bool Visible(const Principal& who, const domain::extension::State& state);
// The part the caller sees (nullopt: nothing): others' extensions without their submitted, in-review
// and rejected versions.
std::optional<domain::extension::State> VisiblePart(const Principal& who, const domain::extension::State& state);
// Whether the caller sees that version of the extension (a hidden one is answered as a missing one).
bool SeesVersion(const Principal& who, const domain::extension::State& state, const domain::extension::VersionState& version);
// A partner-bound caller whose partner is suspended makes no credentials or submissions (the lifecycle
// table's partner own writes): the 422 answer, else nullopt.
std::optional<Response> OwnWritesAllowed(Call& c);
// 400 naming the first query parameter of a route that takes none.
std::optional<Response> NoQuery(const Call& c);
// Why an extension's key may not take `route` (nullopt: it may): not declared (GrantAllows), not open
// to extensions at all, or a module the extension requires that `tenant` (its state, when the route is
// the tenant's) no longer has.
std::optional<std::string> GrantRefusal(const Principal& who, const Route& route, const domain::tenant::State* tenant);
// Whether `operation` names a route an extension may declare among its commands (ExtensionMayDeclare).
bool DeclarableCommand(std::string_view operation);
// "tenant:read, support:read, ...".
std::string ReadScopeList();

void AddExtensionHandlers(HandlerTable& t);
void AddInstallationHandlers(HandlerTable& t);

}  // namespace keel::gateway
