// `keel verify`: a clean log checks out beside a running server; a flipped byte, a deleted event in
// the middle and a deleted last event are each found at their position, with their stream (exit 1).
#include <rocksdb/metadata.h>

#include <fstream>

#include "raw_db.hpp"
#include "tools_world.hpp"

using keel::test::Json;
using keel::test::Keel;

namespace {

void DeleteLogEntry(const std::string& dir, std::uint64_t position, std::string* saved) {
  keel::eventstore::test::WithRawColumnFamily(dir, "log", [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
    REQUIRE(db.Get({}, cf, keel::eventstore::test::PositionKey(position), saved).ok());
    rocksdb::WriteOptions wo;
    wo.sync = true;
    REQUIRE(db.Delete(wo, cf, keel::eventstore::test::PositionKey(position)).ok());
  });
}

void PutLogEntry(const std::string& dir, std::uint64_t position, const std::string& value) {
  keel::eventstore::test::WithRawColumnFamily(dir, "log", [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    REQUIRE(db.Put(wo, cf, keel::eventstore::test::PositionKey(position), value).ok());
  });
}

Json FirstBad(const std::string& dir) {
  auto run = Keel({"verify", "--data", dir, "--json"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  auto j = keel::test::JsonOut(run);
  CHECK(j["ok"] == false);
  return j["first_bad"];
}

}  // namespace

TEST_CASE("keel verify finds a flipped byte and deleted events at their position and stream", "[tools][verify]") {
  keel::test::DemoWorld demo;
  const std::string dir = demo.data();
  // Clean, read beside the running node.
  const std::uint64_t running_head = demo.w.node->store().HeadPosition();
  auto clean = Keel({"verify", "--data", dir, "--json"});
  INFO(clean.err);
  REQUIRE(clean.exit_code == 0);
  CHECK(keel::test::JsonOut(clean)["checked"].get<std::uint64_t>() >= running_head);
  demo.w.node.reset();

  std::uint64_t head = 0, p = 0, q = 0;
  std::string stream_p, stream_q, stream_head;
  {
    auto store = keel::eventstore::EventStore::Open(dir);
    REQUIRE(store.has_value());
    head = (*store)->HeadPosition();
    REQUIRE(head > 20);
    p = head / 2;
    q = head / 3;
    stream_p = (*store)->ReadAll(p, 1).value().front().stream;
    stream_q = (*store)->ReadAll(q, 1).value().front().stream;
    stream_head = (*store)->ReadAll(head, 1).value().front().stream;
  }
  auto text = Keel({"verify", "--data", dir, "--quiet"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.starts_with("ok: " + std::to_string(head) + " events"));

  SECTION("a flipped byte") {
    keel::eventstore::test::FlipLogByte(dir, p, 40);
    auto bad = FirstBad(dir);
    CHECK(bad["position"] == p);
    CHECK(bad["stream"] == stream_p);
    auto readable = Keel({"verify", "--data", dir, "--quiet"});
    CHECK(readable.exit_code == 1);
    CHECK(readable.out.find("FAILED at position " + std::to_string(p) + " (stream " + stream_p + ")") != std::string::npos);
    // A range that ends before it checks out.
    CHECK(Keel({"verify", "--data", dir, "--to", std::to_string(p - 1), "--quiet"}).exit_code == 0);
    keel::eventstore::test::FlipLogByte(dir, p, 40);  // flipped back
    CHECK(Keel({"verify", "--data", dir, "--quiet"}).exit_code == 0);
  }
  SECTION("a deleted event in the middle") {
    std::string saved;
    DeleteLogEntry(dir, q, &saved);
    auto bad = FirstBad(dir);
    CHECK(bad["position"] == q);
    CHECK(bad["stream"] == stream_q);
    CHECK(bad["reason"].get<std::string>().find("missing") != std::string::npos);
    PutLogEntry(dir, q, saved);
    CHECK(Keel({"verify", "--data", dir, "--quiet"}).exit_code == 0);
  }
  SECTION("damage in the stream index's table file is a failed check too") {
    std::string file;
    keel::eventstore::test::WithRawColumnFamily(dir, "stream_index", [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
      REQUIRE(db.Flush(rocksdb::FlushOptions(), cf).ok());
      rocksdb::ColumnFamilyMetaData meta;
      db.GetColumnFamilyMetaData(cf, &meta);
      for (const auto& level : meta.levels)
        for (const auto& f : level.files) file = f.db_path + "/" + f.name;
    });
    REQUIRE_FALSE(file.empty());
    {
      std::fstream sst(file, std::ios::in | std::ios::out | std::ios::binary);
      sst.seekg(0, std::ios::end);
      const auto size = static_cast<std::streamoff>(sst.tellg());
      sst.seekg(size / 4);
      char byte = 0;
      sst.read(&byte, 1);
      byte ^= 0x10;
      sst.seekp(size / 4);
      sst.write(&byte, 1);
    }
    auto run = Keel({"verify", "--data", dir, "--quiet"});
    INFO(run.out << run.err);
    CHECK(run.exit_code == 1);
    CHECK(run.out.find("stream index's files are damaged") != std::string::npos);
  }
  SECTION("the last event deleted (a truncated log)") {
    std::string saved;
    DeleteLogEntry(dir, head, &saved);
    auto bad = FirstBad(dir);
    CHECK(bad["position"] == head);
    CHECK(bad["stream"] == stream_head);
    CHECK(bad["reason"].get<std::string>().find("missing") != std::string::npos);
  }
}
