// The live event feed's fan-out. One store subscription, the hub's thread, serves every feed that is
// caught up: each event's frame is rendered once (once per audience where frames differ: see
// feed_format.hpp) and handed to every feed whose principal may see it.
// A feed that starts behind the hub (a `from` in the past), or whose client falls behind, catches up
// on a store subscription of its own, which may wait for the client (up to the grace, then the feed
// ends as a slow consumer), and joins the hub again where the hub is: no gap, no duplicate. So live
// feeds cost no thread and no wake-up each, and the writer offers each commit to one subscriber.
// Beast-free: a feed hands its frames to a sink (the WebSocket session posts them to its strand).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "eventstore/store.hpp"
#include "eventstore/subscription.hpp"
#include "gateway/access.hpp"
#include "gateway/feed_format.hpp"

namespace keel::gateway {

enum class FeedEnd { kSlowConsumer, kKeyRevoked, kError };

class Feed;

struct FeedSink {
  // Each frame the feed's principal may see, in position order, from the hub's thread or the feed's
  // catch-up thread. Must not block. The feed's `queued` already counts it; the sink's owner
  // decrements it once the client has taken the frame (or the frame is dropped).
  std::function<void(const std::shared_ptr<Feed>& feed, std::string frame)> frame;
  // At most once, when the hub ends the feed; no frame follows.
  std::function<void(const std::shared_ptr<Feed>& feed, FeedEnd why)> end;
};

class FeedHub;

class Feed {
 public:
  std::atomic<std::size_t> queued{0};  // frames handed to the sink and not yet taken by the client
  bool closed() const { return closed_.load(); }
  bool live() const { return live_.load(); }  // served by the hub's thread (else catching up)
  // Ends the feed: no frame is handed over once it returns (a catch-up thread is joined).
  void Stop();
  // Marks it ended without waiting (no new frame is started; one in progress may still arrive):
  // for io threads, which leave Stop to another thread.
  void Close() { closed_ = true; }

 private:
  friend class FeedHub;
  Principal who_;
  FeedSink sink_;
  std::atomic<bool> closed_{false};  // no frame is handed over once set (checked under the hub's lock)
  std::atomic<bool> ended_{false};   // sink_.end was called
  std::atomic<bool> live_{false};
  std::atomic<bool> counted_catching_up_{false};
  std::atomic<std::uint64_t> next_{1};        // the next position it is to be offered
  std::atomic<std::uint64_t> generation_{0};  // of its catch-up subscription; older ones do nothing
  std::atomic<std::uint64_t> key_epoch_seen_{UINT64_MAX};  // key revocations counted at its last key check
  std::mutex mu_;                             // catch_up_
  std::unique_ptr<eventstore::Subscription> catch_up_;
  std::mutex stop_mu_;  // a second Stop waits for the first
  bool stopped_ = false;
  FeedHub* hub_ = nullptr;
};

struct FeedHubOptions {
  std::size_t queue_limit = 1024;                       // frames a client may leave untaken
  std::chrono::milliseconds slow_consumer_grace{2'000};  // how long it may stay at that limit
  std::size_t max_catching_up = 64;                     // new feeds reading history on a thread of their own
  // Feeds whose client fell behind wait on a thread of their own too; beyond max_catching_up +
  // max_fallen_behind such threads, a client that falls behind is ended as a slow consumer at once.
  std::size_t max_fallen_behind = 256;
  // The hub's subscription gathers commits this long per wake-up (eventstore SubscriptionOptions):
  // under load it wakes once per interval, not once per group commit, for a little feed latency.
  std::chrono::microseconds gather{1'000};
};

class FeedHub {
 public:
  // `key_active`: whether a feed's key still stands. `key_revocations` (optional): a count that grows
  // with every revocation; with it a feed's key is looked up again only after one, else on every event.
  FeedHub(eventstore::EventStore& store, FeedFormat& format, std::function<bool(const std::string& key_id)> key_active,
          FeedHubOptions options, std::function<std::uint64_t()> key_revocations = {});
  ~FeedHub();  // Stop()
  FeedHub(const FeedHub&) = delete;
  FeedHub& operator=(const FeedHub&) = delete;

  // A feed of `who`'s scope from position `from` (>= 1). Null when it would need a catch-up thread
  // and `max_catching_up` are in use, or the hub has stopped: the caller refuses (503).
  std::shared_ptr<Feed> Subscribe(std::uint64_t from, Principal who, FeedSink sink);
  void Stop();  // stops the hub's subscription and every feed

  struct Stats {
    std::size_t live = 0, catching_up = 0;
  };
  Stats stats() const;

 private:
  friend class Feed;
  enum class Offered { kTaken, kNotVisible, kFull, kEnded };
  // Hands `e` to `f` unless it is not for it, the client is at its limit, or the key was revoked
  // (which ends the feed). `frames`: rendered at most once per event and audience, for every feed.
  // `scope`: the event's, found once for every feed.
  Offered Offer(const std::shared_ptr<Feed>& f, const eventstore::EventView& e, EventScope& scope,
                EventFrames& frames);
  bool KeyStillActive(Feed& f);
  void OnHubEvent(const eventstore::EventView& e);
  void OnCatchUpEvent(const std::shared_ptr<Feed>& f, std::uint64_t generation, const eventstore::EventView& e);
  // Puts `f` on a subscription of its own from its next position; not under the hub's lock. False
  // when the feed or the hub is closed, or at the cap (`cap` threads catching up already).
  bool StartCatchUp(const std::shared_ptr<Feed>& f, std::size_t cap);
  void EndFeed(const std::shared_ptr<Feed>& f, FeedEnd why);
  void StopCatchingUp(Feed& f);
  // From a catch-up subscription's own thread: ends that subscription (joined later, by Stop).
  static void StopOwnSubscription(Feed& f);

  eventstore::EventStore& store_;
  FeedFormat& format_;
  std::function<bool(const std::string&)> key_active_;
  FeedHubOptions options_;
  std::function<std::uint64_t()> key_revocations_;
  mutable std::mutex mu_;                   // live_, and the hand-over to and from the hub
  std::vector<std::shared_ptr<Feed>> live_;
  std::atomic<std::uint64_t> hub_next_{1};  // the next position the hub's thread will offer
  std::atomic<std::size_t> catching_up_{0};
  std::mutex feeds_mu_;
  std::vector<std::weak_ptr<Feed>> feeds_;  // every feed, for Stop
  std::atomic<bool> stopped_{false};
  std::unique_ptr<eventstore::Subscription> subscription_;  // the hub's, from the first feed on (mu_)
};

}  // namespace keel::gateway
