// Online backups and restores of a store with RocksDB's BackupEngine (see store.hpp): a backup copies
// the live table files, the MANIFEST and the write-ahead logs as one consistent set (files shared
// between backups are copied once, each with its checksum), while appends go on; a restore checks
// every file against its checksum, then writes a new data directory.
#include <rocksdb/db.h>
#include <rocksdb/utilities/backup_engine.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "core.hpp"
#include "eventstore/backup_target.hpp"
#include "eventstore/store.hpp"

namespace keel::eventstore {
namespace {

std::string BackupMetadata(std::uint64_t head) { return "keel event store backup; head_at_start=" + std::to_string(head); }

std::uint64_t HeadFrom(const std::string& metadata) {
  const auto at = metadata.find("head_at_start=");
  if (at == std::string::npos) return 0;
  return std::strtoull(metadata.c_str() + at + 14, nullptr, 10);
}

BackupInfo Info(const rocksdb::BackupInfo& b) {
  return BackupInfo{b.backup_id, b.timestamp, b.size, b.number_files, HeadFrom(b.app_metadata), b.app_metadata};
}

rocksdb::BackupEngineOptions EngineOptions(const std::string& backup_dir) {
  rocksdb::BackupEngineOptions options(backup_dir);
  options.sync = true;
  options.callback_trigger_interval_size = 1u << 20;
  options.max_background_operations = 2;  // files copied two at a time
  return options;
}

Error BackupError(const rocksdb::Status& st, const std::string& what) {
  return Error{st.IsNotFound() ? Errc::kNotFound : st.IsCorruption() ? Errc::kCorruption : Errc::kIo,
               what + ": " + st.ToString()};
}

}  // namespace

Result<void> CheckBackupTarget(const std::string& data_dir, const std::string& backup_dir) {
  std::error_code ec;
  const auto data = std::filesystem::weakly_canonical(data_dir, ec), target = std::filesystem::weakly_canonical(backup_dir, ec);
  if (std::mismatch(data.begin(), data.end(), target.begin(), target.end()).first == data.end())
    return MakeError(Errc::kInvalidArgument, backup_dir + " is inside the data directory " + data_dir + ": back up elsewhere");
  if (std::filesystem::exists(backup_dir, ec) &&
      (!std::filesystem::is_directory(backup_dir, ec) ||
       (!std::filesystem::is_empty(backup_dir, ec) && !std::filesystem::is_directory(std::filesystem::path(backup_dir) / "meta", ec))))
    return MakeError(Errc::kInvalidArgument,
                     backup_dir + " holds something other than backups: give a new or empty directory, or one of backups");
  return {};
}

Result<BackupInfo> EventStore::Backup(const std::string& backup_dir, const Progress& progress) {
  if (core_->options.access == Access::kSecondary)
    return MakeError(Errc::kInvalidArgument,
                     "a backup is taken by the process that writes the store: ask the running server "
                     "(POST /v1/admin/backup on its admin listener)");
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  if (auto target = CheckBackupTarget(core_->dir, backup_dir); !target) return std::unexpected(target.error());
  std::error_code ec;
  std::filesystem::create_directories(backup_dir, ec);
  if (ec) return MakeError(Errc::kIo, "cannot create " + backup_dir + ": " + ec.message());

  std::uint64_t total = 0;
  std::vector<rocksdb::LiveFileStorageInfo> files;
  if (core_->db->GetLiveFilesStorageInfo(rocksdb::LiveFilesStorageInfoOptions(), &files).ok())
    for (const auto& f : files) total += f.size;

  rocksdb::BackupEngine* raw = nullptr;
  auto st = rocksdb::BackupEngine::Open(EngineOptions(backup_dir), core_->db->GetEnv(), &raw);
  if (!st.ok()) return std::unexpected(BackupError(st, "opening the backup directory " + backup_dir));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);

  const std::uint64_t head = core_->head.load();
  rocksdb::CreateBackupOptions options;
  options.flush_before_backup = false;  // the WAL comes along: every column family at one point
  std::uint64_t copied = 0;
  bool stopped = false;
  if (progress) {
    options.progress_callback = [&] {
      copied += 1u << 20;
      if (!stopped && !progress(std::min(copied, total), total)) {
        stopped = true;
        engine->StopBackup();
      }
    };
  }
  rocksdb::BackupID id = 0;
  st = engine->CreateNewBackupWithMetadata(options, core_->db, BackupMetadata(head), &id);
  if (stopped) {
    engine->PurgeOldBackups(UINT32_MAX);  // keeps every finished backup; the partial files go
    engine->GarbageCollect();
    return MakeError(Errc::kClosed, "the backup was stopped before it finished");
  }
  if (!st.ok()) return std::unexpected(BackupError(st, "backing up into " + backup_dir));
  rocksdb::BackupInfo info;
  if (auto read = engine->GetBackupInfo(id, &info); !read.ok())
    return std::unexpected(BackupError(read, "reading the new backup"));
  if (progress) progress(total, total);
  return Info(info);
}

Result<std::vector<BackupInfo>> EventStore::ListBackups(const std::string& backup_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(std::filesystem::path(backup_dir) / "meta", ec))
    return MakeError(Errc::kNotFound, "no backups in " + backup_dir + " (no meta directory there)");
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  auto st = rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(), EngineOptions(backup_dir), &raw);
  if (!st.ok()) return std::unexpected(BackupError(st, "opening the backup directory " + backup_dir));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  std::vector<rocksdb::BackupInfo> infos;
  engine->GetBackupInfo(&infos);
  std::vector<BackupInfo> out;
  for (const auto& b : infos) out.push_back(Info(b));
  return out;
}

Result<BackupInfo> EventStore::Restore(const std::string& backup_dir, const std::string& data_dir, std::uint32_t id,
                                       const Progress& progress) {
  std::error_code ec;
  if (std::filesystem::exists(data_dir, ec) && !std::filesystem::is_empty(data_dir, ec))
    return MakeError(Errc::kInvalidArgument, data_dir + " is not empty: a restore writes a new data directory");
  auto backups = ListBackups(backup_dir);
  if (!backups) return std::unexpected(backups.error());
  if (backups->empty()) return MakeError(Errc::kNotFound, "no backups in " + backup_dir);
  BackupInfo chosen = backups->back();
  if (id != 0) {
    bool found = false;
    for (const auto& b : *backups)
      if (b.id == id) chosen = b, found = true;
    if (!found) return MakeError(Errc::kNotFound, "no backup " + std::to_string(id) + " in " + backup_dir);
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  auto st = rocksdb::BackupEngineReadOnly::Open(rocksdb::Env::Default(), EngineOptions(backup_dir), &raw);
  if (!st.ok()) return std::unexpected(BackupError(st, "opening the backup directory " + backup_dir));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  if (progress && !progress(0, chosen.bytes)) return MakeError(Errc::kClosed, "the restore was stopped before it began");
  st = engine->VerifyBackup(chosen.id, /*verify_with_checksum=*/true);
  if (!st.ok()) return std::unexpected(BackupError(st, "backup " + std::to_string(chosen.id) + " does not verify"));
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return MakeError(Errc::kIo, "cannot create " + data_dir + ": " + ec.message());
  st = engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), chosen.id, data_dir, data_dir);
  if (!st.ok()) return std::unexpected(BackupError(st, "restoring backup " + std::to_string(chosen.id) + " into " + data_dir));
  if (progress) progress(chosen.bytes, chosen.bytes);
  return chosen;
}

}  // namespace keel::eventstore
