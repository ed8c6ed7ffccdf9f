// Blocks a caller of a synchronous store API until the writer thread delivers its result.
// A lone caller (no other synchronous request in flight) spins briefly first: its group commit
// often finishes within the spin, and waking a sleeping thread costs tens of microseconds on a
// virtualized host. Under concurrency nobody spins (the cores are better spent on the writer) and
// everyone sleeps on a condition variable.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "eventstore/errors.hpp"

namespace keel::eventstore {

inline std::atomic<int>& InFlight() {
  static std::atomic<int> in_flight{0};
  return in_flight;
}

template <class T>
class SyncSlot {
 public:
  // Called on the writer thread.
  void Deliver(Result<T> value) {
    value_.emplace(std::move(value));
    ready_.store(true);
    if (sleeping_.load()) {
      std::lock_guard lock(mu_);  // the sleeper is either before its check or inside wait()
      cv_.notify_one();
    }
  }

  // `alone`: no other synchronous request was in flight when this one started.
  Result<T> Take(bool alone) {
    if (alone) {
      const auto until = std::chrono::steady_clock::now() + kSpin;
      for (unsigned i = 1; !ready_.load(std::memory_order_acquire); ++i) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if (i % 64 == 0 && (InFlight().load(std::memory_order_relaxed) > 1 ||
                            std::chrono::steady_clock::now() >= until)) {
          break;
        }
      }
    }
    if (!ready_.load()) {
      sleeping_.store(true);
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return ready_.load(); });
    }
    return std::move(*value_);
  }

 private:
  static constexpr auto kSpin = std::chrono::microseconds(1000);
  std::optional<Result<T>> value_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> sleeping_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

// Starts an asynchronous operation and waits for its callback.
template <class T, class Start>
Result<T> WaitFor(Start start) {
  const bool alone = InFlight().fetch_add(1) == 0;
  auto slot = std::make_shared<SyncSlot<T>>();
  start([slot](Result<T> r) { slot->Deliver(std::move(r)); });
  Result<T> result = slot->Take(alone);
  InFlight().fetch_sub(1);
  return result;
}

}  // namespace keel::eventstore
