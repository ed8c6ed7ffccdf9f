// EventStore: open and recovery, request validation, and the write entry points that hand work to
// the writer thread. Reads live in reader.cpp, chain verification in verify.cpp.
#include "eventstore/store.hpp"

#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include <chrono>
#include <filesystem>
#include <unordered_set>

#include "core.hpp"
#include "eventstore/stream_id.hpp"
#include "idempotency.hpp"
#include "idempotency_expiry.hpp"
#include "insert_hints.hpp"
#include "keys.hpp"
#include "sync_wait.hpp"
#include "verify.hpp"
#include "writer.hpp"

namespace keel::eventstore {

std::int64_t StoreCore::RetentionNowMs() const {
  if (options.retention_clock_ms) return options.retention_clock_ms();
  return NowMs();
}

std::int64_t StoreCore::NowMs() const {
  if (options.clock_ms) return options.clock_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

StoreCore::~StoreCore() {
  StopAllSubscriptions(*this);
  if (writer) writer->Stop();
  writer.reset();
  if (db != nullptr) {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    db->Close();
    delete db;
  }
}

namespace {

constexpr std::size_t kMaxMetadataField = 1024;
constexpr std::size_t kMaxTypeName = 256;

const std::shared_ptr<const rocksdb::SliceTransform>& InsertHints() {
  static const std::shared_ptr<const rocksdb::SliceTransform> hints = std::make_shared<TrailingNumberPrefix>();
  return hints;
}

// The index column families: append-only keys, inserted at a remembered point (insert_hints.hpp).
rocksdb::ColumnFamilyOptions IndexOptions() {
  rocksdb::ColumnFamilyOptions cf;
  cf.memtable_insert_with_hint_prefix_extractor = InsertHints();
  return cf;
}

rocksdb::ColumnFamilyOptions LogOptions() {
  rocksdb::ColumnFamilyOptions cf;
  cf.memtable_insert_with_hint_prefix_extractor = InsertHints();
  cf.write_buffer_size = 64u << 20;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 16 * 1024;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

Result<AppendJob> Validate(AppendRequest request, const Options& options) {
  auto bad = [](std::string why, std::string stream = {}) {
    return MakeError(Errc::kInvalidArgument, std::move(why), std::move(stream));
  };
  if (request.streams.empty()) return bad("an append names at least one stream");
  const Metadata& m = request.metadata;
  if (m.principal.size() > kMaxMetadataField || m.correlation_id.size() > kMaxMetadataField ||
      m.causation_id.size() > kMaxMetadataField || request.idempotency_key.size() > kMaxMetadataField) {
    return bad("principal, correlation id, causation id and idempotency key are at most 1024 bytes");
  }
  if (m.timestamp_ms < 0) return bad("timestamp must not be negative");
  AppendJob job;
  std::unordered_set<std::string_view> seen;
  std::size_t events = 0;
  for (const auto& s : request.streams) {
    auto id = ParseStreamId(s.stream);
    if (!id) return std::unexpected(id.error());
    if (job.tenant.empty()) {
      job.tenant = std::string(id->tenant);
    } else if (job.tenant != id->tenant) {
      return bad("an atomic append stays within one tenant", s.stream);
    }
    if (!seen.insert(s.stream).second) return bad("a stream appears twice in one append", s.stream);
    if (s.events.empty()) return bad("each stream of an append needs at least one event", s.stream);
    events += s.events.size();
    for (const auto& e : s.events) {
      if (e.type.empty() || e.type.size() > kMaxTypeName) {
        return bad("event type must be 1..256 bytes", s.stream);
      }
      const std::size_t size = e.payload.size() + e.type.size() + s.stream.size() +
                               m.principal.size() + m.correlation_id.size() +
                               m.causation_id.size() + request.idempotency_key.size();
      if (size > options.max_event_bytes) {
        return bad("event of " + std::to_string(size) + " bytes exceeds the limit of " +
                       std::to_string(options.max_event_bytes),
                   s.stream);
      }
      job.bytes += size;
    }
  }
  if (events > options.max_events_per_append) {
    return bad("an append holds at most " + std::to_string(options.max_events_per_append) +
               " events");
  }
  if (!request.idempotency_key.empty())
    job.fingerprint = request.fingerprint.empty() ? Fingerprint(request) : "command:" + request.fingerprint;
  job.request = std::move(request);
  return job;
}

}  // namespace

Result<std::unique_ptr<EventStore>> EventStore::Open(const std::string& dir, Options options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeError(Errc::kIo, "cannot create " + dir + ": " + ec.message());

  auto core = std::make_unique<StoreCore>();
  core->options = std::move(options);
  core->dir = dir;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  if (core->options.env) db_options.env = core->options.env.get();

  core->idempotency_expiry = std::make_unique<IdempotencyExpiry>(
      [c = core.get()] { return c->RetentionNowMs(); }, core->options.idempotency_retention.count());
  rocksdb::ColumnFamilyOptions idempotency_cf;
  idempotency_cf.compaction_filter = core->idempotency_expiry.get();

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, {}},
      {std::string(keys::kLog), LogOptions()},
      {std::string(keys::kStreamIndex), IndexOptions()},
      {std::string(keys::kTenantIndex), IndexOptions()},
      {std::string(keys::kIdempotency), idempotency_cf},
      {std::string(keys::kSnapshots), {}},
      {std::string(keys::kCheckpoints), {}},
      {std::string(keys::kReadModels), {}},
  };
  rocksdb::Status st = rocksdb::DB::Open(db_options, dir, cfs, &core->handles, &core->db);
  if (!st.ok()) return MakeError(Errc::kIo, "cannot open event store at " + dir + ": " + st.ToString());
  auto& h = core->handles;
  core->meta = h[0];
  core->log = h[1];
  core->stream_index = h[2];
  core->tenant_index = h[3];
  core->idempotency = h[4];
  core->snapshots = h[5];
  core->checkpoints = h[6];
  core->read_models = h[7];

  std::string format;
  st = core->db->Get({}, core->meta, keys::kFormatKey, &format);
  if (st.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    st = core->db->Put(wo, core->meta, keys::kFormatKey, keys::kFormatVersion);
    if (!st.ok()) return MakeError(Errc::kIo, "cannot write format marker: " + st.ToString());
  } else if (!st.ok()) {
    return MakeError(Errc::kIo, "cannot read format marker: " + st.ToString());
  } else if (format != keys::kFormatVersion) {
    return MakeError(Errc::kCorruption, "unknown on-disk format '" + format + "' in " + dir);
  }

  // Recover the head and the chain tail from the last log entry.
  std::uint64_t head = 0;
  std::string tail_hash(keys::kHashBytes, '\0');
  {
    std::unique_ptr<rocksdb::Iterator> it(core->db->NewIterator({}, core->log));
    it->SeekToLast();
    if (it->Valid()) {
      if (it->key().size() != 8 || it->value().size() < keys::kHashBytes) {
        Error e{Errc::kCorruption, "last log entry is malformed"};
        return std::unexpected(std::move(e));
      }
      head = keys::DecodeBE64(it->key().ToStringView());
      tail_hash = it->value().ToString().substr(0, keys::kHashBytes);
    } else if (!it->status().ok()) {
      return MakeError(Errc::kIo, "cannot read the log tail: " + it->status().ToString());
    }
  }
  core->head.store(head);

  if (core->options.verify_on_open != VerifyOnOpen::kNone && head > 0) {
    std::uint64_t from = 1;
    if (core->options.verify_on_open == VerifyOnOpen::kTail && head > core->options.verify_tail_events) {
      from = head - core->options.verify_tail_events + 1;
    }
    auto report = VerifyChain(*core, from, head);
    if (!report) return std::unexpected(report.error());
    if (!report->ok) {
      if (!core->options.allow_broken_chain) {
        Error e{Errc::kCorruption,
                "hash chain is broken at position " + std::to_string(report->bad_position) + ": " +
                    report->reason + " (open with allow_broken_chain to inspect)"};
        e.position = report->bad_position;
        return std::unexpected(std::move(e));
      }
      core->broken_chain = *report;
    }
  }

  core->writer = std::make_unique<Writer>(*core, head, std::move(tail_hash));
  return std::unique_ptr<EventStore>(new EventStore(std::move(core)));
}

EventStore::EventStore(std::unique_ptr<StoreCore> core) : core_(std::move(core)) {}
// Subscriptions read through this object, so they stop before the core (writer, RocksDB) goes.
EventStore::~EventStore() { StopAllSubscriptions(*core_); }

namespace {

void SubmitAppend(StoreCore& core, AppendRequest request, AppendCallback done, bool may_run_inline) {
  if (core.failed.load()) {
    done(MakeError(Errc::kFailStopped, "an earlier write failed; the store is fail-stopped"));
    return;
  }
  auto job = Validate(std::move(request), core.options);
  if (!job) {
    done(std::unexpected(job.error()));
    return;
  }
  job->done = std::move(done);
  WriterJob writer_job(std::move(*job));
  if (may_run_inline && core.writer->TryCommitInline(writer_job)) return;
  core.writer->Submit(std::move(writer_job));
}

}  // namespace

void EventStore::AppendAsync(AppendRequest request, AppendCallback done) {
  SubmitAppend(*core_, std::move(request), std::move(done), /*may_run_inline=*/false);
}

Result<AppendResult> EventStore::Append(AppendRequest request) {
  return WaitFor<AppendResult>([&](AppendCallback cb) {
    SubmitAppend(*core_, std::move(request), std::move(cb), /*may_run_inline=*/true);
  });
}

Result<AppendResult> EventStore::Append(std::string stream, ExpectedVersion expected,
                                        std::vector<EventData> events, Metadata metadata,
                                        std::string idempotency_key) {
  AppendRequest request;
  request.streams.push_back(StreamAppend{std::move(stream), expected, std::move(events)});
  request.metadata = std::move(metadata);
  request.idempotency_key = std::move(idempotency_key);
  return Append(std::move(request));
}

void EventStore::SaveSnapshotAsync(std::string stream, Snapshot snapshot, WriteCallback done) {
  if (auto id = ParseStreamId(stream); !id) {
    done(std::unexpected(id.error()));
    return;
  }
  core_->writer->Submit(SnapshotJob{std::move(stream), std::move(snapshot), std::move(done)});
}

Result<void> EventStore::SaveSnapshot(std::string stream, Snapshot snapshot) {
  return WaitFor<void>([&](WriteCallback cb) {
    SaveSnapshotAsync(std::move(stream), std::move(snapshot), std::move(cb));
  });
}

void EventStore::CommitReadModelAsync(ReadModelBatch batch, WriteCallback done) {
  if (batch.model.empty() || batch.model.find('\0') != std::string::npos) {
    done(MakeError(Errc::kInvalidArgument, "read-model name must be non-empty and hold no NUL"));
    return;
  }
  core_->writer->Submit(ReadModelJob{std::move(batch), std::move(done)});
}

Result<void> EventStore::CommitReadModel(ReadModelBatch batch) {
  return WaitFor<void>([&](WriteCallback cb) { CommitReadModelAsync(std::move(batch), std::move(cb)); });
}

Result<void> EventStore::SaveCheckpoint(std::string name, std::uint64_t position) {
  ReadModelBatch batch;
  batch.model = std::move(name);
  batch.checkpoint = position;
  return CommitReadModel(std::move(batch));
}

Result<void> EventStore::PurgeExpiredIdempotencyKeys() {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  auto st = core_->db->CompactRange(options, core_->idempotency, nullptr, nullptr);
  if (!st.ok()) return MakeError(Errc::kIo, "compacting idempotency keys: " + st.ToString());
  return {};
}

std::optional<VerifyReport> EventStore::broken_chain() const { return core_->broken_chain; }
bool EventStore::fail_stopped() const { return core_->failed.load(); }

WriterStats EventStore::writer_stats() const {
  WriterStats s;
  s.commits = core_->commits.load(std::memory_order_relaxed);
  s.appends = core_->committed_appends.load(std::memory_order_relaxed);
  s.events = core_->committed_events.load(std::memory_order_relaxed);
  s.snapshots = core_->committed_snapshots.load(std::memory_order_relaxed);
  s.snapshot_bytes = core_->committed_snapshot_bytes.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < kCommitSizeBuckets; ++i) s.commit_sizes[i] = core_->commit_sizes[i].load(std::memory_order_relaxed);
  return s;
}
std::uint64_t EventStore::HeadPosition() const { return core_->head.load(); }

}  // namespace keel::eventstore
