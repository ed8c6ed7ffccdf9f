// The tenant's decision about returning to an earlier template version (a rollout's roll back), kept
// apart from tenant.cpp. Private to the domain library.
#pragma once

#include "domain/tenant.hpp"

namespace keel::domain::tenant {

Decision<Event> DecideRollBack(const RollBackTemplate& c, const State& s);

}  // namespace keel::domain::tenant
