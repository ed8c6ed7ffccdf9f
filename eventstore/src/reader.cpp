// Read paths of the EventStore. They run on the caller's thread, bounded by the published head,
// and read index and log through one RocksDB snapshot, so a batch is seen whole or not at all.
#include <rocksdb/db.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "core.hpp"
#include "envelope_codec.hpp"
#include "eventstore/store.hpp"
#include "eventstore/stream_id.hpp"
#include "idempotency.hpp"
#include "keys.hpp"

namespace keel::eventstore {
namespace {

// A RocksDB snapshot released on scope exit.
class ReadView {
 public:
  // A secondary instance has no snapshots: it changes only when its owner calls CatchUp.
  explicit ReadView(const StoreCore& core)
      : db_(core.db), snapshot_(core.options.access == Access::kSecondary ? nullptr : core.db->GetSnapshot()) {
    options_.snapshot = snapshot_;
  }
  ~ReadView() {
    if (snapshot_) db_->ReleaseSnapshot(snapshot_);
  }
  const rocksdb::ReadOptions& options() const { return options_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
};

Error IoError(const rocksdb::Status& st, std::string what) {
  return Error{Errc::kIo, std::move(what) + ": " + st.ToString()};
}

struct PositionRange {
  std::uint64_t first;
  std::uint64_t last;
};

// Visits the events of `ranges` (ascending, disjoint) in the log, at most `max_count`; `visit`
// returns false to stop. Returns the number visited.
Result<std::uint64_t> VisitRanges(const StoreCore& core, const ReadView& view, const std::vector<PositionRange>& ranges,
                                  std::size_t max_count, const std::function<bool(const EventView&)>& visit,
                                  bool payload_only = false) {
  std::uint64_t count = 0;
  if (ranges.empty()) return count;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(view.options(), core.log));
  DecodeScratch scratch;
  for (const auto& range : ranges) {
    std::uint64_t expected = range.first;
    for (it->Seek(keys::Position(range.first)); expected <= range.last && count < max_count; it->Next(), ++expected) {
      if (!it->Valid() || keys::DecodeBE64(it->key().ToStringView()) != expected) {
        if (!it->status().ok()) return std::unexpected(IoError(it->status(), "reading the log"));
        Error e{Errc::kCorruption, "an index names an event the log does not hold"};
        e.position = expected;
        return std::unexpected(std::move(e));
      }
      auto ev = DecodeEnvelope(it->value().ToStringView(), scratch, payload_only);
      if (!ev) {
        ev.error().position = expected;
        return std::unexpected(ev.error());
      }
      ++count;
      if (!visit(*ev)) return count;
    }
    if (count >= max_count) break;
  }
  return count;
}

Result<std::vector<RecordedEvent>> FetchRanges(const StoreCore& core, const ReadView& view,
                                               const std::vector<PositionRange>& ranges, std::size_t max_count) {
  std::vector<RecordedEvent> out;
  auto n = VisitRanges(core, view, ranges, max_count, [&](const EventView& v) {
    out.push_back(RecordedEvent::From(v));
    return true;
  });
  if (!n) return std::unexpected(n.error());
  return out;
}

// One entry of stream_index: versions [first_version, last_version] at consecutive positions.
struct StreamEntry {
  std::uint64_t first_version, last_version, first_position;
  std::uint64_t last_position() const { return first_position + (last_version - first_version); }
};

std::optional<StreamEntry> ParseStreamEntry(const rocksdb::Iterator& it, std::string_view prefix) {
  auto key = it.key();
  if (!key.starts_with(rocksdb::Slice(prefix.data(), prefix.size())) ||
      key.size() != prefix.size() + 8 || it.value().size() != 16) {
    return std::nullopt;
  }
  StreamEntry e;
  e.last_version = keys::DecodeBE64(std::string_view(key.data() + prefix.size(), 8));
  e.first_version = keys::DecodeBE64(it.value().ToStringView());
  e.first_position = keys::DecodeBE64(it.value().ToStringView().substr(8));
  if (e.first_version == 0 || e.first_version > e.last_version) return std::nullopt;
  return e;
}

}  // namespace

Result<std::uint64_t> EventStore::ScanAll(std::uint64_t from_position, std::size_t max_count,
                                          const std::function<bool(const EventView&)>& visit) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  const std::uint64_t head = core_->head.load();
  if (from_position == 0) from_position = 1;
  if (from_position > head || max_count == 0) return 0;
  rocksdb::ReadOptions ro;
  const std::string upper = keys::Position(head + 1);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  ro.readahead_size = 2u << 20;
  std::unique_ptr<rocksdb::Iterator> it(core_->db->NewIterator(ro, core_->log));
  DecodeScratch scratch;
  std::uint64_t count = 0;
  for (it->Seek(keys::Position(from_position)); it->Valid() && count < max_count; it->Next()) {
    auto ev = DecodeEnvelope(it->value().ToStringView(), scratch);
    if (!ev) {
      ev.error().position = keys::DecodeBE64(it->key().ToStringView());
      return std::unexpected(ev.error());
    }
    ++count;
    if (!visit(*ev)) break;
  }
  if (!it->status().ok()) return std::unexpected(IoError(it->status(), "reading the log"));
  return count;
}

Result<std::vector<RecordedEvent>> EventStore::ReadAll(std::uint64_t from_position,
                                                       std::size_t max_count) const {
  std::vector<RecordedEvent> out;
  auto n = ScanAll(from_position, max_count, [&](const EventView& v) {
    out.push_back(RecordedEvent::From(v));
    return true;
  });
  if (!n) return std::unexpected(n.error());
  return out;
}

namespace {

// The log ranges holding `stream` from `from_version`, up to about `max_count` events.
Result<std::vector<PositionRange>> StreamRanges(const StoreCore& core, const ReadView& view, std::string_view stream,
                                                std::uint64_t from_version, std::size_t max_count, std::uint64_t head) {
  const std::string prefix = keys::StreamPrefix(stream);
  std::vector<PositionRange> ranges;
  std::size_t planned = 0;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(view.options(), core.stream_index));
  for (it->Seek(keys::StreamIndex(stream, from_version)); it->Valid() && planned < max_count; it->Next()) {
    if (!it->key().starts_with(prefix)) break;
    auto entry = ParseStreamEntry(*it, prefix);
    if (!entry) return MakeError(Errc::kCorruption, "stream index entry is malformed", std::string(stream));
    if (entry->last_position() > head) break;  // committed but not yet published
    const std::uint64_t v0 = std::max(from_version, entry->first_version);
    const std::uint64_t p0 = entry->first_position + (v0 - entry->first_version);
    ranges.push_back({p0, entry->last_position()});
    planned += entry->last_position() - p0 + 1;
  }
  if (!it->status().ok()) return std::unexpected(IoError(it->status(), "reading the stream index"));
  return ranges;
}

}  // namespace

Result<std::vector<RecordedEvent>> EventStore::ReadStream(std::string_view stream, std::uint64_t from_version,
                                                          std::size_t max_count) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  if (auto id = ParseStreamId(stream); !id) return std::unexpected(id.error());
  const std::uint64_t head = core_->head.load();
  ReadView view(*core_);
  auto ranges = StreamRanges(*core_, view, stream, from_version == 0 ? 1 : from_version, max_count, head);
  if (!ranges) return std::unexpected(ranges.error());
  return FetchRanges(*core_, view, *ranges, max_count);
}

Result<std::uint64_t> EventStore::ScanStream(std::string_view stream, std::uint64_t from_version, std::size_t max_count,
                                             const std::function<bool(const EventView&)>& visit, Fields fields) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  if (auto id = ParseStreamId(stream); !id) return std::unexpected(id.error());
  const std::uint64_t head = core_->head.load();
  ReadView view(*core_);
  auto ranges = StreamRanges(*core_, view, stream, from_version == 0 ? 1 : from_version, max_count, head);
  if (!ranges) return std::unexpected(ranges.error());
  return VisitRanges(*core_, view, *ranges, max_count, visit, fields == Fields::kPayloadOnly);
}

Result<std::vector<RecordedEvent>> EventStore::ReadTenant(std::string_view tenant,
                                                          std::uint64_t from_position,
                                                          std::size_t max_count) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  if (!IsValidTenant(tenant)) {
    return MakeError(Errc::kInvalidArgument, "tenant must be 1..128 characters of [A-Za-z0-9._:-]");
  }
  if (from_position == 0) from_position = 1;
  const std::uint64_t head = core_->head.load();
  ReadView view(*core_);
  const std::string prefix = keys::TenantPrefix(tenant);
  std::vector<PositionRange> ranges;
  std::size_t planned = 0;
  std::unique_ptr<rocksdb::Iterator> it(core_->db->NewIterator(view.options(), core_->tenant_index));
  for (it->Seek(keys::TenantIndex(tenant, from_position)); it->Valid() && planned < max_count; it->Next()) {
    auto key = it->key();
    if (!key.starts_with(prefix)) break;
    if (key.size() != prefix.size() + 8 || it->value().size() != 8) {
      return MakeError(Errc::kCorruption, "tenant index entry is malformed");
    }
    const std::uint64_t last = keys::DecodeBE64(std::string_view(key.data() + prefix.size(), 8));
    const std::uint64_t first = keys::DecodeBE64(it->value().ToStringView());
    if (first == 0 || first > last) return MakeError(Errc::kCorruption, "tenant index entry is malformed");
    if (last > head) break;
    const std::uint64_t p0 = std::max(from_position, first);
    ranges.push_back({p0, last});
    planned += last - p0 + 1;
  }
  if (!it->status().ok()) return std::unexpected(IoError(it->status(), "reading the tenant index"));
  return FetchRanges(*core_, view, ranges, max_count);
}

Result<std::uint64_t> EventStore::StreamVersion(std::string_view stream) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  if (auto id = ParseStreamId(stream); !id) return std::unexpected(id.error());
  const std::uint64_t head = core_->head.load();
  ReadView view(*core_);
  const std::string prefix = keys::StreamPrefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(core_->db->NewIterator(view.options(), core_->stream_index));
  // Walk back from the newest entry past any committed-but-unpublished one.
  for (it->SeekForPrev(keys::StreamIndex(stream, UINT64_MAX)); it->Valid(); it->Prev()) {
    if (!it->key().starts_with(prefix)) break;
    auto entry = ParseStreamEntry(*it, prefix);
    if (!entry) return MakeError(Errc::kCorruption, "stream index entry is malformed", std::string(stream));
    if (entry->last_position() <= head) return entry->last_version;
  }
  if (!it->status().ok()) return std::unexpected(IoError(it->status(), "reading the stream index"));
  return 0;
}

Result<std::vector<std::string>> EventStore::ListTenants() const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  std::vector<std::string> tenants;
  ReadView view(*core_);
  std::unique_ptr<rocksdb::Iterator> it(core_->db->NewIterator(view.options(), core_->tenant_index));
  it->SeekToFirst();
  while (it->Valid()) {
    const auto key = it->key().ToStringView();
    const auto end = key.find('\0');
    if (end == std::string_view::npos) return MakeError(Errc::kCorruption, "tenant index key is malformed");
    tenants.emplace_back(key.substr(0, end));
    std::string next = tenants.back();
    next.push_back('\x01');  // just past every key of this tenant (tenant \0 ...)
    it->Seek(next);
  }
  if (!it->status().ok()) return std::unexpected(IoError(it->status(), "listing tenants"));
  return tenants;
}

Result<std::optional<Snapshot>> EventStore::LoadSnapshot(std::string_view stream) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  if (auto id = ParseStreamId(stream); !id) return std::unexpected(id.error());
  std::string value;
  auto st = core_->db->Get({}, core_->snapshots, stream, &value);
  if (st.IsNotFound()) return std::optional<Snapshot>{};
  if (!st.ok()) return std::unexpected(IoError(st, "reading a snapshot"));
  if (value.size() < 8) return MakeError(Errc::kCorruption, "snapshot value is truncated", std::string(stream));
  return std::optional<Snapshot>(Snapshot{keys::DecodeBE64(value), value.substr(8)});
}

Result<std::optional<std::uint64_t>> EventStore::LoadCheckpoint(std::string_view name) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  std::string value;
  auto st = core_->db->Get({}, core_->checkpoints, name, &value);
  if (st.IsNotFound()) return std::optional<std::uint64_t>{};
  if (!st.ok()) return std::unexpected(IoError(st, "reading a checkpoint"));
  if (value.size() != 8) return MakeError(Errc::kCorruption, "checkpoint value is malformed");
  return std::optional<std::uint64_t>(keys::DecodeBE64(value));
}

Result<std::optional<std::string>> EventStore::ReadModelGet(std::string_view model,
                                                            std::string_view key) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  std::string value;
  auto st = core_->db->Get({}, core_->read_models, keys::ReadModel(model, key), &value);
  if (st.IsNotFound()) return std::optional<std::string>{};
  if (!st.ok()) return std::unexpected(IoError(st, "reading a read model"));
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<std::string>> EventStore::LookupRecord(std::string_view stream, std::string_view key) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  if (core_->stream_records == nullptr) return std::optional<std::string>{};  // read-only, older store
  std::string value;
  auto st = core_->db->Get({}, core_->stream_records, keys::StreamRecord(stream, key), &value);
  if (st.IsNotFound()) return std::optional<std::string>{};
  if (!st.ok()) return std::unexpected(IoError(st, "reading a stream record"));
  return std::optional<std::string>(std::move(value));
}

Result<std::uint64_t> EventStore::ReadModelScan(
    std::string_view model, std::string_view prefix,
    const std::function<bool(std::string_view key, std::string_view value)>& visit, std::string_view after) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  const std::string start = keys::ReadModel(model, prefix);
  const std::size_t model_prefix = model.size() + 1;
  std::unique_ptr<rocksdb::Iterator> it(core_->db->NewIterator({}, core_->read_models));
  std::uint64_t count = 0;
  // From `after` (a key under the prefix) when given: a page that goes on where the last one ended.
  const std::string from = !after.empty() && after.starts_with(prefix) ? keys::ReadModel(model, after) : start;
  it->Seek(from);
  if (from != start && it->Valid() && it->key() == rocksdb::Slice(from)) it->Next();
  for (; it->Valid() && it->key().starts_with(start); it->Next()) {
    ++count;
    if (!visit(it->key().ToStringView().substr(model_prefix), it->value().ToStringView())) break;
  }
  if (!it->status().ok()) return std::unexpected(IoError(it->status(), "scanning a read model"));
  return count;
}

Result<std::optional<AppendResult>> EventStore::LookupIdempotency(std::string_view tenant, std::string_view key,
                                                                  std::string_view fingerprint) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  if (!IsValidTenant(tenant) || key.empty()) {
    return MakeError(Errc::kInvalidArgument, "lookup needs a valid tenant and a non-empty key");
  }
  std::string value;
  auto st = core_->db->Get({}, core_->idempotency, keys::Idempotency(tenant, key), &value);
  if (st.IsNotFound()) return std::optional<AppendResult>{};
  if (!st.ok()) return std::unexpected(IoError(st, "reading an idempotency key"));
  auto entry = DecodeIdempotency(value);
  if (!entry) return std::unexpected(entry.error());
  if (core_->RetentionNowMs() - entry->written_at_ms >= core_->options.idempotency_retention.count()) {
    return std::optional<AppendResult>{};
  }
  if (!fingerprint.empty() && entry->fingerprint != StoredFingerprint(fingerprint))
    return MakeError(Errc::kIdempotencyConflict,
                     "idempotency key '" + std::string(key) + "' was already used for a different request");
  return std::optional<AppendResult>(std::move(entry->result));
}

}  // namespace keel::eventstore
