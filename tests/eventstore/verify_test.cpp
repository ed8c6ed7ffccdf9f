// Tamper evidence: one flipped byte anywhere in an event is named by Verify, and a store whose chain
// is broken refuses to open unless told to, and then says where.
#include <catch2/catch.hpp>

#include "raw_db.hpp"
#include "test_support.hpp"

using namespace keel::eventstore;
using namespace keel::eventstore::test;

namespace {

void Seed(const std::string& dir, int events) {
  auto store = OpenOrDie(dir);
  for (int i = 0; i < events; ++i) {
    REQUIRE(store->Append("t/acme/order/" + std::to_string(i % 3), ExpectedVersion::Any(),
                          {Ev("OrderNoted", "payload-" + std::to_string(i))}));
  }
}

Options NoOpenCheck() {
  Options o;
  o.verify_on_open = VerifyOnOpen::kNone;
  return o;
}

}  // namespace

TEST_CASE("an intact log verifies end to end", "[eventstore][verify]") {
  TempDir dir;
  Seed(dir.str(), 25);
  auto store = OpenOrDie(dir.str());
  auto report = store->Verify().value();
  CHECK(report.ok);
  CHECK(report.checked == 25);
  auto middle = store->Verify(10, 20).value();
  CHECK(middle.ok);
  CHECK(middle.checked == 11);
}

TEST_CASE("one flipped byte in an event's body is named by Verify", "[eventstore][verify]") {
  TempDir dir;
  Seed(dir.str(), 25);
  // Offsets past the 32-byte hash land in the body: a header word, a text field, the payload.
  auto offset = GENERATE(32, 40, 100, 150);
  FlipLogByte(dir.str(), 17, static_cast<std::size_t>(offset));
  auto store = OpenOrDie(dir.str(), NoOpenCheck());
  auto report = store->Verify().value();
  CHECK_FALSE(report.ok);
  CHECK(report.bad_position == 17);
  CHECK(report.checked == 16);
  CHECK_FALSE(report.reason.empty());
  CHECK(store->Verify(1, 16).value().ok);  // everything before it is fine
}

TEST_CASE("a flipped byte in the stored hash is named too", "[eventstore][verify]") {
  TempDir dir;
  Seed(dir.str(), 10);
  FlipLogByte(dir.str(), 4, 5);
  auto store = OpenOrDie(dir.str(), NoOpenCheck());
  auto report = store->Verify().value();
  CHECK_FALSE(report.ok);
  CHECK(report.bad_position == 4);
}

TEST_CASE("a missing event breaks the chain at its position", "[eventstore][verify]") {
  TempDir dir;
  Seed(dir.str(), 10);
  WithRawColumnFamily(dir.str(), "log", [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
    REQUIRE(db.Delete({}, cf, PositionKey(6)).ok());
  });
  auto store = OpenOrDie(dir.str(), NoOpenCheck());
  auto report = store->Verify().value();
  CHECK_FALSE(report.ok);
  CHECK(report.bad_position == 6);
}

TEST_CASE("a store with a broken chain refuses to open unless told to", "[eventstore][verify][recovery]") {
  TempDir dir;
  Seed(dir.str(), 30);
  FlipLogByte(dir.str(), 29, 120);

  auto refused = EventStore::Open(dir.str());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::kCorruption);
  CHECK(refused.error().position == 29);
  CHECK(refused.error().message.find("29") != std::string::npos);

  Options allow;
  allow.allow_broken_chain = true;
  auto store = OpenOrDie(dir.str(), allow);
  REQUIRE(store->broken_chain());
  CHECK(store->broken_chain()->bad_position == 29);
  CHECK(store->HeadPosition() == 30);
}

TEST_CASE("the open-time check covers the tail and a full check reaches the start", "[eventstore][verify][recovery]") {
  TempDir dir;
  Seed(dir.str(), 40);
  FlipLogByte(dir.str(), 3, 100);
  Options tail;
  tail.verify_tail_events = 10;  // position 3 is outside the tail: opens
  CHECK(EventStore::Open(dir.str(), tail));
  Options full;
  full.verify_on_open = VerifyOnOpen::kFull;
  auto refused = EventStore::Open(dir.str(), full);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().position == 3);
}
