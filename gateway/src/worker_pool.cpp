// Worker pool for API handlers (see worker_pool.hpp).
#include "worker_pool.hpp"

#include <pthread.h>

namespace keel::gateway {

WorkerPool::WorkerPool(actors::Runtime& runtime, std::size_t threads, std::size_t max_in_flight)
    : runtime_(runtime), max_in_flight_(max_in_flight) {
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "keel-handler");
      Run();
    });
  }
}

WorkerPool::~WorkerPool() { Stop(); }

bool WorkerPool::Submit(Job job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || in_flight_.load() >= max_in_flight_) return false;
    queue_.push_back(std::move(job));  // first: if it throws, nothing was counted
    in_flight_.fetch_add(1);
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::Post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back([job = std::move(job)](actors::Client&) { job(); });
      in_flight_.fetch_add(1);
      job = nullptr;
    }
  }
  if (job) {
    try {
      job();  // the pool is stopping: the job runs on the caller's thread rather than never
    } catch (...) {  // as on a pool thread: nothing escapes onto the caller's (an io thread, a CAF worker)
    }
    return;
  }
  cv_.notify_one();
}

void WorkerPool::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void WorkerPool::Run() {
  actors::Client client(runtime_);
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      job(client);
    } catch (...) {
      // A job must not throw; if one does, the worker survives it.
    }
    in_flight_.fetch_sub(1);
  }
}

}  // namespace keel::gateway
