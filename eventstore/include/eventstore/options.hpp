// Tunables of an EventStore, with production defaults. The clock and the RocksDB Env are seams:
// tests inject a simulated clock and a fault-injecting file system.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace rocksdb {
class Env;
}

namespace keel::eventstore {

enum class Durability : std::uint8_t {
  kSync,      // every group commit is fsynced before any caller is acknowledged (default)
  kBuffered,  // written to the WAL without fsync: for benchmarks and simulations that say so
};

enum class VerifyOnOpen : std::uint8_t {
  kNone,
  kTail,  // re-hash the last `verify_tail_events` events (default)
  kFull,  // walk the whole chain
};

// How a store opens its directory. kReadWrite takes RocksDB's lock: one such store per directory.
// kSecondary never takes it and never writes the directory: operator tools read beside a running
// server this way (RocksDB's secondary instance; CatchUp() follows what the primary wrote since).
enum class Access : std::uint8_t { kReadWrite, kSecondary };

struct Options {
  Access access = Access::kReadWrite;
  std::string secondary_dir;  // kSecondary: where RocksDB keeps the secondary's own files (required)
  // false: a directory without a store is kNotFound and a RocksDB database that is not a Keel store
  // is kInvalidArgument, and nothing is created (tools never make a store where they expected one).
  bool create_if_missing = true;
  Durability durability = Durability::kSync;
  std::chrono::milliseconds idempotency_retention = std::chrono::hours(24);
  // Unix epoch milliseconds. Stamps events whose metadata has no time (business time: a simulated
  // clock may move it by days).
  std::function<std::int64_t()> clock_ms;  // empty: std::chrono::system_clock
  // Unix epoch milliseconds that age idempotency keys: the wall clock, so that moving business time
  // never lets a retried command apply twice.
  std::function<std::int64_t()> retention_clock_ms;  // empty: clock_ms

  VerifyOnOpen verify_on_open = VerifyOnOpen::kTail;
  std::uint64_t verify_tail_events = 4096;
  bool allow_broken_chain = false;  // open anyway; broken_chain() then says where

  std::size_t max_event_bytes = 4u << 20;        // payload + metadata of one event
  std::size_t max_events_per_append = 10'000;
  std::size_t max_group_commit_bytes = 32u << 20;  // one WriteBatch stops growing past this
  std::size_t stream_version_cache = 1'000'000;  // writer's cache of stream heads (entries)

  std::shared_ptr<rocksdb::Env> env;  // empty: RocksDB's default Env

  // A full disk (recovery.hpp): a write that fails for lack of space makes the store refuse writes
  // (reads go on); every `recovery_interval` it looks at the free space and, once `resume_free_bytes`
  // are free, reopens the database and takes writes again. A store opened on a full disk opens
  // read-only and does the same. Any other write failure stops writes until a restart.
  std::chrono::milliseconds recovery_interval{2'000};
  std::uint64_t resume_free_bytes = 8u << 20;
  std::size_t info_log_max_bytes = 4u << 20;  // RocksDB's info log <dir>/LOG; past it: LOG.old (one kept)
  // Told when writes stop and when they resume (one line each; `keel serve` prints them on stderr).
  // Called on the store's writer or recovery thread: quick, no throwing.
  std::function<void(const std::string&)> notice;
};

}  // namespace keel::eventstore
