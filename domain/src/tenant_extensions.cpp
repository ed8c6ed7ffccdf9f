// Tenant decider, its extensions (see tenant_extensions.hpp): an installation needs an approved version
// of a kind the template allows and modules the tenant has; another version is a move naming the key
// it replaces; uninstalling names the key to revoke; a withdrawal is noted once per version run.
#include "tenant_extensions.hpp"

namespace keel::domain::tenant {
namespace {
using R = RejectionCode;
Decision<Event> One(Event e) { return std::vector<Event>{std::move(e)}; }
}  // namespace

Decision<Event> DecideInstall(const InstallExtension& c, const State& s) {
  if (s.status == Status::kNone) return Reject(R::kNotFound, "no such tenant");
  if (c.extension.empty() || c.version.empty()) return Reject(R::kInvalidArgument, "an installation needs an extension and a version");
  if (!c.approved) return Reject(R::kExtensionNotApproved, "version " + c.version + " of " + c.extension + " is not approved");
  if (!c.allowed_kinds.contains(c.kind)) {
    return Reject(R::kExtensionKindNotAllowed, "template " + s.template_id + " v" + std::to_string(s.template_version) +
                                                   " does not allow " + std::string(ExtensionKindName(c.kind)) + " extensions");
  }
  for (Module m : c.modules) {
    if (!s.modules.contains(m)) {
      return Reject(R::kModuleNotEntitled, c.extension + " requires module " + std::string(ModuleName(m)) + ", which is not active");
    }
  }
  if (c.key_id.empty()) return Reject(R::kInvalidArgument, "an installation needs its key");
  auto it = s.extensions.find(c.extension);
  if (it != s.extensions.end() && it->second.version == c.version) {
    return Reject(R::kAlreadyExists, c.extension + " " + c.version + " is installed already");
  }
  ExtensionInstalled e{c.extension, c.version, c.kind, c.key_id, c.config_digest, {}, {}, c.at};
  if (it != s.extensions.end()) {
    e.previous_version = it->second.version;
    e.previous_key_id = it->second.key_id;
  }
  return One(std::move(e));
}

Decision<Event> DecideUninstall(const UninstallExtension& c, const State& s) {
  auto it = s.extensions.find(c.extension);
  if (it == s.extensions.end()) return Reject(R::kNotFound, c.extension + " is not installed");
  return One(ExtensionUninstalled{c.extension, it->second.version, it->second.key_id, c.at});
}

Decision<Event> DecideNoteWithdrawn(const NoteExtensionWithdrawn& c, const State& s) {
  auto it = s.extensions.find(c.extension);
  if (it == s.extensions.end() || it->second.version != c.version || !it->second.withdrawn_reason.empty()) {
    return std::vector<Event>{};  // not using that version, or told already
  }
  return One(ExtensionWithdrawalNoted{c.extension, c.version, c.reason.empty() ? "withdrawn" : c.reason, c.at});
}

}  // namespace keel::domain::tenant
