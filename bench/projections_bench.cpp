// keel-bench projections: the read side's two figures.
//  - rebuild: a log of orders (placed, half of them cancelled, across 20 tenants) folded from
//    position 1 into a fresh key space by the orders read model (projections/read_models.hpp),
//    against the same run's scan of the same log through EventStore::ScanAll (RocksDB iteration plus
//    envelope parsing: what any fold must read). rebuild_ratio = rebuild events/s / scan events/s
//    (target >= 0.5). The rebuild catches up in bulk (ingested files, runner.hpp); the same fold
//    committed chunk by chunk through the memtable is printed beside it. Two floors from the same run
//    bound what any fold could reach: the log scanned with every event decoded, and the finished
//    model written as one sorted SST file and ingested; their sum is the work of a rebuild whose fold
//    cost nothing (rebuild_ratio_ceiling_free_fold, on one core and spread over two).
//  - query: a page of one tenant's orders (the first page, a page deep behind a cursor, a page of
//    one status through its index) from the orders read model of the whole log, against the same
//    pages from a model of the log's first 2% (built in the same run): query_ratio = the large
//    model's page time / the small one's (target ~1: a page costs what it returns, not the model).
//  - lag: 4 threads place orders with synced appends for the round's duration while the orders
//    read model follows; for every append, the time from its durable return to the read model's
//    position passing it. lag_p50_ms / lag_p99_ms (target p99 < 100 ms), and the appends per second.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "codec/codec.hpp"
#include "eventstore/store.hpp"
#include "projections/query.hpp"
#include "projections/read_models.hpp"
#include "projections/runner.hpp"

namespace keel::bench {
namespace {

namespace o = domain::order;

eventstore::EventData OrderEvent(const o::Event& e) {
  auto encoded = codec::Encode(e);
  return {encoded.type, encoded.schema_version, encoded.payload};
}

o::OrderPlaced Placed(const std::string& tenant, const std::string& id) {
  o::OrderPlaced p;
  p.id = id;
  p.tenant = tenant;
  p.customer = "c" + std::to_string(id.size() % 7);
  p.currency = "EUR";
  p.lines = {{1, "BOLT", 3, 100, 300}, {2, "NUT", 5, 20, 100}};
  p.total = 400;
  p.at = 1'767'225'600'000;
  p.placed_by = "key:bench";
  return p;
}

// Appends `orders` orders (every other one cancelled too), up to 500 streams of one tenant per synced commit.
std::uint64_t Fill(eventstore::EventStore& store, int orders) {
  eventstore::AppendRequest batch;
  auto flush = [&] {
    if (batch.streams.empty()) return;
    if (auto r = store.Append(std::move(batch)); !r)
      std::fprintf(stderr, "projections: fill append failed: %s\n", r.error().ToString().c_str());
    batch = {};
  };
  // Tenant by tenant (an atomic append stays within one tenant); order ids interleave across tenants.
  for (int k = 0; k < orders; ++k) {
    const int per_tenant = (orders + 19) / 20;
    const int i = (k % per_tenant) * 20 + k / per_tenant;
    if (i >= orders) continue;
    if (k % per_tenant == 0) flush();
    const std::string tenant = "bench:t" + std::to_string(i % 20), id = "o" + std::to_string(i);
    eventstore::StreamAppend s;
    s.stream = "t/" + tenant + "/order/" + id;
    s.expected = eventstore::ExpectedVersion::NoStream();
    s.events.push_back(OrderEvent(Placed(tenant, id)));
    if (i % 2 == 0) s.events.push_back(OrderEvent(o::OrderCancelled{"bench", {}, 1'767'225'600'000}));
    batch.streams.push_back(std::move(s));
    if (batch.streams.size() == 500) flush();
  }
  flush();
  return store.HeadPosition();
}


}  // namespace

int RunProjectionsSuite(const Settings& settings) {
  const bool quick = settings.round_seconds < 0.5;
  const int orders = quick ? 2'000 : 100'000;
  ScratchDir dir("projections");
  auto opened = eventstore::EventStore::Open(dir.str());
  if (!opened) {
    std::fprintf(stderr, "projections: %s\n", opened.error().ToString().c_str());
    return 1;
  }
  auto& store = **opened;
  const std::uint64_t head = Fill(store, orders);
  std::printf("projections: log of %llu events (%d orders, half cancelled, 20 tenants)\n",
              static_cast<unsigned long long>(head), orders);

  if (settings.only.empty() || std::string("rebuild").starts_with(settings.only) ||
      settings.only.starts_with("rebuild")) {
    std::vector<double> ratios, ceilings, ceilings_2;
    const int rounds = std::max(1, std::min(settings.rounds, 3));
    for (int round = 0; round < rounds; ++round) {
      // The baseline: read every event of the log.
      const auto scan_start = std::chrono::steady_clock::now();
      std::uint64_t bytes = 0;
      auto scanned = store.ScanAll(1, SIZE_MAX, [&](const eventstore::EventView& e) {
        bytes += e.payload.size();
        return true;
      });
      const double scan_s = SecondsSince(scan_start);
      if (!scanned || *scanned != head) {
        std::fprintf(stderr, "projections: the scan read %llu events\n", static_cast<unsigned long long>(scanned.value_or(0)));
        return 1;
      }
      // The rebuild: the orders read model from position 1 into a fresh key space.
      const auto rebuild_start = std::chrono::steady_clock::now();
      projections::Runner runner(store, projections::OrderList(), "bench-orders@" + std::to_string(round + 1),
                                 {std::chrono::milliseconds(1), 4096});
      runner.Start();
      if (!runner.WaitFor(head, std::chrono::minutes(10))) {
        std::fprintf(stderr, "projections: the rebuild did not finish\n");
        return 1;
      }
      const double rebuild_s = SecondsSince(rebuild_start);
      runner.Stop();
      // The same fold committed chunk by chunk through the memtable (the path before bulk catch-up).
      const auto chunked_start = std::chrono::steady_clock::now();
      projections::RunnerOptions chunked_options{std::chrono::milliseconds(1), 4096};
      chunked_options.bulk_behind = 0;
      projections::Runner chunked(store, projections::OrderList(), "bench-orders-chunked@" + std::to_string(round + 1), chunked_options);
      chunked.Start();
      if (!chunked.WaitFor(head, std::chrono::minutes(10))) {
        std::fprintf(stderr, "projections: the chunked rebuild did not finish\n");
        return 1;
      }
      const double chunked_s = SecondsSince(chunked_start);
      chunked.Stop();
      // Floors, same run: (a) the log scanned with every event decoded by the codec (what any fold
      // of typed events must do first); (b) the finished model (rows, index keys, kept states)
      // written as one sorted SST file and ingested (what any rebuild must write, the fold aside).
      const auto decode_start = std::chrono::steady_clock::now();
      std::size_t decoded = 0;
      (void)store.ScanAll(1, SIZE_MAX, [&](const eventstore::EventView& e) {
        if (codec::DecodeOrder(e.type, e.schema_version, e.payload)) ++decoded;
        return true;
      });
      const double decode_s = SecondsSince(decode_start);
      eventstore::ReadModelBatch copy;
      copy.model = "bench-floor@" + std::to_string(round + 1);
      copy.checkpoint = head;
      std::size_t model_bytes = 0;
      (void)store.ReadModelScan("bench-orders@" + std::to_string(round + 1), "", [&](std::string_view k, std::string_view v) {
        model_bytes += k.size() + v.size();
        copy.puts.emplace_back(std::string(k), std::string(v));
        return true;
      });
      const std::size_t model_entries = copy.puts.size();
      const auto write_start = std::chrono::steady_clock::now();
      if (auto w = store.IngestReadModel(std::move(copy)); !w) std::fprintf(stderr, "projections: %s\n", w.error().ToString().c_str());
      const double write_s = SecondsSince(write_start);
      std::printf("projections: round %d floors: decode %.0f events/s (%zu decoded); the model's %zu entries (%.1f MB) "
                  "written and ingested in %.3f s against the scan's %.3f s\n",
                  round + 1, static_cast<double>(head) / decode_s, decoded, model_entries, static_cast<double>(model_bytes) / 1e6,
                  write_s, scan_s);
      // The best ratio a rebuild with a free fold could reach: reading and decoding, then writing, on
      // one core; the same work spread perfectly over this machine's two cores.
      ceilings.push_back(scan_s / (decode_s + write_s));
      ceilings_2.push_back(scan_s / std::max(scan_s, (decode_s + write_s) / 2));
      const double scan_rate = static_cast<double>(head) / scan_s, rebuild_rate = static_cast<double>(head) / rebuild_s;
      ratios.push_back(rebuild_rate / scan_rate);
      std::printf("projections: round %d scan %.0f events/s (%llu payload bytes), rebuild %.0f events/s (bulk), "
                  "%.0f events/s (chunk by chunk)\n",
                  round + 1, scan_rate, static_cast<unsigned long long>(bytes), rebuild_rate, static_cast<double>(head) / chunked_s);
    }
    std::sort(ratios.begin(), ratios.end());
    std::printf("rebuild_ratio: %.3f (median of %zu; target >= 0.5)\n", ratios[ratios.size() / 2], ratios.size());
    std::sort(ceilings.begin(), ceilings.end());
    std::sort(ceilings_2.begin(), ceilings_2.end());
    std::printf("rebuild_ratio_ceiling_free_fold: %.3f on one core, %.3f on two (decode the log and write the model, "
                "nothing else; median of %zu)\n",
                ceilings[ceilings.size() / 2], ceilings_2[ceilings_2.size() / 2], ceilings.size());
  }

  if (settings.only.empty() || settings.only.starts_with("query")) {
    // The large model: the whole log; the small one: its first 2%.
    const std::uint64_t small_head = std::max<std::uint64_t>(head / 50, 300);
    const std::size_t rows = quick ? 20 : 50;
    projections::Runner large(store, projections::OrderList(), "bench-query-large", {std::chrono::milliseconds(1), 4096});
    projections::Runner small(store, projections::OrderList(), "bench-query-small", {std::chrono::milliseconds(1), 4096, small_head});
    large.Start();
    small.Start();
    if (!large.WaitFor(head, std::chrono::minutes(10)) || !small.WaitFor(small_head, std::chrono::minutes(10))) {
      std::fprintf(stderr, "projections: the query models did not finish\n");
      return 1;
    }
    large.Stop();
    small.Stop();
    // Microseconds per page (median of 200): the first page, the page after the middle one's cursor,
    // a page of cancelled orders through the status index.
    auto pages = [&](const std::string& model) {
      std::vector<double> out;
      const std::string tenant = "bench:t0";
      std::string middle;
      {
        projections::PageRequest r{model, "o/" + tenant + "/"};
        r.limit = 1'000'000;
        auto all = projections::ReadPage(store, r);
        if (all && !all->keys.empty()) middle = projections::EncodeCursor(all->keys[all->keys.size() / 2]);
      }
      for (int kind = 0; kind < 3; ++kind) {
        std::vector<double> times;
        for (int i = 0; i < 200; ++i) {
          projections::PageRequest r{model, "o/" + tenant + "/"};
          r.limit = rows;
          if (kind == 1) r.cursor = middle;
          if (kind == 2) {
            r.prefix = "i/status/" + tenant + "/cancelled/";
            r.rows_at = "o/" + tenant + "/";
          }
          const auto t0 = std::chrono::steady_clock::now();
          auto page = projections::ReadPage(store, r);
          times.push_back(SecondsSince(t0) * 1e6);
          if (!page || page->rows.size() != rows) {
            std::fprintf(stderr, "projections: a query page held %zu rows\n", page ? page->rows.size() : 0);
            return std::vector<double>{};
          }
        }
        out.push_back(Percentile(times, 0.5));
      }
      return out;
    };
    const auto big = pages("bench-query-large"), little = pages("bench-query-small");
    if (big.size() != 3 || little.size() != 3) return 1;
    const char* names[] = {"first page", "deep page", "status page"};
    double worst = 0;
    for (int i = 0; i < 3; ++i) {
      std::printf("projections: %s of %zu rows: %.1f us over %llu events, %.1f us over %llu\n", names[i], rows, big[i],
                  static_cast<unsigned long long>(head), little[i], static_cast<unsigned long long>(small_head));
      worst = std::max(worst, big[i] / little[i]);
    }
    std::printf("query_ratio: %.2f (the worst of the three; ~1: a page costs what it returns)\n", worst);
  }

  if (settings.only.empty() || settings.only.starts_with("lag")) {
    projections::Runner runner(store, projections::OrderList(), "bench-orders-live", {std::chrono::milliseconds(2), 4096});
    runner.Start();
    runner.WaitFor(store.HeadPosition(), std::chrono::minutes(10));  // caught up before the load
    std::mutex mu;
    std::vector<std::pair<std::uint64_t, std::chrono::steady_clock::time_point>> appended;  // position, when durable
    std::vector<double> lags;
    std::atomic<bool> stop{false};
    std::atomic<int> next{orders};
    std::vector<std::thread> threads;
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        while (!stop.load()) {
          const int i = next.fetch_add(1);
          const std::string tenant = "bench:t" + std::to_string(i % 20), id = "o" + std::to_string(i);
          auto r = store.Append("t/" + tenant + "/order/" + id, eventstore::ExpectedVersion::NoStream(),
                                {OrderEvent(Placed(tenant, id))});
          if (!r) continue;
          std::lock_guard lock(mu);
          appended.emplace_back(r->last_position, std::chrono::steady_clock::now());
        }
      });
    }
    // The watcher: when the read model's position passes an append, that append's lag is known.
    std::thread watcher([&] {
      std::size_t done = 0;
      while (true) {
        const std::uint64_t position = runner.position();
        const auto now = std::chrono::steady_clock::now();
        {
          std::lock_guard lock(mu);
          std::sort(appended.begin() + static_cast<std::ptrdiff_t>(done), appended.end());
          while (done < appended.size() && appended[done].first <= position) {
            lags.push_back(std::chrono::duration<double, std::milli>(now - appended[done].second).count());
            ++done;
          }
          if (stop.load() && done == appended.size()) break;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    });
    std::this_thread::sleep_for(std::chrono::duration<double>(quick ? 0.3 : std::max(3.0, settings.round_seconds * 3)));
    stop = true;
    for (auto& t : threads) t.join();
    const double seconds = SecondsSince(start);
    watcher.join();
    runner.Stop();
    std::printf("projections: %zu appends in %.1f s (%.0f/s, synced), lag sampled per append\n", lags.size(), seconds,
                static_cast<double>(lags.size()) / seconds);
    std::printf("lag_p50_ms: %.2f\nlag_p99_ms: %.2f (target < 100)\n", Percentile(lags, 0.5), Percentile(lags, 0.99));
  }
  if (settings.only.empty() || settings.only.starts_with("analytics")) return RunAnalyticsBench(settings);
  return 0;
}

}  // namespace keel::bench
