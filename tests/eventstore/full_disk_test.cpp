// A full disk (fault_fs.hpp plays it: every write and sync fails with ENOSPC, the free space reads 0):
// the store refuses writes and keeps serving reads, never aborts, and takes writes again once the disk
// has room, with nothing acknowledged lost and nothing half-written; a store opened on a full disk
// opens read-only and does the same; RocksDB's info log stays capped.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "fault_fs.hpp"
#include "info_log.hpp"
#include "test_support.hpp"

using namespace keel::eventstore;
using namespace keel::eventstore::test;

namespace {

Options FullDiskOptions(const std::shared_ptr<FaultSwitches>& switches) {
  Options o;
  o.env = MakeFaultEnv(switches);
  o.recovery_interval = std::chrono::milliseconds(20);
  o.resume_free_bytes = 1;
  o.verify_on_open = VerifyOnOpen::kFull;
  return o;
}

bool WaitWritable(const EventStore& store) {
  for (int i = 0; i < 500; ++i) {
    if (store.health().writable) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

AppendRequest Keyed(const std::string& stream, const std::string& type, const std::string& key) {
  AppendRequest r;
  r.streams.push_back(StreamAppend{stream, ExpectedVersion::Any(), {Ev(type)}});
  r.idempotency_key = key;
  return r;
}

}  // namespace

TEST_CASE("a full disk refuses writes, keeps reads, and writes resume once there is room", "[eventstore][full_disk]") {
  TempDir dir;
  auto switches = std::make_shared<FaultSwitches>();
  const bool at_sync = GENERATE(false, true);
  INFO((at_sync ? "ENOSPC at fsync (the data reached the WAL)" : "ENOSPC at write"));
  switches->disk_full_at_sync_only = at_sync;
  std::vector<std::string> notices;
  std::mutex notices_mu;
  Options options = FullDiskOptions(switches);
  options.notice = [&](const std::string& line) {
    std::lock_guard lock(notices_mu);
    notices.push_back(line);
  };
  std::uint64_t head_after = 0;
  {
    auto store = OpenOrDie(dir.str(), options);
    std::vector<std::uint64_t> seen;  // positions a subscriber got
    std::mutex seen_mu;
    auto sub = store->Subscribe(1, [&](const EventView& v) {
      std::lock_guard lock(seen_mu);
      seen.push_back(v.position);
    });
    REQUIRE(store->Append("t/acme/order/1", ExpectedVersion::NoStream(), {Ev("A"), Ev("B")}));

    switches->disk_full = true;
    auto failed = store->Append(Keyed("t/acme/order/2", "Placed", "place-2"));
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == Errc::kIo);
    CHECK(switches->no_space.load() >= 1);
    auto health = store->health();
    CHECK_FALSE(health.writable);
    CHECK(health.recovering);
    CHECK(health.reason.find("No space") != std::string::npos);
    // Every write is refused with a clear error while the disk is full; reads go on.
    auto refused = store->Append("t/acme/order/3", ExpectedVersion::Any(), {Ev("C")});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::kUnavailable);
    CHECK(refused.error().message.find("they resume once about ") != std::string::npos);
    CHECK(refused.error().message.find(" MiB ") != std::string::npos);
    CHECK(store->SaveCheckpoint("p", 1).error().code == Errc::kUnavailable);
    CHECK(store->ReadAll(1).value().size() == 2);
    CHECK(store->ReadStream("t/acme/order/1", 1).value().size() == 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // recovery tries, the disk is still full
    CHECK_FALSE(store->health().writable);

    switches->disk_full = false;
    REQUIRE(WaitWritable(*store));
    CHECK(store->health().recoveries == 1);
    // A checkpoint fenced to the epoch before the outage is refused; one of the new epoch is written.
    ReadModelBatch stale{"pm", {}, {}, 7, /*epoch=*/1};
    CHECK(store->CommitReadModel(stale).error().code == Errc::kFailStopped);
    CHECK_FALSE(store->LoadCheckpoint("pm").value().has_value());
    ReadModelBatch current{"pm", {}, {}, 7, store->health().epoch()};
    REQUIRE(store->CommitReadModel(current));
    CHECK(store->LoadCheckpoint("pm").value() == std::optional<std::uint64_t>(7));
    // The failed append's outcome was unknown: its retry with the same key is applied exactly once.
    auto retry = store->Append(Keyed("t/acme/order/2", "Placed", "place-2"));
    REQUIRE(retry);
    if (!at_sync) CHECK_FALSE(retry->duplicate);  // nothing reached the WAL
    REQUIRE(store->Append("t/acme/order/1", ExpectedVersion::Exact(2), {Ev("D")}));
    CHECK(store->ReadStream("t/acme/order/2", 1).value().size() == 1);
    head_after = store->HeadPosition();
    CHECK(head_after == 4);
    CHECK(store->Verify().value().ok);
    for (int i = 0; i < 300; ++i) {  // the subscriber gets everything, in order, once
      {
        std::lock_guard lock(seen_mu);
        if (seen.size() >= head_after) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::lock_guard lock(seen_mu);
    CHECK(seen == std::vector<std::uint64_t>{1, 2, 3, 4});
  }
  {
    std::lock_guard lock(notices_mu);
    REQUIRE(notices.size() == 2);
    CHECK(notices[0].find("writes refused") != std::string::npos);
    CHECK(notices[1].find("writes resumed") != std::string::npos);
  }
  // Reopened from disk: exactly what was acknowledged, chain intact.
  auto store = OpenOrDie(dir.str(), FullDiskOptions(switches));
  CHECK(store->HeadPosition() == head_after);
  CHECK(store->Verify().value().ok);
}

TEST_CASE("a store opened on a full disk opens read-only, serves reads, and takes writes once there is room",
          "[eventstore][full_disk]") {
  TempDir dir;
  auto switches = std::make_shared<FaultSwitches>();
  {
    auto store = OpenOrDie(dir.str(), FullDiskOptions(switches));
    REQUIRE(store->Append("t/acme/order/1", ExpectedVersion::NoStream(), {Ev("A"), Ev("B")}));
  }
  switches->disk_full = true;
  auto opened = EventStore::Open(dir.str(), FullDiskOptions(switches));
  REQUIRE(opened.has_value());
  auto& store = **opened;
  CHECK(store.open_report().read_only);
  CHECK(store.open_report().head == 2);
  CHECK_FALSE(store.health().writable);
  CHECK(store.health().read_only);
  CHECK(store.ReadAll(1).value().size() == 2);
  CHECK(store.Append("t/acme/order/1", ExpectedVersion::Exact(2), {Ev("C")}).error().code == Errc::kUnavailable);
  switches->disk_full = false;
  REQUIRE(WaitWritable(store));
  CHECK_FALSE(store.health().read_only);
  REQUIRE(store.Append("t/acme/order/1", ExpectedVersion::Exact(2), {Ev("C")}));
  CHECK(store.HeadPosition() == 3);
  CHECK(store.Verify().value().ok);
}

TEST_CASE("a brand-new store on a full disk is refused with an error, not an abort", "[eventstore][full_disk]") {
  TempDir dir;
  auto switches = std::make_shared<FaultSwitches>();
  switches->disk_full = true;
  auto opened = EventStore::Open(dir.str() + "/fresh", FullDiskOptions(switches));
  REQUIRE_FALSE(opened.has_value());
  CHECK(opened.error().code == Errc::kIo);
  CHECK(opened.error().message.find("No space") != std::string::npos);
}

TEST_CASE("RocksDB's info log stays within its cap, and old LOG.old.* files go", "[eventstore][full_disk]") {
  TempDir dir;
  for (int i = 0; i < 5; ++i) std::ofstream(dir.str() + "/LOG.old.16000000000" + std::to_string(i)) << "old";
  {
    Options o;
    o.info_log_max_bytes = 64 * 1024;
    auto store = OpenOrDie(dir.str(), o);
    CHECK(store->open_report().removed_old_logs == 5);
    for (int i = 0; i < 300; ++i)  // each append logs nothing much; flushes and reopens do
      REQUIRE(store->Append("t/acme/order/" + std::to_string(i), ExpectedVersion::NoStream(), {Ev("A")}));
  }
  InfoLog log(dir.str(), 64 * 1024);
  const std::string line(200, 'x');
  for (int i = 0; i < 2000; ++i) rocksdb::Log(rocksdb::InfoLogLevel::INFO_LEVEL, &log, "%s %d", line.c_str(), i);
  log.Close();
  std::size_t logs = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.str())) {
    const auto name = e.path().filename().string();
    if (name.starts_with("LOG")) {
      ++logs;
      CHECK(std::filesystem::file_size(e.path()) <= 64 * 1024);
      CHECK((name == "LOG" || name == "LOG.old"));
    }
  }
  CHECK(logs == 2);
  // Opening again and again leaves no more files behind.
  for (int i = 0; i < 5; ++i) OpenOrDie(dir.str());
  logs = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.str()))
    if (e.path().filename().string().starts_with("LOG")) ++logs;
  CHECK(logs <= 2);
}
