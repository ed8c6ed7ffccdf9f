// Values that cross the event-store API: what an append carries, what it returns, and how a
// committed event is read back (owned RecordedEvent, or an EventView valid during a callback).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace keel::eventstore {

// Optimistic concurrency for one stream: any version, the stream must not exist, or exactly v.
class ExpectedVersion {
 public:
  enum class Kind : std::uint8_t { kAny, kNoStream, kExact };
  static ExpectedVersion Any() { return {Kind::kAny, 0}; }
  static ExpectedVersion NoStream() { return {Kind::kNoStream, 0}; }
  static ExpectedVersion Exact(std::uint64_t v) { return {Kind::kExact, v}; }

  Kind kind() const { return kind_; }
  std::uint64_t version() const { return version_; }
  bool Admits(std::uint64_t current) const {
    switch (kind_) {
      case Kind::kAny: return true;
      case Kind::kNoStream: return current == 0;
      case Kind::kExact: return current == version_;
    }
    return false;
  }

 private:
  ExpectedVersion(Kind k, std::uint64_t v) : kind_(k), version_(v) {}
  Kind kind_;
  std::uint64_t version_;
};

// One event to append: its type name, schema version and opaque payload.
struct EventData {
  std::string type;
  std::uint32_t schema_version = 1;
  std::string payload;
};

// Who and why, shared by every event of one append.
struct Metadata {
  std::int64_t timestamp_ms = 0;  // 0: stamped by the store's clock at commit
  std::string principal;
  std::string correlation_id;
  std::string causation_id;
};

struct StreamAppend {
  std::string stream;  // t/<tenant>/<kind>/<id>
  ExpectedVersion expected = ExpectedVersion::Any();
  std::vector<EventData> events;
};

// An append to one or more streams of one tenant: all or nothing.
// A keyed record of one stream (DESIGN.md §4, "ids a decision needs forever"): what an aggregate must
// remember by id for good (a receipt, a transfer, a shipped order line) without keeping it in its
// state. The store keeps the newest value per (stream, key), written in the same batch as the events
// that made it, and answers LookupRecord; it never interprets the bytes. Keys are 1..512 bytes
// without NUL.
struct StreamRecord {
  std::string stream, key, value;
  bool operator==(const StreamRecord&) const = default;
};

struct AppendRequest {
  std::vector<StreamAppend> streams;
  // Written with the events, atomically; each record's stream must be one of `streams`. A duplicate
  // (the same idempotency key again) writes none.
  std::vector<StreamRecord> records;
  Metadata metadata;
  std::string idempotency_key;  // empty: not idempotent; else scoped to the tenant
  // What makes a retry "the same request" (DESIGN.md §4: the command's canonical fingerprint, which the
  // caller computes); empty: a hash of the streams, expected versions, events and principal.
  std::string fingerprint;
};

struct StreamResult {
  std::string stream;
  std::uint64_t first_version = 0;
  std::uint64_t last_version = 0;
  std::uint64_t first_position = 0;
  std::uint64_t last_position = 0;
  bool operator==(const StreamResult&) const = default;
};

struct AppendResult {
  std::vector<StreamResult> streams;  // in request order
  std::uint64_t first_position = 0;
  std::uint64_t last_position = 0;
  bool duplicate = false;  // true: an earlier append with the same key; nothing was written now
  // How many appends the group commit that wrote this one held (1: it was alone). Lets an async
  // caller keep work off the writer's thread when the writer is busy.
  std::uint32_t group_appends = 1;
};

// A committed event, borrowed: the views point into a buffer that lives only during the callback.
struct EventView {
  std::uint64_t position = 0;
  std::uint64_t version = 0;
  std::string_view stream;
  std::string_view type;
  std::uint32_t schema_version = 0;
  std::string_view tenant;
  std::int64_t timestamp_ms = 0;
  std::string_view principal;
  std::string_view correlation_id;
  std::string_view causation_id;
  std::string_view idempotency_key;
  std::string_view payload;
  std::string_view hash;       // 32 bytes
  std::string_view prev_hash;  // 32 bytes
};

// A committed event, owned.
struct RecordedEvent {
  std::uint64_t position = 0;
  std::uint64_t version = 0;
  std::string stream;
  std::string type;
  std::uint32_t schema_version = 0;
  std::string tenant;
  std::int64_t timestamp_ms = 0;
  std::string principal;
  std::string correlation_id;
  std::string causation_id;
  std::string idempotency_key;
  std::string payload;
  std::string hash;
  std::string prev_hash;

  static RecordedEvent From(const EventView& v);
};

// Outcome of walking the hash chain.
struct VerifyReport {
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  std::uint64_t checked = 0;
  bool ok = true;
  std::uint64_t bad_position = 0;  // the first event whose bytes or link do not match
  std::string stream;              // the bad event's stream when known (its envelope, else the index)
  std::string reason;
  bool stopped = false;            // the progress callback asked to stop: checked up to from + checked - 1
};

// Told how far long work has got (`done` of `total` units: events or bytes); returns false to stop it
// (Ctrl-C in a tool). Called on the working thread, every few thousand units.
using Progress = std::function<bool(std::uint64_t done, std::uint64_t total)>;

// A stream as the index knows it: its id, current version, and the positions of its first and last
// events.
struct StreamInfo {
  std::string stream;
  std::uint64_t version = 0;
  std::uint64_t first_position = 0, last_position = 0;
};

// One backup in a backup directory (EventStore::Backup).
struct BackupInfo {
  std::uint32_t id = 0;
  std::int64_t created_s = 0;   // Unix seconds
  std::uint64_t bytes = 0;      // the backup's files
  std::uint32_t files = 0;
  // The log's head when the backup began: the backup holds every event up to it, and whole appends
  // committed while it ran may follow (the restored store's head says exactly).
  std::uint64_t head_at_start = 0;
  std::string metadata;         // what the backup recorded about itself
};

}  // namespace keel::eventstore
