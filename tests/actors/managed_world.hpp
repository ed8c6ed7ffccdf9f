// A test world with process managers running: store, runtime, client and managers, torn down in
// the right order, and Settle() to wait until the managers are quiet. Needs Catch2 (tests only).
#pragma once

#include <catch2/catch.hpp>

#include "actors/process_manager.hpp"
#include "codec/codec.hpp"
#include "world.hpp"

namespace keel::actors::test {

// A store, a runtime and the process managers a test starts, for tenant "acme". Members are
// destroyed in reverse: managers stop first, then the client, the runtime and the store.
struct ManagedWorld {
  eventstore::test::TempDir dir;
  std::unique_ptr<eventstore::EventStore> store = eventstore::test::OpenOrDie(dir.str());
  Runtime runtime{*store};
  Client client{runtime};
  std::vector<std::unique_ptr<ProcessManager>> managers;

  // Waits until every manager has handled the log up to its head, again while they keep appending.
  void Settle() {
    for (int round = 0; round < 5; ++round) {
      const auto head = store->HeadPosition();
      for (auto& m : managers) REQUIRE(m->WaitUntilProcessed(head, std::chrono::seconds(20)));
      if (store->HeadPosition() == head) return;
    }
  }
  domain::warehouse::State Warehouse(const std::string& id) {
    return StateOf<domain::warehouse::State>(*client.Get(WarehouseKey("acme", id)));
  }
  // The warehouse folded from its whole stream, ledger and all (the live state holds no ledger).
  domain::warehouse::State WarehouseFromLog(const std::string& id) {
    domain::warehouse::State s;
    auto events = store->ReadStream(StreamOf(WarehouseKey("acme", id)), 1);
    REQUIRE(events);
    for (const auto& r : *events) {
      auto e = codec::DecodeWarehouse(r.type, r.schema_version, r.payload);
      REQUIRE(e);
      domain::warehouse::Apply(s, *e);
    }
    return s;
  }
  domain::order::State Order(const std::string& id) {
    return StateOf<domain::order::State>(*client.Get(OrderKey("acme", id)));
  }
};

}  // namespace keel::actors::test
