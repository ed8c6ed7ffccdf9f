// Memtable insertion hints for the append-only column families (log, stream index, tenant index):
// their keys end in a big-endian number that only grows within the part before it, so RocksDB can
// keep one insertion point per prefix and append at it instead of searching the skip list from the
// top for every key (memtable_insert_with_hint_prefix_extractor). Changes nothing on disk.
#pragma once

#include <rocksdb/slice_transform.h>

namespace keel::eventstore {

class TrailingNumberPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "keel.TrailingNumberPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return {key.data(), key.size() - 8}; }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() >= 8; }
};

}  // namespace keel::eventstore
