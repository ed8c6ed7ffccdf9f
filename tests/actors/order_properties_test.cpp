// Cross-aggregate properties over random command sequences run through the actor runtime with the
// fulfilment process running (bounded in count and time): once the process is quiet, every order's
// allocations equal the reservations its warehouses hold for it, and per line
// shipped <= allocated <= ordered - cancelled; every warehouse keeps its own invariants.
#include <catch2/catch.hpp>

#include <random>
#include <thread>

#include "actors/fulfilment.hpp"
#include "codec/codec.hpp"
#include "managed_world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
namespace w = keel::domain::warehouse;
namespace o = keel::domain::order;

namespace {

constexpr int kWarehouses = 2;

struct World : ManagedWorld {
  World() { managers.push_back(StartFulfilment(*store, runtime)); }
};

// Runs `steps` random commands (or until `budget` passes); returns the orders placed.
std::vector<std::string> RandomRun(World& world, std::uint32_t seed, int steps, std::chrono::seconds budget,
                                   const std::string& prefix = "o") {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const char* skus[] = {"WIDGET", "BOLT"};
  std::vector<std::string> orders;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  for (int step = 0; step < steps && std::chrono::steady_clock::now() < deadline; ++step) {
    const std::string wh = "w" + std::to_string(1 + pick(kWarehouses));
    const std::string order = orders.empty() ? "" : orders[static_cast<std::size_t>(pick(static_cast<int>(orders.size())))];
    const auto key = OrderKey("acme", order);
    switch (orders.empty() ? 0 : pick(9)) {
      case 0:
      case 1: {
        const std::string id = prefix + std::to_string(orders.size());
        std::vector<o::LineInput> lines{{1, skus[pick(2)], 1 + pick(6), 100}};
        if (pick(2) == 0) lines.push_back({2, skus[pick(2)], 1 + pick(6), 100});
        if (world.client.Execute(OrderKey("acme", id), PlaceOrder("acme", id, lines))) orders.push_back(id);
        break;
      }
      case 2:
        (void)world.client.Execute(WarehouseKey("acme", wh),
                                   Receive(prefix + "r" + std::to_string(step), 1 + pick(5), 1 + pick(5)));
        break;
      case 3:
        (void)world.client.Execute(WarehouseKey("acme", wh),
                                   w::AdjustStock{skus[pick(2)], 1 + pick(3), "count", "", 0, kWarehouseCatalog, kT0});
        break;
      case 4: (void)world.client.Execute(key, o::CancelOrder{"random", kT0}); break;
      case 5: (void)world.client.Execute(key, o::CancelLineRemainder{static_cast<std::uint32_t>(1 + pick(2)), "random", kT0}); break;
      case 6: (void)world.client.Execute(key, o::PickOrder{kT0}); break;
      case 7: {
        auto s = world.client.Get(key);
        if (s && !s->As<o::State>().allocations.empty()) {
          (void)world.client.Execute(key, o::ShipOrder{s->As<o::State>().allocations.front().warehouse, "T", kT0});
        }
        break;
      }
      case 8: (void)world.client.Execute(key, o::DeliverOrder{kT0}); break;
    }
  }
  return orders;
}

// The log's events about `order` (its own stream, and warehouse events that name it), one per line:
// what a failure needs to be understood.
std::string History(World& world, const std::string& order) {
  std::string out;
  auto all = world.store->ReadAll(1, 1'000'000);
  if (!all) return "(log unreadable)";
  for (const auto& e : *all) {
    std::string text;
    if (e.stream == "t/acme/order/" + order) {
      auto d = codec::DecodeOrder(e.type, e.schema_version, e.payload);
      text = d ? codec::Describe(*d) : e.type;
    } else if (e.stream.starts_with("t/acme/warehouse/")) {
      auto d = codec::DecodeWarehouse(e.type, e.schema_version, e.payload);
      if (!d) continue;
      text = codec::Describe(*d);
      if (text.find("\"" + order + "\"") == std::string::npos && text.find("=" + order + ",") == std::string::npos &&
          text.find("=" + order + "}") == std::string::npos)
        continue;
    } else {
      continue;
    }
    out += std::to_string(e.position) + " " + e.stream + " [" + e.principal + "] " + text + "\n";
  }
  return out;
}

// The cross-aggregate invariants once the process is quiet: allocations equal reservations, per line
// shipped <= allocated <= ordered - cancelled, every warehouse's own invariants, and no line waits for
// stock that sits available in a warehouse of its tenant (a backorder that missed an arrival).
void CheckQuiet(World& world, const std::vector<std::string>& orders) {
  const std::string problem = CheckReservations(world.client, "acme", kWarehouses, orders);
  if (!problem.empty()) {
    const auto from = problem.find("order ") + 6;
    UNSCOPED_INFO(History(world, problem.substr(from, problem.find(' ', from) - from)));
  }
  CHECK(problem == "");
  std::vector<w::State> warehouses;
  for (int i = 1; i <= kWarehouses; ++i) warehouses.push_back(world.Warehouse("w" + std::to_string(i)));
  for (const auto& wh : warehouses) CHECK(w::CheckInvariants(wh) == "");
  for (const auto& id : orders) {
    const auto s = world.Order(id);
    const bool waits = s.status == o::Status::kBackordered || s.status == o::Status::kPicked ||
                       s.status == o::Status::kPartiallyShipped;
    for (const auto& [no, line] : s.lines) {
      INFO("order " << id << " line " << no);
      CHECK(line.shipped <= line.allocated);
      CHECK(line.allocated <= line.qty - line.cancelled);
      if (!waits || line.open() <= 0) continue;
      for (const auto& wh : warehouses) {
        INFO("waits for " << line.sku << " while " << wh.id << " has some");
        if (w::AvailableAt(wh, line.sku, kT0) > 0) UNSCOPED_INFO(History(world, id));
        CHECK(w::AvailableAt(wh, line.sku, kT0) == 0);
      }
    }
  }
}

}  // namespace

TEST_CASE("random command sequences from several clients at once keep the invariants and leave no backorder "
          "waiting beside available stock",
          "[actors][fulfilment][property]") {
  for (std::uint32_t seed : {11u, 12u}) {
    World world;
    REQUIRE(BuildTenant(world.client, "acme", kWarehouses, 3, 2).empty());
    constexpr int kClients = 4;
    std::vector<std::vector<std::string>> placed(kClients);
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        placed[static_cast<std::size_t>(c)] =
            RandomRun(world, seed * 100 + static_cast<std::uint32_t>(c), 150, std::chrono::seconds(15), "c" + std::to_string(c) + "o");
      });
    }
    for (auto& t : clients) t.join();
    world.Settle();
    std::vector<std::string> orders;
    for (const auto& p : placed) orders.insert(orders.end(), p.begin(), p.end());
    INFO("seed " << seed << ", " << orders.size() << " orders");
    CheckQuiet(world, orders);
    // Orders placed side by side are each metered once on their tenant (metering keeps log order).
    std::size_t existing = 0;
    for (const auto& id : orders) existing += world.client.Get(OrderKey("acme", id))->version > 0 ? 1 : 0;
    CHECK(static_cast<std::size_t>(StateOf<keel::domain::tenant::State>(*world.client.Get(TenantKey("acme"))).period_orders) == existing);
  }
}

TEST_CASE("random command sequences keep allocations equal to reservations and shipped <= allocated <= ordered - cancelled",
          "[actors][fulfilment][property]") {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    World world;
    REQUIRE(BuildTenant(world.client, "acme", kWarehouses, 3, 2).empty());
    const auto orders = RandomRun(world, seed, 300, std::chrono::seconds(20));
    world.Settle();
    INFO("seed " << seed << ", " << orders.size() << " orders");
    CheckQuiet(world, orders);
  }
}
