// Runtime and Client: the CAF actor system with its registry shards, and the synchronous door into
// it for threads outside the system. Entity keys and stream names live here too.
#include "actors/runtime.hpp"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <thread>
#include <mutex>
#include <unordered_map>

#include "context.hpp"
#include "messages.hpp"

namespace keel::actors {

std::string_view KindName(Kind k) {
  switch (k) {
    case Kind::kPartner: return "partner";
    case Kind::kTenant: return "tenant";
    case Kind::kCatalog: return "catalog";
    case Kind::kWarehouse: return "warehouse";
    case Kind::kOrder: return "order";
    case Kind::kBilling: return "billing";
    case Kind::kExtension: return "extension";
    case Kind::kRollout: return "rollout";
  }
  return "unknown";
}

EntityKey PartnerKey(std::string partner) { return {Kind::kPartner, std::string(kPlatformTenant), std::move(partner)}; }
EntityKey TenantKey(std::string tenant) {
  std::string id = tenant;
  return {Kind::kTenant, std::move(tenant), std::move(id)};
}
EntityKey CatalogKey(std::string tenant) { return {Kind::kCatalog, std::move(tenant), "main"}; }
EntityKey WarehouseKey(std::string tenant, std::string warehouse) {
  return {Kind::kWarehouse, std::move(tenant), std::move(warehouse)};
}
EntityKey OrderKey(std::string tenant, std::string order) { return {Kind::kOrder, std::move(tenant), std::move(order)}; }
EntityKey BillingKey(std::string tenant) { return {Kind::kBilling, std::move(tenant), "main"}; }
EntityKey RolloutKey(std::string template_id) { return {Kind::kRollout, std::string(kPlatformTenant), std::move(template_id)}; }

EntityKey ExtensionKey(std::string extension) {
  return {Kind::kExtension, std::string(kPlatformTenant), std::move(extension)};
}

std::string StreamOf(const EntityKey& key) {
  return "t/" + key.tenant + "/" + std::string(KindName(key.kind)) + "/" + key.id;
}

std::string Context::KeyString(const EntityKey& key) {
  std::string s;
  s.reserve(key.tenant.size() + key.id.size() + 4);
  s.push_back(static_cast<char>('0' + static_cast<int>(key.kind)));
  s.push_back('|');
  s += key.tenant;
  s.push_back('|');
  s += key.id;
  return s;
}

const caf::actor& Context::ShardFor(const EntityKey& key) const {
  return shards[std::hash<std::string>{}(KeyString(key)) % shards.size()];
}

struct Runtime::Impl {
  Context ctx;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  // Entity handles learned from replies, so later commands skip the registry hop (a stale handle
  // drops the command unanswered and it goes through the registry; see Send).
  std::mutex direct_mu;
  std::unordered_map<std::string, caf::actor> direct;

  caf::actor Direct(const std::string& k) {
    std::lock_guard lock(direct_mu);
    auto it = direct.find(k);
    return it == direct.end() ? caf::actor{} : it->second;
  }
  void Remember(const std::string& k, const caf::actor& entity) {
    std::lock_guard lock(direct_mu);
    if (direct.size() >= 100'000) direct.clear();  // a bound, not a policy
    direct[k] = entity;
  }
  void Forget(const std::string& k) {
    std::lock_guard lock(direct_mu);
    direct.erase(k);
  }
};

Context& ContextOf(Runtime::Impl& runtime) { return runtime.ctx; }

Runtime::Runtime(eventstore::EventStore& store, RuntimeConfig config) : impl_(std::make_unique<Impl>()) {
  impl_->ctx.store = &store;
  impl_->ctx.config = config;
  impl_->cfg.set("scheduler.max-threads", config.scheduler_threads);
  impl_->cfg.set("logger.verbosity", caf::atom("quiet"));
  // CAF's workers poll, then sleep 50 us at a time ("moderate"), then wait on a condition variable
  // ("relaxed"). The sleeps add up to ~100 us per hop to every command while the log fsyncs; going
  // straight from polling to the condition variable wakes a worker as soon as a message arrives.
  impl_->cfg.set("work-stealing.moderate-poll-attempts", 0);
  impl_->sys = std::make_unique<caf::actor_system>(impl_->cfg);
  const std::size_t shards = std::max<std::size_t>(1, config.registry_shards);
  impl_->ctx.config.registry_shards = shards;
  for (std::size_t i = 0; i < shards; ++i) impl_->ctx.shards.push_back(SpawnRegistryShard(*impl_->sys, &impl_->ctx));
}

Runtime::~Runtime() {
  impl_->ctx.stopping.store(true);
  {
    caf::scoped_actor self{*impl_->sys};
    for (auto& shard : impl_->ctx.shards) self->send_exit(shard, caf::exit_reason::user_shutdown);
  }
  impl_->sys->await_all_actors_done();
  // Appends still at the writer: their callbacks message (dead) actors and may answer callers. The
  // writer answers every job, an error at worst, so this ends.
  while (impl_->ctx.appends_in_flight.load() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->ctx.shards.clear();
  impl_->sys.reset();
}

const RuntimeConfig& Runtime::config() const { return impl_->ctx.config; }

RuntimeStats Runtime::Stats() const {
  RuntimeStats out;
  caf::scoped_actor self{*impl_->sys};
  for (const auto& shard : impl_->ctx.shards) {
    self->request(shard, std::chrono::seconds(10), stats_atom::value)
        .receive(
            [&](const ShardStats& s) {
              out.live_actors += s.live;
              out.activations += s.activations;
              out.passivations += s.passivations;
            },
            [](caf::error&) {});
  }
  return out;
}

namespace {

// Sends a command to its entity: straight to the actor when its handle is known, else through the
// registry shard. The envelope's ReplySink hands the answer to `done`; if the known handle turns out
// stale (the actor passivated and dropped the message unanswered), the command goes once more
// through the registry, which spawns a fresh actor.
void Send(Runtime::Impl* impl, std::string k, CommandEnvelope envelope, std::function<void(Reply)> done) {
  if (impl->ctx.stopping.load()) {
    done(std::unexpected(Failure{Failure::Kind::kUnavailable, {}, "the actor runtime is stopping"}));
    return;
  }
  caf::actor target = impl->Direct(k);
  const bool via_registry = !target;
  // Kept for the retry: only a direct send can need one.
  std::optional<CommandEnvelope> retry;
  if (!via_registry) retry = envelope;
  caf::actor to = via_registry ? impl->ctx.ShardFor(envelope.key) : target;
  envelope.reply = ReplySink([impl, k, retry = std::move(retry), done](std::optional<Reply> reply,
                                                                       const caf::actor& entity) mutable {
    if (reply) {
      if (retry == std::nullopt && entity) impl->Remember(k, entity);
      done(std::move(*reply));
    } else if (retry) {
      impl->Forget(k);
      Send(impl, std::move(k), std::move(*retry), std::move(done));
    } else {
      done(std::unexpected(Failure{Failure::Kind::kUnavailable, {}, "the entity stopped without answering (an error, or the runtime is stopping)"}));
    }
  });
  caf::anon_send(to, cmd_atom::value, std::move(envelope));
}

// A synchronous caller's wait for an answer: it sleeps until the answer comes. (It used to spin
// for up to 1 ms when no other synchronous call was in flight; with the process managers' work
// running beside every command, that spin took CPU from them on 2 cores: keel-bench fulfilment's
// HTTP c1 went from 474 to 642 orders/s in the full run.)
template <class T>
class Wait {
 public:
  void Deliver(T value) {
    value_.emplace(std::move(value));
    ready_.store(true, std::memory_order_release);
    std::lock_guard lock(mu_);
    cv_.notify_one();
  }
  // nullopt: no answer within `timeout`.
  std::optional<T> Take(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return ready_.load(std::memory_order_acquire); })) return std::nullopt;
    return std::move(value_);
  }

 private:
  std::optional<T> value_;
  std::atomic<bool> ready_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

void SendGet(Runtime::Impl* impl, const EntityKey& key, std::function<void(std::optional<Snapshot>)> done) {
  if (impl->ctx.stopping.load()) return done(std::nullopt);
  SnapshotSink sink([done = std::move(done)](std::optional<Snapshot> s, const caf::actor&) { done(std::move(s)); });
  caf::anon_send(impl->ctx.ShardFor(key), get_atom::value, key, std::move(sink));
}

}  // namespace

void Runtime::ExecuteAsync(const EntityKey& key, AnyCommand command, CommandMeta meta, std::function<void(Reply)> done) {
  if (static_cast<std::size_t>(key.kind) != command.index()) {
    done(std::unexpected(Failure{Failure::Kind::kInvalid, {}, "command does not belong to a " + std::string(KindName(key.kind))}));
    return;
  }
  Send(impl_.get(), Context::KeyString(key), CommandEnvelope{key, std::move(command), std::move(meta), {}}, std::move(done));
}

void Runtime::GetAsync(const EntityKey& key, std::function<void(std::optional<Snapshot>)> done) {
  SendGet(impl_.get(), key, std::move(done));
}

Client::Client(Runtime& runtime) : impl_(std::make_unique<Impl>(Impl{runtime.impl()})) {}
Client::~Client() = default;

Reply Client::Execute(const EntityKey& key, AnyCommand command, CommandMeta meta, std::chrono::milliseconds timeout) {
  if (static_cast<std::size_t>(key.kind) != command.index()) {
    Failure f;
    f.kind = Failure::Kind::kInvalid;
    f.message = "command does not belong to a " + std::string(KindName(key.kind));
    return std::unexpected(f);
  }
  auto wait = std::make_shared<Wait<Reply>>();  // outlives a timed-out wait: the answer may still come
  Send(&impl_->rt, Context::KeyString(key), CommandEnvelope{key, std::move(command), std::move(meta), {}},
       [wait](Reply r) { wait->Deliver(std::move(r)); });
  auto reply = wait->Take(timeout);
  if (!reply) {
    // The command may still be decided and appended: the caller retries with its idempotency key.
    return std::unexpected(Failure{Failure::Kind::kUnavailable, {},
                                   "no answer within " + std::to_string(timeout.count()) + " ms"});
  }
  return std::move(*reply);
}

std::optional<Snapshot> Client::Get(const EntityKey& key, std::chrono::milliseconds timeout) {
  auto wait = std::make_shared<Wait<std::optional<Snapshot>>>();
  SendGet(&impl_->rt, key, [wait](std::optional<Snapshot> s) { wait->Deliver(std::move(s)); });
  auto answer = wait->Take(timeout);
  return answer ? std::move(*answer) : std::nullopt;
}

}  // namespace keel::actors
