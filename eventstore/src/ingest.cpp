// Bulk read-model writes (EventStore::IngestReadModel, store.hpp): a batch written as sorted SST files
// — one for the read-model keys, one for the checkpoint — and ingested into both column families in one
// atomic step, so a rebuild's rows never pass through the memtable or the write-ahead log and the
// checkpoint still moves with them (a crash keeps both or neither).
#include <algorithm>
#include <atomic>
#include <filesystem>

#include <rocksdb/sst_file_writer.h>

#include "core.hpp"
#include "eventstore/store.hpp"
#include "keys.hpp"
#include "recovery.hpp"

namespace keel::eventstore {
namespace {

Error Io(const rocksdb::Status& st, std::string what) { return Error{Errc::kIo, std::move(what) + ": " + st.ToString()}; }

// Writes `entries` (sorted, unique; a null value deletes) into the SST file at `path` with `cf`'s options.
rocksdb::Status WriteSst(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, const std::string& path,
                         const std::vector<std::pair<std::string, const std::string*>>& entries) {
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), db.GetOptions(cf), cf);
  auto st = writer.Open(path);
  for (std::size_t i = 0; st.ok() && i < entries.size(); ++i)
    st = entries[i].second ? writer.Put(entries[i].first, *entries[i].second) : writer.Delete(entries[i].first);
  if (st.ok()) st = writer.Finish();  // synced
  return st;
}

}  // namespace

Result<void> EventStore::IngestReadModel(ReadModelBatch batch) {
  if (core_->failed.load()) return std::unexpected(UnavailableError(*core_));
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  std::vector<std::pair<std::string, const std::string*>> entries;
  entries.reserve(batch.puts.size() + batch.deletes.size());
  for (const auto& [key, value] : batch.puts) entries.emplace_back(keys::ReadModel(batch.model, key), &value);
  for (const auto& key : batch.deletes) entries.emplace_back(keys::ReadModel(batch.model, key), nullptr);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if (std::adjacent_find(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first == b.first; }) !=
      entries.end())
    return MakeError(Errc::kInvalidArgument, "an ingested batch names a key twice", batch.model);

  static std::atomic<std::uint64_t> seq{0};
  const std::filesystem::path dir = std::filesystem::path(core_->dir) / "ingest";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeError(Errc::kIo, "creating " + dir.string() + ": " + ec.message());
  const std::string stem = (dir / std::to_string(seq.fetch_add(1))).string();
  const std::string rows_path = stem + "-rows.sst", checkpoint_path = stem + "-checkpoint.sst";
  auto cleanup = [&] {
    std::filesystem::remove(rows_path, ec);
    std::filesystem::remove(checkpoint_path, ec);
  };
  std::vector<rocksdb::IngestExternalFileArg> args;
  rocksdb::IngestExternalFileOptions options;
  options.move_files = true;
  options.allow_global_seqno = true;
  options.allow_blocking_flush = true;  // the checkpoint's key may sit in the memtable
  if (!entries.empty()) {
    if (auto st = WriteSst(*core_->db, core_->read_models, rows_path, entries); !st.ok()) {
      cleanup();
      return std::unexpected(Io(st, "writing a read model's SST file"));
    }
    rocksdb::IngestExternalFileArg rows;
    rows.column_family = core_->read_models;
    rows.external_files = {rows_path};
    rows.options = options;
    args.push_back(std::move(rows));
  }
  const std::string position = keys::BE64(batch.checkpoint);
  if (auto st = WriteSst(*core_->db, core_->checkpoints, checkpoint_path, {{batch.model, &position}}); !st.ok()) {
    cleanup();
    return std::unexpected(Io(st, "writing a checkpoint's SST file"));
  }
  rocksdb::IngestExternalFileArg checkpoint;
  checkpoint.column_family = core_->checkpoints;
  checkpoint.external_files = {checkpoint_path};
  checkpoint.options = options;
  args.push_back(std::move(checkpoint));
  auto st = core_->db->IngestExternalFiles(args);
  cleanup();  // moved (linked) into the database, or not wanted any more
  if (!st.ok()) return std::unexpected(Io(st, "ingesting a read model's files"));
  return {};
}

Result<void> EventStore::CompactReadModel(std::string_view model) {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  const std::string begin = keys::ReadModel(model, ""), end = begin.substr(0, begin.size() - 1) + '\x01';
  const rocksdb::Slice from(begin), to(end);
  rocksdb::CompactRangeOptions options;
  options.exclusive_manual_compaction = false;  // alongside the background compactions
  if (auto st = core_->db->CompactRange(options, core_->read_models, &from, &to); !st.ok())
    return std::unexpected(Io(st, "compacting a read model"));
  return {};
}

}  // namespace keel::eventstore
