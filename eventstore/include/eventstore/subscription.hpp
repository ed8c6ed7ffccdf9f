// A subscription to the global log: catches up from disk from any position, then follows live
// appends through a bounded buffer, with no gap or duplicate at the hand-over. A consumer that falls
// behind is moved back to reading from disk; writers are never blocked by it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "eventstore/errors.hpp"
#include "eventstore/types.hpp"

namespace keel::eventstore {

// Called on the subscription's own thread, once per event, in position order. The view is valid
// only during the call. Must not throw (a throw stops the subscription with an error).
using EventHandler = std::function<void(const EventView&)>;

struct SubscriptionOptions {
  std::size_t buffer_events = 8192;  // live buffer; overflow sends the consumer back to disk
  std::size_t read_chunk = 1024;     // events per disk read while catching up
  // Live: once woken by a commit, wait this long for more before delivering, then deliver all that
  // arrived. For consumers that may lag a little (process managers): under load they wake once per
  // interval instead of once per group commit, and the writer's notifications meanwhile cost no
  // system call. 0: deliver each commit as soon as it is published.
  std::chrono::microseconds gather{0};
};

struct SubscriptionStats {
  std::uint64_t delivered = 0;
  std::uint64_t fell_behind = 0;  // times the live buffer overflowed and the consumer went to disk
  std::uint64_t went_live = 0;    // times it switched from disk to live
  bool live = false;
};

struct SubscriptionState;  // private

class Subscription {
 public:
  explicit Subscription(std::shared_ptr<SubscriptionState> state);
  ~Subscription();  // stops and joins
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  void Stop();
  std::uint64_t next_position() const;  // the next position to be delivered
  SubscriptionStats stats() const;
  std::optional<Error> error() const;  // set when the subscription stopped on an error

 private:
  std::shared_ptr<SubscriptionState> state_;
};

}  // namespace keel::eventstore
