// Visibility of the extension catalog and what a manifest may declare (see extension_support.hpp).
#include "extension_support.hpp"

namespace keel::gateway {
namespace e = domain::extension;

namespace {
bool SeesWhole(const Principal& who, const e::State& state) {
  if (who.partner.empty()) return true;  // the platform
  return who.tenant.empty() && who.partner == state.owner && who.role != Role::kExtension;
}
bool Public(const e::VersionState& v) { return v.status == e::Status::kApproved || v.status == e::Status::kWithdrawn; }
}  // namespace

bool Visible(const Principal& who, const e::State& state) {
  if (SeesWhole(who, state)) return true;
  for (const auto& v : state.versions) {
    if (Public(v)) return true;
  }
  return false;
}

std::optional<e::State> VisiblePart(const Principal& who, const e::State& state) {
  if (SeesWhole(who, state)) return state;
  e::State out{state.id, state.owner, {}};
  for (const auto& v : state.versions) {
    if (Public(v)) out.versions.push_back(v);
  }
  if (out.versions.empty()) return std::nullopt;
  return out;
}

bool DeclarableCommand(std::string_view operation) {
  for (const auto& r : Routes()) {
    if (r.id == operation) return ExtensionMayDeclare(r);
  }
  return false;
}

std::string ReadScopeList() {
  std::string out;
  for (auto s : ReadScopes()) out += (out.empty() ? "" : ", ") + std::string(s);
  return out;
}

}  // namespace keel::gateway
