// Crash safety of fulfilment: a process placing and cancelling orders while the fulfilment process
// manager reserves stock is killed with SIGKILL, twice; after a restart every order ends with
// reservations equal to its allocations and no reservation is left without an order holding it.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>

#include "actors/fulfilment.hpp"
#include "child_process.hpp"
#include "world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
using keel::eventstore::test::OpenOrDie;
using keel::eventstore::test::TempDir;

namespace {

// Runs the driver until it has acknowledged `min_placed` orders, kills it, returns what it printed.
std::string RunAndKill(const std::string& dir, const std::string& round, std::size_t min_placed) {
  auto run = keel::test::RunUntilKilled(KEEL_ACTORS_CRASH_DRIVER, {dir, round}, [&](const std::string& out) {
    return keel::test::CountOf(out, "placed ") >= min_placed;  // mid-fulfilment: orders being reserved
  });
  REQUIRE(run.spawned);
  REQUIRE(run.killed);
  CHECK(run.died_of_sigkill);
  return run.output;
}

}  // namespace

TEST_CASE("after SIGKILL during fulfilment every order's reservations equal its allocations",
          "[actors][fulfilment][crash]") {
  TempDir dir;
  std::string printed = RunAndKill(dir.str(), "a", 120);
  printed += RunAndKill(dir.str(), "b", 120);

  auto store = OpenOrDie(dir.str());
  Runtime runtime(*store);
  auto fulfilment = StartFulfilment(*store, runtime);  // resumes from its checkpoint
  REQUIRE(fulfilment->WaitUntilProcessed(store->HeadPosition(), std::chrono::seconds(60)));
  fulfilment->Stop();

  // Every order in the log (acknowledged or not), and every acknowledged one is among them.
  std::set<std::string> orders;
  const auto tenant_events = store->ReadTenant("acme", 1).value();
  INFO("tenant events: " << tenant_events.size() << ", head " << store->HeadPosition());
  for (const auto& e : tenant_events) {
    if (e.type == "OrderPlaced") orders.insert(e.stream.substr(std::string("t/acme/order/").size()));
  }
  std::istringstream lines(printed);
  std::string verb, id;
  int acknowledged = 0;
  while (lines >> verb >> id) {
    if (verb == "placed") {
      ++acknowledged;
      CHECK(orders.contains(id));
    }
  }
  CHECK(acknowledged >= 240);
  REQUIRE(orders.size() >= static_cast<std::size_t>(acknowledged));

  Client client(runtime);
  const std::vector<std::string> all(orders.begin(), orders.end());
  const std::string broken = CheckReservations(client, "acme", 3, all);
  CHECK(broken == "");
  int allocated = 0, cancelled = 0;
  for (const auto& o : all) {
    const auto s = StateOf<domain::order::State>(*client.Get(OrderKey("acme", o)));
    CHECK(s.status != domain::order::Status::kPlaced);  // each placed order was handled
    if (!s.allocations.empty()) ++allocated;
    if (s.status == domain::order::Status::kCancelled) ++cancelled;
  }
  CHECK(allocated > 0);
  CHECK(cancelled > 0);
  // Stock is conserved: nothing shipped, so on hand is what was received.
  std::int64_t on_hand = 0;
  for (const char* wh : {"w1", "w2", "w3"}) {
    on_hand += StateOf<domain::warehouse::State>(*client.Get(WarehouseKey("acme", wh))).stock.at("WIDGET").on_hand;
  }
  CHECK(on_hand == 3 * 400);
}
