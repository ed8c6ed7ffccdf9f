// Process-manager runner: a store subscription from the checkpoint, decoding of domain events, the
// handler, and a checkpoint saved every few hundred events or milliseconds (and on stop). A crash
// between checkpoints replays those events; handlers are idempotent, so that is harmless.
// Asynchronous managers hand each event's work to lanes and track which events' work is unfinished:
// the position handled is the one before the oldest unfinished event (a low-water mark).
#include "actors/process_manager.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "eventstore/stream_id.hpp"
#include "traits.hpp"

namespace keel::actors {

std::optional<DomainEvent> DecodeDomainEvent(const eventstore::EventView& view, std::string* error) {
  auto id = eventstore::ParseStreamId(view.stream);
  if (!id) return std::nullopt;
  std::optional<Kind> kind;
  for (Kind k : kAllKinds) {
    if (KindName(k) == id->kind) kind = k;
  }
  if (!kind) return std::nullopt;
  DomainEvent out{{*kind, std::string(id->tenant), std::string(id->id)}, view.position, view.version, view.timestamp_ms, {}};
  auto decode = [&](auto traits) -> bool {
    using T = decltype(traits);
    auto e = T::Decode(view.type, view.schema_version, view.payload);
    if (!e) {
      if (error) *error = e.error().message;
      return false;
    }
    out.event.template emplace<static_cast<std::size_t>(T::kind)>(std::move(*e));
    return true;
  };
  bool ok = false;
  switch (*kind) {
    case Kind::kPartner: ok = decode(Traits<Kind::kPartner>{}); break;
    case Kind::kTenant: ok = decode(Traits<Kind::kTenant>{}); break;
    case Kind::kCatalog: ok = decode(Traits<Kind::kCatalog>{}); break;
    case Kind::kWarehouse: ok = decode(Traits<Kind::kWarehouse>{}); break;
    case Kind::kOrder: ok = decode(Traits<Kind::kOrder>{}); break;
    case Kind::kBilling: ok = decode(Traits<Kind::kBilling>{}); break;
    case Kind::kExtension: ok = decode(Traits<Kind::kExtension>{}); break;
    case Kind::kRollout: ok = decode(Traits<Kind::kRollout>{}); break;
  }
  if (!ok) return std::nullopt;
  return out;
}

struct ProcessManager::Impl {
  std::string name;
  eventstore::EventStore& store;
  Runtime& runtime;
  Handler handler;
  std::set<std::string, std::less<>> types;
  std::unique_ptr<Client> client;  // created on the subscription thread
  std::uint64_t epoch = 0;  // the store's write epoch when this run started
  std::unique_ptr<eventstore::Subscription> subscription;
  std::atomic<std::uint64_t> handled{0};  // last handled position
  std::atomic<std::uint64_t> decode_errors{0};
  std::uint64_t saved = 0;  // last checkpoint handed to the writer
  std::chrono::steady_clock::time_point saved_at = std::chrono::steady_clock::now();
  std::atomic<int> saves_in_flight{0};
  std::mutex mu;
  std::condition_variable cv;

  // Asynchronous mode (guarded by mu): events whose work is unfinished, and the last one seen.
  std::shared_ptr<Lanes> lanes;
  AsyncHandler async;
  std::size_t max_in_flight = 0;
  std::map<std::uint64_t, std::size_t> unfinished;  // position -> pieces of its work still running
  std::uint64_t dispatched = 0;

  Impl(std::string n, eventstore::EventStore& s, Runtime& r, Handler h, std::set<std::string, std::less<>> t)
      : name(std::move(n)), store(s), runtime(r), handler(std::move(h)), types(std::move(t)) {}

  // While running the checkpoint goes into the writer's next group commit without waiting for it:
  // the subscription thread keeps handling events. A checkpoint lost in a crash only means replaying
  // from the one before, and every command a handler sends is idempotent.
  void SaveAsync(std::uint64_t position) {
    if (position == saved) return;
    saved = position;
    saved_at = std::chrono::steady_clock::now();
    eventstore::ReadModelBatch batch;
    batch.model = name;
    batch.checkpoint = position;
    batch.epoch = epoch;
    ++saves_in_flight;
    store.CommitReadModelAsync(std::move(batch), [this](eventstore::Result<void>) { --saves_in_flight; });
  }
  // On stop: the last position, durably, after the ones still in flight.
  void SaveFinal(std::uint64_t position) {
    while (saves_in_flight.load() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    eventstore::ReadModelBatch batch;
    batch.model = name;
    batch.checkpoint = position;
    batch.epoch = epoch;
    (void)store.CommitReadModel(std::move(batch));
  }

  void MaybeSave(std::uint64_t position) {
    if (position - saved >= 256 || std::chrono::steady_clock::now() - saved_at > std::chrono::milliseconds(200)) {
      SaveAsync(position);
    }
  }

  // Called with mu held.
  void Advance() {
    handled.store(unfinished.empty() ? dispatched : unfinished.begin()->first - 1);
    cv.notify_all();
  }

  void OnEventAsync(const eventstore::EventView& view) {
    std::vector<Work> work;
    if (types.empty() || types.contains(view.type)) {
      std::string error;
      if (auto event = DecodeDomainEvent(view, &error)) {
        work = async(*event);
      } else if (!error.empty()) {
        ++decode_errors;
      }
    }
    std::uint64_t now_handled = 0;
    {
      std::unique_lock lock(mu);
      if (!work.empty()) {
        cv.wait(lock, [&] { return unfinished.size() < max_in_flight; });
        unfinished.emplace(view.position, work.size());
      }
      dispatched = view.position;
      Advance();
      now_handled = handled.load();
    }
    for (auto& piece : work) {
      lanes->Post(piece.lane, std::move(piece.work), [this, position = view.position] {
        std::lock_guard lock(mu);
        if (auto it = unfinished.find(position); it != unfinished.end() && --it->second == 0) {
          unfinished.erase(it);
          Advance();
        }
      });
    }
    MaybeSave(now_handled);
  }

  void OnEvent(const eventstore::EventView& view) {
    if (async) return OnEventAsync(view);
    if (types.empty() || types.contains(view.type)) {
      if (!client) client = std::make_unique<Client>(runtime);
      std::string error;
      if (auto event = DecodeDomainEvent(view, &error)) {
        handler(*client, *event);
      } else if (!error.empty()) {
        ++decode_errors;
      }
    }
    handled.store(view.position);
    {
      std::lock_guard lock(mu);
      cv.notify_all();
    }
    MaybeSave(view.position);
  }

  void Subscribe() {
    // Checkpoints are fenced to the store's write epoch: should a full disk stop writes, no checkpoint
    // passes an event whose commands were refused; the node starts the process managers over after
    // writes resume (app/node.cpp), and they handle such events again.
    epoch = store.health().epoch();
    auto checkpoint = store.LoadCheckpoint(name);
    const std::uint64_t from = checkpoint && *checkpoint ? **checkpoint + 1 : 1;
    saved = from - 1;
    dispatched = from - 1;
    handled.store(from - 1);
    subscription = store.Subscribe(
        from, [this](const eventstore::EventView& v) { OnEvent(v); },
        eventstore::SubscriptionOptions{.gather = kProcessManagerGather});
  }
};

ProcessManager::ProcessManager(std::string name, eventstore::EventStore& store, Runtime& runtime, Handler handler,
                               std::set<std::string, std::less<>> types)
    : impl_(std::make_unique<Impl>(std::move(name), store, runtime, std::move(handler), std::move(types))) {
  impl_->Subscribe();
}

ProcessManager::ProcessManager(std::string name, eventstore::EventStore& store, Runtime& runtime,
                               std::shared_ptr<Lanes> lanes, AsyncHandler handler,
                               std::set<std::string, std::less<>> types, std::size_t max_in_flight)
    : impl_(std::make_unique<Impl>(std::move(name), store, runtime, Handler{}, std::move(types))) {
  impl_->lanes = std::move(lanes);
  impl_->async = std::move(handler);
  impl_->max_in_flight = std::max<std::size_t>(1, max_in_flight);
  impl_->Subscribe();
}

ProcessManager::~ProcessManager() { Stop(); }

void ProcessManager::Stop() {
  if (!impl_->subscription) return;
  impl_->subscription->Stop();
  impl_->subscription.reset();
  {  // asynchronous work still running finishes first (the runtime answers every command it was sent)
    std::unique_lock lock(impl_->mu);
    impl_->cv.wait(lock, [&] { return impl_->unfinished.empty(); });
  }
  impl_->client.reset();
  impl_->SaveFinal(impl_->handled.load());
}

std::uint64_t ProcessManager::next_position() const { return impl_->handled.load() + 1; }
std::uint64_t ProcessManager::decode_errors() const { return impl_->decode_errors.load(); }
std::size_t ProcessManager::in_flight() const {
  std::lock_guard lock(impl_->mu);
  return impl_->unfinished.size();
}

bool ProcessManager::WaitUntilProcessed(std::uint64_t position, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_for(lock, timeout, [&] { return impl_->handled.load() >= position; });
}

}  // namespace keel::actors
