// The inbox and support read models over a real store: routed exceptions resolved by a recovery or a
// ticket's resolution, ticket rows with their work, history and comments, reopening, and the support
// figures (load per partner and tier, SLA attainment) for hand-built event sequences.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "domain/tenant.hpp"
#include "projections/projections.hpp"
#include "projections/read_models.hpp"
#include "projection_support.hpp"
#include "test_support.hpp"

namespace es = keel::eventstore;
namespace pj = keel::projections;
namespace t = keel::domain::tenant;
using Json = nlohmann::json;
using keel::test::Append;
using keel::test::Has;
using keel::test::kT0;
using keel::test::Row;

namespace {

// Folds every read model to the log's head; the named model's key space.
std::string Folded(es::EventStore& store, pj::Projections& projections, const std::string& name) {
  REQUIRE(projections.WaitFor(name, store.HeadPosition(), std::chrono::seconds(10)));
  return projections.ActiveModel(name);
}

}  // namespace

TEST_CASE("the inbox opens routed exceptions, a recovery resolves the integration's, tickets open and resolve", "[projections][inbox]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  const std::string s = "t/p1:t/tenant/p1:t";
  Append(*store, s, t::Event(t::IntegrationFailed{t::Integration::kEdi, "ASN rejected", "finance", kT0 + 1}));
  Append(*store, s, t::Event(t::SyncLatencyBreached{t::Integration::kMarketplace, 9'000, "operations", kT0 + 2}));
  Append(*store, s, t::Event(t::IntegrationFailed{t::Integration::kEdi, "timeout", "finance", kT0 + 3}));
  Append(*store, s, t::Event(t::TicketOpened{"T1", "Cannot ship", "high", kT0 + 4}));
  Append(*store, s, t::Event(t::TicketOpened{"T2", "Question", "low", kT0 + 5}));
  Append(*store, s, t::Event(t::IntegrationRecovered{t::Integration::kEdi, kT0 + 6}));
  Append(*store, s, t::Event(t::TicketResolved{"T1", kT0 + 7}));
  // T3 resolved, then its id opened again: the same ticket reopened.
  Append(*store, s, t::Event(t::TicketOpened{"T3", "Label printer", "low", kT0 + 8}));
  Append(*store, s, t::Event(t::TicketResolved{"T3", kT0 + 9}));
  Append(*store, s, t::Event(t::TicketOpened{"T3", "Label printer again", "high", kT0 + 10}));

  pj::Projections projections(*store, pj::ReadModels());
  REQUIRE(projections.Start().has_value());
  const std::string model = Folded(*store, projections, "inbox");
  CHECK(Row(*store, model, "x/p1:t/" + pj::Padded(1)) == Json{{"id", pj::Padded(1)},
                                                               {"kind", "failure"},
                                                               {"integration", "edi"},
                                                               {"detail", "ASN rejected"},
                                                               {"routed_to", "finance"},
                                                               {"status", "resolved"},
                                                               {"raised_at", kT0 + 1},
                                                               {"resolved_at", kT0 + 6},
                                                               {"position", 1}});
  CHECK(Row(*store, model, "x/p1:t/" + pj::Padded(3))["status"] == "resolved");
  const Json slow = Row(*store, model, "x/p1:t/" + pj::Padded(2));
  CHECK(slow["status"] == "open");
  CHECK(slow["kind"] == "latency_breach");
  CHECK(slow["detail"] == "marketplace sync took 9000 ms");
  CHECK_FALSE(Has(*store, model, "i/open/p1:t/" + pj::Padded(1)));
  CHECK(Has(*store, model, "i/open/p1:t/" + pj::Padded(2)));
  CHECK(Row(*store, model, "k/p1:t/T1") == Json{{"id", "T1"},
                                                {"subject", "Cannot ship"},
                                                {"severity", "high"},
                                                {"priority", nullptr},  // opened without targets
                                                {"risk_band", nullptr},
                                                {"status", "resolved"},
                                                {"assignee", nullptr},
                                                {"opened_at", kT0 + 4},
                                                {"first_opened_at", kT0 + 4},
                                                {"times_opened", 1},
                                                {"first_response_due", nullptr},
                                                {"responded_at", nullptr},
                                                {"resolution_due", nullptr},
                                                {"resolved_at", kT0 + 7},
                                                {"waiting_since", nullptr},
                                                {"breaches", Json::array()},
                                                {"comments", 0},
                                                {"public_comments", 0},
                                                {"history", Json::array({Json{{"at", kT0 + 4}, {"event", "opened"}, {"severity", "high"}},
                                                                         Json{{"at", kT0 + 7}, {"event", "resolved"}}})}});
  const Json t3 = Row(*store, model, "k/p1:t/T3");
  CHECK(t3["subject"] == "Label printer again");
  CHECK(t3["status"] == "open");
  CHECK(t3["opened_at"] == kT0 + 10);
  CHECK(t3["first_opened_at"] == kT0 + 8);
  CHECK(t3["times_opened"] == 2);
  CHECK(t3["resolved_at"].is_null());
  REQUIRE(t3["history"].size() == 3);  // opened, resolved, reopened
  CHECK(t3["history"][2] == Json{{"at", kT0 + 10}, {"event", "reopened"}, {"severity", "high"}});
  CHECK(Has(*store, model, "i/ticket_open/p1:t/T3"));
  CHECK(Row(*store, model, "k/p1:t/T2")["status"] == "open");
  CHECK_FALSE(Has(*store, model, "i/ticket_open/p1:t/T1"));
  CHECK(Has(*store, model, "i/ticket_open/p1:t/T2"));
}

TEST_CASE("ticket work and SLA breaches fold into the inbox and the support figures", "[projections][inbox][support]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  const std::string s = "t/p1:t/tenant/p1:t";
  auto provisioned = t::TenantProvisioned{};
  provisioned.id = "p1:t";
  provisioned.partner = "p1";
  provisioned.tier = keel::domain::ServiceTier::kPremium;
  Append(*store, s, t::Event(provisioned));
  auto opened = [](const std::string& id, std::int64_t at, std::int64_t fr, std::int64_t res) {
    t::TicketOpened e{id, "s", "high", at};
    e.priority = "p2";
    e.risk_band = "low";
    e.routed_to = "implementation";
    e.first_response_due = at + fr;
    e.resolution_due = at + res;
    return e;
  };
  Append(*store, s, t::Event(opened("T1", kT0, 100, 1000)));
  Append(*store, s, t::Event(t::TicketAssigned{"T1", "dana", "", kT0 + 1}));
  Append(*store, s, t::Event(t::TicketCommented{"T1", 1, "dana", "agent", "note", true, false, kT0 + 2}));
  Append(*store, s, t::Event(t::TicketSlaBreached{"T1", "first_response", "p2", "implementation", kT0 + 100, kT0 + 150}));
  Append(*store, s, t::Event(t::TicketStatusChanged{"T1", "open", "waiting_on_customer", "logs", kT0 + 1000, kT0 + 200}));
  Append(*store, s, t::Event(t::TicketStatusChanged{"T1", "waiting_on_customer", "in_progress", "", kT0 + 1300, kT0 + 500}));
  Append(*store, s, t::Event(opened("T2", kT0 + 10, 100, 1000)));
  Append(*store, s, t::Event(t::TicketCommented{"T2", 1, "dana", "agent", "hello", false, true, kT0 + 20}));
  Append(*store, s, t::Event(t::TicketResolved{"T1", kT0 + 1200}));  // before its moved due time
  // T3 resolved out of a wait long past its due time: the wait does not count, so met.
  Append(*store, s, t::Event(opened("T3", kT0 + 30, 100, 1000)));
  Append(*store, s, t::Event(t::TicketStatusChanged{"T3", "open", "waiting_on_customer", "", kT0 + 1030, kT0 + 40}));
  Append(*store, s, t::Event(t::TicketResolved{"T3", kT0 + 5000}));

  pj::Projections projections(*store, pj::ReadModels());
  REQUIRE(projections.Start().has_value());
  const std::string inbox = Folded(*store, projections, "inbox");
  const Json t1 = Row(*store, inbox, "k/p1:t/T1");
  CHECK(t1["priority"] == "p2");
  CHECK(t1["assignee"] == "dana");
  CHECK(t1["status"] == "resolved");
  CHECK(t1["resolution_due"] == kT0 + 1300);
  CHECK(t1["responded_at"].is_null());
  CHECK(t1["comments"] == 1);
  CHECK(t1["breaches"] == Json::array({Json{{"target", "first_response"}, {"due", kT0 + 100}, {"at", kT0 + 150}}}));
  CHECK(Row(*store, inbox, "k/p1:t/T2")["responded_at"] == kT0 + 20);
  const Json breach = Row(*store, inbox, "x/p1:t/" + pj::Padded(5));
  CHECK(breach["kind"] == "sla_breach");
  CHECK(breach["ticket"] == "T1");
  CHECK(breach["integration"].is_null());
  CHECK(breach["routed_to"] == "implementation");
  CHECK(breach["status"] == "resolved");  // with the ticket
  CHECK(breach["resolved_at"] == kT0 + 1200);
  CHECK(Row(*store, inbox, "c/p1:t/T1/" + pj::Padded(4))["body"] == "note");

  const std::string support = Folded(*store, projections, "support");
  const Json load = Row(*store, support, "l/p1/premium");
  CHECK(load["opened"] == 3);
  CHECK(load["open"] == 1);
  CHECK(load["resolved"] == 2);
  CHECK(load["comments"] == 2);
  CHECK(load["resolution_ms"] == 1200 + 4970);
  CHECK(load["by_priority"]["p2"] == Json{{"opened", 3}, {"open", 1}});
  const Json att = Row(*store, support, "a/p1");
  CHECK(att["first_response"] == Json{{"met", 1}, {"breached", 2}});  // T2 answered in time; T1 not, T3 resolved late
  CHECK(att["resolution"] == Json{{"met", 2}, {"breached", 0}});     // the waits moved T1's and T3's due times on
}
