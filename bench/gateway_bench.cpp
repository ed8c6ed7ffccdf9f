// keel-bench gateway: durable commands per second over HTTP/1.1 keep-alive with 64 connections
// against a full node (synced event log, actors, process managers), and the same load against a bare
// Beast server answering a fixed body, measured in alternating rounds in one run. Each connection
// sends POST /v1/tenants/<its tenant>/usage (one event, one fsync'd group commit) with its own tenant,
// so commands run in parallel across 64 tenant actors. Rate limits are off for this run.
// A third server, the durable bare one (bare_beast.hpp), appends each request to its own synced
// store before answering: the floor under any durable request with this store, which splits the
// gap between the gateway and the bare server into "durability" and "everything else".
// Prints requests per second, p50/p99 latency and `http_vs_bare_beast_ratio`. For experiments,
// KB_IO, KB_WORKERS and KB_CAF override the io threads, handler threads and CAF scheduler threads;
// KB_ONLY_KEEL=1 skips the baseline (for profiling). Before that load, orders placed per second with
// 1 and 8 connections (RunOrders). `--only orders` / `--only http` run one of the two parts.
#include <arpa/inet.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <map>
#include <sstream>
#include <ctime>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "bare_beast.hpp"
#include "bench_util.hpp"
#include "http_client.hpp"
#include "node.hpp"

namespace keel::bench {
namespace {

constexpr int kConnections = 64;
constexpr const char* kKey = "bench_platform_owner_key_000000000";

struct LoadResult {
  double per_second = 0;
  std::vector<double> latencies_ms;
  std::uint64_t failures = 0;
  std::uint64_t ok = 0;
  double process_cpu_s = 0;  // the whole process during the load: servers, client, everything
  double client_cpu_s = 0;   // the client's threads (their system calls included)
};

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU seconds (user + system) of the process's live threads, summed by thread name.
std::map<std::string, double> CpuByThreadName() {
  std::map<std::string, double> out;
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return out;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    const std::string base = std::string("/proc/self/task/") + e->d_name;
    std::string name, stat;
    std::getline(std::ifstream(base + "/comm"), name);
    std::getline(std::ifstream(base + "/stat"), stat);
    const auto close = stat.rfind(')');  // the name may hold spaces: fields start after it
    if (name.empty() || close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i) fields >> skip;  // fields 3..13
    double utime = 0, stime = 0;
    fields >> utime >> stime;
    out[name] += (utime + stime) / tick;
  }
  ::closedir(dir);
  return out;
}

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// `connections` connections, each its own thread sending `next(i, n)` (connection i's n-th request)
// back to back for `seconds`.
LoadResult Load(std::uint16_t port, int connections, const std::function<std::string(int, std::uint64_t)>& next,
                double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> ok{0}, failed{0};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(connections));
  std::vector<double> client_cpu(static_cast<std::size_t>(connections), 0.0);
  const double cpu_before = ProcessCpuSeconds();
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < connections; ++i) {
    threads.emplace_back([&, i] {
      pthread_setname_np(pthread_self(), "bench-client");
      const double cpu0 = ThreadCpuSeconds();
      int fd = Connect(port);
      std::string buf;
      for (std::uint64_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        if (fd < 0) {
          failed++;
          return;
        }
        const std::string request = next(i, n);
        const auto t0 = std::chrono::steady_clock::now();
        const int status = RoundTrip(fd, request, buf);
        if (status >= 200 && status < 300) {
          ok++;
          lat[static_cast<std::size_t>(i)].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        } else {
          failed++;
          if (status == 0) {
            ::close(fd);
            fd = Connect(port);
          }
        }
      }
      if (fd >= 0) ::close(fd);
      client_cpu[static_cast<std::size_t>(i)] = ThreadCpuSeconds() - cpu0;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  LoadResult r;
  r.per_second = static_cast<double>(ok.load()) / SecondsSince(start);
  r.failures = failed.load();
  r.ok = ok.load();
  r.process_cpu_s = ProcessCpuSeconds() - cpu_before;
  for (double c : client_cpu) r.client_cpu_s += c;
  for (auto& v : lat) r.latencies_ms.insert(r.latencies_ms.end(), v.begin(), v.end());
  return r;
}

// kConnections connections, connection i sending `requests[i % size]` again and again.
LoadResult Load(std::uint16_t port, const std::vector<std::string>& requests, double seconds) {
  return Load(port, kConnections, [&](int i, std::uint64_t) { return requests[static_cast<std::size_t>(i) % requests.size()]; },
              seconds);
}

std::string Post(const std::string& path, const std::string& body) { return bench::Post(kKey, path, body); }

// Orders: POST /v1/tenants/<tenant>/orders with 1 and with 8 connections (one tenant each), one line
// of a catalogued SKU priced from the partner's list, so that placing reads the tenant's facts, the
// partner's price list and the catalog before the command. The tenants have no warehouse: the
// fulfilment process backorders each order in the background, as it would a shop without stock.
// Figures: orders_per_s_c1, orders_per_s_c8 and their p50 latencies (medians over rounds).
int RunOrders(std::uint16_t port, int rounds, double seconds, double warm_up) {
  constexpr int kMaxConnections = 8;
  {
    int fd = Connect(port);
    std::string buf;
    int failed = 0;
    auto must = [&](const std::string& method, const std::string& path, const nlohmann::json& body) {
      const std::string b = body.dump();
      std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + kKey +
                        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(b.size()) + "\r\n\r\n" + b;
      const int s = RoundTrip(fd, req, buf);
      if (s < 200 || s >= 300) {
        ++failed;
        std::fprintf(stderr, "gateway: order setup request failed (%d): %s\n", s, buf.c_str());
      }
    };
    using J = nlohmann::json;
    must("PUT", "/v1/partners/bench/price-list",
         {{"prices",
           {{"currency", "EUR"},
            {"entries", J::array({{{"category", "hardware"}, {"breaks", J::array({{{"min_qty", 1}, {"unit_price", 1000}}})}}})}}}});
    for (int i = 0; i < kMaxConnections; ++i) {
      const std::string t = "bench:bo" + std::to_string(i);
      must("POST", "/v1/partners/bench/tenants", {{"reference", "bo" + std::to_string(i)}, {"name", "Bench orders"}, {"template_id", "enterprise-distributor"}});
      must("POST", "/v1/tenants/" + t + "/catalog/imports",
           {{"rows", J::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}}})}});
    }
    ::close(fd);
    if (failed > 0) return 1;
  }
  std::atomic<std::uint64_t> batch{0};  // each load's order ids are new
  auto orders = [&](int connections, double for_seconds) {
    const std::string prefix = "r" + std::to_string(batch.fetch_add(1)) + "-";
    return Load(port, connections, [&prefix](int i, std::uint64_t n) {
      return Post("/v1/tenants/bench:bo" + std::to_string(i) + "/orders",
                  R"({"id":")" + prefix + std::to_string(n) +
                      R"(","customer":"c1","currency":"EUR","lines":[{"line":1,"sku":"BOLT","qty":1}]})");
    }, for_seconds);
  };
  orders(kMaxConnections, warm_up);  // actors active, caches filled
  std::vector<double> c1, c8, p50_c1, p50_c8;
  std::uint64_t failures = 0;
  for (int r = 0; r < rounds; ++r) {
    const auto one = orders(1, seconds);
    const auto eight = orders(kMaxConnections, seconds);
    c1.push_back(one.per_second);
    c8.push_back(eight.per_second);
    p50_c1.push_back(Percentile(one.latencies_ms, 0.5));
    p50_c8.push_back(Percentile(eight.latencies_ms, 0.5));
    failures += one.failures + eight.failures;
  }
  Figure("orders_per_s_c1", Median(c1), "req/s");
  Figure("orders_per_s_c8", Median(c8), "req/s");
  std::printf("orders_latency_p50_ms_c1: %.3f\norders_latency_p50_ms_c8: %.3f\n", Median(p50_c1), Median(p50_c8));
  if (failures > 0) std::fprintf(stderr, "gateway: %llu orders failed\n", static_cast<unsigned long long>(failures));
  return failures > 0 ? 1 : 0;
}

}  // namespace

int RunGatewaySuite(const Settings& settings) {
  const bool quick = settings.round_seconds < 0.1;
  std::printf("# gateway suite%s\n", quick ? " (quick: figures mean nothing)" : "");
  ScratchDir dir("gateway");
  app::NodeOptions o;
  o.data_dir = dir.str();
  o.server.port = 0;
  o.server.io_threads = std::getenv("KB_IO") ? std::atoi(std::getenv("KB_IO")) : 2;
  if (std::getenv("KB_WORKERS")) o.server.workers = std::atoi(std::getenv("KB_WORKERS"));
  if (std::getenv("KB_CAF")) o.runtime.scheduler_threads = std::atoi(std::getenv("KB_CAF"));
  o.rate_limits = false;
  o.billing_interval = std::chrono::milliseconds(0);
  o.bootstrap_key = kKey;
  o.master_key = std::string(32, 'm');  // a scratch store: no file beside it
  auto node = app::Node::Start(o);
  if (!node) {
    std::fprintf(stderr, "gateway: %s\n", node.error().c_str());
    return 1;
  }
  const std::uint16_t port = (*node)->port();

  // One partner, 64 tenants (enterprise template), each the target of one connection.
  {
    int fd = Connect(port);
    std::string buf;
    auto must = [&](const std::string& req) {
      const int s = RoundTrip(fd, req, buf);
      if (s < 200 || s >= 300) std::fprintf(stderr, "gateway: setup request failed (%d): %s\n", s, buf.c_str());
    };
    must(Post("/v1/partners", R"({"id":"bench","name":"Bench"})"));
    must(Post("/v1/partners/bench/certification", "{}"));
    for (int i = 0; i < kConnections; ++i)
      must(Post("/v1/partners/bench/tenants",
                nlohmann::json{{"reference", "bt" + std::to_string(i)}, {"name", "Bench"}, {"template_id", "enterprise-distributor"}}.dump()));
    ::close(fd);
  }
  const double seconds = quick ? 0.2 : 3.0;
  const int rounds = quick ? 1 : std::max(1, std::min(settings.rounds, 5));
  // `--only orders` runs the orders alone; `--only http` the usage load and its baselines alone.
  int orders_failed = 0;
  if (settings.Selected("orders")) orders_failed = RunOrders(port, rounds, seconds, quick ? 0.1 : 1.0);
  if (!settings.Selected("http")) {
    (*node)->Stop();
    return orders_failed;
  }
  std::vector<std::string> commands, bare;
  for (int i = 0; i < kConnections; ++i) {
    commands.push_back(Post("/v1/tenants/bench:bt" + std::to_string(i) + "/usage", R"({"api_calls":1})"));
    bare.push_back(Post("/v1/tenants/bench:bt" + std::to_string(i) + "/usage", R"({"api_calls":1})"));
  }
  BareBeast baseline(2);
  ScratchDir durable_dir("gateway-bare-durable");
  auto durable_store = eventstore::EventStore::Open(durable_dir.str());
  if (!durable_store) {
    std::fprintf(stderr, "gateway: %s\n", durable_store.error().message.c_str());
    return 1;
  }
  BareBeast durable_baseline(2, durable_store->get());

  std::vector<double> http_rates, bare_rates, durable_rates, latencies;
  std::map<std::string, double> http_cpu_by_name;     // server threads during the gateway's rounds
  std::map<std::string, double> durable_cpu_by_name;  // and during the durable bare server's
  std::uint64_t durable_ok = 0;
  std::uint64_t http_ok = 0;
  // CPU per request (µs), split into the client's threads and the rest of the process (the server
  // under test, plus whatever else the process runs): medians over rounds.
  std::vector<double> http_server_cpu, http_client_cpu, bare_server_cpu, bare_client_cpu, durable_server_cpu;
  auto per_request_us = [](double seconds, std::uint64_t n) { return n ? seconds / static_cast<double>(n) * 1e6 : 0.0; };
  std::uint64_t failures = 0;
  Load(port, commands, quick ? 0.1 : 1.0);  // warm-up: tenant actors active
  for (int r = 0; r < rounds; ++r) {
    // Adds each thread name's CPU time during `load` to `into`.
    auto by_name = [](std::map<std::string, double>& into, auto&& load) {
      const auto before = CpuByThreadName();
      auto result = load();
      for (const auto& [name, cpu] : CpuByThreadName()) {
        const auto was = before.find(name);
        into[name] += cpu - (was == before.end() ? 0.0 : was->second);
      }
      return result;
    };
    auto h = by_name(http_cpu_by_name, [&] { return Load(port, commands, seconds); });
    http_ok += h.ok;
    // KB_ONLY_KEEL=1 skips the baseline, for profiling the gateway alone (no ratio then).
    auto b = std::getenv("KB_ONLY_KEEL") ? LoadResult{} : Load(baseline.port(), bare, seconds);
    auto d = std::getenv("KB_ONLY_KEEL") ? LoadResult{}
                                         : by_name(durable_cpu_by_name, [&] { return Load(durable_baseline.port(), bare, seconds); });
    http_rates.push_back(h.per_second);
    bare_rates.push_back(b.per_second);
    durable_rates.push_back(d.per_second);
    latencies.insert(latencies.end(), h.latencies_ms.begin(), h.latencies_ms.end());
    failures += h.failures + b.failures + d.failures;
    durable_ok += d.ok;
    durable_server_cpu.push_back(per_request_us(d.process_cpu_s - d.client_cpu_s, d.ok));
    http_server_cpu.push_back(per_request_us(h.process_cpu_s - h.client_cpu_s, h.ok));
    http_client_cpu.push_back(per_request_us(h.client_cpu_s, h.ok));
    bare_server_cpu.push_back(per_request_us(b.process_cpu_s - b.client_cpu_s, b.ok));
    bare_client_cpu.push_back(per_request_us(b.client_cpu_s, b.ok));
  }
  const double http = Median(http_rates), base = Median(bare_rates);
  Figure("http_durable_commands_per_s_c64", http, "req/s");
  Figure("bare_beast_per_s_c64", base, "req/s");
  const double durable = Median(durable_rates);
  Figure("bare_durable_per_s_c64", durable, "req/s");
  std::printf("http_latency_p50_ms: %.3f\nhttp_latency_p99_ms: %.3f\n", Percentile(latencies, 0.5), Percentile(latencies, 0.99));
  const auto writer = (*node)->store().writer_stats();
  std::printf("store_appends_per_commit: %.1f\n",
              writer.commits ? static_cast<double>(writer.appends) / static_cast<double>(writer.commits) : 0.0);
  // Loopback TCP charges part of each side's receive work to the sender's thread, so the split is
  // approximate; the sum is exact. The server-only ratio is what a load client on another machine
  // would see if both servers were CPU-bound.
  std::printf("http_server_cpu_per_request_us: %.1f\nhttp_client_cpu_per_request_us: %.1f\n", Median(http_server_cpu),
              Median(http_client_cpu));
  std::printf("bare_server_cpu_per_request_us: %.1f\nbare_client_cpu_per_request_us: %.1f\n", Median(bare_server_cpu),
              Median(bare_client_cpu));
  // Where the durable path's server CPU goes, by thread name (CAF 0.17 names its scheduler workers
  // "caf.multiplexer"); clock-tick resolution.
  for (const auto& [name, cpu] : http_cpu_by_name) {
    if (name == "bench-client" || name == "bench-bare-io" || cpu <= 0) continue;
    std::printf("http_server_cpu_per_request_us[%s]: %.1f\n", name.c_str(), per_request_us(cpu, http_ok));
  }
  std::printf("bare_durable_server_cpu_per_request_us: %.1f\n", Median(durable_server_cpu));
  for (const auto& [name, cpu] : durable_cpu_by_name) {
    if (name != "bench-bare-io" && name != "keel-writer") continue;  // the durable server's own threads
    std::printf("bare_durable_server_cpu_per_request_us[%s]: %.1f\n", name.c_str(), per_request_us(cpu, durable_ok));
  }
  const auto durable_writer = (*durable_store)->writer_stats();
  std::printf("bare_durable_appends_per_commit: %.1f\n",
              durable_writer.commits ? static_cast<double>(durable_writer.appends) / static_cast<double>(durable_writer.commits) : 0.0);
  if (Median(http_server_cpu) > 0 && Median(bare_server_cpu) > 0)
    std::printf("server_only_cpu_ratio: %.3f\n", Median(bare_server_cpu) / Median(http_server_cpu));
  if (failures > 0) std::fprintf(stderr, "gateway: %llu requests failed\n", static_cast<unsigned long long>(failures));
  // The durable floor against the bare server, and the gateway against that floor.
  Ratio("bare_durable_vs_bare_beast_ratio", base > 0 ? durable / base : 0);
  Ratio("http_vs_bare_durable_ratio", durable > 0 ? http / durable : 0);
  Ratio("http_vs_bare_beast_ratio", base > 0 ? http / base : 0);
  (*node)->Stop();
  return failures > 0 || orders_failed != 0 ? 1 : 0;
}

}  // namespace keel::bench
