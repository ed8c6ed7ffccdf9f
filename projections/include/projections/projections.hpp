// The node's projections: one runner each over its active key space ("<name>@<generation>"), and a
// second one while a rebuild folds a new generation from position 1 beside it (the old one keeps
// serving); when the new one has caught up, the active generation is switched in one write and the
// old key space is deleted. A projection whose code version differs from the one its active key
// space was built by is rebuilt that way at start. Meta rows: model "projections", key <name> ->
// {"version", "generation"}.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "projections/runner.hpp"

namespace keel::projections {

struct ProjectionStatus {
  std::string name;
  std::uint32_t version = 0;
  std::uint64_t generation = 0;
  std::uint64_t position = 0, head = 0;
  std::uint64_t lag_events = 0;
  std::int64_t lag_ms = 0;
  std::size_t parked = 0;
  std::string error;  // the last failed read or commit ("" when none)
  // While a rebuild runs: its generation, position, share of the log done (0..1) and an ETA.
  std::optional<std::uint64_t> rebuilding_generation;
  std::uint64_t rebuild_position = 0;
  double rebuild_progress = 0;
  double rebuild_eta_s = 0;
};

// A read model as the store holds it, read without running anything (`keel projections status`
// beside a running server, through a read-only store): the active generation, its position, and its
// parked events. `stale` says the active key space was built by another version of the code.
struct Inspected {
  ProjectionStatus status;
  std::vector<Parked> parked;
  bool stale = false;
};
eventstore::Result<std::vector<Inspected>> Inspect(eventstore::EventStore& store,
                                                   const std::vector<std::shared_ptr<const Projection>>& projections);

class Projections {
 public:
  Projections(eventstore::EventStore& store, std::vector<std::shared_ptr<const Projection>> projections,
              RunnerOptions options = {});
  ~Projections();  // stops every runner
  Projections(const Projections&) = delete;
  Projections& operator=(const Projections&) = delete;

  eventstore::Result<void> Start();
  void Stop();

  // The key space queries read for `name` ("" when no such projection), and its runner.
  std::string ActiveModel(std::string_view name) const;
  // Waits until `name`'s active runner has folded `position` (bounded); whether it has.
  bool WaitFor(std::string_view name, std::uint64_t position, std::chrono::milliseconds timeout) const;
  std::optional<ProjectionStatus> Status(std::string_view name) const;
  std::vector<ProjectionStatus> StatusAll() const;
  // Starts folding a new generation of `name` beside the active one; false when none by that name or
  // one is already rebuilding.
  bool Rebuild(std::string_view name);
  // The active runner's parked events, retry and skip (runner.hpp).
  std::vector<Parked> ListParked(std::string_view name) const;
  eventstore::Result<std::size_t> Retry(std::string_view name, std::uint64_t position);
  eventstore::Result<bool> Skip(std::string_view name, std::uint64_t position);

 private:
  struct Entry {
    std::shared_ptr<const Projection> projection;
    std::unique_ptr<Runner> active;
    std::uint64_t generation = 0;
    std::unique_ptr<Runner> rebuilding;
    std::uint64_t rebuilding_generation = 0;
    std::chrono::steady_clock::time_point rebuild_started;
  };
  void Watch();  // swaps caught-up rebuilds in and clears old key spaces
  eventstore::Result<void> SaveMeta(const Entry& e, std::uint64_t generation);
  Runner* ActiveRunner(std::string_view name) const;

  eventstore::EventStore& store_;
  RunnerOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::vector<std::string> to_clear_;  // key spaces of generations swapped out
  std::atomic<bool> stop_{false};
  std::thread watcher_;
};

std::string ModelName(std::string_view name, std::uint64_t generation);

}  // namespace keel::projections
