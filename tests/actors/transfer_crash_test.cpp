// Crash safety of transfers: a process moving stock between three warehouses is killed with SIGKILL,
// twice. Both sides of a transfer are one atomic append, so afterwards every transfer in the log has
// both its sides, every acknowledged one is there, and the stock adds up to what was received.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "child_process.hpp"
#include "world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;
using keel::eventstore::test::OpenOrDie;
using keel::eventstore::test::TempDir;

TEST_CASE("after SIGKILL during transfers no stock is out of one warehouse and not in the other",
          "[actors][transfer][crash]") {
  TempDir dir;
  std::string printed;
  for (const char* round : {"a", "b"}) {
    auto run = keel::test::RunUntilKilled(KEEL_ACTORS_TRANSFER_CRASH_DRIVER, {dir.str(), round}, [&](const std::string& out) {
      return keel::test::CountOf(out, "moved ") >= 150;
    });
    REQUIRE(run.spawned);
    REQUIRE(run.killed);
    CHECK(run.died_of_sigkill);
    printed += run.output;
  }

  auto store = OpenOrDie(dir.str());
  // Per transfer id: how many times it left a warehouse and entered one, and where the events were.
  std::map<std::string, std::pair<int, int>> sides;
  std::map<std::string, std::uint64_t> out_position;
  std::map<std::string, std::uint64_t> in_position;
  const auto events = store->ReadTenant("acme", 1).value();
  for (const auto& e : events) {
    if (e.type != "TransferredOut" && e.type != "TransferredIn") continue;
    auto decoded = codec::DecodeWarehouse(e.type, e.schema_version, e.payload);
    REQUIRE(decoded);
    if (const auto* o = std::get_if<domain::warehouse::TransferredOut>(&*decoded)) {
      ++sides[o->transfer_id].first;
      out_position[o->transfer_id] = e.position;
    } else {
      const auto& in = std::get<domain::warehouse::TransferredIn>(*decoded);
      ++sides[in.transfer_id].second;
      in_position[in.transfer_id] = e.position;
    }
  }
  REQUIRE(sides.size() >= 300);
  for (const auto& [id, count] : sides) {
    INFO(id);
    CHECK(count == std::pair{1, 1});
    CHECK(in_position[id] == out_position[id] + 1);  // one append: consecutive positions
  }
  std::istringstream lines(printed);
  std::string verb, id;
  while (lines >> verb >> id) CHECK(sides.contains(id));

  Runtime runtime(*store);
  Client client(runtime);
  std::int64_t widgets = 0, bolts = 0;
  for (const char* wh : {"w1", "w2", "w3"}) {
    const auto s = StateOf<domain::warehouse::State>(*client.Get(WarehouseKey("acme", wh)));
    CHECK(domain::warehouse::CheckInvariants(s) == "");
    widgets += s.stock.at("WIDGET").on_hand;
    bolts += s.stock.at("BOLT").on_hand;
  }
  CHECK(widgets == 3 * 400);
  CHECK(bolts == 3 * 200);
}
