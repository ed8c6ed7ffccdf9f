// Writes refused and resumed. A write that fails stops writes (reads go on). When it failed for lack
// of space, a recovery thread looks at the free space every Options::recovery_interval and, once there
// is room, reopens the database (closing it and opening it again, rather than RocksDB's Resume(), which
// in 7.8 can keep a failed WAL writer and abort later), recovers head and chain tail from disk, resets
// the writer to them and takes writes again. Whatever the failed write left whole in the WAL is then in
// the log (its outcome was unknown to its caller, as with a timeout; a retry with its idempotency key
// finds it); nothing half-written is ever visible. Any other failure stops writes until a restart.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core.hpp"

namespace keel::eventstore {

// Refuses writes from now on; `recoverable`: for lack of space (the recovery thread takes over).
// `quiet`: no notice (at open, where the start line says it).
void MarkUnavailable(StoreCore& core, const std::string& reason, bool recoverable, bool quiet = false);
// Free bytes a reopen needs: what the write-ahead log holds plus Options::resume_free_bytes.
std::uint64_t RoomNeeded(const StoreCore& core);
// The error a refused write gets.
Error UnavailableError(const StoreCore& core);

class Recovery {
 public:
  explicit Recovery(StoreCore& core);
  ~Recovery();  // Stop()
  void Stop();
  void Wake();

 private:
  void Run();
  bool TryReopen();
  StoreCore& core_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace keel::eventstore
