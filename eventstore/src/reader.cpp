// Read paths of the EventStore. They run on the caller's thread, bounded by the published head,
// and read index and log through one RocksDB snapshot, so a batch is seen whole or not at all.
#include <rocksdb/db.h>

#include <memory>

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
  explicit ReadView(const StoreCore& core) : db_(core.db), snapshot_(core.db->GetSnapshot()) {
    options_.snapshot = snapshot_;
  }
  ~ReadView() { db_->ReleaseSnapshot(snapshot_); }
  const rocksdb::ReadOptions& options() const { return options_; }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions options_;
};

Error IoError(const rocksdb::Status& st, std::string what) {
  return Error{Errc::kIo, std::move(what) + ": " + st.ToString()};
}

// Fetches the events at `positions` (ascending) from the log.
Result<std::vector<RecordedEvent>> FetchEvents(const StoreCore& core, const ReadView& view,
                                               const std::vector<std::string>& position_keys) {
  std::vector<RecordedEvent> out;
  if (position_keys.empty()) return out;
  std::vector<rocksdb::Slice> slices(position_keys.begin(), position_keys.end());
  std::vector<rocksdb::PinnableSlice> values(slices.size());
  std::vector<rocksdb::Status> statuses(slices.size());
  core.db->MultiGet(view.options(), core.log, slices.size(), slices.data(), values.data(),
                    statuses.data(), /*sorted_input=*/true);
  out.reserve(slices.size());
  DecodeScratch scratch;
  for (std::size_t i = 0; i < slices.size(); ++i) {
    const std::uint64_t position = keys::DecodeBE64(position_keys[i]);
    if (!statuses[i].ok()) {
      Error e{statuses[i].IsNotFound() ? Errc::kCorruption : Errc::kIo,
              "index names an event the log cannot return: " + statuses[i].ToString()};
      e.position = position;
      return std::unexpected(std::move(e));
    }
    auto ev = DecodeEnvelope(values[i].ToStringView(), scratch);
    if (!ev) {
      ev.error().position = position;
      return std::unexpected(ev.error());
    }
    out.push_back(RecordedEvent::From(*ev));
  }
  return out;
}

// Collects the log positions stored under `prefix` in an index, from `start_key` on.
Result<std::vector<std::string>> ScanIndex(const StoreCore& core, const ReadView& view,
                                           rocksdb::ColumnFamilyHandle* cf, const std::string& prefix,
                                           const std::string& start_key, bool position_in_value,
                                           std::uint64_t head, std::size_t max_count) {
  std::vector<std::string> positions;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(view.options(), cf));
  for (it->Seek(start_key); it->Valid() && positions.size() < max_count; it->Next()) {
    auto key = it->key();
    if (!key.starts_with(prefix) || key.size() != prefix.size() + 8) break;
    std::string position = position_in_value ? it->value().ToString()
                                             : std::string(key.data() + prefix.size(), 8);
    if (position.size() != 8) {
      return MakeError(Errc::kCorruption, "index entry is malformed");
    }
    if (keys::DecodeBE64(position) > head) break;
    positions.push_back(std::move(position));
  }
  if (!it->status().ok()) return std::unexpected(IoError(it->status(), "reading an index"));
  return positions;
}

}  // namespace

Result<std::uint64_t> EventStore::ScanAll(std::uint64_t from_position, std::size_t max_count,
                                          const std::function<bool(const EventView&)>& visit) const {
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

Result<std::vector<RecordedEvent>> EventStore::ReadStream(std::string_view stream,
                                                          std::uint64_t from_version,
                                                          std::size_t max_count) const {
  if (auto id = ParseStreamId(stream); !id) return std::unexpected(id.error());
  const std::uint64_t head = core_->head.load();
  ReadView view(*core_);
  auto positions = ScanIndex(*core_, view, core_->stream_index, keys::StreamPrefix(stream),
                             keys::StreamIndex(stream, from_version == 0 ? 1 : from_version),
                             /*position_in_value=*/true, head, max_count);
  if (!positions) return std::unexpected(positions.error());
  return FetchEvents(*core_, view, *positions);
}

Result<std::vector<RecordedEvent>> EventStore::ReadTenant(std::string_view tenant,
                                                          std::uint64_t from_position,
                                                          std::size_t max_count) const {
  if (!IsValidTenant(tenant)) {
    return MakeError(Errc::kInvalidArgument, "tenant must be 1..128 characters of [A-Za-z0-9._:-]");
  }
  const std::uint64_t head = core_->head.load();
  ReadView view(*core_);
  auto positions = ScanIndex(*core_, view, core_->tenant_index, keys::TenantPrefix(tenant),
                             keys::TenantIndex(tenant, from_position == 0 ? 1 : from_position),
                             /*position_in_value=*/false, head, max_count);
  if (!positions) return std::unexpected(positions.error());
  return FetchEvents(*core_, view, *positions);
}

Result<std::uint64_t> EventStore::StreamVersion(std::string_view stream) const {
  if (auto id = ParseStreamId(stream); !id) return std::unexpected(id.error());
  const std::uint64_t head = core_->head.load();
  ReadView view(*core_);
  const std::string prefix = keys::StreamPrefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(core_->db->NewIterator(view.options(), core_->stream_index));
  // Walk back from the newest entry past any committed-but-unpublished one.
  for (it->SeekForPrev(keys::StreamIndex(stream, UINT64_MAX)); it->Valid(); it->Prev()) {
    if (!it->key().starts_with(prefix) || it->key().size() != prefix.size() + 8) break;
    if (keys::DecodeBE64(it->value().ToStringView()) <= head) {
      return keys::DecodeBE64(std::string_view(it->key().data() + prefix.size(), 8));
    }
  }
  if (!it->status().ok()) return std::unexpected(IoError(it->status(), "reading the stream index"));
  return 0;
}

Result<std::optional<Snapshot>> EventStore::LoadSnapshot(std::string_view stream) const {
  if (auto id = ParseStreamId(stream); !id) return std::unexpected(id.error());
  std::string value;
  auto st = core_->db->Get({}, core_->snapshots, stream, &value);
  if (st.IsNotFound()) return std::optional<Snapshot>{};
  if (!st.ok()) return std::unexpected(IoError(st, "reading a snapshot"));
  if (value.size() < 8) return MakeError(Errc::kCorruption, "snapshot value is truncated", std::string(stream));
  return std::optional<Snapshot>(Snapshot{keys::DecodeBE64(value), value.substr(8)});
}

Result<std::optional<std::uint64_t>> EventStore::LoadCheckpoint(std::string_view name) const {
  std::string value;
  auto st = core_->db->Get({}, core_->checkpoints, name, &value);
  if (st.IsNotFound()) return std::optional<std::uint64_t>{};
  if (!st.ok()) return std::unexpected(IoError(st, "reading a checkpoint"));
  if (value.size() != 8) return MakeError(Errc::kCorruption, "checkpoint value is malformed");
  return std::optional<std::uint64_t>(keys::DecodeBE64(value));
}

Result<std::optional<std::string>> EventStore::ReadModelGet(std::string_view model,
                                                            std::string_view key) const {
  std::string value;
  auto st = core_->db->Get({}, core_->read_models, keys::ReadModel(model, key), &value);
  if (st.IsNotFound()) return std::optional<std::string>{};
  if (!st.ok()) return std::unexpected(IoError(st, "reading a read model"));
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<AppendResult>> EventStore::LookupIdempotency(std::string_view tenant,
                                                                  std::string_view key) const {
  if (!IsValidTenant(tenant) || key.empty()) {
    return MakeError(Errc::kInvalidArgument, "lookup needs a valid tenant and a non-empty key");
  }
  std::string value;
  auto st = core_->db->Get({}, core_->idempotency, keys::Idempotency(tenant, key), &value);
  if (st.IsNotFound()) return std::optional<AppendResult>{};
  if (!st.ok()) return std::unexpected(IoError(st, "reading an idempotency key"));
  auto entry = DecodeIdempotency(value);
  if (!entry) return std::unexpected(entry.error());
  if (core_->NowMs() - entry->written_at_ms >= core_->options.idempotency_retention.count()) {
    return std::optional<AppendResult>{};
  }
  return std::optional<AppendResult>(std::move(entry->result));
}

}  // namespace keel::eventstore
