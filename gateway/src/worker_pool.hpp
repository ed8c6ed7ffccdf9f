// The threads that run API handlers: each owns a synchronous actors::Client, so a handler may wait
// for actors without ever blocking an io thread or a CAF worker. The queue is bounded: Submit refuses
// work beyond `max_in_flight` (the caller answers 503) instead of queueing without bound.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "actors/runtime.hpp"

namespace keel::gateway {

class WorkerPool {
 public:
  using Job = std::function<void(actors::Client&)>;
  WorkerPool(actors::Runtime& runtime, std::size_t threads, std::size_t max_in_flight);
  ~WorkerPool();  // finishes queued jobs, then joins
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  bool Submit(Job job);            // false: over capacity
  void Post(std::function<void()> job);  // housekeeping off the io threads; inline once stopping
  std::size_t in_flight() const { return in_flight_.load(); }
  void Stop();

 private:
  void Run();
  actors::Runtime& runtime_;
  const std::size_t max_in_flight_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::atomic<std::size_t> in_flight_{0};
  std::vector<std::thread> threads_;
};

}  // namespace keel::gateway
