// RocksDB compaction filter for the `idempotency` column family: drops records older than the
// retention window, so remembered keys do not grow without bound. Lookups apply the same rule, so
// a record that compaction has not reached yet is already treated as gone.
#pragma once

#include <rocksdb/compaction_filter.h>

#include <cstdint>
#include <functional>

namespace keel::eventstore {

class IdempotencyExpiry : public rocksdb::CompactionFilter {
 public:
  IdempotencyExpiry(std::function<std::int64_t()> now_ms, std::int64_t retention_ms)
      : now_ms_(std::move(now_ms)), retention_ms_(retention_ms) {}
  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& value,
              std::string* new_value, bool* value_changed) const override;
  const char* Name() const override { return "keel.IdempotencyExpiry"; }

 private:
  std::function<std::int64_t()> now_ms_;
  std::int64_t retention_ms_;
};

}  // namespace keel::eventstore
