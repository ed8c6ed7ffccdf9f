// Injectable clock: the real one for `keel serve`, a simulated one that tests and simulations move
// by hand. Unix epoch milliseconds, like every Timestamp in the domain.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace keel::actors {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(std::int64_t start_ms) : now_(start_ms) {}
  std::int64_t NowMs() const override { return now_.load(); }
  void Set(std::int64_t ms) { now_.store(ms); }
  void Advance(std::int64_t ms) { now_.fetch_add(ms); }

 private:
  std::atomic<std::int64_t> now_;
};

// The system clock moved back by an offset: `keel serve --demo` seeds months of history with business
// time in the past (Shift), then follows the system clock again (Shift(0)); never earlier than the
// last time it gave, so business time only moves forward.
class ShiftedClock final : public Clock {
 public:
  std::int64_t NowMs() const override {
    const std::int64_t now = system_.NowMs() + offset_.load();
    std::int64_t last = last_.load();
    while (now > last && !last_.compare_exchange_weak(last, now)) {
    }
    return std::max(now, last);
  }
  // Business time = `at` from now on (as the system clock runs on from it); only forward.
  void SetNow(std::int64_t at) { offset_.store(at - system_.NowMs()); }
  void Follow() { offset_.store(0); }

 private:
  SystemClock system_;
  std::atomic<std::int64_t> offset_{0};
  mutable std::atomic<std::int64_t> last_{0};
};

}  // namespace keel::actors
