// Support rules as pure functions: a ticket's priority from its severity and the tenant's
// renewal-risk band, the due times a support tier's targets give it, and the working states a
// ticket moves through. No I/O, no clock (times arrive as arguments).
#pragma once

#include <optional>
#include <string_view>

#include "domain/catalog_data.hpp"
#include "domain/common.hpp"

namespace keel::domain::support {

// critical → p1, high → p2, medium → p3, low → p4; a tenant in the high renewal-risk band is raised
// one step (never above p1): an at-risk customer is answered sooner. `risk_band`: low, medium, high.
TicketPriority PriorityOf(TicketSeverity severity, std::string_view risk_band);

// When the tier's target for `priority` falls due for a ticket opened `at` (0: no target).
struct Due {
  Timestamp first_response = 0, resolution = 0;
};
Due DueTimes(const SupportTargets& targets, TicketPriority priority, Timestamp at);

// Whether a target is breached at `now`: it has a due time that has passed (an act at the due time is
// in time), it was neither met nor recorded as breached yet, and its clock is not stopped (the
// resolution's, while waiting on the customer). The tenant's decider and the sweep that asks it both
// use this one rule.
struct TargetState {
  Timestamp due = 0;  // 0: no target
  bool met = false, recorded = false, stopped = false;
};
inline bool BreachDue(const TargetState& t, Timestamp now) {
  return t.due > 0 && !t.met && !t.recorded && !t.stopped && now > t.due;
}

// A ticket's working state while open (resolved is the end: TicketResolved). Waiting on the customer
// stops the resolution clock; the first-response clock runs on.
enum class TicketStatus : std::uint8_t { kOpen, kInProgress, kWaitingOnCustomer };
std::string_view StatusName(TicketStatus s);
std::optional<TicketStatus> ParseStatus(std::string_view name);

// What a breach is of.
inline constexpr std::string_view kFirstResponse = "first_response";
inline constexpr std::string_view kResolution = "resolution";

}  // namespace keel::domain::support
