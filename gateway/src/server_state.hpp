// What the listener and every session share: the API, the worker pool, the feed formatter and hub,
// limits and the counters graceful shutdown waits on. Beast-free.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
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
  std::atomic<std::size_t> writing{0};        // answers being written (any kind)
  std::atomic<std::int64_t> last_read_ns{0};  // steady clock, when a request was last read
  std::atomic<std::size_t> subscriptions{0};

  void StopFeeds() { hub.Stop(); }
  void NoteRead() { last_read_ns = std::chrono::steady_clock::now().time_since_epoch().count(); }
  std::chrono::steady_clock::time_point LastRead() const {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(last_read_ns.load()));
  }
};

}  // namespace keel::gateway
