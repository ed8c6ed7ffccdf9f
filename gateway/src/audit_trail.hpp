// Where the gateway's audit records live (read model "audit") and the order they are read in.
//  - "r/<head20>-<seq20>": a record, keyed by the log's head when it was made and a sequence number
//    that only grows (carried across restarts), so that key order is the trail's order: after every
//    command the log had accepted by then, before every later one.
//  - "w/<wall20>/<head20>-<seq20>": the same record by wall-clock time, for retention.
// A record is written after its answer is decided, asynchronously; until it is durable it is pending,
// and GET /v1/audit serves nothing at or after the earliest pending record (Hold), so a follower's
// cursor never passes a record that lands later. Records of the earlier layout
// ("<wall20>-<head20>-<seq10>") are moved to this one at start.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "eventstore/store.hpp"

namespace keel::gateway {

class AuditTrail {
 public:
  explicit AuditTrail(eventstore::EventStore& store) : store_(store) {}
  ~AuditTrail();  // waits (bounded) for the records still being written: their callbacks refer to it
  AuditTrail(const AuditTrail&) = delete;
  AuditTrail& operator=(const AuditTrail&) = delete;

  // Moves records of the earlier layout and carries the sequence on from the last record.
  eventstore::Result<std::size_t> Start();

  // Writes `record` (JSON text) under a new key; `done` runs once it is durable or failed. The key is
  // pending (held back from readers) until then.
  void Write(std::int64_t wall_ms, std::string record, std::function<void(bool written)> done);

  // Where a reader must stop (exclusive): the earliest record not yet durable (`pending`), or else the
  // key the next record will get — every record before it is durable and every later one sorts after.
  struct Stop {
    std::string key;
    bool pending = false;
  };
  Stop Hold() const;

  // Deletes up to `limit` records made before `cutoff_wall_ms`; how many.
  eventstore::Result<std::size_t> PurgeBefore(std::int64_t cutoff_wall_ms, std::size_t limit);

  static constexpr std::string_view kRecords = "r/";
  static constexpr std::string_view kByWall = "w/";

 private:
  eventstore::EventStore& store_;
  mutable std::mutex mu_;
  std::condition_variable written_;
  std::uint64_t next_seq_ = 0;
  std::set<std::string> pending_;
};

}  // namespace keel::gateway
