// StoreCore: the state an open EventStore shares between its API, its writer thread and its
// subscriptions. Private to the eventstore library.
#pragma once

#include <rocksdb/db.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/options.hpp"
#include "eventstore/store.hpp"
#include "eventstore/subscription.hpp"
#include "eventstore/types.hpp"

namespace keel::eventstore {

class Writer;
class Recovery;
using LiveBatch = std::shared_ptr<const std::vector<RecordedEvent>>;

// Live subscribers and the published head. The writer publishes a committed batch under `mu`, and a
// subscriber goes live under `mu` only when it has read exactly up to the published head, so no
// event falls between disk catch-up and live delivery.
struct SubscriptionHub {
  std::mutex mu;
  std::vector<std::shared_ptr<SubscriptionState>> live;
  std::vector<std::weak_ptr<SubscriptionState>> all;
  std::atomic<std::size_t> live_count{0};
};

struct StoreCore {
  Options options;
  std::string dir;
  // Guards `db` and the handles: every read and every commit holds it shared; reopening after a full
  // disk (recovery.hpp) holds it exclusively. `db` is null only if a reopen failed altogether. A scan's
  // callback may read the store again on the same thread (a subscription's handler does): this relies
  // on glibc's rwlock preferring readers (std::shared_mutex's default there), so a nested shared lock
  // never waits behind a pending reopen; the reopen waits for the scans to end.
  mutable std::shared_mutex db_mu;
  rocksdb::DB* db = nullptr;
  std::shared_ptr<rocksdb::Logger> info_log;  // info_log.hpp
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  rocksdb::ColumnFamilyHandle* log = nullptr;
  rocksdb::ColumnFamilyHandle* stream_index = nullptr;
  rocksdb::ColumnFamilyHandle* tenant_index = nullptr;
  rocksdb::ColumnFamilyHandle* idempotency = nullptr;
  rocksdb::ColumnFamilyHandle* snapshots = nullptr;
  rocksdb::ColumnFamilyHandle* checkpoints = nullptr;
  rocksdb::ColumnFamilyHandle* read_models = nullptr;
  // Null only in a read-only open of a store written before stream records existed (none to read).
  rocksdb::ColumnFamilyHandle* stream_records = nullptr;

  std::atomic<std::uint64_t> head{0};  // last published (durable, visible) position
  std::atomic<bool> failed{false};  // writes refused (health_mu says why)
  mutable std::mutex health_mu;
  StoreHealth health;  // under health_mu; health.writable mirrors !failed
  OpenReport open_report;
  std::unique_ptr<Recovery> recovery;
  // Group-commit statistics (written by the writer thread, read by metrics).
  std::atomic<std::uint64_t> commits{0}, committed_appends{0}, committed_events{0};
  std::atomic<std::uint64_t> committed_snapshots{0}, committed_snapshot_bytes{0};
  std::array<std::atomic<std::uint64_t>, kCommitSizeBuckets> commit_sizes{};  // appends per group, log2 buckets
  std::optional<VerifyReport> broken_chain;
  std::unique_ptr<Writer> writer;
  std::unique_ptr<rocksdb::CompactionFilter> idempotency_expiry;  // outlives `db`
  SubscriptionHub hub;

  void Notice(const std::string& line) const {
    if (options.notice) try {
        options.notice(line);
      } catch (...) {
      }
  }
  std::int64_t NowMs() const;           // stamps events (Options::clock_ms)
  std::int64_t RetentionNowMs() const;  // ages idempotency keys (Options::retention_clock_ms)
  ~StoreCore();  // stops subscriptions and writer, then closes RocksDB
};

// Holds core.db_mu shared for one read; false when the database is not open (a reopen failed).
class DbRead {
 public:
  explicit DbRead(const StoreCore& core) : lock_(core.db_mu), open_(core.db != nullptr) {}
  explicit operator bool() const { return open_; }

 private:
  std::shared_lock<std::shared_mutex> lock_;
  bool open_;
};
inline std::unexpected<Error> NotOpen() { return MakeError(Errc::kIo, "the event store's database is not open"); }

// Called by the writer after a successful commit: publishes the new head and hands the batch
// (null when it was not materialized because nobody was live) to live subscribers.
void PublishCommitted(StoreCore& core, std::uint64_t head, const LiveBatch& batch);
// Stops every subscription that is still running (store shutdown).
void StopAllSubscriptions(StoreCore& core);

}  // namespace keel::eventstore
