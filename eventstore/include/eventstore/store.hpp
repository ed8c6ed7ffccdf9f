// EventStore: Keel's append-only, hash-chained event log on RocksDB.
// Appends from any thread are group-committed by one writer thread (one WriteBatch, one fsync) and
// acknowledged only once durable. Reads run on the caller's thread and never see a partial batch.
// Domain-agnostic: it stores bytes and metadata and never includes a domain header.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventstore/errors.hpp"
#include "eventstore/options.hpp"
#include "eventstore/subscription.hpp"
#include "eventstore/types.hpp"

namespace keel::eventstore {

struct Snapshot {
  std::uint64_t version = 0;
  std::string bytes;
};

// A projection's read-model changes, written atomically with its checkpoint (exactly-once folding).
struct ReadModelBatch {
  std::string model;  // read-model name; the checkpoint is stored under the same name
  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<std::string> deletes;
  std::uint64_t checkpoint = 0;  // the last log position folded into this batch
  // Non-zero: written only while the store's write epoch (StoreHealth::epoch) is still this one, else
  // refused with kFailStopped. A process manager whose commands met a full disk fences its checkpoints
  // so that none passes an event it could not finish (it starts over from the last one after recovery).
  std::uint64_t epoch = 0;
};

// Invoked on the writer thread once the outcome is durable (or refused). Must be quick and must not
// block or throw: hand the result to another thread or actor.
using AppendCallback = std::function<void(Result<AppendResult>)>;
using WriteCallback = std::function<void(Result<void>)>;

// Group-commit figures since open: how many commits, appends and events, and a histogram of appends
// per commit (bucket i counts commits of at most 2^i appends; the last bucket is unbounded).
inline constexpr std::size_t kCommitSizeBuckets = 12;
struct WriterStats {
  std::uint64_t commits = 0, appends = 0, events = 0;
  std::uint64_t snapshots = 0, snapshot_bytes = 0;  // state snapshots written (older ones skipped)
  std::array<std::uint64_t, kCommitSizeBuckets> commit_sizes{};
};

// Whether the store takes writes, and if not why (StoreCore's health; see Options::recovery_interval).
struct StoreHealth {
  bool writable = true;
  bool recovering = false;  // writes stopped for lack of space: they resume on their own when space returns
  bool read_only = false;   // the database is open read-only (the disk was full when it was (re)opened)
  bool readable = true;     // false only if a reopen failed altogether: reads fail too
  std::string reason;       // why writes stopped ("" while writable)
  std::string room;         // while recovering: how much free space writes wait for
  std::uint64_t recoveries = 0;  // times writes resumed since open
  std::uint64_t epoch() const { return recoveries + 1; }  // changes each time writes resume
};

// What opening found (the start line of `keel serve`).
struct OpenReport {
  double open_ms = 0;
  std::uint64_t head = 0;  // recovered head = events in the log (positions are dense from 1)
  VerifyOnOpen verify = VerifyOnOpen::kNone;
  std::uint64_t verified_from = 0, verified_to = 0;  // the range re-hashed (0, 0: none)
  bool chain_ok = true;
  bool read_only = false;  // no space to open for writing
  std::size_t removed_old_logs = 0;  // RocksDB LOG.old.* files of earlier opens, removed
};

struct StoreCore;  // private

class EventStore {
 public:
  // Opens (creating if needed) the store in `dir`. Recovers head, stream versions and chain tail;
  // refuses a broken chain with kCorruption naming the position unless options.allow_broken_chain.
  static Result<std::unique_ptr<EventStore>> Open(const std::string& dir, Options options = {});
  ~EventStore();  // stops subscriptions and the writer, then closes RocksDB
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // -- writes --
  void AppendAsync(AppendRequest request, AppendCallback done);
  Result<AppendResult> Append(AppendRequest request);  // blocks the caller until durable
  Result<AppendResult> Append(std::string stream, ExpectedVersion expected,
                              std::vector<EventData> events, Metadata metadata = {},
                              std::string idempotency_key = {});

  void SaveSnapshotAsync(std::string stream, Snapshot snapshot, WriteCallback done);
  Result<void> SaveSnapshot(std::string stream, Snapshot snapshot);  // keeps the newest version only
  void CommitReadModelAsync(ReadModelBatch batch, WriteCallback done);
  Result<void> CommitReadModel(ReadModelBatch batch);
  // The same, for a large batch of a key space no other writer touches (a read model catching up from
  // far behind): written as sorted SST files and ingested with the checkpoint in one atomic step,
  // bypassing the memtable and the write-ahead log. A key may appear once (in puts or deletes). Runs
  // on the caller's thread; the batch's epoch is not checked.
  Result<void> IngestReadModel(ReadModelBatch batch);
  // Compacts a read model's keys into sorted runs (after several ingestions, whose overlapping files
  // each point read would otherwise visit). Blocks the caller while it runs.
  Result<void> CompactReadModel(std::string_view model);
  Result<void> SaveCheckpoint(std::string name, std::uint64_t position);
  // Stream records without events: a one-time backfill, folded from the streams' own events by the
  // caller (an aggregate whose records predate them). An append's own records go in AppendRequest.
  void SaveRecordsAsync(std::vector<StreamRecord> records, WriteCallback done);

  // -- reads (caller's thread) --
  std::uint64_t HeadPosition() const;  // last committed position; 0 when empty
  Result<std::uint64_t> StreamVersion(std::string_view stream) const;  // 0 when absent
  Result<std::vector<RecordedEvent>> ReadStream(std::string_view stream, std::uint64_t from_version,
                                                std::size_t max_count = SIZE_MAX) const;
  Result<std::vector<RecordedEvent>> ReadAll(std::uint64_t from_position,
                                             std::size_t max_count = SIZE_MAX) const;
  Result<std::vector<RecordedEvent>> ReadTenant(std::string_view tenant, std::uint64_t from_position,
                                                std::size_t max_count = SIZE_MAX) const;
  // Zero-copy read of a stream from a version; `visit` returns false to stop early. With
  // kPayloadOnly only position, version, type, schema_version, payload and hash are filled in
  // (rebuilding an entity needs no more, and skips decoding the rest of each envelope).
  enum class Fields : std::uint8_t { kAll, kPayloadOnly };
  Result<std::uint64_t> ScanStream(std::string_view stream, std::uint64_t from_version, std::size_t max_count,
                                   const std::function<bool(const EventView&)>& visit,
                                   Fields fields = Fields::kAll) const;
  // Zero-copy scan of the global log; `visit` returns false to stop early. Returns events visited.
  Result<std::uint64_t> ScanAll(std::uint64_t from_position, std::size_t max_count,
                                const std::function<bool(const EventView&)>& visit) const;

  // Every tenant that has at least one event, in name order (one seek per tenant).
  Result<std::vector<std::string>> ListTenants() const;
  // Every stream whose id starts with `prefix` ("" for all), in id order (one seek per stream).
  Result<std::vector<StreamInfo>> ListStreams(std::string_view prefix = {}) const;
  // The bytes of each column family's table files on disk, by name (what is still only in the
  // write-ahead log is not counted: see the directory's *.log files).
  Result<std::vector<std::pair<std::string, std::uint64_t>>> ColumnFamilyBytes() const;
  Result<std::optional<Snapshot>> LoadSnapshot(std::string_view stream) const;
  // The newest value of a stream record (see StreamRecord); nullopt when none was written.
  Result<std::optional<std::string>> LookupRecord(std::string_view stream, std::string_view key) const;
  Result<std::optional<std::uint64_t>> LoadCheckpoint(std::string_view name) const;
  Result<std::optional<std::string>> ReadModelGet(std::string_view model, std::string_view key) const;
  // Visits a read model's entries whose key starts with `prefix`, in key order; false stops. With
  // `after` (a key under `prefix`): only the entries after it (one seek, whatever came before).
  Result<std::uint64_t> ReadModelScan(std::string_view model, std::string_view prefix,
                                      const std::function<bool(std::string_view key, std::string_view value)>& visit,
                                      std::string_view after = {}) const;
  // The remembered result of the append that used `key` in `tenant`, while it is retained. With a
  // `fingerprint` (AppendRequest::fingerprint), a key first used for another request is
  // kIdempotencyConflict: the check does not depend on any record but the store's own.
  Result<std::optional<AppendResult>> LookupIdempotency(std::string_view tenant, std::string_view key,
                                                        std::string_view fingerprint = {}) const;

  // -- integrity --
  // Walks the hash chain over [from, to] (to = 0: the head) and reports the first bad event, with its
  // stream. Checked to the head, it also finds events missing after the last one (a truncated log):
  // every tenant's index must end at or before the head. `progress` (events) may stop it early.
  Result<VerifyReport> Verify(std::uint64_t from = 1, std::uint64_t to = 0, const Progress& progress = {}) const;
  // The report of the open-time check when the store was opened with allow_broken_chain.
  std::optional<VerifyReport> broken_chain() const;
  bool fail_stopped() const;  // writes refused right now (health().writable == false)
  StoreHealth health() const;
  const OpenReport& open_report() const;
  WriterStats writer_stats() const;

  // -- maintenance (blocks the caller: operator tooling, not actors) --
  // Access::kSecondary: reads what the primary has written since (RocksDB's TryCatchUpWithPrimary)
  // and moves the head to it. A no-op for a read-write store.
  Result<std::uint64_t> CatchUp();
  // An online, consistent backup into `backup_dir` (created if missing; RocksDB's BackupEngine:
  // files shared between backups are copied once, every file checksummed). Appends may go on
  // meanwhile: the backup holds a prefix of the log, whole appends only. `progress` counts bytes.
  Result<BackupInfo> Backup(const std::string& backup_dir, const Progress& progress = {});
  // The backups in `backup_dir`, oldest first.
  static Result<std::vector<BackupInfo>> ListBackups(const std::string& backup_dir);
  // Restores the newest backup (or `id`) into `data_dir`, which must not hold a store yet; the
  // backup's files are verified against their checksums first. Nothing else is opened or written.
  static Result<BackupInfo> Restore(const std::string& backup_dir, const std::string& data_dir,
                                    std::uint32_t id = 0, const Progress& progress = {});
  // Compacts the idempotency keys so that records past the retention window leave the disk now
  // rather than at RocksDB's next compaction of them.
  Result<void> PurgeExpiredIdempotencyKeys();

  // -- subscriptions --
  std::unique_ptr<Subscription> Subscribe(std::uint64_t from_position, EventHandler handler,
                                          SubscriptionOptions options = {});

 private:
  explicit EventStore(std::unique_ptr<StoreCore> core);
  std::unique_ptr<StoreCore> core_;
};

}  // namespace keel::eventstore
