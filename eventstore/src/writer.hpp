// The single writer thread: takes queued appends and read-model/snapshot writes, checks versions and
// idempotency against its own view of the log, chains and encodes the events, and commits the whole
// group in one RocksDB WriteBatch (one fsync). Callers are answered only after that write returns.
// A failed write stops writes (recovery.hpp). Only a synchronous caller ever commits on its own
// thread (TryCommitInline); asynchronous callers, such as actors, never block on a write.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core.hpp"
#include "eventstore/store.hpp"

namespace keel::eventstore {

struct AppendJob {
  AppendRequest request;
  std::string tenant;
  std::string fingerprint;  // only with an idempotency key
  std::size_t bytes = 0;
  AppendCallback done;
};

struct SnapshotJob {
  std::string stream;
  Snapshot snapshot;
  WriteCallback done;
};

struct ReadModelJob {
  ReadModelBatch batch;
  WriteCallback done;
};

struct RecordsJob {  // stream records written on their own (a one-time backfill from the log)
  std::vector<StreamRecord> records;
  WriteCallback done;
};

using WriterJob = std::variant<AppendJob, SnapshotJob, ReadModelJob, RecordsJob>;

class Writer {
 public:
  Writer(StoreCore& core, std::uint64_t head, std::string tail_hash);
  ~Writer();
  void Submit(WriterJob job);
  // For synchronous callers only: when the writer is idle (nothing queued or committing), commits
  // `job` on the calling thread, which would block for the result anyway; this saves two thread
  // hand-offs. Returns false, leaving `job` untouched, when the writer is busy.
  bool TryCommitInline(WriterJob& job);
  void Stop();  // finishes queued work, then joins
  // After the database was reopened (recovery.hpp): the head and tail on disk, no cached versions.
  // The caller holds core.db_mu exclusively, so no commit is running.
  void Reset(std::uint64_t head, std::string tail_hash);

 private:
  struct Group;
  void Run();
  void Commit(std::vector<WriterJob>& jobs);
  Result<AppendResult> PrepareAppend(AppendJob& job, Group& group);
  void PrepareSnapshot(SnapshotJob& job, Group& group);
  Result<void> PrepareReadModel(ReadModelJob& job, Group& group);
  Result<std::uint64_t> CurrentVersion(const std::string& stream, const Group& group);

  StoreCore& core_;
  std::uint64_t head_;     // writer-owned: last committed position
  std::string tail_hash_;  // writer-owned: hash of the event at head_
  std::unordered_map<std::string, std::uint64_t> versions_;  // writer-owned cache of stream heads

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WriterJob> queue_;
  bool stopping_ = false;
  bool sleeping_ = false;                 // guarded by mu_: Submit wakes the writer only then
  bool committing_ = false;               // guarded by mu_: a group is being committed
  std::atomic<std::size_t> queued_{0};    // lets the writer poll for work without the lock
  std::thread thread_;
};

}  // namespace keel::eventstore
