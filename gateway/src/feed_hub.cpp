// The feed hub (see feed_hub.hpp): the hub's subscription offers each event to its live feeds under
// its lock; catch-up subscriptions deliver on their own threads and hand their feed over to the hub
// under the same lock once they are not behind it.
#include "feed_hub.hpp"

#include <algorithm>
#include <thread>

namespace keel::gateway {

void Feed::Stop() {
  std::lock_guard stop_lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  closed_ = true;
  {
    // A delivery by the hub's thread holds its lock and checks closed_ under it: none follows this.
    std::lock_guard hub_lock(hub_->mu_);
    std::erase_if(hub_->live_, [this](const auto& f) { return f.get() == this; });
  }
  {
    std::lock_guard feeds_lock(hub_->feeds_mu_);
    std::erase_if(hub_->feeds_, [this](const auto& w) {
      auto f = w.lock();
      return !f || f.get() == this;
    });
  }
  std::unique_ptr<eventstore::Subscription> sub;
  {
    std::lock_guard lock(mu_);
    sub = std::move(catch_up_);
  }
  sub.reset();  // joins its thread; its handler returns at once now that the feed is closed
  hub_->StopCatchingUp(*this);
}

FeedHub::FeedHub(eventstore::EventStore& store, FeedFormat& format, std::function<bool(const std::string&)> key_active,
                 FeedHubOptions options, std::function<std::uint64_t()> key_revocations)
    : store_(store),
      format_(format),
      key_active_(std::move(key_active)),
      options_(options),
      key_revocations_(std::move(key_revocations)) {}

FeedHub::~FeedHub() { Stop(); }

void FeedHub::Stop() {
  std::vector<std::shared_ptr<Feed>> feeds;
  {
    std::lock_guard lock(feeds_mu_);
    if (stopped_.exchange(true)) return;
    for (auto& w : feeds_)
      if (auto f = w.lock()) feeds.push_back(std::move(f));
    feeds_.clear();
  }
  std::unique_ptr<eventstore::Subscription> hub_subscription;
  {
    std::lock_guard lock(mu_);
    hub_subscription = std::move(subscription_);
  }
  hub_subscription.reset();  // joined outside the lock its handler takes: no hub delivery after this
  for (auto& f : feeds) f->Stop();
  std::lock_guard lock(mu_);
  live_.clear();
}

FeedHub::Stats FeedHub::stats() const {
  std::lock_guard lock(mu_);
  return Stats{live_.size(), catching_up_.load()};
}

std::shared_ptr<Feed> FeedHub::Subscribe(std::uint64_t from, Principal who, FeedSink sink) {
  auto f = std::make_shared<Feed>();
  f->who_ = std::move(who);
  f->sink_ = std::move(sink);
  f->hub_ = this;
  f->next_ = std::max<std::uint64_t>(from, 1);
  {
    std::lock_guard lock(feeds_mu_);
    if (stopped_) return nullptr;
    std::erase_if(feeds_, [](const auto& w) { return w.expired(); });
    feeds_.push_back(f);
  }
  {
    std::lock_guard lock(mu_);
    if (stopped_) {  // Stop ran meanwhile
      f->closed_ = true;
      return nullptr;
    }
    if (!subscription_) {
      // The hub follows the log from the first feed on (until then it costs the writer nothing).
      hub_next_ = store_.HeadPosition() + 1;
      eventstore::SubscriptionOptions sub_options;
      sub_options.gather = options_.gather;
      subscription_ = store_.Subscribe(hub_next_.load(), [this](const eventstore::EventView& e) { OnHubEvent(e); }, sub_options);
    }
    if (f->next_ >= hub_next_.load()) {  // nothing to catch up on: the hub offers it every event from `from`
      f->live_ = true;
      live_.push_back(f);
      return f;
    }
  }
  if (!StartCatchUp(f, options_.max_catching_up)) {
    f->closed_ = true;
    return nullptr;
  }
  return f;
}

bool FeedHub::KeyStillActive(Feed& f) {
  if (!key_revocations_) return key_active_(f.who_.key_id);
  // Read before the lookup: a revocation after it shows as a newer count at the next event.
  const std::uint64_t revocations = key_revocations_();
  if (revocations == f.key_epoch_seen_.load()) return true;
  if (!key_active_(f.who_.key_id)) return false;
  f.key_epoch_seen_ = revocations;
  return true;
}

FeedHub::Offered FeedHub::Offer(const std::shared_ptr<Feed>& f, const eventstore::EventView& e, EventScope& scope,
                                EventFrames& frames) {
  if (f->closed()) return Offered::kEnded;
  if (!KeyStillActive(*f)) {  // revoked while subscribed: noticed on the next event of any kind
    EndFeed(f, FeedEnd::kKeyRevoked);
    return Offered::kEnded;
  }
  if (!format_.Visible(scope, f->who_)) return Offered::kNotVisible;
  if (f->who_.grant && !f->who_.grant->events.contains(e.type)) return Offered::kNotVisible;  // not declared
  if (f->queued.load() >= options_.queue_limit) return Offered::kFull;
  const std::string& frame = format_.FrameFor(e, scope, AudienceOf(f->who_), frames);
  f->queued.fetch_add(1);
  f->sink_.frame(f, frame);
  return Offered::kTaken;
}

void FeedHub::OnHubEvent(const eventstore::EventView& e) {
  EventFrames frames;
  EventScope scope = FeedFormat::ScopeOf(e);
  std::vector<std::shared_ptr<Feed>> fell_behind;  // moved to catch-up below, outside the lock
  {
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < live_.size();) {
      const std::shared_ptr<Feed> f = live_[i];
      if (!f->closed() && e.position < f->next_.load()) {
        ++i;  // it joined ahead of the hub
        continue;
      }
      Offered offered = Offered::kEnded;
      try {
        offered = Offer(f, e, scope, frames);
      } catch (...) {  // nothing may stop the hub's thread: this feed ends, the others go on
        EndFeed(f, FeedEnd::kError);
      }
      if (offered == Offered::kTaken || offered == Offered::kNotVisible) {
        f->next_ = e.position + 1;
        ++i;
        continue;
      }
      live_[i] = std::move(live_.back());  // order among feeds does not matter
      live_.pop_back();
      f->live_ = false;
      // Its client is behind: it continues on a subscription of its own from this event, which may
      // wait for the client, and comes back once the client has caught up.
      if (offered == Offered::kFull) fell_behind.push_back(f);
    }
    hub_next_ = e.position + 1;
  }
  for (const auto& f : fell_behind) {
    if (!StartCatchUp(f, options_.max_catching_up + options_.max_fallen_behind) && !f->closed())
      EndFeed(f, FeedEnd::kSlowConsumer);  // too many clients behind at once
  }
}

void FeedHub::OnCatchUpEvent(const std::shared_ptr<Feed>& f, std::uint64_t generation, const eventstore::EventView& e) {
  auto current = [&] { return !f->closed() && f->generation_.load() == generation; };
  if (!current() || e.position < f->next_.load()) return;
  EventFrames frames;
  EventScope scope = FeedFormat::ScopeOf(e);
  const auto deadline = std::chrono::steady_clock::now() + options_.slow_consumer_grace;
  for (;;) {
    Offered offered = Offered::kEnded;
    try {
      offered = Offer(f, e, scope, frames);
    } catch (...) {
      EndFeed(f, FeedEnd::kError);
    }
    if (offered == Offered::kEnded) return StopOwnSubscription(*f);
    if (offered != Offered::kFull) break;
    if (!current()) return;
    if (std::chrono::steady_clock::now() > deadline) {
      EndFeed(f, FeedEnd::kSlowConsumer);
      return StopOwnSubscription(*f);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // this feed's own thread: it may wait
  }
  f->next_ = e.position + 1;
  // Back to the hub once not behind it, with room for a burst: a client just under its limit would
  // fall behind again at the hub's next event.
  if (f->next_.load() < hub_next_.load() || f->queued.load() > options_.queue_limit / 2) return;
  std::lock_guard lock(mu_);
  // The hub offers events under this lock: a feed not behind it now gets every later event from it.
  if (!current() || stopped_ || f->next_.load() < hub_next_.load()) return;
  f->generation_.fetch_add(1);  // this subscription's handler does nothing more
  f->live_ = true;
  live_.push_back(f);
  StopCatchingUp(*f);
  StopOwnSubscription(*f);
}

bool FeedHub::StartCatchUp(const std::shared_ptr<Feed>& f, std::size_t cap) {
  std::unique_ptr<eventstore::Subscription> old;  // the feed's previous one, finished: joined on return
  std::lock_guard lock(f->mu_);
  // Feed::Stop closes the feed before it takes the feed's lock: either no subscription starts, or
  // Stop finds this one and joins it.
  if (f->closed() || stopped_) return false;
  if (catching_up_.fetch_add(1) >= cap) {
    catching_up_.fetch_sub(1);
    return false;
  }
  f->counted_catching_up_ = true;
  const std::uint64_t generation = f->generation_.fetch_add(1) + 1;
  old = std::move(f->catch_up_);
  // The handler holds the feed, so the feed's last reference is never dropped on this thread (which
  // would destroy the subscription from its own thread); Stop() breaks the cycle, joining from outside.
  f->catch_up_ = store_.Subscribe(f->next_.load(), [this, f, generation](const eventstore::EventView& e) {
    OnCatchUpEvent(f, generation, e);
  });
  return true;
}

void FeedHub::StopOwnSubscription(Feed& f) {
  std::lock_guard lock(f.mu_);
  if (f.catch_up_) f.catch_up_->Stop();  // on its own thread: requests the stop without joining
}

void FeedHub::EndFeed(const std::shared_ptr<Feed>& f, FeedEnd why) {
  f->closed_ = true;
  StopCatchingUp(*f);  // its thread, if any, stops at once (StopOwnSubscription)
  if (!f->ended_.exchange(true) && f->sink_.end) f->sink_.end(f, why);
}

void FeedHub::StopCatchingUp(Feed& f) {
  if (f.counted_catching_up_.exchange(false)) catching_up_.fetch_sub(1);
}

}  // namespace keel::gateway
