// A RocksDB FileSystem wrapper for fault-injection tests: passes everything to the real file system
// and, when armed, makes writes or syncs of the write-ahead log (*.log) fail with an I/O error, or
// makes each sync take longer (a slow disk).
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
    return s;
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
