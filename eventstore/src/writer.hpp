// The single writer thread: takes queued appends and read-model/snapshot writes, checks versions and
// idempotency against its own view of the log, chains and encodes the events, and commits the whole
// group in one RocksDB WriteBatch (one fsync). Callers are answered only after that write returns.
// A failed write puts the store into fail-stop. Nothing here runs on a caller's thread.
#pragma once

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

using WriterJob = std::variant<AppendJob, SnapshotJob, ReadModelJob>;

class Writer {
 public:
  Writer(StoreCore& core, std::uint64_t head, std::string tail_hash);
  ~Writer();
  void Submit(WriterJob job);
  void Stop();  // finishes queued work, then joins

 private:
  struct Group;
  void Run();
  void Commit(std::vector<WriterJob>& jobs);
  Result<AppendResult> PrepareAppend(AppendJob& job, Group& group);
  void PrepareSnapshot(SnapshotJob& job, Group& group);
  void PrepareReadModel(ReadModelJob& job, Group& group);
  Result<std::uint64_t> CurrentVersion(const std::string& stream, const Group& group);

  StoreCore& core_;
  std::uint64_t head_;     // writer-owned: last committed position
  std::string tail_hash_;  // writer-owned: hash of the event at head_
  std::unordered_map<std::string, std::uint64_t> versions_;  // writer-owned cache of stream heads

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WriterJob> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace keel::eventstore
