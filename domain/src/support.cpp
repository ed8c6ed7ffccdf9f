// Support rules (see support.hpp).
#include "domain/support.hpp"

namespace keel::domain::support {

TicketPriority PriorityOf(TicketSeverity severity, std::string_view risk_band) {
  int p = 3;  // low → p4
  switch (severity) {
    case TicketSeverity::kCritical: p = 0; break;
    case TicketSeverity::kHigh: p = 1; break;
    case TicketSeverity::kMedium: p = 2; break;
    case TicketSeverity::kLow: p = 3; break;
  }
  if (risk_band == "high" && p > 0) --p;
  return static_cast<TicketPriority>(p);
}

Due DueTimes(const SupportTargets& targets, TicketPriority priority, Timestamp at) {
  Due d;
  auto it = targets.find(priority);
  if (it == targets.end()) return d;
  if (it->second.first_response_minutes > 0) d.first_response = at + it->second.first_response_minutes * 60'000;
  if (it->second.resolution_minutes > 0) d.resolution = at + it->second.resolution_minutes * 60'000;
  return d;
}

std::string_view StatusName(TicketStatus s) {
  switch (s) {
    case TicketStatus::kOpen: return "open";
    case TicketStatus::kInProgress: return "in_progress";
    case TicketStatus::kWaitingOnCustomer: return "waiting_on_customer";
  }
  return "unknown";
}

std::optional<TicketStatus> ParseStatus(std::string_view name) {
  for (auto s : {TicketStatus::kOpen, TicketStatus::kInProgress, TicketStatus::kWaitingOnCustomer})
    if (StatusName(s) == name) return s;
  return std::nullopt;
}

}  // namespace keel::domain::support
