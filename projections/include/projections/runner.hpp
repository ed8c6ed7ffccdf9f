// Runs one projection over the log: from its checkpoint, reads the log in chunks (waking every
// `gather` when caught up), applies what the projection wants, and commits the batch's changes with
// the new checkpoint in one atomic write (EventStore::CommitReadModel: exactly-once, whatever crash).
// An event Apply refuses is parked under its position with its error, and so is every later event of
// the same stream until the parked ones are retried (in order) or skipped.
// Far behind the head (a rebuild, a new read model, a long stop), it catches up in bulk: the changes
// of many chunks gather in memory (each key once, later writes replacing earlier ones, reads answered
// from memory first) and go to the store as sorted files ingested with the checkpoint in one atomic
// step (EventStore::IngestReadModel), never through the memtable; near the head it commits chunk by
// chunk again. Exactly-once either way: a crash keeps the last ingested or committed checkpoint with
// the rows it covers, and the events after it are folded again.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/store.hpp"
#include "projections/projection.hpp"

namespace keel::projections {

struct RunnerOptions {
  std::chrono::milliseconds gather{2};  // caught up: look for new events this often
  std::size_t chunk = 4096;             // events read per batch at most
  std::uint64_t until = 0;              // 0: follow the log; else fold no further than this position
  std::uint64_t bulk_behind = 50'000;   // catch up in bulk while this many events behind (0: never)
  std::size_t bulk_budget = 32u << 20;  // bytes of changes gathered in memory before an ingestion
};

// A parked event: its position, stream, type and why Apply refused it.
struct Parked {
  std::uint64_t position = 0;
  std::string stream, type, error;
};

class Runner {
 public:
  // `model`: the read model's key space (its name in the store, also its checkpoint's name).
  Runner(eventstore::EventStore& store, std::shared_ptr<const Projection> projection, std::string model,
         RunnerOptions options = {});
  ~Runner();  // stops and joins
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  void Start();
  void Stop();

  const std::string& model() const { return model_; }
  const Projection& projection() const { return *projection_; }
  std::uint64_t position() const { return position_.load(); }  // the last position folded (committed)
  // How long the oldest event not yet folded has been in the log (0 when caught up), as first seen by
  // the runner (it looks at the head every chunk and every `gather`).
  std::int64_t lag_ms() const;
  // Waits until the position reaches `position` or `timeout` passes; whether it did.
  bool WaitFor(std::uint64_t position, std::chrono::milliseconds timeout);
  std::string last_error() const;  // a commit or read that failed (it is retried), "" when none

  std::vector<Parked> ListParked() const;
  // Applies the stream's parked events again, in order; those that now apply are committed and
  // unparked. Returns how many remain parked for that stream.
  eventstore::Result<std::size_t> Retry(std::uint64_t position);
  // Drops a parked event (it is not folded); later parked events of its stream stay parked.
  eventstore::Result<bool> Skip(std::uint64_t position);

 private:
  void Loop();
  bool Step();  // one chunk; false when there was nothing to read
  bool BulkStep(std::unique_lock<std::mutex>& lock, std::uint64_t head);  // one chunk of a bulk catch-up

  eventstore::EventStore& store_;
  std::shared_ptr<const Projection> projection_;
  std::string model_;
  RunnerOptions options_;
  std::atomic<std::uint64_t> position_{0};
  // Heads seen ahead of the position, with when they were first seen (steady ns): the oldest unfolded
  // event is at most as old as the first of them.
  mutable std::mutex seen_mu_;
  std::deque<std::pair<std::uint64_t, std::int64_t>> heads_seen_;
  mutable std::mutex mu_;  // serializes batches with Retry / Skip, guards error_
  std::condition_variable advanced_;
  std::string error_;
  struct Bulk;
  std::unique_ptr<Bulk> bulk_;  // the changes of a bulk catch-up not yet ingested (runner thread only)
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace keel::projections
