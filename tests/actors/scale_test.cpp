// Scale: 1,000 tenants, each with two warehouses and orders, fulfilled through real actors over one
// store in a single run (buffered durability: the property here is correctness at scale, not fsync).
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "actors/fulfilment.hpp"
#include "world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
using keel::eventstore::test::OpenOrDie;
using keel::eventstore::test::TempDir;

TEST_CASE("1,000 tenants with warehouses and orders in one run", "[actors][scale]") {
  TempDir dir;
  eventstore::Options options;
  options.durability = eventstore::Durability::kBuffered;
  auto store = OpenOrDie(dir.str(), options);
  RuntimeConfig config;
  config.idle_timeout = std::chrono::milliseconds(200);
  config.max_live_actors = 2'000;  // far fewer than the 6,000+ entities: eviction is exercised
  Runtime runtime(*store, config);
  auto fulfilment = StartFulfilment(*store, runtime);

  constexpr int kTenants = 1000;
  constexpr int kThreads = 8;
  std::atomic<int> next{0}, failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      Client client(runtime);
      for (int i = next++; i < kTenants; i = next++) {
        const std::string tenant = "tenant" + std::to_string(i);
        if (!BuildTenant(client, tenant, 2, 5, 5).empty()) {
          ++failures;
          continue;
        }
        for (int o = 0; o < 2; ++o) {
          const std::string id = "o" + std::to_string(o);
          if (!client.Execute(OrderKey(tenant, id), PlaceOrder(tenant, id, {{1, "WIDGET", 4, 100}, {2, "BOLT", 3, 10}}))) {
            ++failures;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(failures.load() == 0);
  REQUIRE(fulfilment->WaitUntilProcessed(store->HeadPosition(), std::chrono::seconds(120)));
  fulfilment->Stop();

  Client client(runtime);
  int reserved = 0;
  for (int i = 0; i < kTenants; i += 37) {  // a sample, read back through (re)activated actors
    const std::string tenant = "tenant" + std::to_string(i);
    CHECK(CheckReservations(client, tenant, 2, {"o0", "o1"}) == "");
    for (const char* id : {"o0", "o1"}) {
      if (StateOf<domain::order::State>(*client.Get(OrderKey(tenant, id))).status == domain::order::Status::kReserved) ++reserved;
    }
  }
  CHECK(reserved == 2 * ((kTenants + 36) / 37));  // 10 widgets and 10 bolts per tenant cover both orders
  const auto stats = runtime.Stats();
  CHECK(stats.live_actors <= config.max_live_actors);
  CHECK(stats.activations >= 6 * kTenants);
}
