// The tenant's decisions about the extensions it runs (installing, moving, uninstalling, being told of
// a withdrawal), kept apart from tenant.cpp. Private to the domain library.
#pragma once

#include "domain/tenant.hpp"

namespace keel::domain::tenant {

Decision<Event> DecideInstall(const InstallExtension& c, const State& s);
Decision<Event> DecideUninstall(const UninstallExtension& c, const State& s);
Decision<Event> DecideNoteWithdrawn(const NoteExtensionWithdrawn& c, const State& s);

}  // namespace keel::domain::tenant
