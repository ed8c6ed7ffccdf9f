// Opening and closing RocksDB for a store (see open_db.hpp).
#include "open_db.hpp"

#include <algorithm>
#include <filesystem>

#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>

#include "insert_hints.hpp"
#include "keys.hpp"

namespace keel::eventstore {
namespace {

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

// Stream records are point-looked-up, mostly for ids never seen before: a Bloom filter answers those
// without reading a block.
rocksdb::ColumnFamilyOptions RecordOptions() {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

// The store recovers from a full disk itself, by reopening (recovery.hpp): RocksDB's own automatic
// recovery is switched off, as 7.8's can resume on a failed WAL writer and then abort on an assertion.
class NoAutoRecovery : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    if (auto_recovery) *auto_recovery = false;
  }
};

}  // namespace

bool IsLockHeld(const rocksdb::Status& st) {
  const std::string text = st.ToString();
  return text.find("/LOCK") != std::string::npos || text.find("lock hold by current process") != std::string::npos;
}

Result<void> CheckExistingStore(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec))
    return MakeError(Errc::kNotFound, "no event store in " + dir + " (no RocksDB CURRENT file there)");
  std::vector<std::string> families;
  auto st = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &families);
  if (!st.ok()) return MakeError(Errc::kIo, "cannot read " + dir + ": " + st.ToString());
  for (std::string_view needed : {keys::kLog, keys::kStreamIndex, keys::kTenantIndex})
    if (std::find(families.begin(), families.end(), needed) == families.end())
      return MakeError(Errc::kInvalidArgument, dir + " is a RocksDB database but not a Keel data directory (no '" +
                                                   std::string(needed) + "' column family)");
  return {};
}

bool IsNoSpace(const rocksdb::Status& st) {
  return st.IsNoSpace() || st.ToString().find("No space left") != std::string::npos;
}

Result<void> OpenDb(StoreCore& core, bool read_only, bool* no_space) {
  const bool secondary = core.options.access == Access::kSecondary;
  const bool creates = !read_only && !secondary && core.options.create_if_missing;
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = creates;
  db_options.create_missing_column_families = !read_only && !secondary;
  db_options.max_background_jobs = 2;
  db_options.info_log = core.info_log;  // never RocksDB's own file logger (info_log.hpp)
  db_options.info_log_level = rocksdb::InfoLogLevel::INFO_LEVEL;
  db_options.listeners.push_back(std::make_shared<NoAutoRecovery>());
  if (core.options.env) db_options.env = core.options.env.get();
  if (secondary) db_options.max_open_files = -1;  // required of a secondary instance

  rocksdb::ColumnFamilyOptions idempotency_cf;
  idempotency_cf.compaction_filter = core.idempotency_expiry.get();
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, {}},
      {std::string(keys::kLog), LogOptions()},
      {std::string(keys::kStreamIndex), IndexOptions()},
      {std::string(keys::kTenantIndex), IndexOptions()},
      {std::string(keys::kIdempotency), idempotency_cf},
      {std::string(keys::kSnapshots), {}},
      {std::string(keys::kCheckpoints), {}},
      {std::string(keys::kReadModels), {}},
      {std::string(keys::kStreamRecords), RecordOptions()},
  };
  if (read_only || secondary) {
    // A read-only open cannot create a column family: one that a store written by an older version
    // lacks (stream_records) is left out, and reads of it find nothing.
    std::vector<std::string> existing;
    if (rocksdb::DB::ListColumnFamilies(db_options, core.dir, &existing).ok()) {
      std::erase_if(cfs, [&](const rocksdb::ColumnFamilyDescriptor& d) {
        return d.name == keys::kStreamRecords && std::find(existing.begin(), existing.end(), d.name) == existing.end();
      });
    }
  }
  core.handles.clear();
  rocksdb::Status st;
  if (secondary)
    st = rocksdb::DB::OpenAsSecondary(db_options, core.dir, core.options.secondary_dir, cfs, &core.handles, &core.db);
  else if (read_only)
    st = rocksdb::DB::OpenForReadOnly(db_options, core.dir, cfs, &core.handles, &core.db);
  else
    st = rocksdb::DB::Open(db_options, core.dir, cfs, &core.handles, &core.db);
  if (no_space) *no_space = !st.ok() && IsNoSpace(st);
  if (!st.ok()) {
    core.db = nullptr;
    core.handles.clear();
    if (IsLockHeld(st))
      return MakeError(Errc::kInUse, "the data directory " + core.dir +
                                         " is in use by another process (a running keel server?): stop it, or read "
                                         "beside it with a read-only command");
    return MakeError(Errc::kIo, std::string("cannot open event store at ") + core.dir +
                                    (secondary ? " as a secondary" : read_only ? " read-only" : "") + ": " +
                                    st.ToString());
  }
  auto& h = core.handles;
  core.meta = h[0];
  core.log = h[1];
  core.stream_index = h[2];
  core.tenant_index = h[3];
  core.idempotency = h[4];
  core.snapshots = h[5];
  core.checkpoints = h[6];
  core.read_models = h[7];
  core.stream_records = h.size() > 8 ? h[8] : nullptr;
  return {};
}

void CloseDb(StoreCore& core) {
  if (core.db == nullptr) return;
  for (auto* h : core.handles) core.db->DestroyColumnFamilyHandle(h);
  core.handles.clear();
  core.db->Close();  // after a failed write it may report that error again: nothing more to do
  delete core.db;
  core.db = nullptr;
}

Result<Tail> RecoverTail(const StoreCore& core) {
  Tail tail{0, std::string(keys::kHashBytes, '\0')};
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator({}, core.log));
  it->SeekToLast();
  if (it->Valid()) {
    if (it->key().size() != 8 || it->value().size() < keys::kHashBytes)
      return MakeError(Errc::kCorruption, "last log entry is malformed");
    tail.head = keys::DecodeBE64(it->key().ToStringView());
    tail.hash = it->value().ToString().substr(0, keys::kHashBytes);
  } else if (!it->status().ok()) {
    return MakeError(Errc::kIo, "cannot read the log tail: " + it->status().ToString());
  }
  return tail;
}

}  // namespace keel::eventstore
