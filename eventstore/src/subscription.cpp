// Subscriptions: a thread per subscription that catches up from disk, goes live under the hub's
// lock exactly at the published head, and drops back to disk when its live buffer overflows.
#include "eventstore/subscription.hpp"

#include <pthread.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "core.hpp"
#include "eventstore/store.hpp"

namespace keel::eventstore {

struct SubscriptionState : std::enable_shared_from_this<SubscriptionState> {
  const EventStore* store = nullptr;  // null once the store has closed
  StoreCore* core = nullptr;
  EventHandler handler;
  SubscriptionOptions options;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<LiveBatch> queue;  // live batches not yet delivered
  std::size_t queued_events = 0;
  bool behind = false;  // the writer dropped us from the live set
  bool stop = false;
  std::optional<Error> error;
  SubscriptionStats stats;
  std::atomic<std::uint64_t> next{1};
  std::thread thread;

  // Writer side, with hub.mu held. False: the subscriber no longer takes live batches.
  bool Offer(const LiveBatch& batch) {
    std::lock_guard lock(mu);
    if (stop) return false;
    if (!batch || queued_events + batch->size() > options.buffer_events) {
      behind = true;
      cv.notify_one();
      return false;
    }
    queued_events += batch->size();
    queue.push_back(batch);
    cv.notify_one();
    return true;
  }

  bool Stopping() {
    std::lock_guard lock(mu);
    return stop;
  }

  void Fail(Error e) {
    std::lock_guard lock(mu);
    error = std::move(e);
    stop = true;
  }

  bool Deliver(const EventView& v) {
    try {
      handler(v);
    } catch (const std::exception& e) {
      Fail(Error{Errc::kInvalidArgument, std::string("subscription handler threw: ") + e.what()});
      return false;
    } catch (...) {
      Fail(Error{Errc::kInvalidArgument, "subscription handler threw"});
      return false;
    }
    next.store(v.position + 1);
    std::lock_guard lock(mu);
    ++stats.delivered;
    return !stop;
  }

  // Reads from disk until the published head is reached. False when stopping.
  bool CatchUp() {
    for (;;) {
      if (Stopping()) return false;
      const std::uint64_t from = next.load();
      if (from > core->head.load()) return true;
      bool keep_going = true;
      auto n = store->ScanAll(from, options.read_chunk, [&](const EventView& v) {
        keep_going = Deliver(v);
        return keep_going;
      });
      if (!n) {
        Fail(n.error());
        return false;
      }
      if (!keep_going) return false;
    }
  }

  // Joins the live set if nothing was committed since we caught up. False: catch up again.
  bool TryGoLive() {
    std::lock_guard hub_lock(core->hub.mu);
    if (core->head.load() + 1 != next.load()) return false;
    std::lock_guard lock(mu);
    if (stop) return false;
    queue.clear();
    queued_events = 0;
    behind = false;
    stats.live = true;
    ++stats.went_live;
    core->hub.live.push_back(shared_from_this());
    core->hub.live_count.store(core->hub.live.size());
    return true;
  }

  void LeaveLive() {
    std::lock_guard hub_lock(core->hub.mu);
    auto& live = core->hub.live;
    live.erase(std::remove(live.begin(), live.end(), shared_from_this()), live.end());
    core->hub.live_count.store(live.size());
    std::lock_guard lock(mu);
    stats.live = false;
  }

  // Delivers live batches until stopped or dropped behind. False when stopping.
  bool FollowLive() {
    std::deque<LiveBatch> batches;
    for (;;) {
      batches.clear();
      {
        std::unique_lock lock(mu);
        if (!stop && !behind && queue.empty()) {
          cv.wait(lock, [&] { return stop || behind || !queue.empty(); });
          if (options.gather.count() > 0 && !stop && !behind) {
            lock.unlock();  // Offer's notify finds no waiter meanwhile: no system call on the writer
            std::this_thread::sleep_for(options.gather);
            lock.lock();
          }
        }
        if (stop) return false;
        if (queue.empty()) {  // behind and drained: back to disk
          ++stats.fell_behind;
          stats.live = false;
          return true;
        }
        batches.swap(queue);
        queued_events = 0;
      }
      for (const LiveBatch& batch : batches) {
        for (const RecordedEvent& e : *batch) {
          const std::uint64_t expected = next.load();
          if (e.position < expected) continue;  // already delivered from disk
          if (e.position > expected) {          // never expected; recover from disk rather than skip
            LeaveLive();
            return true;
          }
          EventView v{e.position, e.version, e.stream, e.type, e.schema_version, e.tenant,
                      e.timestamp_ms, e.principal, e.correlation_id, e.causation_id,
                      e.idempotency_key, e.payload, e.hash, e.prev_hash};
          if (!Deliver(v)) return false;
        }
      }
    }
  }

  void Run() {
    while (CatchUp()) {
      if (!TryGoLive()) continue;
      if (!FollowLive()) break;
    }
    if (core != nullptr) LeaveLive();
  }

  void RequestStop() {
    std::lock_guard lock(mu);
    stop = true;
    cv.notify_one();
  }

  void Join() {
    if (thread.joinable() && thread.get_id() != std::this_thread::get_id()) thread.join();
  }
};

void PublishCommitted(StoreCore& core, std::uint64_t head, const LiveBatch& batch) {
  std::lock_guard lock(core.hub.mu);
  core.head.store(head);
  auto& live = core.hub.live;
  live.erase(std::remove_if(live.begin(), live.end(),
                            [&](const auto& sub) { return !sub->Offer(batch); }),
             live.end());
  core.hub.live_count.store(live.size());
}

void StopAllSubscriptions(StoreCore& core) {
  std::vector<std::shared_ptr<SubscriptionState>> subs;
  {
    std::lock_guard lock(core.hub.mu);
    for (auto& weak : core.hub.all) {
      if (auto s = weak.lock()) subs.push_back(std::move(s));
    }
    core.hub.all.clear();
  }
  for (auto& s : subs) {
    s->RequestStop();
    s->Join();
    std::lock_guard lock(s->mu);
    s->core = nullptr;
    s->store = nullptr;
  }
}

std::unique_ptr<Subscription> EventStore::Subscribe(std::uint64_t from_position,
                                                    EventHandler handler,
                                                    SubscriptionOptions options) {
  auto state = std::make_shared<SubscriptionState>();
  state->store = this;
  state->core = core_.get();
  state->handler = std::move(handler);
  options.buffer_events = std::max<std::size_t>(options.buffer_events, 1);
  options.read_chunk = std::max<std::size_t>(options.read_chunk, 1);
  state->options = options;
  state->next.store(from_position == 0 ? 1 : from_position);
  {
    std::lock_guard lock(core_->hub.mu);
    auto& all = core_->hub.all;
    all.erase(std::remove_if(all.begin(), all.end(), [](const auto& w) { return w.expired(); }),
              all.end());
    all.push_back(state);
  }
  state->thread = std::thread([s = state.get()] {
    pthread_setname_np(pthread_self(), "keel-sub");
    s->Run();
  });
  return std::make_unique<Subscription>(state);
}

Subscription::Subscription(std::shared_ptr<SubscriptionState> state) : state_(std::move(state)) {}
Subscription::~Subscription() { Stop(); }

void Subscription::Stop() {
  state_->RequestStop();
  state_->Join();
}

std::uint64_t Subscription::next_position() const { return state_->next.load(); }

SubscriptionStats Subscription::stats() const {
  std::lock_guard lock(state_->mu);
  return state_->stats;
}

std::optional<Error> Subscription::error() const {
  std::lock_guard lock(state_->mu);
  return state_->error;
}

}  // namespace keel::eventstore
