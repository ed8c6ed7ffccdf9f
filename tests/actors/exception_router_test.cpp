// Exception routing: failures and latency breaches land in the inbox of the role the workflow rules
// name; recoveries close them; a restarted router neither loses nor repeats one.
#include <catch2/catch.hpp>

#include "actors/exception_router.hpp"
#include "config/loader.hpp"
#include "world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
using keel::eventstore::test::OpenOrDie;
using keel::eventstore::test::TempDir;
namespace t = keel::domain::tenant;

TEST_CASE("integration exceptions are routed to the role the rules name and closed on recovery",
          "[actors][exceptions]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  Runtime runtime(*store);
  Client client(runtime);
  const auto catalog = config::LoadCatalog(config::DefaultDataDir() + "/plans.json").value();
  const auto templates = config::LoadTemplates(config::DefaultDataDir() + "/templates", catalog).value();
  const auto& segment = *templates.Find("regional-distributor", 1);
  REQUIRE(client.Execute(TenantKey("acme"), t::ProvisionTenant{"acme", "p1", "Acme", segment, *catalog.FindPlan("growth"),
                                                               domain::Environment::kProduction, true, true, kT0}));
  REQUIRE(client.Execute(TenantKey("acme"), t::StartOnboarding{kT0}));
  {
    ExceptionRouter router(*store);
    REQUIRE(client.Execute(TenantKey("acme"), t::RecordIntegrationFailure{t::Integration::kEdi, "AS2 certificate expired",
                                                                          segment.workflow, kT0 + 1}));
    REQUIRE(client.Execute(TenantKey("acme"), t::RecordSyncLatency{t::Integration::kEdi, 600000, segment.workflow, kT0 + 2}));
    REQUIRE(router.WaitUntilProcessed(store->HeadPosition(), std::chrono::seconds(10)));
    auto implementation = ExceptionRouter::Open(*store, "acme", "implementation");
    REQUIRE(implementation.size() == 1);
    CHECK(implementation[0].kind == "edi_failure");
    CHECK(implementation[0].detail == "AS2 certificate expired");
    CHECK(implementation[0].at == kT0 + 1);
    auto support = ExceptionRouter::Open(*store, "acme", "partner_support");
    REQUIRE(support.size() == 1);
    CHECK(support[0].kind == "sync_latency");
    CHECK(ExceptionRouter::Open(*store, "acme").size() == 2);
    CHECK(ExceptionRouter::Open(*store, "globex").empty());
  }
  // Restarted from its checkpoint: the recovery closes the EDI failure, nothing is counted twice.
  ExceptionRouter router(*store);
  REQUIRE(client.Execute(TenantKey("acme"), t::RecordIntegrationRecovery{t::Integration::kEdi, kT0 + 3}));
  REQUIRE(router.WaitUntilProcessed(store->HeadPosition(), std::chrono::seconds(10)));
  CHECK(ExceptionRouter::Open(*store, "acme", "implementation").empty());
  CHECK(ExceptionRouter::Open(*store, "acme", "partner_support").size() == 1);  // latency stays until handled
}
