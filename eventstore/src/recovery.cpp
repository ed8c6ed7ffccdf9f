// Writes refused and resumed after a full disk (see recovery.hpp).
#include "recovery.hpp"

#include <rocksdb/env.h>

#include <pthread.h>

#include <filesystem>

#include "open_db.hpp"
#include "writer.hpp"

namespace keel::eventstore {
namespace {
std::string MiB(std::uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }
}  // namespace

void MarkUnavailable(StoreCore& core, const std::string& reason, bool recoverable, bool quiet) {
  const std::uint64_t room = recoverable ? RoomNeeded(core) : 0;
  {
    std::lock_guard lock(core.health_mu);
    if (!core.health.writable && !core.health.recovering) return;  // already stopped for good
    core.health.writable = false;
    core.health.recovering = recoverable;
    core.health.reason = reason;
    core.health.room = "about " + MiB(room) + " are free";
    core.failed.store(true);
  }
  if (quiet) return;
  core.Notice(std::string("event store: writes refused: ") + reason +
              (recoverable ? "; they resume once about " + MiB(room) + " are free" : "; they resume after a restart"));
  if (recoverable && core.recovery) core.recovery->Wake();
}

Error UnavailableError(const StoreCore& core) {
  if (core.options.access == Access::kSecondary)
    return Error{Errc::kFailStopped, "the event store is open read-only (a secondary instance): it takes no writes"};
  std::lock_guard lock(core.health_mu);
  if (core.health.recovering)
    return Error{Errc::kUnavailable, "the event store takes no writes (" + core.health.reason + "); they resume once " +
                                         core.health.room};
  return Error{Errc::kFailStopped, "the event store takes no writes (" + core.health.reason + "); they resume after a restart"};
}

std::uint64_t RoomNeeded(const StoreCore& core) {
  // Reopening replays the write-ahead log into memory and may write it out as a table file: room for
  // what the WAL holds, plus the configured margin.
  std::uint64_t wal = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(core.dir, ec)) {
    if (entry.path().extension() == ".log") wal += entry.file_size(ec);
  }
  return wal + core.options.resume_free_bytes;
}


Recovery::Recovery(StoreCore& core) : core_(core) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "keel-recovery");
    Run();
  });
}

Recovery::~Recovery() { Stop(); }

void Recovery::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Recovery::Wake() { cv_.notify_all(); }

void Recovery::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, core_.options.recovery_interval);
    if (stop_) break;
    bool recovering = false;
    {
      std::lock_guard health(core_.health_mu);
      recovering = !core_.health.writable && core_.health.recovering;
    }
    if (!recovering) continue;
    lock.unlock();
    TryReopen();
    lock.lock();
  }
}

bool Recovery::TryReopen() {
  rocksdb::Env* env = core_.options.env ? core_.options.env.get() : rocksdb::Env::Default();
  std::uint64_t free = 0;
  // (A file system that cannot say how much is free gets a reopen attempt each time.) Attempts that
  // cannot succeed are not made: each would write to the info log and the disk for nothing.
  const std::uint64_t room = RoomNeeded(core_);
  if (env->GetFreeSpace(core_.dir, &free).ok() && free < room) {
    std::lock_guard health(core_.health_mu);
    core_.health.room = "about " + MiB(room) + " are free (" + MiB(free) + " now)";
    return false;
  }

  std::unique_lock db_lock(core_.db_mu);  // no read and no commit runs while the database changes
  CloseDb(core_);
  bool no_space = false;
  auto opened = OpenDb(core_, /*read_only=*/false, &no_space);
  Result<Tail> tail = opened ? RecoverTail(core_) : Result<Tail>(std::unexpected(opened.error()));
  if (!tail) {
    CloseDb(core_);
    auto read_only = OpenDb(core_, /*read_only=*/true);
    {
      std::lock_guard health(core_.health_mu);
      core_.health.read_only = read_only.has_value();
      core_.health.readable = read_only.has_value();
      if (!no_space) {  // not a matter of space: stop trying
        core_.health.recovering = false;
        core_.health.reason = tail.error().ToString();
      }
    }
    if (!no_space) core_.Notice("event store: cannot reopen for writing: " + tail.error().ToString());
    return false;
  }
  core_.writer->Reset(tail->head, tail->hash);
  db_lock.unlock();
  // A batch whose sync failed may have reached the WAL whole: it is in the log now, and subscribers
  // catch up to it from disk.
  if (tail->head != core_.head.load()) PublishCommitted(core_, tail->head, nullptr);
  std::string was;
  {
    std::lock_guard health(core_.health_mu);
    was = core_.health.reason;
    core_.health.writable = true;
    core_.health.recovering = false;
    core_.health.read_only = false;
    core_.health.readable = true;
    core_.health.reason.clear();
    ++core_.health.recoveries;
    core_.failed.store(false);
  }
  core_.Notice("event store: writes resumed (they had stopped: " + was + "); head " + std::to_string(tail->head));
  return true;
}

}  // namespace keel::eventstore
