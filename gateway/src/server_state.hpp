// What the listener and every session share: the API, the worker pool, the feed formatter, limits and
// the counters graceful shutdown waits on. Beast-free.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "gateway/api.hpp"
#include "gateway/feed_format.hpp"
#include "gateway/server.hpp"
#include "worker_pool.hpp"

namespace keel::gateway {

// A WebSocket session's feed: the store subscription and its back-pressure counters.
struct FeedState {
  std::atomic<bool> closed{false};
  std::atomic<std::size_t> queued{0};  // frames posted to the session and not yet written
  std::mutex mu;
  std::unique_ptr<eventstore::Subscription> subscription;
  void Stop() {
    closed = true;
    std::unique_ptr<eventstore::Subscription> sub;
    {
      std::lock_guard lock(mu);
      sub = std::move(subscription);
    }
    sub.reset();  // joins the subscription thread (its handler returns at once once closed)
  }
};

struct ServerState {
  ServerState(Api& a, eventstore::EventStore& s, WorkerPool& p, ServerOptions o)
      : api(a), store(s), pool(p), feed(s), options(std::move(o)) {}
  Api& api;
  eventstore::EventStore& store;
  WorkerPool& pool;
  FeedFormat feed;
  ServerOptions options;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> open_requests{0};  // submitted, response not yet written
  std::atomic<std::size_t> subscriptions{0};

  std::mutex feeds_mu;
  std::vector<std::weak_ptr<FeedState>> feeds;
  void AddFeed(const std::shared_ptr<FeedState>& f) {
    std::lock_guard lock(feeds_mu);
    std::erase_if(feeds, [](const auto& w) { return w.expired(); });
    feeds.push_back(f);
  }
  void StopFeeds() {
    std::vector<std::shared_ptr<FeedState>> live;
    {
      std::lock_guard lock(feeds_mu);
      for (auto& w : feeds)
        if (auto f = w.lock()) live.push_back(std::move(f));
    }
    for (auto& f : live) f->Stop();
  }
};

}  // namespace keel::gateway
