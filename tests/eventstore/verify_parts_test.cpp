// Verify over a long log (walked in parts on several threads): a flipped byte and a deleted event in
// any part are found at their position with their stream; a whole log checks out with every event
// counted; a secondary instance beside the open store reads the same; progress can stop the walk.
#include <catch2/catch.hpp>

#include "raw_db.hpp"
#include "test_support.hpp"

using namespace keel::eventstore;
using keel::eventstore::test::TempDir;

namespace {

// 150,000 events over 300 streams of two tenants, 500 per append (a fill: buffered).
std::uint64_t Fill(const std::string& dir) {
  Options o;
  o.durability = Durability::kBuffered;
  auto store = test::OpenOrDie(dir, o);
  for (int i = 0; i < 300; ++i) {
    std::vector<EventData> events;
    for (int k = 0; k < 500; ++k) events.push_back(test::Ev("Filled", std::string(120, char('a' + k % 26))));
    REQUIRE(store->Append("t/tenant" + std::to_string(i % 2) + "/thing/" + std::to_string(i), ExpectedVersion::NoStream(),
                          std::move(events)));
  }
  return store->HeadPosition();
}

}  // namespace

TEST_CASE("a long log verifies in parts and the first bad event of any part is found", "[eventstore][verify]") {
  TempDir dir;
  const std::uint64_t head = Fill(dir.str());
  REQUIRE(head == 150'000);
  {
    auto store = test::OpenOrDie(dir.str());
    auto whole = store->Verify();
    REQUIRE(whole);
    CHECK(whole->ok);
    CHECK(whole->checked == head);
    // A secondary instance beside it reads the same log.
    TempDir scratch;
    Options o;
    o.access = Access::kSecondary;
    o.secondary_dir = scratch.str();
    o.create_if_missing = false;
    auto reader = EventStore::Open(dir.str(), o);
    REQUIRE(reader);
    CHECK((*reader)->HeadPosition() == head);
    CHECK((*reader)->Verify().value().checked == head);
    CHECK((*reader)->Append("t/tenant0/thing/x", ExpectedVersion::Any(), {test::Ev("No")}).error().code == Errc::kFailStopped);
    // Progress that says stop (asked every 10 ms while the parts walk, which takes ~100 ms here): the
    // walk ends early, and what it reports checked is a prefix that holds.
    auto stopped = store->Verify(1, 0, [](std::uint64_t, std::uint64_t) { return false; });
    REQUIRE(stopped);
    CHECK(stopped->ok);
    CHECK(stopped->stopped);
    CHECK(stopped->checked < head);
  }
  SECTION("a flipped byte late in the log (the last part)") {
    test::FlipLogByte(dir.str(), 140'001, 50);
    auto report = test::OpenOrDie(dir.str(), [] { Options o; o.verify_on_open = VerifyOnOpen::kNone; return o; }())->Verify();
    REQUIRE(report);
    CHECK_FALSE(report->ok);
    CHECK(report->bad_position == 140'001);
    CHECK(report->stream == "t/tenant0/thing/280");  // events 140,001..140,500 are stream 280's
  }
  SECTION("a deleted event early and a flipped byte late: the first one is reported") {
    test::WithRawColumnFamily(dir.str(), "log", [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
      REQUIRE(db.Delete({}, cf, test::PositionKey(20'000)).ok());
    });
    test::FlipLogByte(dir.str(), 149'000, 50);
    auto report = test::OpenOrDie(dir.str(), [] { Options o; o.verify_on_open = VerifyOnOpen::kNone; return o; }())->Verify();
    REQUIRE(report);
    CHECK_FALSE(report->ok);
    CHECK(report->bad_position == 20'000);
    CHECK(report->stream == "t/tenant1/thing/39");
    CHECK(report->reason.find("missing") != std::string::npos);
  }
}
