// Opening RocksDB for a store: read-write, or read-only when the disk is too full to open it for
// writing (a read-only open writes nothing); recovering the head and chain tail from the log; closing.
// Used at EventStore::Open and again when the store reopens itself after a full disk (recovery.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "core.hpp"
#include "eventstore/errors.hpp"

namespace keel::eventstore {

// Opens core.db and its column-family handles (Options::access: read-write, or a secondary instance); the caller holds core.db_mu exclusively (or nobody else
// can see the core yet). On failure core.db stays null; `no_space` says whether the disk was full.
Result<void> OpenDb(StoreCore& core, bool read_only, bool* no_space = nullptr);
void CloseDb(StoreCore& core);

struct Tail {
  std::uint64_t head = 0;
  std::string hash;  // the last event's hash (zeros when the log is empty)
};
Result<Tail> RecoverTail(const StoreCore& core);

// Whether an open failed because another process (or store) holds the directory's LOCK.
bool IsLockHeld(const rocksdb::Status& st);

// Before a tool's open (Options::create_if_missing false): the directory holds a RocksDB database
// with the event store's column families; kNotFound or kInvalidArgument naming what is missing.
// Reads only: a directory that is not Keel's is left exactly as it was.
Result<void> CheckExistingStore(const std::string& dir);

// Whether a RocksDB failure was the disk running out of space (recoverable once space returns).
bool IsNoSpace(const rocksdb::Status& st);

}  // namespace keel::eventstore
