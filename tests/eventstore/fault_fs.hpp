// A RocksDB FileSystem wrapper for fault-injection tests: passes everything to the real file system
// and, when armed, makes writes or syncs of the write-ahead log (*.log) fail with an I/O error, makes
// each sync take longer (a slow disk), or plays a full disk: every write or sync of any file fails with
// ENOSPC (IOStatus::NoSpace, as RocksDB's POSIX layer reports it) and the free space reads 0.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <memory>
#include <string>

namespace keel::eventstore::test {

struct FaultSwitches {
  std::atomic<bool> fail_wal_append{false};
  std::atomic<bool> fail_wal_sync{false};
  std::atomic<int> wal_sync_delay_ms{0};
  std::atomic<int> injected{0};
  std::atomic<bool> disk_full{false};
  std::atomic<bool> disk_full_at_sync_only{false};  // the data goes in, the sync reports ENOSPC
  std::atomic<int> no_space{0};  // ENOSPC answers given
};

// Every writable file, under a full disk.
class FullDiskFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FullDiskFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::shared_ptr<FaultSwitches> sw)
      : FSWritableFileOwnerWrapper(std::move(file)), sw_(std::move(sw)) {}
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (sw_->disk_full && !sw_->disk_full_at_sync_only) return NoSpace();
    return FSWritableFileOwnerWrapper::Append(data, o, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o, const rocksdb::DataVerificationInfo& v,
                           rocksdb::IODebugContext* dbg) override {
    if (sw_->disk_full && !sw_->disk_full_at_sync_only) return NoSpace();
    return FSWritableFileOwnerWrapper::Append(data, o, v, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (sw_->disk_full) return NoSpace();
    return FSWritableFileOwnerWrapper::Sync(o, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (sw_->disk_full) return NoSpace();
    return FSWritableFileOwnerWrapper::Fsync(o, dbg);
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (sw_->disk_full && !sw_->disk_full_at_sync_only) return NoSpace();
    return FSWritableFileOwnerWrapper::Flush(o, dbg);
  }

 private:
  rocksdb::IOStatus NoSpace() {
    ++sw_->no_space;
    auto s = rocksdb::IOStatus::NoSpace("injected: No space left on device");
    s.SetRetryable(true);
    return s;
  }
  std::shared_ptr<FaultSwitches> sw_;
};

class FaultyWalFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWalFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::shared_ptr<FaultSwitches> sw)
      : FSWritableFileOwnerWrapper(std::move(file)), sw_(std::move(sw)) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
    if (sw_->fail_wal_append) return Injected();
    return FSWritableFileOwnerWrapper::Append(data, o, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& v, rocksdb::IODebugContext* dbg) override {
    if (sw_->fail_wal_append) return Injected();
    return FSWritableFileOwnerWrapper::Append(data, o, v, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (sw_->fail_wal_sync) return Injected();
    SlowDisk();
    return FSWritableFileOwnerWrapper::Sync(o, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    if (sw_->fail_wal_sync) return Injected();
    SlowDisk();
    return FSWritableFileOwnerWrapper::Fsync(o, dbg);
  }

 private:
  void SlowDisk() {
    if (const int ms = sw_->wal_sync_delay_ms.load(); ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
  rocksdb::IOStatus Injected() {
    ++sw_->injected;
    return rocksdb::IOStatus::IOError("injected fault");
  }
  std::shared_ptr<FaultSwitches> sw_;
};

class FaultFs : public rocksdb::FileSystemWrapper {
 public:
  FaultFs(std::shared_ptr<FaultSwitches> sw)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), sw_(std::move(sw)) {}
  const char* Name() const override { return "KeelFaultFs"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* out,
                                    rocksdb::IODebugContext* dbg) override {
    auto s = FileSystemWrapper::NewWritableFile(name, o, out, dbg);
    if (s.ok() && name.ends_with(".log")) *out = std::make_unique<FaultyWalFile>(std::move(*out), sw_);
    if (s.ok()) *out = std::make_unique<FullDiskFile>(std::move(*out), sw_);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* out, rocksdb::IODebugContext* dbg) override {
    auto s = FileSystemWrapper::ReopenWritableFile(name, o, out, dbg);
    if (s.ok()) *out = std::make_unique<FullDiskFile>(std::move(*out), sw_);
    return s;
  }
  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& o, uint64_t* free,
                                 rocksdb::IODebugContext* dbg) override {
    if (sw_->disk_full) {
      *free = 0;
      return rocksdb::IOStatus::OK();
    }
    return FileSystemWrapper::GetFreeSpace(path, o, free, dbg);
  }

 private:
  std::shared_ptr<FaultSwitches> sw_;
};

// An Env over FaultFs, for Options::env.
inline std::shared_ptr<rocksdb::Env> MakeFaultEnv(std::shared_ptr<FaultSwitches> sw) {
  return std::shared_ptr<rocksdb::Env>(
      rocksdb::NewCompositeEnv(std::make_shared<FaultFs>(std::move(sw))).release());
}

}  // namespace keel::eventstore::test
