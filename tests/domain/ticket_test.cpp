// Support tickets of the tenant decider: priority from severity and renewal-risk band, due times from
// the tier's targets, the first response, waits on the customer stopping the resolution clock,
// breaches recorded once and only when due, reopening; bad input refused; plus a property test over
// random command sequences on the clock.
#include <catch2/catch.hpp>

#include <random>

#include "domain/support.hpp"
#include "domain/tenant.hpp"
#include "decider_support.hpp"
#include "fixtures.hpp"

using namespace keel::domain;
using keel::domain::test::Accept;
using keel::domain::test::Refuse;
using keel::domain::test::Run;
using namespace keel::domain::tenant;
using keel::domain::test::kT0;
namespace fx = keel::domain::test;
namespace sp = keel::domain::support;

namespace {

constexpr std::int64_t kMin = 60'000;

State Active() {
  State s = Run(State{}, {ProvisionTenant{"t1", "p1", "Acme Wholesale", fx::Regional(), fx::Growth(),
                                          Environment::kProduction, true, true, kT0},
                          StartOnboarding{kT0}});
  return Run(s, {CompleteMilestone{"company_profile", "u1", kT0}, CompleteMilestone{"item_import", "u1", kT0},
                 CompleteMilestone{"edi_partner_test", "u1", kT0}, GoLive{kT0}});
}

std::map<ServiceTier, SupportTargets> Sla() {
  SupportTargets standard{{TicketPriority::kP1, {60, 480}},
                          {TicketPriority::kP2, {120, 1440}},
                          {TicketPriority::kP3, {480, 2880}},
                          {TicketPriority::kP4, {1440, 7200}}};
  SupportTargets premium{{TicketPriority::kP1, {15, 240}}};
  return {{ServiceTier::kStandard, standard}, {ServiceTier::kPremium, premium}};
}

OpenTicket Open(const std::string& id, const std::string& severity, std::int64_t at, const std::string& band = "low") {
  OpenTicket c{id, "Labels do not print", severity, at, band, Sla(), {}};
  c.rules.exception_routing["sla_breach"] = "implementation";
  return c;
}

}  // namespace

TEST_CASE("a ticket's priority comes from its severity and the tenant's renewal-risk band", "[domain][support]") {
  CHECK(sp::PriorityOf(TicketSeverity::kCritical, "low") == TicketPriority::kP1);
  CHECK(sp::PriorityOf(TicketSeverity::kHigh, "medium") == TicketPriority::kP2);
  CHECK(sp::PriorityOf(TicketSeverity::kMedium, "") == TicketPriority::kP3);
  CHECK(sp::PriorityOf(TicketSeverity::kLow, "low") == TicketPriority::kP4);
  CHECK(sp::PriorityOf(TicketSeverity::kLow, "high") == TicketPriority::kP3);       // at risk: one step up
  CHECK(sp::PriorityOf(TicketSeverity::kCritical, "high") == TicketPriority::kP1);  // never above p1
  const auto e = std::get<TicketOpened>(Accept(Open("T1", "high", kT0, "high"), Active()).at(0));
  CHECK(e.priority == "p1");
  CHECK(e.risk_band == "high");
  CHECK(e.first_response_due == kT0 + 60 * kMin);  // standard tier, p1
  CHECK(e.resolution_due == kT0 + 480 * kMin);
  CHECK(e.routed_to == "implementation");
  // No targets for the tier (or none at all): no due times, no breaches.
  auto bare = Open("T2", "low", kT0);
  bare.sla.clear();
  bare.rules = {};
  const auto none = std::get<TicketOpened>(Accept(bare, Active()).at(0));
  CHECK(none.first_response_due == 0);
  CHECK(none.resolution_due == 0);
  CHECK(none.routed_to == "partner_support");
}

TEST_CASE("bad ticket commands are refused and change nothing", "[domain][support]") {
  State s = Run(Active(), {Open("T1", "medium", kT0)});
  CHECK(Refuse(Open("T2", "urgent", kT0), s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Open("T2", "high", kT0, "extreme"), s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(Open("T1", "high", kT0), s) == RejectionCode::kAlreadyExists);
  CHECK(Refuse(AssignTicket{"T9", "dana", kT0}, s) == RejectionCode::kNotFound);
  CHECK(Refuse(AssignTicket{"T1", "", kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(CommentOnTicket{"T1", "dana", "bot", "hi", false, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(CommentOnTicket{"T1", "dana", "agent", "", false, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(CommentOnTicket{"T1", "cust", "customer", "hi", true, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(CommentOnTicket{"T9", "dana", "agent", "hi", false, kT0}, s) == RejectionCode::kNotFound);
  CHECK(Refuse(SetTicketStatus{"T1", "resolved", "", kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(SetTicketStatus{"T1", "closed", "", kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(RecordSlaBreach{"T1", "anything", kT0}, s) == RejectionCode::kInvalidArgument);
  // A resolved ticket is worked no more.
  State resolved = Run(s, {ResolveTicket{"T1", kT0}});
  CHECK(resolved.tickets.empty());
  CHECK(Refuse(CommentOnTicket{"T1", "dana", "agent", "hi", false, kT0}, resolved) == RejectionCode::kNotFound);
}

TEST_CASE("the first public agent comment is the first response: no breach after it", "[domain][support]") {
  State s = Run(Active(), {Open("T1", "high", kT0)});  // p2: respond within 120 min, resolve within 1440
  CHECK(Accept(RecordSlaBreach{"T1", "first_response", kT0 + 119 * kMin}, s).empty());  // not due yet
  // An internal note and a customer's comment are not a response.
  s = Run(s, {CommentOnTicket{"T1", "dana", "agent", "looking", true, kT0 + kMin},
              CommentOnTicket{"T1", "cust", "customer", "any news?", false, kT0 + 2 * kMin}});
  CHECK(s.tickets.at("T1").responded_at == 0);
  CHECK(s.tickets.at("T1").comments == 2);
  auto reply = Accept(CommentOnTicket{"T1", "dana", "agent", "on it", false, kT0 + 3 * kMin}, s);
  CHECK(std::get<TicketCommented>(reply.at(0)).first_response);
  CHECK(std::get<TicketCommented>(reply.at(0)).comment == 3);
  s = Run(s, {CommentOnTicket{"T1", "dana", "agent", "on it", false, kT0 + 3 * kMin}});
  CHECK_FALSE(std::get<TicketCommented>(Accept(CommentOnTicket{"T1", "dana", "agent", "more", false, kT0 + 4 * kMin}, s).at(0)).first_response);
  CHECK(Accept(RecordSlaBreach{"T1", "first_response", kT0 + 500 * kMin}, s).empty());
  // The resolution is still due: a breach once, at its time.
  CHECK(Accept(RecordSlaBreach{"T1", "resolution", kT0 + 1440 * kMin}, s).empty());  // at the due time: in time
  auto late = Accept(RecordSlaBreach{"T1", "resolution", kT0 + 1441 * kMin}, s);
  REQUIRE(late.size() == 1);
  const auto& breach = std::get<TicketSlaBreached>(late.at(0));
  CHECK(breach.due == kT0 + 1440 * kMin);
  CHECK(breach.priority == "p2");
  CHECK(breach.routed_to == "implementation");
  s = Run(s, {RecordSlaBreach{"T1", "resolution", kT0 + 1441 * kMin}});
  CHECK(Accept(RecordSlaBreach{"T1", "resolution", kT0 + 2000 * kMin}, s).empty());  // recorded once
}

TEST_CASE("waiting on the customer stops the resolution clock and a customer's reply restarts it", "[domain][support]") {
  State s = Run(Active(), {Open("T1", "high", kT0), AssignTicket{"T1", "dana", kT0}});
  CHECK(s.tickets.at("T1").assignee == "dana");
  CHECK(Accept(AssignTicket{"T1", "dana", kT0}, s).empty());  // theirs already
  s = Run(s, {SetTicketStatus{"T1", "waiting_on_customer", "need logs", kT0 + 100 * kMin}});
  CHECK(s.tickets.at("T1").paused_at == kT0 + 100 * kMin);
  CHECK(Accept(SetTicketStatus{"T1", "waiting_on_customer", "", kT0 + 101 * kMin}, s).empty());
  // Long past the resolution due time, but waiting: no breach. The first response still runs.
  CHECK(Accept(RecordSlaBreach{"T1", "resolution", kT0 + 3000 * kMin}, s).empty());
  CHECK(Accept(RecordSlaBreach{"T1", "first_response", kT0 + 3000 * kMin}, s).size() == 1);
  // The customer answers 900 minutes later: back in progress, the due time moved on by the wait.
  auto back = Accept(CommentOnTicket{"T1", "cust", "customer", "logs attached", false, kT0 + 1000 * kMin}, s);
  REQUIRE(back.size() == 2);
  const auto& changed = std::get<TicketStatusChanged>(back.at(1));
  CHECK(changed.from == "waiting_on_customer");
  CHECK(changed.to == "in_progress");
  CHECK(changed.resolution_due == kT0 + (1440 + 900) * kMin);
  s = Run(s, {CommentOnTicket{"T1", "cust", "customer", "logs attached", false, kT0 + 1000 * kMin}});
  CHECK(s.tickets.at("T1").paused_at == 0);
  CHECK(Accept(RecordSlaBreach{"T1", "resolution", kT0 + 2340 * kMin}, s).empty());
  CHECK(Accept(RecordSlaBreach{"T1", "resolution", kT0 + 2341 * kMin}, s).size() == 1);
}

TEST_CASE("a reopened ticket gets new targets from its reopening", "[domain][support]") {
  State s = Run(Active(), {Open("T1", "critical", kT0), RecordSlaBreach{"T1", "first_response", kT0 + 61 * kMin},
                           ResolveTicket{"T1", kT0 + 100 * kMin}});
  CHECK(s.tickets.empty());
  CHECK(Accept(RecordSlaBreach{"T1", "resolution", kT0 + 900 * kMin}, s).empty());  // resolved: nothing to miss
  s = Run(s, {Open("T1", "low", kT0 + 1000 * kMin)});
  const auto& w = s.tickets.at("T1");
  CHECK(w.priority == "p4");
  CHECK(w.first_response_due == kT0 + (1000 + 1440) * kMin);
  CHECK_FALSE(w.first_response_breached);
  CHECK(s.tickets_opened == 2);
}

TEST_CASE("over random ticket work on the clock a target is breached at most once and never before it is due or after it is met",
          "[domain][support][property]") {
  std::mt19937 rng(20261208);
  for (int run = 0; run < 200; ++run) {
    State s = Active();
    std::int64_t now = kT0;
    std::map<std::string, int> breaches;  // ticket/opening/target -> count
    std::map<std::string, int> openings;
    for (int step = 0; step < 60; ++step) {
      now += static_cast<std::int64_t>(rng() % 600) * kMin;
      const std::string id = "T" + std::to_string(rng() % 3);
      const char* severities[] = {"low", "medium", "high", "critical"};
      const char* statuses[] = {"open", "in_progress", "waiting_on_customer"};
      Command c;
      switch (rng() % 7) {
        case 0: c = Open(id, severities[rng() % 4], now, rng() % 2 ? "high" : "low"); break;
        case 1: c = CommentOnTicket{id, "a", rng() % 2 ? "agent" : "customer", "x", false, now}; break;
        case 2: c = SetTicketStatus{id, statuses[rng() % 3], "", now}; break;
        case 3: c = ResolveTicket{id, now}; break;
        case 4: c = RecordSlaBreach{id, "resolution", now}; break;
        default: c = RecordSlaBreach{id, "first_response", now}; break;
      }
      const State before = s;
      auto decided = Decide(c, s);
      if (!decided) continue;
      for (const auto& e : *decided) {
        if (const auto* opened = std::get_if<TicketOpened>(&e)) ++openings[opened->ticket];
        if (const auto* b = std::get_if<TicketSlaBreached>(&e)) {
          const auto& w = before.tickets.at(b->ticket);
          CHECK(b->at > b->due);  // an act at the due time is in time
          if (b->target == "first_response") {
            CHECK(w.responded_at == 0);
            CHECK(b->due == w.first_response_due);
          } else {
            CHECK(w.paused_at == 0);
            CHECK(b->due == w.resolution_due);
          }
          CHECK(++breaches[b->ticket + "/" + std::to_string(openings[b->ticket]) + "/" + b->target] == 1);
        }
        s = Evolve(std::move(s), e);
      }
      // The open tickets' work matches the open tickets.
      CHECK(s.tickets.size() == s.open_tickets.size());
      for (const auto& [ticket, w] : s.tickets) {
        CHECK(s.open_tickets.contains(ticket));
        CHECK((w.paused_at != 0) == (w.status == "waiting_on_customer"));
        CHECK(w.resolution_due >= w.opened_at);
      }
    }
  }
}

TEST_CASE("internal notes never use up the room the customer and the agents' answers have", "[domain][support]") {
  State s = Run(Active(), {Open("T1", "medium", kT0)});
  std::vector<Command> notes;
  for (int i = 0; i < 500; ++i) notes.push_back(CommentOnTicket{"T1", "dana", "agent", "note", true, kT0});
  s = Run(s, notes);
  CHECK(s.tickets.at("T1").comments == 500);
  CHECK(Refuse(CommentOnTicket{"T1", "dana", "agent", "one more note", true, kT0}, s) == RejectionCode::kLimitExceeded);
  auto answer = Accept(CommentOnTicket{"T1", "dana", "agent", "the answer", false, kT0}, s);
  CHECK(std::get<TicketCommented>(answer.at(0)).first_response);
  CHECK(Accept(CommentOnTicket{"T1", "cust", "customer", "thanks", false, kT0}, s).size() == 1);
}
