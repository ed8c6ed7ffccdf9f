// Composition of a Keel node (see node.hpp). Start order: store, configuration, runtime, process
// managers, billing timer, API (keys), server. Stop drains the server first, then stops the process
// managers and the runtime, and only then destroys the server and the API (late replies still land).
#include "node.hpp"

#include "read_model_set.hpp"

#include "projections/projections.hpp"

#include <algorithm>
#include <filesystem>
#include <cstdlib>

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "actors/billing_cycle.hpp"
#include "actors/exception_router.hpp"
#include "actors/fulfilment.hpp"
#include "actors/process_managers.hpp"
#include "actors/rollouts.hpp"
#include "actors/support_sla.hpp"
#include "config/loader.hpp"
#include "master_key.hpp"

namespace keel::app {

struct Node::Impl {
  NodeOptions options;
  actors::SystemClock system_clock;
  const actors::Clock* clock = nullptr;       // business time
  const actors::Clock* wall_clock = nullptr;  // retention, rate limits, caches
  std::unique_ptr<eventstore::EventStore> store;
  domain::ServiceCatalog catalog;
  config::TemplateRegistry templates;
  std::unique_ptr<actors::Runtime> runtime;
  std::unique_ptr<actors::ProcessManager> fulfilment, returns, replenishment, extension_notices;
  std::unique_ptr<actors::ExceptionRouter> exceptions;
  std::unique_ptr<actors::BillingCycle> billing;
  std::mutex billing_mu;
  std::unique_ptr<actors::Rollouts> rollouts;  // its manager restarts with the others
  std::mutex rollouts_mu;
  std::unique_ptr<projections::Projections> read_models;  // the list routes' read models
  std::unique_ptr<gateway::Api> api;
  std::unique_ptr<gateway::Server> server;
  std::optional<std::string> generated_key;
  std::vector<std::string> notices;

  std::thread billing_timer;
  std::mutex timer_mu;
  std::condition_variable timer_cv;
  bool stopping = false, stopped = false;

  // After the store takes writes again (a full disk had stopped them), the process managers start
  // over from their durable checkpoints, as after a crash: an event whose handling was cut short by a
  // refused write is handled again (every command they send carries an idempotency key).
  std::thread restarter;

  void StartProcessManagers() {
    actors::FulfilmentOptions fulfilment_options;
    fulfilment_options.shortfall_rule = [this](const domain::tenant::State& st) {
      if (const auto* t = templates.Find(st.template_id, st.template_version); t && !t->workflow.backorder_shortfalls)
        return domain::order::ShortfallRule::kCancelLine;
      return domain::order::ShortfallRule::kBackorder;
    };
    fulfilment = actors::StartFulfilment(*store, *runtime, fulfilment_options);
    returns = actors::StartReturns(*store, *runtime);
    replenishment = actors::StartReplenishment(*store, *runtime);
    extension_notices = actors::StartExtensionNotices(*store, *runtime);
    {
      std::lock_guard lock(rollouts_mu);
      rollouts = std::make_unique<actors::Rollouts>(*store, *runtime, catalog, templates, *clock);
    }
    exceptions = std::make_unique<actors::ExceptionRouter>(*store);
  }
  void StopProcessManagers() {
    if (fulfilment) fulfilment->Stop();
    if (returns) returns->Stop();
    if (replenishment) replenishment->Stop();
    if (extension_notices) extension_notices->Stop();
    {
      std::lock_guard lock(rollouts_mu);
      rollouts.reset();
    }
    if (exceptions) exceptions->Stop();
    fulfilment.reset();
    returns.reset();
    replenishment.reset();
    extension_notices.reset();
    exceptions.reset();
  }

  actors::RolloutTick AdvanceRollouts() {
    std::lock_guard lock(rollouts_mu);
    return rollouts ? rollouts->Tick() : actors::RolloutTick{};
  }

  actors::BillingTick CloseBilling(std::int64_t now) {
    std::lock_guard lock(billing_mu);
    return billing->Tick(now);
  }
};

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() { Stop(); }

std::expected<std::unique_ptr<Node>, std::string> Node::Start(NodeOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  auto& o = impl->options;
  if (o.simulated_clock && !o.clock) o.clock = o.simulated_clock;
  impl->clock = o.clock ? o.clock : &impl->system_clock;
  impl->wall_clock = o.wall_clock ? o.wall_clock : &impl->system_clock;

  const std::string config_dir = o.config_dir.empty() ? config::DefaultDataDir() : o.config_dir;
  auto catalog = config::LoadCatalog(config_dir + "/plans.json");
  if (!catalog) return std::unexpected("configuration: " + catalog.error());
  impl->catalog = std::move(*catalog);
  auto templates = config::LoadTemplates(config_dir + "/templates", impl->catalog);
  if (!templates) return std::unexpected("configuration: " + templates.error());
  impl->templates = std::move(*templates);
  // Renewal-risk weights and stage thresholds: analytics.json beside plans.json (left out: the defaults).
  domain::analytics::Rules analytics_rules;
  if (const std::string path = config_dir + "/analytics.json"; std::filesystem::exists(path)) {
    auto rules = config::LoadAnalyticsRules(path);
    if (!rules) return std::unexpected("configuration: " + rules.error());
    analytics_rules = *rules;
  } else {
    impl->notices.push_back("no " + path + ": renewal risk and lifecycle stages use the default weights");
  }

  eventstore::Options store_options = o.store;
  const actors::Clock* clock = impl->clock;
  store_options.clock_ms = [clock] { return clock->NowMs(); };
  const actors::Clock* wall_clock = impl->wall_clock;
  store_options.retention_clock_ms = [wall_clock] { return wall_clock->NowMs(); };
  // An Idempotency-Key the gateway still answers for must still deduplicate in the store: a retry of
  // an unanswered (5xx) attempt goes to the store with the same key for as long as the gateway keeps keys.
  store_options.idempotency_retention =
      std::max(store_options.idempotency_retention, std::chrono::milliseconds(o.idempotency_retention_ms));
  auto store = eventstore::EventStore::Open(o.data_dir, store_options);
  if (!store) return std::unexpected("event store at " + o.data_dir + ": " + store.error().ToString());
  impl->store = std::move(*store);
  if (o.simulated_clock) {  // business time resumes where the log left it, never earlier
    if (const auto head = impl->store->HeadPosition(); head > 0) {
      auto last = impl->store->ReadAll(head, 1);
      if (last && !last->empty() && last->front().timestamp_ms > o.simulated_clock->NowMs())
        o.simulated_clock->Set(last->front().timestamp_ms);
    }
  }

  impl->runtime = std::make_unique<actors::Runtime>(*impl->store, o.runtime);
  Impl* raw = impl.get();
  const std::uint64_t pm_recoveries = impl->store->health().recoveries;  // before they read the epoch
  impl->StartProcessManagers();
  impl->billing = std::make_unique<actors::BillingCycle>(*impl->store, *impl->runtime, impl->catalog, impl->templates);

  std::string master = o.master_key;
  std::string created_key_file;  // a key file written by this start: removed again if the keys refuse it
  if (master.empty()) {
    auto loaded = LoadOrCreateMasterKey(o.data_dir, o.master_key_file, std::getenv("KEEL_MASTER_KEY"));
    if (!loaded) return std::unexpected("master key: " + loaded.error());
    if (loaded->created) created_key_file = loaded->source;
    if (loaded->created)
      impl->notices.push_back("created the master key file " + loaded->source +
                              " (API keys depend on it: back it up with the data directory, apart from it)");
    master = std::move(loaded->bytes);
  }
  // The read models, folded by their own threads from their checkpoints (a new code version of one
  // is rebuilt beside the old, which serves meanwhile).
  impl->read_models = std::make_unique<projections::Projections>(*impl->store, ReadModelSet(impl->catalog));
  if (auto started = impl->read_models->Start(); !started)
    return std::unexpected("read models: " + started.error().ToString());
  gateway::ApiOptions api_options;
  api_options.master_key = std::move(master);
  api_options.projections = impl->read_models.get();
  api_options.analytics_rules = analytics_rules;
  if (o.request_log) {
    if (auto bad = gateway::CheckLogOptions(*o.request_log); !bad.empty()) return std::unexpected(bad);
    api_options.request_log = std::make_shared<gateway::RequestLog>(*o.request_log);
  }
  api_options.rate_limits = o.rate_limits;
  api_options.idempotency_retention_ms = o.idempotency_retention_ms;
  api_options.audit_retention_ms = o.audit_retention_ms;
  api_options.close_billing = [raw](std::int64_t now) { return raw->CloseBilling(now); };
  api_options.advance_rollouts = [raw] { return raw->AdvanceRollouts(); };
  api_options.sweep_sla = [raw](std::int64_t now) { return actors::SweepSupportSla(*raw->store, *raw->runtime, now); };
  api_options.wall_clock = impl->wall_clock;
  api_options.simulated_clock = o.simulated_clock;
  impl->api = std::make_unique<gateway::Api>(*impl->store, *impl->runtime, *impl->clock, impl->catalog, impl->templates,
                                             api_options);
  impl->api->SetReady(!o.defer_ready);
  if (!o.defer_ready) actors::SweepSupportSla(*impl->store, *impl->runtime, impl->clock->NowMs());  // as MarkReady
  auto started = impl->api->Start(o.bootstrap_key);
  if (!started) {
    // A new key that the stored keys were not made under (a restored store without its key file, say)
    // is wrong for good: it is not left behind to be taken for the right one next time.
    if (!created_key_file.empty()) {
      std::error_code ec;
      std::filesystem::remove(created_key_file, ec);
    }
    return std::unexpected("api keys: " + started.error());
  }
  impl->generated_key = started->generated_token;
  if (!started->notice.empty()) impl->notices.push_back(started->notice);

  impl->restarter = std::thread([raw, pm_recoveries] {
    pthread_setname_np(pthread_self(), "keel-pm-restart");
    std::uint64_t seen = pm_recoveries;
    std::unique_lock lock(raw->timer_mu);
    while (!raw->stopping) {
      raw->timer_cv.wait_for(lock, std::chrono::milliseconds(200), [raw] { return raw->stopping; });
      if (raw->stopping) break;
      const auto now = raw->store->health().recoveries;
      if (now == seen) continue;
      seen = now;  // read before the managers start again: a recovery meanwhile restarts them once more
      lock.unlock();
      raw->StopProcessManagers();
      raw->StartProcessManagers();
      lock.lock();
    }
  });
  if (o.billing_interval.count() > 0) {
    impl->billing_timer = std::thread([raw] {
      pthread_setname_np(pthread_self(), "keel-housekeep");
      std::unique_lock lock(raw->timer_mu);
      while (!raw->stopping) {
        raw->timer_cv.wait_for(lock, raw->options.billing_interval, [raw] { return raw->stopping; });
        if (raw->stopping) break;
        lock.unlock();
        const std::int64_t now = raw->wall_clock->NowMs();
        raw->CloseBilling(raw->clock->NowMs());
        raw->AdvanceRollouts();
        actors::SweepSupportSla(*raw->store, *raw->runtime, raw->clock->NowMs());
        // Stored Idempotency-Key responses past their retention, in bounded batches.
        for (int batch = 0; batch < 100; ++batch) {
          auto purged = raw->api->PurgeExpiredIdempotency(now);
          if (!purged || *purged == 0) break;
        }
        // Records of refused requests past their retention, likewise.
        for (int batch = 0; batch < 100; ++batch) {
          auto purged = raw->api->PurgeExpiredAudit(now);
          if (!purged || *purged == 0) break;
        }
        lock.lock();
      }
    });
  }

  impl->server = std::make_unique<gateway::Server>(*impl->api, *impl->store, *impl->runtime, o.server);
  if (auto s = impl->server->Start(); !s) {
    auto node = std::unique_ptr<Node>(new Node(std::move(impl)));
    node->Stop();
    return std::unexpected(s.error());
  }
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

void Node::Stop() {
  auto& i = *impl_;
  if (i.stopped) return;
  i.stopped = true;
  // The order matters: the server's stop drains its worker pool, where answers to reads may still be
  // rendering (they hold the Api's context); the runtime goes after, the Api and server last.
  if (i.server) i.server->Stop();
  {
    std::lock_guard lock(i.timer_mu);
    i.stopping = true;
  }
  i.timer_cv.notify_all();
  if (i.billing_timer.joinable()) i.billing_timer.join();
  if (i.restarter.joinable()) i.restarter.join();
  i.StopProcessManagers();
  i.billing.reset();
  // The runtime goes before the server and the API: a request still in flight after the drain timeout
  // gets its (error) reply now, while the API it reports to and the io_context it posts to still exist.
  i.runtime.reset();
  i.server.reset();
  i.api.reset();
  i.read_models.reset();  // stops their runners (each batch already committed with its checkpoint)
  i.store.reset();  // closes RocksDB (every acknowledged write is already synced)
}

void Node::MarkReady() {
  // Support targets that fell due while the node was down (or during a demo's seeded history) are
  // recorded now, not at the first timer tick or clock move.
  if (impl_->runtime) actors::SweepSupportSla(*impl_->store, *impl_->runtime, impl_->clock->NowMs());
  if (impl_->api) impl_->api->SetReady(true);
}

std::uint16_t Node::port() const { return impl_->server ? impl_->server->port() : 0; }
std::uint16_t Node::admin_port() const { return impl_->server ? impl_->server->admin_port() : 0; }
gateway::Api& Node::api() { return *impl_->api; }
eventstore::EventStore& Node::store() { return *impl_->store; }
actors::Runtime& Node::runtime() { return *impl_->runtime; }
const std::optional<std::string>& Node::generated_key() const { return impl_->generated_key; }
const std::vector<std::string>& Node::notices() const { return impl_->notices; }

}  // namespace keel::app
