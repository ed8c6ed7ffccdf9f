// Prometheus metrics of the gateway (see metrics.hpp).
#include "metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <limits>
#include <mutex>
#include <sstream>
#include <string>
#include <unordered_map>

namespace keel::gateway {

struct Metrics::Impl {
  eventstore::EventStore& store;
  actors::Runtime& runtime;
  std::mutex mu;  // one lock around label lookups and the scrape (prometheus-cpp is thread-safe too;
                  // the lock keeps the scrape's gauge updates and collection consistent)
  prometheus::Registry registry;
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter().Name("keel_http_requests_total").Help("HTTP requests by route and status").Register(registry);
  prometheus::Family<prometheus::Histogram>& latency = prometheus::BuildHistogram()
                                                           .Name("keel_http_request_duration_seconds")
                                                           .Help("HTTP request latency by route and status")
                                                           .Register(registry);
  prometheus::Family<prometheus::Counter>& commands =
      prometheus::BuildCounter().Name("keel_commands_total").Help("Commands by type and outcome").Register(registry);
  prometheus::Family<prometheus::Counter>& denied =
      prometheus::BuildCounter().Name("keel_denied_requests_total").Help("Requests refused by authentication or access control").Register(registry);
  prometheus::Family<prometheus::Counter>& audit_dropped =
      prometheus::BuildCounter().Name("keel_audit_dropped_total").Help("Audit records of refused requests dropped by a cap, by cap").Register(registry);
  prometheus::Family<prometheus::Counter>& offloaded =
      prometheus::BuildCounter().Name("keel_http_reads_offloaded_total").Help("Reads of large states rendered on the worker pool").Register(registry);
  prometheus::Family<prometheus::Gauge>& gauges =
      prometheus::BuildGauge().Name("keel_state").Help("Point-in-time figures: live actors, store head, websockets").Register(registry);
  prometheus::Family<prometheus::Counter>& totals =
      prometheus::BuildCounter().Name("keel_store_totals").Help("Store and runtime totals since start").Register(registry);
  prometheus::Family<prometheus::Counter>& reference =
      prometheus::BuildCounter().Name("keel_reference_data_total").Help("Tenant, partner and catalog facts answered from memory (hits), brought up to date (catch_ups) or read from an actor (reloads), forgotten (evictions); tenant look-ups").Register(registry);
  prometheus::Family<prometheus::Gauge>& projections =
      prometheus::BuildGauge().Name("keel_projection").Help("Read models: position, lag in events and ms, parked events, generation, rebuild progress (1 when none) and ETA").Register(registry);
  prometheus::Gauge& websockets = gauges.Add({{"what", "websockets_open"}});
  // The series of each route and status, found once: Family::Add builds and hashes a label map.
  struct RequestSeries {
    prometheus::Counter* count;
    prometheus::Histogram* latency;
  };
  std::unordered_map<std::string, RequestSeries> request_series;  // route \0 status

  Impl(eventstore::EventStore& s, actors::Runtime& r) : store(s), runtime(r) {}
};

Metrics::Metrics(eventstore::EventStore& store, actors::Runtime& runtime) : impl_(std::make_unique<Impl>(store, runtime)) {}
Metrics::~Metrics() = default;

void Metrics::Request(std::string_view route, int status, double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBounds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  std::string key(route);
  key += '\0';
  key += std::to_string(status);
  std::lock_guard lock(impl_->mu);
  auto it = impl_->request_series.find(key);
  if (it == impl_->request_series.end()) {
    const std::map<std::string, std::string> labels{{"route", std::string(route)}, {"status", std::to_string(status)}};
    it = impl_->request_series.emplace(std::move(key), Impl::RequestSeries{&impl_->requests.Add(labels),
                                                                            &impl_->latency.Add(labels, kBounds)}).first;
  }
  it->second.count->Increment();  // series are never removed: the pointers stay valid
  it->second.latency->Observe(seconds);
}

void Metrics::Command(std::string_view type, bool accepted) {
  std::lock_guard lock(impl_->mu);
  impl_->commands.Add({{"type", std::string(type)}, {"outcome", accepted ? "accepted" : "refused"}}).Increment();
}

void Metrics::Denied() {
  std::lock_guard lock(impl_->mu);
  impl_->denied.Add({}).Increment();
}

void Metrics::AuditDropped(std::string_view cap) {
  std::lock_guard lock(impl_->mu);
  impl_->audit_dropped.Add({{"cap", std::string(cap)}}).Increment();
}

void Metrics::ReadOffloaded() {
  std::lock_guard lock(impl_->mu);
  impl_->offloaded.Add({}).Increment();
}

void Metrics::WebSocketOpened() { impl_->websockets.Increment(); }
void Metrics::WebSocketClosed() { impl_->websockets.Decrement(); }

std::string Metrics::Render(const ReferenceData::Stats& reference, const std::vector<projections::ProjectionStatus>& read_models) {
  std::lock_guard lock(impl_->mu);
  const auto stats = impl_->runtime.Stats();
  impl_->gauges.Add({{"what", "live_actors"}}).Set(static_cast<double>(stats.live_actors));
  impl_->gauges.Add({{"what", "store_head_position"}}).Set(static_cast<double>(impl_->store.HeadPosition()));
  const auto health = impl_->store.health();
  // Writes refused until a restart, and writes refused for lack of space (they resume on their own).
  impl_->gauges.Add({{"what", "store_fail_stopped"}}).Set(!health.writable && !health.recovering ? 1.0 : 0.0);
  impl_->gauges.Add({{"what", "store_degraded"}}).Set(!health.writable && health.recovering ? 1.0 : 0.0);
  auto set_total = [&](const char* what, std::uint64_t v) {
    auto& c = impl_->totals.Add({{"what", what}});
    c.Increment(static_cast<double>(v) - c.Value());
  };
  set_total("actor_activations", stats.activations);
  set_total("actor_passivations", stats.passivations);
  const auto ws = impl_->store.writer_stats();
  set_total("store_commits", ws.commits);
  set_total("store_appends", ws.appends);
  set_total("store_events", ws.events);
  set_total("store_snapshots", ws.snapshots);
  set_total("store_snapshot_bytes", ws.snapshot_bytes);
  auto set_reference = [&](const char* what, std::uint64_t v) {
    auto& c = impl_->reference.Add({{"what", what}});
    c.Increment(static_cast<double>(v) - c.Value());
  };
  set_reference("hits", reference.hits);
  set_reference("catch_ups", reference.catch_ups);
  set_reference("reloads", reference.reloads);
  set_reference("evictions", reference.evictions);
  set_reference("tenant_lookups", reference.tenant_lookups);

  for (const auto& p : read_models) {
    auto set = [&](const char* what, double v) { impl_->projections.Add({{"projection", p.name}, {"what", what}}).Set(v); };
    set("position", static_cast<double>(p.position));
    set("lag_events", static_cast<double>(p.lag_events));
    set("lag_ms", static_cast<double>(p.lag_ms));
    set("parked", static_cast<double>(p.parked));
    set("generation", static_cast<double>(p.generation));
    set("rebuild_progress", p.rebuilding_generation ? p.rebuild_progress : 1.0);
    set("rebuild_eta_seconds", p.rebuilding_generation ? p.rebuild_eta_s : 0.0);
  }
  auto families = impl_->registry.Collect();
  // Appends per group commit, from the store's log2 buckets.
  prometheus::MetricFamily batch{"keel_store_append_batch_size", "Appends per group commit (one fsync each)",
                                 prometheus::MetricType::Histogram, {}};
  prometheus::ClientMetric m;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < eventstore::kCommitSizeBuckets; ++i) {
    cumulative += ws.commit_sizes[i];
    if (i + 1 < eventstore::kCommitSizeBuckets)
      m.histogram.bucket.push_back({cumulative, static_cast<double>(std::uint64_t{1} << i)});
  }
  m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = static_cast<double>(ws.appends);  // the sum of appends over all commits
  batch.metric.push_back(std::move(m));
  families.push_back(std::move(batch));
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace keel::gateway
