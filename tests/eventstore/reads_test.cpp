// Reads: a stream from a version, the global log from a position, one tenant's events, and the
// guarantee that reading one tenant never returns another's.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace keel::eventstore;
using namespace keel::eventstore::test;

namespace {

void Seed(EventStore& store) {
  // acme and acme2 share a name prefix on purpose; so do streams order/1 and order/10.
  REQUIRE(store.Append("t/acme/order/1", ExpectedVersion::Any(), {Ev("A1"), Ev("A2"), Ev("A3")}));
  REQUIRE(store.Append("t/acme2/order/1", ExpectedVersion::Any(), {Ev("B1")}));
  REQUIRE(store.Append("t/acme/order/10", ExpectedVersion::Any(), {Ev("C1")}));
  REQUIRE(store.Append("t/globex/order/1", ExpectedVersion::Any(), {Ev("D1"), Ev("D2")}));
  REQUIRE(store.Append("t/acme/order/1", ExpectedVersion::Any(), {Ev("A4")}));
}

std::vector<std::string> Types(const std::vector<RecordedEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.type);
  return out;
}

}  // namespace

TEST_CASE("a stream reads forward from a version", "[eventstore][reads]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  Seed(*store);
  CHECK(Types(store->ReadStream("t/acme/order/1", 1).value()) ==
        std::vector<std::string>{"A1", "A2", "A3", "A4"});
  CHECK(Types(store->ReadStream("t/acme/order/1", 3).value()) == std::vector<std::string>{"A3", "A4"});
  CHECK(Types(store->ReadStream("t/acme/order/1", 2, 2).value()) == std::vector<std::string>{"A2", "A3"});
  CHECK(store->ReadStream("t/acme/order/1", 5).value().empty());
  CHECK(Types(store->ReadStream("t/acme/order/10", 1).value()) == std::vector<std::string>{"C1"});
  CHECK(store->ReadStream("t/acme/order/404", 1).value().empty());
  CHECK(store->ReadStream("bogus", 1).error().code == Errc::kInvalidArgument);

  std::vector<std::string> seen;
  auto n = store->ScanStream("t/acme/order/1", 2, 10, [&](const EventView& v) {
    seen.push_back(std::string(v.type) + "@" + std::to_string(v.version) + "/" + std::to_string(v.position) +
                   (v.principal.empty() && v.stream.empty() ? " light" : " full"));
    return true;
  }, EventStore::Fields::kPayloadOnly);
  CHECK(n.value() == 3);
  CHECK(seen == std::vector<std::string>{"A2@2/2 light", "A3@3/3 light", "A4@4/8 light"});
  CHECK(store->ScanStream("t/acme/order/1", 4, 1, [](const EventView& v) { return v.stream == "t/acme/order/1"; }).value() == 1);
}

TEST_CASE("the global log reads forward from a position", "[eventstore][reads]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  Seed(*store);
  CHECK(store->HeadPosition() == 8);
  CHECK(Types(store->ReadAll(1).value()) ==
        std::vector<std::string>{"A1", "A2", "A3", "B1", "C1", "D1", "D2", "A4"});
  CHECK(Types(store->ReadAll(6, 2).value()) == std::vector<std::string>{"D1", "D2"});
  CHECK(store->ReadAll(9).value().empty());
  std::uint64_t seen = 0;
  auto n = store->ScanAll(1, 100, [&](const EventView& v) {
    ++seen;
    return v.position < 3;  // stop after the third
  });
  CHECK(n.value() == 3);
  CHECK(seen == 3);
}

TEST_CASE("reading one tenant never returns another's events", "[eventstore][reads][tenant]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  Seed(*store);
  auto acme = store->ReadTenant("acme", 1).value();
  CHECK(Types(acme) == std::vector<std::string>{"A1", "A2", "A3", "C1", "A4"});
  for (const auto& e : acme) CHECK(e.tenant == "acme");
  std::vector<std::uint64_t> positions;
  for (const auto& e : acme) positions.push_back(e.position);
  CHECK(positions == std::vector<std::uint64_t>{1, 2, 3, 5, 8});
  CHECK(Types(store->ReadTenant("acme", 4).value()) == std::vector<std::string>{"C1", "A4"});
  // From inside an append's range, and cut off inside one.
  CHECK(Types(store->ReadTenant("acme", 2).value()) == std::vector<std::string>{"A2", "A3", "C1", "A4"});
  CHECK(Types(store->ReadTenant("acme", 2, 1).value()) == std::vector<std::string>{"A2"});
  CHECK(Types(store->ReadTenant("acme2", 1).value()) == std::vector<std::string>{"B1"});
  CHECK(Types(store->ReadTenant("globex", 1, 1).value()) == std::vector<std::string>{"D1"});
  CHECK(store->ReadTenant("initech", 1).value().empty());
  CHECK(store->ReadTenant("", 1).error().code == Errc::kInvalidArgument);
  CHECK(store->ReadTenant("ac/me", 1).error().code == Errc::kInvalidArgument);
  CHECK(store->ListTenants().value() == std::vector<std::string>{"acme", "acme2", "globex"});
}

TEST_CASE("heads and versions and the chain tail survive a reopen", "[eventstore][reads][recovery]") {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.str());
    Seed(*store);
  }
  auto store = OpenOrDie(dir.str());
  CHECK(store->HeadPosition() == 8);
  CHECK(store->StreamVersion("t/acme/order/1").value() == 4);
  auto next = store->Append("t/acme/order/1", ExpectedVersion::Exact(4), {Ev("A5")});
  REQUIRE(next);
  CHECK(next->first_position == 9);
  auto tail = store->ReadAll(8).value();
  REQUIRE(tail.size() == 2);
  CHECK(tail[1].prev_hash == tail[0].hash);  // the chain continues across the restart
  auto report = store->Verify().value();
  CHECK(report.ok);
  CHECK(report.checked == 9);
}
