// What the listener and every session share: the API, the worker pool, the feed formatter and hub,
// limits and the counters graceful shutdown waits on. Beast-free.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "gateway/api.hpp"
#include "gateway/feed_format.hpp"
#include "gateway/server.hpp"
#include "feed_hub.hpp"
#include "worker_pool.hpp"

namespace keel::gateway {

struct ServerState {
  ServerState(Api& a, eventstore::EventStore& s, WorkerPool& p, ServerOptions o)
      : api(a),
        store(s),
        pool(p),
        feed(s),
        options(std::move(o)),
        hub(s, feed, [&a](const std::string& key_id) { return a.KeyActive(key_id); },
            FeedHubOptions{options.ws_queue_limit, options.slow_consumer_grace, options.max_feed_catch_ups},
            [&a] { return a.KeyRevocations(); }) {}
  Api& api;
  eventstore::EventStore& store;
  WorkerPool& pool;
  FeedFormat feed;
  ServerOptions options;
  FeedHub hub;  // every WebSocket feed
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> open_requests{0};  // submitted, response not yet written
  std::atomic<std::size_t> subscriptions{0};

  void StopFeeds() { hub.Stop(); }
};

}  // namespace keel::gateway
