// EventStore: open and recovery, request validation, and the write entry points that hand work to
// the writer thread. Reads live in reader.cpp, chain verification in verify.cpp.
#include "eventstore/store.hpp"

#include <rocksdb/options.h>

#include <chrono>
#include <filesystem>
#include <unordered_set>

#include "core.hpp"
#include "eventstore/stream_id.hpp"
#include "idempotency.hpp"
#include "idempotency_expiry.hpp"
#include "info_log.hpp"
#include "keys.hpp"
#include "open_db.hpp"
#include "recovery.hpp"
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
  if (recovery) recovery->Stop();
  recovery.reset();
  if (writer) writer->Stop();
  writer.reset();
  CloseDb(*this);
}

namespace {

constexpr std::size_t kMaxMetadataField = 1024;
constexpr std::size_t kMaxTypeName = 256;
constexpr std::size_t kMaxRecordKey = 512;

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
  for (const auto& r : request.records) {
    if (!seen.contains(r.stream)) return bad("a record belongs to a stream the append writes", r.stream);
    if (r.key.empty() || r.key.size() > kMaxRecordKey || r.key.find('\0') != std::string::npos)
      return bad("a record key is 1..512 bytes without NUL", r.stream);
    if (r.value.size() > options.max_event_bytes) return bad("a record is larger than an event may be", r.stream);
    job.bytes += r.key.size() + r.value.size();
  }
  if (!request.idempotency_key.empty())
    job.fingerprint = request.fingerprint.empty() ? Fingerprint(request) : StoredFingerprint(request.fingerprint);
  job.request = std::move(request);
  return job;
}

}  // namespace

Result<std::unique_ptr<EventStore>> EventStore::Open(const std::string& dir, Options options) {
  const auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  const bool secondary = options.access == Access::kSecondary;
  // A tool's open, or a directory that already holds a RocksDB database: it must be a store (a foreign
  // database is never given the store's column families).
  if (secondary || !options.create_if_missing || std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    // A tool's open: the directory must already be a store, and is not touched if it is not.
    if (auto existing = CheckExistingStore(dir); !existing) return std::unexpected(existing.error());
  } else {
    std::filesystem::create_directories(dir, ec);
    if (ec) return MakeError(Errc::kIo, "cannot create " + dir + ": " + ec.message());
  }
  if (secondary) {
    if (options.secondary_dir.empty())
      return MakeError(Errc::kInvalidArgument, "a secondary open needs Options::secondary_dir");
    std::filesystem::create_directories(options.secondary_dir, ec);
    if (ec) return MakeError(Errc::kIo, "cannot create " + options.secondary_dir + ": " + ec.message());
  }

  auto core = std::make_unique<StoreCore>();
  core->options = std::move(options);
  core->dir = dir;
  // A secondary writes nothing in the data directory: its info log goes with its own files.
  const std::string& log_dir = secondary ? core->options.secondary_dir : dir;
  if (!secondary) core->open_report.removed_old_logs = InfoLog::RemoveRolledLogs(dir);
  core->info_log = std::make_shared<InfoLog>(log_dir, core->options.info_log_max_bytes);
  core->idempotency_expiry = std::make_unique<IdempotencyExpiry>(
      [c = core.get()] { return c->RetentionNowMs(); }, core->options.idempotency_retention.count());

  // No space to open for writing (RocksDB writes a new WAL, MANIFEST and OPTIONS file at open): an
  // existing store opens read-only, which writes nothing, and takes writes once the disk has room.
  bool no_space = false;
  auto opened = OpenDb(*core, /*read_only=*/false, &no_space);
  if (!opened) {
    if (secondary || !no_space || !std::filesystem::exists(dir + "/CURRENT", ec)) return std::unexpected(opened.error());
    auto read_only = OpenDb(*core, /*read_only=*/true);
    if (!read_only) return std::unexpected(read_only.error());
    core->open_report.read_only = true;
    core->health.read_only = true;
  }

  std::string format;
  rocksdb::Status st = core->db->Get({}, core->meta, keys::kFormatKey, &format);
  if (st.IsNotFound() && (secondary || !core->options.create_if_missing)) {
    return MakeError(Errc::kInvalidArgument, dir + " is a RocksDB database but not a Keel data directory (no format marker)");
  } else if (st.IsNotFound() && !core->open_report.read_only) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    st = core->db->Put(wo, core->meta, keys::kFormatKey, keys::kFormatVersion);
    if (!st.ok()) return MakeError(Errc::kIo, "cannot write format marker: " + st.ToString());
  } else if (!st.ok()) {
    return MakeError(Errc::kIo, "cannot read format marker: " + st.ToString());
  } else if (format != keys::kFormatVersion) {
    return MakeError(Errc::kCorruption, "unknown on-disk format '" + format + "' in " + dir);
  }

  auto tail = RecoverTail(*core);
  if (!tail) return std::unexpected(tail.error());
  const std::uint64_t head = tail->head;
  core->head.store(head);
  core->open_report.head = head;
  core->open_report.verify = core->options.verify_on_open;

  if (core->options.verify_on_open != VerifyOnOpen::kNone && head > 0) {
    std::uint64_t from = 1;
    if (core->options.verify_on_open == VerifyOnOpen::kTail && head > core->options.verify_tail_events) {
      from = head - core->options.verify_tail_events + 1;
    }
    auto report = VerifyChain(*core, from, head);
    if (!report) return std::unexpected(report.error());
    core->open_report.verified_from = from;
    core->open_report.verified_to = head;
    core->open_report.chain_ok = report->ok;
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

  if (secondary) {
    // Reads only: no writer, no recovery; every write is refused (UnavailableError says why).
    core->failed.store(true);
    core->health.writable = false;
    core->health.read_only = true;
    core->health.reason = "open read-only as a secondary instance";
    core->open_report.read_only = true;
    core->open_report.open_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    return std::unique_ptr<EventStore>(new EventStore(std::move(core)));
  }
  core->writer = std::make_unique<Writer>(*core, head, std::move(tail->hash));
  core->recovery = std::make_unique<Recovery>(*core);
  if (core->open_report.read_only)
    MarkUnavailable(*core, "no space left on the device to open the store for writing", /*recoverable=*/true,
                    /*quiet=*/true);
  core->open_report.open_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return std::unique_ptr<EventStore>(new EventStore(std::move(core)));
}

EventStore::EventStore(std::unique_ptr<StoreCore> core) : core_(std::move(core)) {}
// Subscriptions read through this object, so they stop before the core (writer, RocksDB) goes.
EventStore::~EventStore() { StopAllSubscriptions(*core_); }

namespace {

void SubmitAppend(StoreCore& core, AppendRequest request, AppendCallback done, bool may_run_inline) {
  if (core.failed.load()) {
    done(std::unexpected(UnavailableError(core)));
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
  if (!core_->writer) {
    done(std::unexpected(UnavailableError(*core_)));
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
  if (!core_->writer) {
    done(std::unexpected(UnavailableError(*core_)));
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

void EventStore::SaveRecordsAsync(std::vector<StreamRecord> records, WriteCallback done) {
  for (const auto& r : records) {
    if (auto id = ParseStreamId(r.stream); !id) {
      done(std::unexpected(id.error()));
      return;
    }
    if (r.key.empty() || r.key.size() > kMaxRecordKey || r.key.find('\0') != std::string::npos) {
      done(MakeError(Errc::kInvalidArgument, "a record key is 1..512 bytes without NUL", r.stream));
      return;
    }
  }
  if (core_->failed.load()) {
    done(std::unexpected(UnavailableError(*core_)));
    return;
  }
  core_->writer->Submit(RecordsJob{std::move(records), std::move(done)});
}

Result<void> EventStore::PurgeExpiredIdempotencyKeys() {
  DbRead guard(*core_);
  if (!guard || core_->failed.load()) return std::unexpected(UnavailableError(*core_));
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  auto st = core_->db->CompactRange(options, core_->idempotency, nullptr, nullptr);
  if (!st.ok()) return MakeError(Errc::kIo, "compacting idempotency keys: " + st.ToString());
  return {};
}

std::optional<VerifyReport> EventStore::broken_chain() const { return core_->broken_chain; }
bool EventStore::fail_stopped() const { return core_->failed.load(); }
StoreHealth EventStore::health() const {
  std::lock_guard lock(core_->health_mu);
  return core_->health;
}
const OpenReport& EventStore::open_report() const { return core_->open_report; }

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
