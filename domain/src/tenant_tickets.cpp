// Support tickets of a tenant (see tenant_tickets.hpp, tenant.hpp and support.hpp for the rules).
#include "tenant_tickets.hpp"

#include "domain/support.hpp"

namespace keel::domain::tenant {
namespace {

using R = RejectionCode;
namespace sp = support;

constexpr std::size_t kMaxSubject = 200, kMaxBody = 4000, kMaxName = 100;
constexpr std::int64_t kMaxComments = 500;

Decision<Event> One(Event e) { return std::vector<Event>{std::move(e)}; }

// Characters (Unicode code points) of UTF-8 text: what the limits count, not bytes.
std::size_t Chars(std::string_view text) {
  std::size_t n = 0;
  for (const unsigned char ch : text) n += (ch & 0xC0) != 0x80;
  return n;
}

std::expected<const TicketWork*, Rejection> OpenOne(const State& s, const std::string& ticket) {
  if (ticket.empty()) return std::unexpected(Rejection{R::kInvalidArgument, "a ticket id is required"});
  auto it = s.tickets.find(ticket);
  if (it != s.tickets.end()) return &it->second;
  if (s.open_tickets.contains(ticket)) {  // opened before tickets had their work kept: no targets
    static const TicketWork kUntracked;
    return &kUntracked;
  }
  return std::unexpected(Rejection{R::kNotFound, "no open ticket " + ticket});
}

// The resolution due time once waiting on the customer ends at `at` (the wait does not count).
Timestamp ResumedDue(const TicketWork& w, Timestamp at) {
  if (w.resolution_due == 0 || w.paused_at == 0 || w.resolution_breached) return w.resolution_due;
  return w.resolution_due + std::max<Timestamp>(0, at - w.paused_at);
}

}  // namespace

Decision<Event> DecideOpenTicket(const OpenTicket& c, const State& s) {
  if (s.status == Status::kTerminated)
    return Reject(R::kIllegalTransition, "cannot open tickets for a tenant that is terminated");
  if (c.ticket.empty() || c.subject.empty()) return Reject(R::kInvalidArgument, "a ticket needs an id and a subject");
  if (Chars(c.subject) > kMaxSubject) return Reject(R::kInvalidArgument, "a ticket's subject is at most 200 characters");
  const auto severity = ParseSeverity(c.severity);
  if (!severity) return Reject(R::kInvalidArgument, "severity: expected one of low, medium, high, critical");
  if (!c.risk_band.empty() && c.risk_band != "low" && c.risk_band != "medium" && c.risk_band != "high")
    return Reject(R::kInvalidArgument, "risk band: expected one of low, medium, high");
  if (s.open_tickets.contains(c.ticket)) return Reject(R::kAlreadyExists, "ticket " + c.ticket + " is open");
  TicketOpened e{c.ticket, c.subject, c.severity, c.at};
  const TicketPriority priority = sp::PriorityOf(*severity, c.risk_band);
  e.priority = std::string(PriorityName(priority));
  e.risk_band = c.risk_band.empty() ? "low" : c.risk_band;
  auto route = c.rules.exception_routing.find("sla_breach");
  e.routed_to = route == c.rules.exception_routing.end() ? "partner_support" : route->second;
  if (auto tier = c.sla.find(s.tier); tier != c.sla.end()) {
    const sp::Due due = sp::DueTimes(tier->second, priority, c.at);
    e.first_response_due = due.first_response;
    e.resolution_due = due.resolution;
  }
  return One(std::move(e));
}

Decision<Event> DecideResolveTicket(const ResolveTicket& c, const State& s) {
  if (!s.open_tickets.contains(c.ticket)) return Reject(R::kNotFound, "no open ticket " + c.ticket);
  return One(TicketResolved{c.ticket, c.at});
}

Decision<Event> DecideAssignTicket(const AssignTicket& c, const State& s) {
  auto work = OpenOne(s, c.ticket);
  if (!work) return std::unexpected(work.error());
  if (c.assignee.empty() || Chars(c.assignee) > kMaxName)
    return Reject(R::kInvalidArgument, "assignee: expected a name of 1 to 100 characters");
  if ((*work)->assignee == c.assignee) return std::vector<Event>{};  // theirs already
  return One(TicketAssigned{c.ticket, c.assignee, (*work)->assignee, c.at});
}

Decision<Event> DecideCommentOnTicket(const CommentOnTicket& c, const State& s) {
  auto work = OpenOne(s, c.ticket);
  if (!work) return std::unexpected(work.error());
  const TicketWork& w = **work;
  if (c.from != "agent" && c.from != "customer") return Reject(R::kInvalidArgument, "from: expected agent or customer");
  if (c.author.empty() || Chars(c.author) > kMaxName)
    return Reject(R::kInvalidArgument, "author: expected a name of 1 to 100 characters");
  if (c.body.empty() || Chars(c.body) > kMaxBody) return Reject(R::kInvalidArgument, "body: expected 1 to 4000 characters");
  if (c.internal && c.from == "customer") return Reject(R::kInvalidArgument, "internal: a customer's comment is never internal");
  // Internal notes stop at 500 comments in all; public comments at 1000: notes never use up the room
  // the customer and the agents' answers have.
  if (w.comments >= (c.internal ? kMaxComments : 2 * kMaxComments))
    return Reject(R::kLimitExceeded, c.internal ? "a ticket's internal notes stop at 500 comments in all"
                                                : "a ticket holds at most 1000 comments per opening");
  TicketCommented e{c.ticket, w.comments + 1, c.author, c.from, c.body, c.internal, false, c.at};
  e.first_response = c.from == "agent" && !c.internal && w.responded_at == 0 && s.tickets.contains(c.ticket);
  std::vector<Event> out{std::move(e)};
  if (c.from == "customer" && w.status == sp::StatusName(sp::TicketStatus::kWaitingOnCustomer))
    out.push_back(TicketStatusChanged{c.ticket, w.status, std::string(sp::StatusName(sp::TicketStatus::kInProgress)),
                                      "the customer replied", ResumedDue(w, c.at), c.at});
  return out;
}

Decision<Event> DecideSetTicketStatus(const SetTicketStatus& c, const State& s) {
  auto work = OpenOne(s, c.ticket);
  if (!work) return std::unexpected(work.error());
  const TicketWork& w = **work;
  if (c.status == "resolved")
    return Reject(R::kInvalidArgument, "status: a ticket is resolved through its resolution, not its status");
  const auto to = sp::ParseStatus(c.status);
  if (!to) return Reject(R::kInvalidArgument, "status: expected one of open, in_progress, waiting_on_customer");
  if (Chars(c.reason) > kMaxBody) return Reject(R::kInvalidArgument, "reason: at most 4000 characters");
  if (w.status == c.status) return std::vector<Event>{};  // there already
  return One(TicketStatusChanged{c.ticket, w.status, c.status, c.reason, ResumedDue(w, c.at), c.at});
}

Decision<Event> DecideRecordSlaBreach(const RecordSlaBreach& c, const State& s) {
  if (c.target != sp::kFirstResponse && c.target != sp::kResolution)
    return Reject(R::kInvalidArgument, "target: expected first_response or resolution");
  auto it = s.tickets.find(c.ticket);
  if (it == s.tickets.end()) return std::vector<Event>{};  // resolved (or never had targets): nothing to miss
  const TicketWork& w = it->second;
  if (c.target == sp::kFirstResponse) {
    if (!sp::BreachDue({w.first_response_due, w.responded_at != 0, w.first_response_breached, false}, c.at))
      return std::vector<Event>{};
    return One(TicketSlaBreached{c.ticket, c.target, w.priority, w.routed_to, w.first_response_due, c.at});
  }
  if (!sp::BreachDue({w.resolution_due, false, w.resolution_breached, w.paused_at != 0}, c.at)) return std::vector<Event>{};
  return One(TicketSlaBreached{c.ticket, c.target, w.priority, w.routed_to, w.resolution_due, c.at});
}

void ApplyTicketOpened(State& s, const TicketOpened& e) {
  s.open_tickets[e.ticket] = e.severity;
  ++s.tickets_opened;
  TicketWork w;
  w.severity = e.severity;
  w.priority = e.priority;
  w.routed_to = e.routed_to;
  w.opened_at = e.at;
  w.first_response_due = e.first_response_due;
  w.resolution_due = e.resolution_due;
  s.tickets[e.ticket] = std::move(w);
}

void ApplyTicketResolved(State& s, const TicketResolved& e) {
  s.open_tickets.erase(e.ticket);
  s.tickets.erase(e.ticket);
}

void ApplyTicketAssigned(State& s, const TicketAssigned& e) {
  if (auto it = s.tickets.find(e.ticket); it != s.tickets.end()) it->second.assignee = e.assignee;
}

void ApplyTicketCommented(State& s, const TicketCommented& e) {
  auto it = s.tickets.find(e.ticket);
  if (it == s.tickets.end()) return;
  it->second.comments = e.comment;
  if (e.first_response) it->second.responded_at = e.at;
}

void ApplyTicketStatusChanged(State& s, const TicketStatusChanged& e) {
  auto it = s.tickets.find(e.ticket);
  if (it == s.tickets.end()) return;
  TicketWork& w = it->second;
  w.status = e.to;
  w.resolution_due = e.resolution_due;
  w.paused_at = e.to == sp::StatusName(sp::TicketStatus::kWaitingOnCustomer) ? e.at : 0;
}

void ApplyTicketSlaBreached(State& s, const TicketSlaBreached& e) {
  auto it = s.tickets.find(e.ticket);
  if (it == s.tickets.end()) return;
  if (e.target == sp::kFirstResponse) it->second.first_response_breached = true;
  else it->second.resolution_breached = true;
}

}  // namespace keel::domain::tenant
