// Helpers for actor tests: commands that build a small tenant world, and typed accessors.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <thread>

#include "actors/runtime.hpp"
#include "test_support.hpp"

namespace keel::actors::test {

constexpr domain::Timestamp kT0 = 1'700'000'000'000;
inline const domain::warehouse::CatalogView kWarehouseCatalog{{"WIDGET", {false}}, {"BOLT", {false}}};
inline const domain::order::CatalogView kOrderCatalog{{"WIDGET", {"hardware"}}, {"BOLT", {"hardware"}}};

inline domain::warehouse::Command CreateWarehouse(const std::string& tenant, const std::string& id) {
  return domain::warehouse::CreateWarehouse{id, tenant, "Main " + id, "EUR", false, false, kT0};
}

inline domain::warehouse::Command Receive(const std::string& receipt, std::int64_t widgets, std::int64_t bolts = 0) {
  std::vector<domain::warehouse::ReceiptLine> lines{{"WIDGET", widgets, 100, "", 0}};
  if (bolts > 0) lines.push_back({"BOLT", bolts, 10, "", 0});
  return domain::warehouse::ReceiveStock{receipt, lines, kWarehouseCatalog, kT0};
}

inline domain::order::Command PlaceOrder(const std::string& tenant, const std::string& id,
                                         std::vector<domain::order::LineInput> lines) {
  // Placed by "key:test", which may give unit prices (advanced_pricing and a permitted role).
  return domain::order::PlaceOrder{id, tenant, "cust-1", "EUR", domain::order::Channel::kDirect, std::move(lines),
                                   kOrderCatalog, {}, {}, 0, kT0, "key:test",
                                   domain::order::PriceOverrides{true, "system", {"system"}}, 0, 0};
}

// A synced store in a fresh directory, a runtime and a client, with warehouse acme/w1 created.
struct OneWarehouse {
  eventstore::test::TempDir dir;
  std::unique_ptr<eventstore::EventStore> store = eventstore::test::OpenOrDie(dir.str());
  Runtime runtime{*store};
  Client client{runtime};
  const EntityKey key = WarehouseKey("acme", "w1");
  OneWarehouse() { REQUIRE(client.Execute(key, CreateWarehouse("acme", "w1"))); }
};

template <class State>
State StateOf(const Snapshot& s) {
  return s.As<State>();
}

// Polls `done` for at most `limit`.
template <class F>
bool Eventually(F done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

}  // namespace keel::actors::test
