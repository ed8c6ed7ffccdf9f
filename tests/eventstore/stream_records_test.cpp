// Stream records (AppendRequest::records, LookupRecord, SaveRecordsAsync): what an aggregate remembers
// by id for good, written in the same batch as its events or not at all; and a store written before
// records existed, opened for writing and read-only.
#include <catch2/catch.hpp>

#include <future>

#include "fault_fs.hpp"
#include "raw_db.hpp"
#include "test_support.hpp"

using namespace keel::eventstore;
using namespace keel::eventstore::test;

namespace {

AppendRequest WithRecord(const std::string& stream, ExpectedVersion expected, std::string key, std::string value,
                         std::string record_stream = {}) {
  AppendRequest r;
  r.streams.push_back(StreamAppend{stream, expected, {Ev("StockReceived")}});
  r.records.push_back({record_stream.empty() ? stream : record_stream, std::move(key), std::move(value)});
  return r;
}

std::optional<std::string> Lookup(const EventStore& store, const std::string& stream, const std::string& key) {
  auto found = store.LookupRecord(stream, key);
  REQUIRE(found);
  return *found;
}

Result<void> SaveRecords(EventStore& store, std::vector<StreamRecord> records) {
  std::promise<Result<void>> done;
  auto future = done.get_future();
  store.SaveRecordsAsync(std::move(records), [&](Result<void> r) { done.set_value(std::move(r)); });
  return future.get();
}

}  // namespace

TEST_CASE("an append's records are written with its events or not at all", "[eventstore][records]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  const std::string w1 = "t/acme/warehouse/w1";
  CHECK_FALSE(Lookup(*store, w1, "r:1"));

  REQUIRE(store->Append(WithRecord(w1, ExpectedVersion::NoStream(), "r:1", "first")));
  CHECK(Lookup(*store, w1, "r:1") == "first");
  CHECK_FALSE(Lookup(*store, "t/acme/warehouse/w2", "r:1"));  // per stream

  // A later append replaces the value; a refused one (version conflict) writes nothing.
  REQUIRE(store->Append(WithRecord(w1, ExpectedVersion::Exact(1), "r:1", "second")));
  CHECK(Lookup(*store, w1, "r:1") == "second");
  auto conflict = store->Append(WithRecord(w1, ExpectedVersion::Exact(1), "r:1", "stale"));
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().code == Errc::kVersionConflict);
  CHECK(Lookup(*store, w1, "r:1") == "second");

  // A duplicate (the same idempotency key) writes none of its records.
  auto keyed = WithRecord(w1, ExpectedVersion::Any(), "r:2", "kept");
  keyed.idempotency_key = "k1";
  REQUIRE(store->Append(keyed));
  keyed.records[0].value = "not written";
  auto again = store->Append(keyed);
  REQUIRE(again);
  CHECK(again->duplicate);
  CHECK(Lookup(*store, w1, "r:2") == "kept");
  const auto head = store->HeadPosition();

  // Bad records are refused with the append, naming the stream; nothing of it is written.
  auto other = store->Append(WithRecord(w1, ExpectedVersion::Any(), "r:3", "x", "t/acme/warehouse/w2"));
  REQUIRE_FALSE(other);
  CHECK(other.error().code == Errc::kInvalidArgument);
  CHECK(other.error().stream == "t/acme/warehouse/w2");
  for (const std::string& bad : {std::string(), std::string("a\0b", 3), std::string(513, 'k')}) {
    auto refused = store->Append(WithRecord(w1, ExpectedVersion::Any(), bad, "x"));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::kInvalidArgument);
  }
  CHECK(store->HeadPosition() == head);
  CHECK_FALSE(Lookup(*store, w1, "r:3"));
  CHECK(Lookup(*store, w1, std::string(512, 'k')) == std::nullopt);  // the longest key is fine to ask for
  REQUIRE(store->Append(WithRecord(w1, ExpectedVersion::Any(), std::string(512, 'k'), "long")));
  CHECK(Lookup(*store, w1, std::string(512, 'k')) == "long");
}

TEST_CASE("records survive a reopen, and a backfill writes records without events", "[eventstore][records]") {
  TempDir dir;
  const std::string w1 = "t/acme/warehouse/w1";
  {
    auto store = OpenOrDie(dir.str());
    REQUIRE(store->Append(WithRecord(w1, ExpectedVersion::NoStream(), "r:1", "one")));
    const auto head = store->HeadPosition();
    REQUIRE(SaveRecords(*store, {{w1, "r:0", "zero"}, {w1, "!mark", "1"}}));
    CHECK(store->HeadPosition() == head);  // no event
    auto bad = SaveRecords(*store, {{w1, "r:9", "x"}, {"not a stream", "r:9", "x"}});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == Errc::kInvalidArgument);
    CHECK_FALSE(Lookup(*store, w1, "r:9"));  // all or nothing
  }
  auto store = OpenOrDie(dir.str());
  CHECK(Lookup(*store, w1, "r:1") == "one");
  CHECK(Lookup(*store, w1, "r:0") == "zero");
  CHECK(Lookup(*store, w1, "!mark") == "1");
}

TEST_CASE("a store written before stream records opens for writing and read-only", "[eventstore][records]") {
  TempDir dir;
  const std::string w1 = "t/acme/warehouse/w1";
  auto drop_records = [&] {
    WithRawColumnFamily(dir.str(), "stream_records", [](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
      REQUIRE(db.DropColumnFamily(cf).ok());
    });
  };
  {
    auto store = OpenOrDie(dir.str());
    REQUIRE(store->Append(w1, ExpectedVersion::NoStream(), {Ev("WarehouseCreated")}));
  }
  drop_records();
  {
    // Read-only (the disk is full): the family cannot be created; lookups find nothing, reads go on.
    auto switches = std::make_shared<FaultSwitches>();
    switches->disk_full = true;
    Options options;
    options.env = MakeFaultEnv(switches);
    auto opened = EventStore::Open(dir.str(), options);
    REQUIRE(opened);
    CHECK((*opened)->open_report().read_only);
    CHECK_FALSE(Lookup(**opened, w1, "r:1"));
    CHECK((*opened)->ReadStream(w1, 1).value().size() == 1);
  }
  // For writing: the family is created, and records are written from then on.
  auto store = OpenOrDie(dir.str());
  CHECK_FALSE(Lookup(*store, w1, "r:1"));
  REQUIRE(store->Append(WithRecord(w1, ExpectedVersion::Exact(1), "r:1", "one")));
  CHECK(Lookup(*store, w1, "r:1") == "one");
}
