// The store's info log (see info_log.hpp).
#include "info_log.hpp"

#include <sys/time.h>

#include <cstdarg>
#include <ctime>
#include <filesystem>

namespace keel::eventstore {

InfoLog::InfoLog(std::string dir, std::size_t max_bytes) : path_(std::move(dir) + "/LOG"), max_bytes_(max_bytes) {
  SetInfoLogLevel(rocksdb::InfoLogLevel::INFO_LEVEL);
  file_ = std::fopen(path_.c_str(), "a");
  if (file_) {
    std::fseek(file_, 0, SEEK_END);
    const long at = std::ftell(file_);
    size_ = at > 0 ? static_cast<std::size_t>(at) : 0;
  }
}

InfoLog::~InfoLog() {
  if (!closed_) Close();
}

rocksdb::Status InfoLog::CloseImpl() {
  std::lock_guard lock(mu_);
  if (file_) std::fclose(file_);
  file_ = nullptr;
  return rocksdb::Status::OK();
}

void InfoLog::Logv(const char* format, va_list ap) { Write(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }

void InfoLog::Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  if (level < GetInfoLogLevel()) return;
  Write(level, format, ap);
}

size_t InfoLog::GetLogFileSize() const {
  std::lock_guard lock(mu_);
  return size_;
}

void InfoLog::Write(rocksdb::InfoLogLevel level, const char* format, va_list ap) {
  char line[4096];
  timeval now{};
  gettimeofday(&now, nullptr);
  tm t{};
  gmtime_r(&now.tv_sec, &t);
  int n = std::snprintf(line, sizeof line, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ", t.tm_year + 1900, t.tm_mon + 1,
                        t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, static_cast<long>(now.tv_usec));
  if (n < 0) return;
  va_list copy;
  va_copy(copy, ap);
  const int m = std::vsnprintf(line + n, sizeof line - static_cast<std::size_t>(n) - 1, format, copy);
  va_end(copy);
  if (m < 0) return;
  std::size_t len = std::min(sizeof line - 2, static_cast<std::size_t>(n + m));
  if (len == 0 || line[len - 1] != '\n') line[len++] = '\n';
  std::lock_guard lock(mu_);
  if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {  // a few per minute on stderr; all of them in LOG
    if (now.tv_sec - echo_window_start_ >= 60) {
      echo_window_start_ = now.tv_sec;
      echoed_ = 0;
    }
    if (echoed_ < kEchoPerMinute) {
      std::fprintf(stderr, "keel: rocksdb: %.*s", static_cast<int>(len), line);
    } else if (echoed_ == kEchoPerMinute) {
      std::fprintf(stderr, "keel: rocksdb: more errors this minute are in %s only\n", path_.c_str());
    }
    ++echoed_;
  }
  if (size_ + len > max_bytes_ && file_) {  // keep one older file: LOG.old
    std::fclose(file_);
    std::error_code ec;
    std::filesystem::rename(path_, path_ + ".old", ec);
    file_ = std::fopen(path_.c_str(), "w");
    size_ = 0;
  }
  if (!file_) file_ = std::fopen(path_.c_str(), "a");  // e.g. after a failed reopen on a full disk
  if (!file_) return;
  // Failures (no space) are ignored: the info log must never take the store down.
  if (std::fwrite(line, 1, len, file_) == len) size_ += len;
  std::fflush(file_);
}

std::size_t InfoLog::RemoveRolledLogs(const std::string& dir) {
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (name.starts_with("LOG.old.") && std::filesystem::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

}  // namespace keel::eventstore
