// keel-bench fulfilment: place-and-reserve, end to end, on a full node (synced event log, actors,
// the fulfilment process manager). A population of 20 tenants (enterprise template) × 3 warehouses ×
// 10,000 SKUs — SKU i stocked in warehouse i mod 3, so an order's lines spread over up to 3
// warehouses — takes 10-line orders whose SKUs are drawn Zipf-popular (s = 1), from 1 and 16
// concurrent clients, through the actor runtime (a Client per thread sending PlaceOrder) and through
// HTTP (a keep-alive connection per thread, POST /v1/tenants/{t}/orders).
// An order counts as reserved when its OrderAllocated event is in the log with nothing backordered:
// a subscription on the store watches for it (it is not the fulfilment manager's own view). Per
// configuration it prints orders accepted/s (during the load), orders reserved/s (reserved orders over
// the time from the start of the load to the last reservation: a backlog that keeps growing shows as
// a lower figure), p50/p99 from the request until the order is reserved, the backlog when the load
// stops and how long it took to drain, and the appends per order. Summary lines: the HTTP c16 figures
// and `reserved_vs_accepted_ratio` (the lowest of all configurations). Exits 1 if an order failed,
// was backordered, or was never reserved.
#include <pthread.h>
#include <sys/resource.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"
#include "bench_util.hpp"
#include "codec/codec.hpp"
#include "http_client.hpp"
#include "in_process_api.hpp"
#include "node.hpp"

namespace keel::bench {
namespace {

using Json = nlohmann::json;
namespace o = domain::order;
constexpr const char* kKey = "bench_platform_owner_key_000000000";
constexpr int kLines = 10;

struct Population {
  int tenants = 20;
  int warehouses = 3;
  int skus = 10'000;
};

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::string Sku(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "S%05d", i);
  return buf;
}
std::string Reference(int i) { return "ft" + std::to_string(i); }
std::string TenantId(int i) { return "fbench:" + Reference(i); }

// Zipf(s = 1) over ranks 0..n-1 by inverse CDF; rank i is SKU i.
class Zipf {
 public:
  explicit Zipf(int n) : cdf_(static_cast<std::size_t>(n)) {
    double sum = 0;
    for (int i = 0; i < n; ++i) cdf_[static_cast<std::size_t>(i)] = (sum += 1.0 / (i + 1));
    for (double& c : cdf_) c /= sum;
  }
  int operator()(std::mt19937_64& rng) const {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return static_cast<int>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

// 10 distinct SKUs, quantities 1..3.
std::vector<o::LineInput> DrawLines(const Zipf& zipf, std::mt19937_64& rng, int skus) {
  std::vector<o::LineInput> lines;
  while (lines.size() < kLines) {
    const std::string sku = Sku(std::min(zipf(rng), skus - 1));
    if (std::any_of(lines.begin(), lines.end(), [&](const auto& l) { return l.sku == sku; })) continue;
    lines.push_back(o::LineInput{static_cast<std::uint32_t>(lines.size() + 1), sku,
                                 std::uniform_int_distribution<std::int64_t>(1, 3)(rng), std::nullopt});
  }
  return lines;
}

std::string Populate(app::Node& node, const Population& pop) {
  app::InProcessApi s{node.api(), actors::Client(node.runtime()), kKey, {}};  // the set-up, not measured
  s.Send("POST", "/v1/partners", {{"id", "fbench"}, {"name", "Fulfilment bench"}});
  s.Send("POST", "/v1/partners/fbench/certification");
  s.Send("PUT", "/v1/partners/fbench/price-list",
         {{"prices", {{"currency", "EUR"}, {"entries", Json::array({{{"category", "parts"}, {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", 480}}})}}})}}}});
  for (int t = 0; t < pop.tenants && s.error.empty(); ++t) {
    const std::string base = "/v1/tenants/" + TenantId(t);
    s.Send("POST", "/v1/partners/fbench/tenants", {{"reference", Reference(t)}, {"name", "Bench"}, {"template_id", "enterprise-distributor"}});
    s.Send("POST", base + "/onboarding");
    Json tenant = s.Send("GET", base);
    if (tenant.is_object())
      for (const auto& m : tenant["state"]["milestones"]) s.Send("POST", base + "/milestones/" + m["id"].get<std::string>() + "/completion");
    s.Send("POST", base + "/go-live");
    Json rows = Json::array();
    for (int i = 0; i < pop.skus; ++i)
      rows.push_back({{"row", i + 1}, {"item", {{"sku", Sku(i)}, {"name", "Part " + Sku(i)}, {"unit", "each"}, {"category", "parts"}, {"weight_grams", 100}}}});
    s.Send("POST", base + "/catalog/imports", {{"rows", std::move(rows)}});
    for (int w = 0; w < pop.warehouses; ++w) {
      const std::string wid = "w" + std::to_string(w);
      s.Send("POST", base + "/warehouses", {{"id", wid}, {"name", "Bench " + wid}, {"currency", "EUR"}});
      Json lines = Json::array();
      for (int i = w; i < pop.skus; i += pop.warehouses) lines.push_back({{"sku", Sku(i)}, {"qty", 1'000'000}, {"unit_cost", 200}});
      s.Send("POST", base + "/warehouses/" + wid + "/receipts", {{"receipt_id", "opening"}, {"lines", std::move(lines)}});
    }
  }
  return s.error;
}

// Orders awaiting reservation: the time each was sent, by its stream; and what the watcher saw.
struct Tracker {
  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> sent;
  std::vector<double> latencies_ms;
  std::uint64_t reserved = 0, backordered = 0;
  std::chrono::steady_clock::time_point last_reserved;

  void Sent(const std::string& stream, std::chrono::steady_clock::time_point at) {
    std::lock_guard lock(mu);
    sent.emplace(stream, at);
  }
  void Failed(const std::string& stream) {
    std::lock_guard lock(mu);
    sent.erase(stream);
  }
  void Seen(const eventstore::EventView& e) {
    if (e.type != "OrderAllocated") return;
    const auto now = std::chrono::steady_clock::now();
    auto decoded = codec::DecodeOrder(e.type, e.schema_version, e.payload);
    const bool complete = decoded && std::get<o::OrderAllocated>(*decoded).backordered.empty();
    std::lock_guard lock(mu);
    auto it = sent.find(std::string(e.stream));
    if (it == sent.end()) return;  // a set-up order, or one placed before this configuration
    if (complete) {
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
      ++reserved;
      last_reserved = now;
    } else {
      ++backordered;
    }
    sent.erase(it);
    cv.notify_all();
  }
};

struct Outcome {
  double accepted_per_s = 0, reserved_per_s = 0, p50 = 0, p99 = 0, drain_s = 0, appends_per_order = 0;
  double appends_per_commit = 0, commits_per_s = 0, snapshot_mb_per_s = 0, cpu_cores = 0;  // load + drain
  std::uint64_t accepted = 0, reserved = 0, failed = 0, backordered = 0, backlog_at_end = 0, never = 0;
  std::string first_failure;
};

// Each client thread places orders back to back for `seconds` through `place`, which sends one and
// returns an empty string or what went wrong.
template <class MakeClient>
Outcome Run(app::Node& node, Tracker& tracker, const Population& pop, int clients, double seconds, const std::string& tag,
            MakeClient make_client) {
  const Zipf zipf(pop.skus);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> accepted{0}, failed{0};
  std::mutex failure_mu;
  std::string first_failure;
  const auto writer_before = node.store().writer_stats();
  const double cpu_before = ProcessCpuSeconds();
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      pthread_setname_np(pthread_self(), "bench-client");
      auto place = make_client();
      std::mt19937_64 rng(static_cast<std::uint64_t>(c) * 7919 + tag.size());
      for (std::uint64_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        const std::string tenant = TenantId(static_cast<int>((static_cast<std::uint64_t>(c) + n) % static_cast<std::uint64_t>(pop.tenants)));
        const std::string id = tag + "-" + std::to_string(c) + "-" + std::to_string(n);
        const std::string stream = "t/" + tenant + "/order/" + id;
        auto lines = DrawLines(zipf, rng, pop.skus);
        tracker.Sent(stream, std::chrono::steady_clock::now());
        std::string err = place(tenant, id, std::move(lines));
        if (err.empty()) {
          ++accepted;
        } else {
          tracker.Failed(stream);
          if (failed++ == 0) {
            std::lock_guard lock(failure_mu);
            first_failure = err;
          }
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double load_s = SecondsSince(start);
  Outcome out;
  out.accepted = accepted.load();
  out.failed = failed.load();
  out.first_failure = first_failure;
  out.accepted_per_s = static_cast<double>(out.accepted) / load_s;
  const auto stopped = std::chrono::steady_clock::now();
  std::unique_lock lock(tracker.mu);
  out.backlog_at_end = tracker.sent.size();
  tracker.cv.wait_for(lock, std::chrono::seconds(120), [&] { return tracker.sent.empty(); });
  out.drain_s = tracker.sent.empty() ? std::max(0.0, std::chrono::duration<double>(tracker.last_reserved - stopped).count()) : 120.0;
  out.never = tracker.sent.size();
  out.reserved = tracker.reserved;
  out.backordered = tracker.backordered;
  const double span = std::chrono::duration<double>(tracker.last_reserved - start).count();
  out.reserved_per_s = span > 0 ? static_cast<double>(out.reserved) / std::max(span, load_s) : 0;
  out.p50 = Percentile(tracker.latencies_ms, 0.5);
  out.p99 = Percentile(tracker.latencies_ms, 0.99);
  const auto writer = node.store().writer_stats();
  const double elapsed = SecondsSince(start);
  const auto appends = static_cast<double>(writer.appends - writer_before.appends);
  const auto commits = static_cast<double>(writer.commits - writer_before.commits);
  out.appends_per_order = out.accepted ? appends / static_cast<double>(out.accepted) : 0;
  out.appends_per_commit = commits > 0 ? appends / commits : 0;
  out.commits_per_s = commits / elapsed;
  out.snapshot_mb_per_s = static_cast<double>(writer.snapshot_bytes - writer_before.snapshot_bytes) / 1e6 / elapsed;
  out.cpu_cores = (ProcessCpuSeconds() - cpu_before) / elapsed;
  tracker.sent.clear();
  tracker.latencies_ms.clear();
  tracker.reserved = tracker.backordered = 0;
  return out;
}

o::PlaceOrder RuntimeOrder(const std::string& tenant, const std::string& id, std::vector<o::LineInput> lines, const domain::PriceList& prices) {
  o::PlaceOrder cmd;
  cmd.id = id;
  cmd.tenant = tenant;
  cmd.customer = "c1";
  cmd.currency = "EUR";
  for (const auto& l : lines) cmd.catalog[l.sku] = o::CatalogItem{"parts"};
  cmd.lines = std::move(lines);
  cmd.price_list = prices;
  cmd.at = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  cmd.placed_by = "bench";
  return cmd;
}

std::string HttpBody(const std::string& id, const std::vector<o::LineInput>& lines) {
  Json j = {{"id", id}, {"customer", "c1"}, {"currency", "EUR"}, {"lines", Json::array()}};
  for (const auto& l : lines) j["lines"].push_back({{"line", l.line}, {"sku", l.sku}, {"qty", l.qty}});
  return j.dump();
}

void Print(const std::string& config, const Outcome& r) {
  Figure("orders_accepted_per_s_" + config, r.accepted_per_s, "orders/s");
  Figure("orders_reserved_per_s_" + config, r.reserved_per_s, "orders/s");
  std::printf("place_to_reserved_p50_ms_%s: %.2f\nplace_to_reserved_p99_ms_%s: %.2f\n", config.c_str(), r.p50, config.c_str(), r.p99);
  std::printf("backlog_at_end_%s: %llu orders (drained in %.2f s)\n", config.c_str(), static_cast<unsigned long long>(r.backlog_at_end), r.drain_s);
  std::printf("appends_per_order_%s: %.2f\n", config.c_str(), r.appends_per_order);
  std::printf("store_%s: %.0f commits/s, %.1f appends/commit, %.1f MB/s of state snapshots; process CPU %.2f cores\n", config.c_str(),
              r.commits_per_s, r.appends_per_commit, r.snapshot_mb_per_s, r.cpu_cores);
  Ratio("reserved_vs_accepted_ratio_" + config, r.accepted_per_s > 0 ? r.reserved_per_s / r.accepted_per_s : 0);
  if (r.failed || r.backordered || r.never)
    std::fprintf(stderr, "fulfilment %s: %llu failed (first: %s), %llu backordered, %llu never reserved\n", config.c_str(),
                 static_cast<unsigned long long>(r.failed), r.first_failure.c_str(), static_cast<unsigned long long>(r.backordered),
                 static_cast<unsigned long long>(r.never));
}

}  // namespace

int RunFulfilmentSuite(const Settings& settings) {
  const bool quick = settings.round_seconds < 0.1;
  std::printf("# fulfilment suite%s\n", quick ? " (quick: figures mean nothing)" : "");
  Population pop;
  if (quick) pop = Population{2, 3, 300};
  ScratchDir dir("fulfilment");
  app::NodeOptions options;
  options.data_dir = dir.str();
  options.server.port = 0;
  options.rate_limits = false;
  options.billing_interval = std::chrono::milliseconds(0);
  options.bootstrap_key = kKey;
  options.master_key = std::string(32, 'm');  // a scratch store: no file beside it
  auto started = app::Node::Start(options);
  if (!started) {
    std::fprintf(stderr, "fulfilment: %s\n", started.error().c_str());
    return 1;
  }
  app::Node& node = **started;
  const auto setup_start = std::chrono::steady_clock::now();
  if (auto err = Populate(node, pop); !err.empty()) {
    std::fprintf(stderr, "fulfilment: set-up failed: %s\n", err.c_str());
    return 1;
  }
  std::printf("# population: %d tenants x %d warehouses x %d SKUs, set up in %.1f s\n", pop.tenants, pop.warehouses, pop.skus,
              SecondsSince(setup_start));
  Tracker tracker;
  auto watcher = node.store().Subscribe(node.store().HeadPosition() + 1, [&](const eventstore::EventView& e) { tracker.Seen(e); });

  domain::PriceList prices{"EUR", {domain::PriceEntry{"", "parts", {domain::PriceBreak{1, 480}}, 0, 0}}};
  auto runtime_client = [&] {
    return [client = actors::Client(node.runtime()), &prices](const std::string& tenant, const std::string& id,
                                                              std::vector<o::LineInput> lines) mutable -> std::string {
      auto r = client.Execute(actors::OrderKey(tenant, id), o::Command(RuntimeOrder(tenant, id, std::move(lines), prices)));
      return r ? std::string() : r.error().message;
    };
  };
  const std::uint16_t port = node.port();
  auto http_client = [port] {
    return [fd = Connect(port), port, buf = std::string()](const std::string& tenant, const std::string& id,
                                                           std::vector<o::LineInput> lines) mutable -> std::string {
      if (fd < 0) fd = Connect(port);
      const int status = RoundTrip(fd, Post(kKey, "/v1/tenants/" + tenant + "/orders", HttpBody(id, lines)), buf);
      if (status == 201) return {};
      if (status == 0) {
        ::close(fd);
        fd = -1;
        return "connection broken";
      }
      return std::to_string(status) + " " + buf.substr(buf.find("\r\n\r\n") + 4, 200);
    };
  };
  const double seconds = quick ? 0.3 : 10.0;
  // Warm-up: every tenant's and warehouse's actor active, their states loaded.
  (void)Run(node, tracker, pop, 4, quick ? 0.1 : 2.0, "warm", runtime_client);

  bool bad = false;
  double worst_ratio = 1e9;
  Outcome http16;
  for (const auto& [via, clients] : std::vector<std::pair<std::string, int>>{{"runtime", 1}, {"runtime", 16}, {"http", 1}, {"http", 16}}) {
    const std::string config = via + "_c" + std::to_string(clients);
    if (!settings.Selected(config)) continue;
    const Outcome r = via == "runtime" ? Run(node, tracker, pop, clients, seconds, config, runtime_client)
                                       : Run(node, tracker, pop, clients, seconds, config, http_client);
    Print(config, r);
    bad = bad || r.failed || r.backordered || r.never || r.reserved == 0;
    if (r.accepted_per_s > 0) worst_ratio = std::min(worst_ratio, r.reserved_per_s / r.accepted_per_s);
    if (config == "http_c16") http16 = r;
  }
  watcher.reset();
  if (http16.accepted > 0) {
    Figure("orders_reserved_per_s_c16", http16.reserved_per_s, "orders/s");
    std::printf("place_to_reserved_p99_ms_c16: %.2f\n", http16.p99);
  }
  if (worst_ratio < 1e9) Ratio("reserved_vs_accepted_ratio", worst_ratio);
  node.Stop();
  return bad ? 1 : 0;
}

}  // namespace keel::bench
