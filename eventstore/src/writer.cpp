// Group-commit writer (see writer.hpp). Per group: validate and stage every job against a private
// overlay of stream versions, idempotency keys and the chain tail, write one WriteBatch, then either
// adopt the overlay and publish, or discard it and stop writes (recovery.hpp).
#include "writer.hpp"

#include <rocksdb/write_batch.h>

#include <pthread.h>

#include <chrono>
#include <exception>
#include <shared_mutex>
#include <thread>

#include "envelope_codec.hpp"
#include "idempotency.hpp"
#include "keys.hpp"
#include "open_db.hpp"
#include "recovery.hpp"

namespace keel::eventstore {
namespace {

constexpr auto kSpin = std::chrono::microseconds(300);

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

struct Writer::Group {
  rocksdb::WriteBatch batch;
  std::uint64_t position;
  std::string hash;
  std::unordered_map<std::string, std::uint64_t> versions;
  std::unordered_map<std::string, IdempotencyEntry> idempotency;
  std::unordered_map<std::string, std::uint64_t> snapshot_versions;
  std::shared_ptr<std::vector<RecordedEvent>> live;  // materialized only when someone is live
  std::int64_t now_ms;            // stamps events
  std::int64_t retention_now_ms;  // ages and writes idempotency keys
  std::uint64_t snapshots = 0, snapshot_bytes = 0;  // staged in `batch`
};

Writer::Writer(StoreCore& core, std::uint64_t head, std::string tail_hash)
    : core_(core), head_(head), tail_hash_(std::move(tail_hash)) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "keel-writer");  // visible in top -H, perf and gdb
    Run();
  });
}

Writer::~Writer() { Stop(); }

void Writer::Submit(WriterJob job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      queued_.fetch_add(1);
      if (sleeping_) cv_.notify_one();  // a spinning writer needs no futex wake-up
      return;
    }
  }
  auto closed = MakeError(Errc::kClosed, "event store is closing");
  std::visit([&](auto& j) { j.done(closed); }, job);
}

void Writer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queued_.fetch_add(1);  // ends a spin early
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void Writer::Run() {
  std::vector<WriterJob> jobs;
  for (;;) {
    // A caller that was just answered usually submits again soon (an actor's next command takes a
    // few CAF hops, ~100-200 us); polling for up to kSpin costs less than the two context switches
    // of sleeping on the condition variable, and is spent only right after a commit.
    const auto spin_until = std::chrono::steady_clock::now() + kSpin;
    for (unsigned i = 1; queued_.load(std::memory_order_acquire) == 0; ++i) {
      CpuRelax();
      if (i % 64 == 0 && std::chrono::steady_clock::now() >= spin_until) break;
    }
    {
      std::unique_lock lock(mu_);
      sleeping_ = true;
      cv_.wait(lock, [&] { return !committing_ && (stopping_ || !queue_.empty()); });
      sleeping_ = false;
      if (queue_.empty()) return;  // stopping and drained
      committing_ = true;
      std::size_t bytes = 0;
      while (!queue_.empty() && (jobs.empty() || bytes < core_.options.max_group_commit_bytes)) {
        if (auto* a = std::get_if<AppendJob>(&queue_.front())) bytes += a->bytes;
        jobs.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_.fetch_sub(jobs.size());
    }
    Commit(jobs);
    jobs.clear();
    std::lock_guard lock(mu_);
    committing_ = false;
  }
}

bool Writer::TryCommitInline(WriterJob& job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || committing_ || !queue_.empty()) return false;
    committing_ = true;
  }
  std::vector<WriterJob> jobs;
  jobs.push_back(std::move(job));
  Commit(jobs);
  std::lock_guard lock(mu_);
  committing_ = false;
  if (!queue_.empty()) cv_.notify_one();  // work queued meanwhile waits for the writer thread
  return true;
}

namespace {

template <class Callback, class Value>
void Answer(Callback& done, Value value) {
  try {
    done(std::move(value));
  } catch (...) {
    // A callback must not throw; the writer thread outlives a misbehaving caller.
  }
}

}  // namespace

void Writer::Reset(std::uint64_t head, std::string tail_hash) {
  head_ = head;
  tail_hash_ = std::move(tail_hash);
  versions_.clear();
}

void Writer::Commit(std::vector<WriterJob>& jobs) {
  std::shared_lock db_lock(core_.db_mu);  // the database stays the same one for the whole commit
  if (core_.failed.load() || core_.db == nullptr) {
    auto stopped = std::unexpected(UnavailableError(core_));
    for (auto& job : jobs) std::visit([&](auto& j) { Answer(j.done, stopped); }, job);
    return;
  }
  Group group;
  group.position = head_;
  group.hash = tail_hash_;
  group.now_ms = core_.NowMs();
  group.retention_now_ms = core_.RetentionNowMs();
  if (core_.hub.live_count.load() > 0) group.live = std::make_shared<std::vector<RecordedEvent>>();

  std::vector<Result<AppendResult>> append_results;
  std::vector<Result<void>> write_results;
  try {
    for (auto& job : jobs) {
      if (auto* a = std::get_if<AppendJob>(&job)) {
        append_results.push_back(PrepareAppend(*a, group));
      } else if (auto* s = std::get_if<SnapshotJob>(&job)) {
        PrepareSnapshot(*s, group);
        write_results.push_back({});
      } else if (auto* r = std::get_if<RecordsJob>(&job)) {
        for (const auto& rec : r->records)
          group.batch.Put(core_.stream_records, keys::StreamRecord(rec.stream, rec.key), rec.value);
        write_results.push_back({});
      } else {
        write_results.push_back(PrepareReadModel(std::get<ReadModelJob>(job), group));
      }
    }
  } catch (const std::exception& e) {
    // Staging never touched RocksDB or the writer's state: drop the group, answer everyone.
    auto err = MakeError(Errc::kIo, std::string("could not stage the group commit: ") + e.what());
    for (auto& job : jobs) std::visit([&](auto& j) { Answer(j.done, err); }, job);
    return;
  }

  if (group.batch.Count() > 0) {
    const std::uint64_t head_before = head_;
    rocksdb::WriteOptions wo;
    wo.sync = core_.options.durability == Durability::kSync;
    rocksdb::Status status = core_.db->Write(wo, &group.batch);
    if (!status.ok()) {
      const bool no_space = IsNoSpace(status);
      MarkUnavailable(core_, "a write failed: " + status.ToString(), no_space);
      auto err = MakeError(Errc::kIo, "the write failed (" + status.ToString() + "); its outcome is unknown until " +
                                          (no_space ? "writes resume" : "a restart") + ": retry with the same idempotency key");
      db_lock.unlock();
      for (auto& job : jobs) std::visit([&](auto& j) { Answer(j.done, err); }, job);
      return;
    }
    head_ = group.position;
    tail_hash_ = std::move(group.hash);
    if (versions_.size() + group.versions.size() > core_.options.stream_version_cache) {
      versions_.clear();  // cheap bound; misses reload from stream_index
    }
    for (auto& [stream, version] : group.versions) versions_[stream] = version;
    PublishCommitted(core_, head_, group.live);
    std::size_t appends = 0;
    for (const auto& r : append_results) appends += r.has_value() ? 1 : 0;
    core_.commits.fetch_add(1, std::memory_order_relaxed);
    core_.committed_appends.fetch_add(appends, std::memory_order_relaxed);
    core_.committed_events.fetch_add(group.position - head_before, std::memory_order_relaxed);
    core_.committed_snapshots.fetch_add(group.snapshots, std::memory_order_relaxed);
    core_.committed_snapshot_bytes.fetch_add(group.snapshot_bytes, std::memory_order_relaxed);
    std::size_t bucket = 0;
    while (bucket + 1 < kCommitSizeBuckets && (std::size_t{1} << bucket) < appends) ++bucket;
    core_.commit_sizes[bucket].fetch_add(1, std::memory_order_relaxed);
  }

  db_lock.unlock();  // callers are answered (and may call the store again) without the database lock
  std::uint32_t group_appends = 0;
  for (const auto& r : append_results) group_appends += (r.has_value() && !r->duplicate) ? 1 : 0;
  std::size_t ai = 0, wi = 0;
  for (auto& job : jobs) {
    if (auto* a = std::get_if<AppendJob>(&job)) {
      auto& r = append_results[ai++];
      if (r.has_value() && !r->duplicate) r->group_appends = group_appends;
      Answer(a->done, std::move(r));
    } else {
      std::visit([&](auto& j) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(j)>, AppendJob>) {
          Answer(j.done, std::move(write_results[wi++]));
        }
      }, job);
    }
  }
}

Result<std::uint64_t> Writer::CurrentVersion(const std::string& stream, const Group& group) {
  if (auto it = group.versions.find(stream); it != group.versions.end()) return it->second;
  if (auto it = versions_.find(stream); it != versions_.end()) return it->second;
  std::unique_ptr<rocksdb::Iterator> it(core_.db->NewIterator({}, core_.stream_index));
  const std::string prefix = keys::StreamPrefix(stream);
  it->SeekForPrev(keys::StreamIndex(stream, UINT64_MAX));
  std::uint64_t version = 0;
  if (it->Valid() && it->key().starts_with(prefix) && it->key().size() == prefix.size() + 8) {
    version = keys::DecodeBE64(std::string_view(it->key().data() + prefix.size(), 8));
  } else if (!it->status().ok()) {
    return MakeError(Errc::kIo, "reading stream head: " + it->status().ToString(), stream);
  }
  versions_[stream] = version;
  return version;
}

Result<AppendResult> Writer::PrepareAppend(AppendJob& job, Group& group) {
  const AppendRequest& req = job.request;
  std::string idem_key;
  if (!req.idempotency_key.empty()) {
    idem_key = keys::Idempotency(job.tenant, req.idempotency_key);
    const IdempotencyEntry* seen = nullptr;
    IdempotencyEntry stored;
    if (auto it = group.idempotency.find(idem_key); it != group.idempotency.end()) {
      seen = &it->second;
    } else {
      std::string value;
      auto st = core_.db->Get({}, core_.idempotency, idem_key, &value);
      if (st.ok()) {
        auto decoded = DecodeIdempotency(value);
        if (!decoded) return std::unexpected(decoded.error());
        const auto retention = core_.options.idempotency_retention.count();
        if (group.retention_now_ms - decoded->written_at_ms < retention) {
          stored = std::move(*decoded);
          seen = &stored;
        }
      } else if (!st.IsNotFound()) {
        return MakeError(Errc::kIo, "reading idempotency key: " + st.ToString());
      }
    }
    if (seen != nullptr) {
      if (seen->fingerprint != job.fingerprint) {
        return MakeError(Errc::kIdempotencyConflict,
                         "idempotency key '" + req.idempotency_key +
                             "' was already used for a different request");
      }
      AppendResult again = seen->result;
      again.duplicate = true;
      return again;
    }
  }

  std::vector<std::uint64_t> current;
  current.reserve(req.streams.size());
  for (const auto& s : req.streams) {
    auto version = CurrentVersion(s.stream, group);
    if (!version) return std::unexpected(version.error());
    if (!s.expected.Admits(*version)) {
      Error e{Errc::kVersionConflict, "expected version does not match", s.stream, *version};
      e.message += s.expected.kind() == ExpectedVersion::Kind::kNoStream
                       ? " (expected no stream)"
                       : " (expected " + std::to_string(s.expected.version()) + ")";
      return std::unexpected(std::move(e));
    }
    current.push_back(*version);
  }

  const Metadata& meta = req.metadata;
  const std::int64_t timestamp = meta.timestamp_ms != 0 ? meta.timestamp_ms : group.now_ms;
  AppendResult result;
  result.first_position = group.position + 1;
  for (std::size_t i = 0; i < req.streams.size(); ++i) {
    const StreamAppend& s = req.streams[i];
    StreamResult sr{s.stream, current[i] + 1, current[i], group.position + 1, group.position};
    std::uint64_t version = current[i];
    for (const EventData& e : s.events) {
      const std::uint64_t position = ++group.position;
      ++version;
      std::string value = EncodeEnvelope(EnvelopeFields{
          position, s.stream, version, e.type, e.schema_version, job.tenant, timestamp,
          meta.principal, meta.correlation_id, meta.causation_id, req.idempotency_key, e.payload,
          group.hash});
      group.batch.Put(core_.log, keys::Position(position), value);
      if (group.live) {
        group.live->push_back(RecordedEvent{position, version, s.stream, e.type, e.schema_version,
                                            job.tenant, timestamp, meta.principal,
                                            meta.correlation_id, meta.causation_id,
                                            req.idempotency_key, e.payload,
                                            value.substr(0, keys::kHashBytes), group.hash});
      }
      group.hash.assign(value, 0, keys::kHashBytes);  // reuses the buffer: no allocation
    }
    sr.last_version = version;
    sr.last_position = group.position;
    group.batch.Put(core_.stream_index, keys::StreamIndex(s.stream, version),
                    keys::StreamRange(sr.first_version, sr.first_position));
    group.versions[s.stream] = version;
    result.streams.push_back(std::move(sr));
  }
  for (const auto& r : req.records) group.batch.Put(core_.stream_records, keys::StreamRecord(r.stream, r.key), r.value);
  result.last_position = group.position;
  group.batch.Put(core_.tenant_index, keys::TenantIndex(job.tenant, result.last_position),
                  keys::BE64(result.first_position));

  if (!idem_key.empty()) {
    IdempotencyEntry entry{group.retention_now_ms, job.fingerprint, result};
    group.batch.Put(core_.idempotency, idem_key, EncodeIdempotency(entry));
    group.idempotency[idem_key] = std::move(entry);
  }
  return result;
}

void Writer::PrepareSnapshot(SnapshotJob& job, Group& group) {
  std::uint64_t existing = 0;
  if (auto it = group.snapshot_versions.find(job.stream); it != group.snapshot_versions.end()) {
    existing = it->second;
  } else {
    std::string value;
    if (core_.db->Get({}, core_.snapshots, job.stream, &value).ok() && value.size() >= 8) {
      existing = keys::DecodeBE64(value);
    }
  }
  if (job.snapshot.version <= existing) return;  // keep only the newest
  std::string value = keys::BE64(job.snapshot.version);
  value += job.snapshot.bytes;
  group.batch.Put(core_.snapshots, job.stream, value);
  ++group.snapshots;
  group.snapshot_bytes += job.snapshot.bytes.size();
  group.snapshot_versions[job.stream] = job.snapshot.version;
}

Result<void> Writer::PrepareReadModel(ReadModelJob& job, Group& group) {
  const ReadModelBatch& b = job.batch;
  if (b.epoch != 0) {
    std::lock_guard lock(core_.health_mu);
    if (b.epoch != core_.health.epoch())
      return MakeError(Errc::kFailStopped, "the store reopened after a full disk since this write was fenced");
  }
  for (const auto& key : b.deletes) group.batch.Delete(core_.read_models, keys::ReadModel(b.model, key));
  for (const auto& [key, value] : b.puts) {
    group.batch.Put(core_.read_models, keys::ReadModel(b.model, key), value);
  }
  group.batch.Put(core_.checkpoints, b.model, keys::BE64(b.checkpoint));
  return {};
}

}  // namespace keel::eventstore
