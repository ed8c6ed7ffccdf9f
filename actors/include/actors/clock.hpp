// Injectable clock: the real one for `keel serve`, a simulated one that tests and simulations move
// by hand. Unix epoch milliseconds, like every Timestamp in the domain.
#pragma once

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

}  // namespace keel::actors
