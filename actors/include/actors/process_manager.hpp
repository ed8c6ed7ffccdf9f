// Process managers: react to domain events read from the log (a subscription that resumes from a
// durable checkpoint) by sending idempotent commands through the runtime. After a crash they replay
// from the last checkpoint; every command they send is safe to send twice.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include "actors/entity.hpp"
#include "actors/lanes.hpp"
#include "actors/runtime.hpp"
#include "eventstore/store.hpp"

namespace keel::actors {

using AnyEvent = std::variant<domain::partner::Event, domain::tenant::Event, domain::catalog::Event,
                              domain::warehouse::Event, domain::order::Event, domain::billing::Event,
                              domain::extension::Event, domain::rollout::Event>;

// A committed domain event with where it came from.
struct DomainEvent {
  EntityKey key;
  std::uint64_t position = 0;
  std::uint64_t version = 0;
  std::int64_t timestamp_ms = 0;
  AnyEvent event;
};

// Decodes a committed event of a domain stream; nullopt for streams that are not an entity's.
std::optional<DomainEvent> DecodeDomainEvent(const eventstore::EventView& view, std::string* error);

// How long a process manager's subscription gathers commits after a wake-up before reacting: under
// load a manager then wakes once per interval instead of once per group commit (and reacts at most
// this much later).
inline constexpr std::chrono::microseconds kProcessManagerGather{2000};

class ProcessManager {
 public:
  // Called on the manager's own thread for each domain event, in log order, with a Client for that
  // thread. Must not throw; its commands must be idempotent.
  using Handler = std::function<void(Client&, const DomainEvent&)>;

  // `types`: the event types the handler reacts to (others are skipped without decoding); empty: all.
  ProcessManager(std::string name, eventstore::EventStore& store, Runtime& runtime, Handler handler,
                 std::set<std::string, std::less<>> types = {});

  // An asynchronous manager: for each event (in log order, on the subscription thread) the handler
  // returns the pieces of work the event asks for (none: an empty list), each naming its lane. Work
  // runs on `lanes` — one piece at a time per lane, lanes side by side — with at most `max_in_flight`
  // events' work unfinished at once (the subscription waits beyond that). No thread waits for a
  // command: work awaits the runtime's answers (task.hpp). The checkpoint, next_position and
  // WaitUntilProcessed pass an event only once its work and the work of every event before it have
  // finished (every piece of it), so a crash replays everything that may not have finished. Pieces
  // of one lane run in log order, so a lane can keep a per-key order (e.g. a tenant's metering).
  struct Work {
    std::string lane;
    Lanes::Work work;
  };
  using AsyncHandler = std::function<std::vector<Work>(const DomainEvent&)>;
  ProcessManager(std::string name, eventstore::EventStore& store, Runtime& runtime, std::shared_ptr<Lanes> lanes,
                 AsyncHandler handler, std::set<std::string, std::less<>> types, std::size_t max_in_flight = 512);
  ~ProcessManager();  // stops and saves the checkpoint
  ProcessManager(const ProcessManager&) = delete;
  ProcessManager& operator=(const ProcessManager&) = delete;

  void Stop();
  std::uint64_t next_position() const;  // the next log position it will look at
  std::uint64_t decode_errors() const;
  std::size_t in_flight() const;  // events whose asynchronous work has not finished
  // Blocks until everything up to `position` has been handled (or the timeout passes).
  bool WaitUntilProcessed(std::uint64_t position, std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::actors
