// Runtime and Client: the CAF actor system with its registry shards, and the synchronous door into
// it for threads outside the system. Entity keys and stream names live here too.
#include "actors/runtime.hpp"

#include <functional>
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
  // Entity handles the asynchronous bridge learned from replies, so later commands skip the registry
  // hop (a stale handle fails and the command goes through the registry, as for Client).
  std::mutex direct_mu;
  std::unordered_map<std::string, caf::actor> direct;

  caf::actor Direct(const std::string& k) {
    std::lock_guard lock(direct_mu);
    auto it = direct.find(k);
    return it == direct.end() ? caf::actor{} : it->second;
  }
  void Remember(const std::string& k, const caf::strong_actor_ptr& sender) {
    if (!sender) return;
    std::lock_guard lock(direct_mu);
    if (direct.size() >= 100'000) direct.clear();  // a bound, not a policy
    direct[k] = caf::actor_cast<caf::actor>(sender);
  }
  void Forget(const std::string& k) {
    std::lock_guard lock(direct_mu);
    direct.erase(k);
  }
};

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
  {
    caf::scoped_actor self{*impl_->sys};
    for (auto& shard : impl_->ctx.shards) self->send_exit(shard, caf::exit_reason::user_shutdown);
  }
  impl_->ctx.shards.clear();
  impl_->sys->await_all_actors_done();
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

// The bridge: a short-lived actor asks the entity (directly when its handle is known) and hands the
// reply to `done` on the CAF worker that received it.
void SendAsync(Runtime::Impl* impl, const EntityKey& key, AnyCommand command, CommandMeta meta,
               std::function<void(Reply)> done) {
  caf::actor shard = impl->ctx.ShardFor(key);
  const std::string k = Context::KeyString(key);
  caf::actor target = impl->Direct(k);
  CommandEnvelope envelope{key, std::move(command), std::move(meta)};
  // The unused int: CAF 0.17 dereferences a null argument tuple when a function actor takes no
  // arguments (UBSan flags it in init_fun_factory.hpp); one argument avoids that path.
  impl->sys->spawn([impl, k, target, shard, envelope, done](caf::event_based_actor* self, int) {
    auto via_registry = [self, impl, k, shard, envelope, done] {
      self->request(shard, caf::infinite, cmd_atom::value, envelope)
          .then(
              [self, impl, k, done](Reply& r) {
                impl->Remember(k, self->current_sender());
                done(std::move(r));
              },
              [done](caf::error& e) {
                done(std::unexpected(Failure{Failure::Kind::kUnavailable, {}, "the entity did not answer: " + caf::to_string(e)}));
              });
    };
    if (!target) return via_registry();
    self->request(target, caf::infinite, cmd_atom::value, envelope)
        .then([done](Reply& r) { done(std::move(r)); },
              [impl, k, via_registry](caf::error&) {
                impl->Forget(k);  // gone (passivated or evicted): ask the registry
                via_registry();
              });
  }, 0);
}

}  // namespace

void Runtime::ExecuteAsync(const EntityKey& key, AnyCommand command, CommandMeta meta, std::function<void(Reply)> done) {
  if (static_cast<std::size_t>(key.kind) != command.index()) {
    done(std::unexpected(Failure{Failure::Kind::kInvalid, {}, "command does not belong to a " + std::string(KindName(key.kind))}));
    return;
  }
  SendAsync(impl_.get(), key, std::move(command), std::move(meta), std::move(done));
}

void Runtime::GetAsync(const EntityKey& key, std::function<void(std::optional<Snapshot>)> done) {
  caf::actor shard = impl_->ctx.ShardFor(key);
  impl_->sys->spawn([shard, key, done](caf::event_based_actor* self, int) {
    self->request(shard, caf::infinite, get_atom::value, key)
        .then([done](Snapshot& s) { done(std::move(s)); }, [done](caf::error&) { done(std::nullopt); });
  }, 0);
}

struct Client::Impl {
  Runtime::Impl& rt;
  caf::scoped_actor self;
  // Entities this client talked to, so later commands skip the registry hop. A handle may go stale
  // (passivated, evicted): the request then fails and the command goes through the registry, which
  // spawns a fresh actor. Two live actors for one stream are safe: the store's expected versions
  // turn a race into a conflict, and the entity reloads and decides again.
  std::unordered_map<std::string, caf::actor> direct;
  explicit Impl(Runtime::Impl& r) : rt(r), self(*r.sys) {}
};

Client::Client(Runtime& runtime) : impl_(std::make_unique<Impl>(runtime.impl())) {}
Client::~Client() = default;

Reply Client::Execute(const EntityKey& key, AnyCommand command, CommandMeta meta, std::chrono::milliseconds timeout) {
  if (static_cast<std::size_t>(key.kind) != command.index()) {
    Failure f;
    f.kind = Failure::Kind::kInvalid;
    f.message = "command does not belong to a " + std::string(KindName(key.kind));
    return std::unexpected(f);
  }
  // No CAF timeout: in CAF 0.17 a blocking request's timeout message arrives even after the reply and
  // then sits in this actor's mailbox forever, so a long-lived client would slow down with every
  // call. CAF answers with an error if the actor dies first, so the reply always comes.
  (void)timeout;
  const std::string k = Context::KeyString(key);
  CommandEnvelope envelope{key, std::move(command), std::move(meta)};
  if (auto it = impl_->direct.find(k); it != impl_->direct.end()) {
    std::optional<Reply> reply;
    impl_->self->request(it->second, caf::infinite, cmd_atom::value, envelope)
        .receive([&](Reply& r) { reply = std::move(r); }, [&](caf::error&) {});
    if (reply) return std::move(*reply);
    impl_->direct.erase(it);  // gone: ask the registry
  }
  Reply reply = std::unexpected(Failure{Failure::Kind::kUnavailable, {}, "no reply"});
  impl_->self->request(impl_->rt.ctx.ShardFor(key), caf::infinite, cmd_atom::value, std::move(envelope))
      .receive(
          [&](Reply& r) {
            reply = std::move(r);
            if (auto sender = impl_->self->current_sender()) {
              if (impl_->direct.size() >= 4096) impl_->direct.clear();  // a bound, not a policy
              impl_->direct[k] = caf::actor_cast<caf::actor>(sender);
            }
          },
          [&](caf::error& e) {
            reply = std::unexpected(Failure{Failure::Kind::kUnavailable, {}, impl_->self->system().render(e)});
          });
  return reply;
}

std::optional<Snapshot> Client::Get(const EntityKey& key, std::chrono::milliseconds timeout) {
  std::optional<Snapshot> out;
  (void)timeout;  // see Execute
  impl_->self->request(impl_->rt.ctx.ShardFor(key), caf::infinite, get_atom::value, key)
      .receive([&](Snapshot& s) { out = std::move(s); }, [](caf::error&) {});
  return out;
}

}  // namespace keel::actors
