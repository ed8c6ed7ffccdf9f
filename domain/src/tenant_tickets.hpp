// The tenant's decisions about its support tickets (opening, assignment, comments, working status,
// SLA breaches, resolution) and how their events change its state, kept apart from tenant.cpp.
// Private to the domain library.
#pragma once

#include "domain/tenant.hpp"

namespace keel::domain::tenant {

Decision<Event> DecideOpenTicket(const OpenTicket& c, const State& s);
Decision<Event> DecideResolveTicket(const ResolveTicket& c, const State& s);
Decision<Event> DecideAssignTicket(const AssignTicket& c, const State& s);
Decision<Event> DecideCommentOnTicket(const CommentOnTicket& c, const State& s);
Decision<Event> DecideSetTicketStatus(const SetTicketStatus& c, const State& s);
Decision<Event> DecideRecordSlaBreach(const RecordSlaBreach& c, const State& s);

void ApplyTicketOpened(State& s, const TicketOpened& e);
void ApplyTicketResolved(State& s, const TicketResolved& e);
void ApplyTicketAssigned(State& s, const TicketAssigned& e);
void ApplyTicketCommented(State& s, const TicketCommented& e);
void ApplyTicketStatusChanged(State& s, const TicketStatusChanged& e);
void ApplyTicketSlaBreached(State& s, const TicketSlaBreached& e);

}  // namespace keel::domain::tenant
