// RocksDB's info log for a Keel store: <dir>/LOG, written with plain stdio whose failures are ignored
// (RocksDB's own logger asserts on a failed write: a full disk aborted the process), capped in size
// (past the cap LOG becomes LOG.old, one kept), errors also echoed to stderr.
#pragma once

#include <rocksdb/env.h>

#include <cstdio>
#include <mutex>
#include <string>

namespace keel::eventstore {

class InfoLog : public rocksdb::Logger {
 public:
  InfoLog(std::string dir, std::size_t max_bytes);
  ~InfoLog() override;
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override;
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override;
  size_t GetLogFileSize() const override;

  // Deletes the LOG.old.<time> files RocksDB's own logger left behind (one per open); returns how many.
  static std::size_t RemoveRolledLogs(const std::string& dir);

 private:
  void Write(rocksdb::InfoLogLevel level, const char* format, va_list ap);
  rocksdb::Status CloseImpl() override;
  std::string path_;
  std::size_t max_bytes_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::size_t size_ = 0;
  static constexpr int kEchoPerMinute = 3;
  long echo_window_start_ = 0;
  int echoed_ = 0;
};

}  // namespace keel::eventstore
