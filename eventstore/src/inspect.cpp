// What operator tools ask of a store beyond reading events: its streams from the index, the bytes
// each column family holds, and (a secondary instance) following what the primary writes.
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>

#include <memory>

#include "core.hpp"
#include "eventstore/store.hpp"
#include "keys.hpp"
#include "open_db.hpp"

namespace keel::eventstore {

Result<std::vector<StreamInfo>> EventStore::ListStreams(std::string_view prefix) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  const std::uint64_t head = core_->head.load();
  rocksdb::ReadOptions ro;
  const rocksdb::Snapshot* snapshot = core_->options.access == Access::kSecondary ? nullptr : core_->db->GetSnapshot();
  ro.snapshot = snapshot;
  std::vector<StreamInfo> streams;
  Result<std::vector<StreamInfo>> result = streams;
  {
    std::unique_ptr<rocksdb::Iterator> it(core_->db->NewIterator(ro, core_->stream_index));
    auto malformed = [] { return MakeError(Errc::kCorruption, "stream index entry is malformed"); };
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);) {
      const auto key = it->key().ToStringView();
      const auto end = key.find('\0');
      if (end == std::string_view::npos || key.size() != end + 9 || it->value().size() != 16) {
        result = malformed();
        break;
      }
      StreamInfo info;
      info.stream = std::string(key.substr(0, end));
      info.first_position = keys::DecodeBE64(it->value().ToStringView().substr(8));
      std::string past = info.stream;
      past.push_back('\x01');  // just past every key of this stream (stream \0 ...)
      it->Seek(past);
      if (it->Valid()) it->Prev(); else it->SeekToLast();
      if (!it->Valid()) break;
      const auto last = it->key().ToStringView();
      const auto value = it->value().ToStringView();
      if (last.size() != end + 9 || value.size() != 16) {
        result = malformed();
        break;
      }
      info.version = keys::DecodeBE64(last.substr(end + 1));
      const std::uint64_t first_version = keys::DecodeBE64(value), first_position = keys::DecodeBE64(value.substr(8));
      info.last_position = first_position + (info.version - first_version);
      if (info.first_position <= head) streams.push_back(std::move(info));
      it->Seek(past);
    }
    if (result && !it->status().ok()) result = MakeError(Errc::kIo, "reading the stream index: " + it->status().ToString());
  }
  if (snapshot) core_->db->ReleaseSnapshot(snapshot);
  if (!result) return result;
  return streams;
}

Result<std::vector<std::pair<std::string, std::uint64_t>>> EventStore::ColumnFamilyBytes() const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  std::vector<std::pair<std::string, std::uint64_t>> sizes;
  for (auto* h : core_->handles) {
    rocksdb::ColumnFamilyMetaData meta;
    core_->db->GetColumnFamilyMetaData(h, &meta);
    sizes.emplace_back(h->GetName(), meta.size);
  }
  return sizes;
}

Result<std::uint64_t> EventStore::CatchUp() {
  if (core_->options.access != Access::kSecondary) return core_->head.load();
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  auto st = core_->db->TryCatchUpWithPrimary();
  if (!st.ok()) return MakeError(Errc::kIo, "catching up with the primary: " + st.ToString());
  auto tail = RecoverTail(*core_);
  if (!tail) return std::unexpected(tail.error());
  core_->head.store(tail->head);
  return tail->head;
}

}  // namespace keel::eventstore
