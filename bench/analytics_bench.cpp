// keel-bench projections, the analytics part (projections/analytics.hpp):
//  - analytics_rebuild_ratio: a platform's log (tenants provisioned across the four segments over a
//    year, 10-line orders on every day, a quarter cancelled, upgrades) folded from position 1 by the
//    analytics projection into a fresh key space (bulk catch-up), against the same run's ScanAll of
//    the same log: rebuild events/s / scan events/s (target >= 0.4).
//  - analytics_query_p99_ms: what GET /v1/analytics/revenue?group_by=segment,day&from=<a year ago>
//    reads and shapes for the platform owner over 10,000 tenants and a year of days: each segment's
//    day rows and current MRR (one scan each), MRR carried back to every day, one JSON row per segment
//    and day; p99 of 200 (target < 50 ms).
#include <algorithm>
#include <cstdio>
#include <random>

#include <nlohmann/json.hpp>

#include "bench_util.hpp"
#include "codec/codec.hpp"
#include "config/loader.hpp"
#include "eventstore/store.hpp"
#include "projections/analytics.hpp"
#include "projections/analytics_query.hpp"
#include "projections/runner.hpp"

namespace keel::bench {
namespace {

namespace t = domain::tenant;
namespace o = domain::order;
constexpr std::int64_t kDay = 86'400'000, kYearStart = 1'767'225'600'000;  // 2026-01-01
const char* kSegments[] = {"regional-distributor", "midmarket-importer", "enterprise-distributor", "ecommerce-merchant"};
const char* kPlans[] = {"growth", "scale", "enterprise", "starter"};

template <class E>
eventstore::EventData Data(const E& e) {
  auto encoded = codec::Encode(e);
  return {encoded.type, encoded.schema_version, encoded.payload};
}

// Tenants provisioned over the year (segment by index, mostly small), each with `orders_each` orders
// on days after it; one in twenty upgraded. One append per tenant and day, buffered (a fill).
std::uint64_t Fill(eventstore::EventStore& store, int tenants, int orders_each) {
  std::mt19937_64 rng(18);
  for (int i = 0; i < tenants; ++i) {
    const std::string tenant = "p" + std::to_string(i % 20) + ":t" + std::to_string(i);
    const int segment = i % 10 < 5 ? 3 : i % 10 < 8 ? 0 : i % 10 < 9 ? 1 : 2;
    const int start_day = static_cast<int>(rng() % 300);
    auto append = [&](int day, std::vector<eventstore::StreamAppend> streams) {
      eventstore::AppendRequest r;
      r.streams = std::move(streams);
      r.metadata.timestamp_ms = kYearStart + day * kDay + static_cast<std::int64_t>(rng() % kDay);
      if (auto done = store.Append(std::move(r)); !done)
        std::fprintf(stderr, "analytics bench: append failed: %s\n", done.error().ToString().c_str());
    };
    t::TenantProvisioned p;
    p.id = tenant;
    p.partner = "p" + std::to_string(i % 20);
    p.template_id = kSegments[segment];
    p.template_version = 1;
    p.plan = kPlans[segment];
    p.tier = segment == 2 ? domain::ServiceTier::kEnterprise : domain::ServiceTier::kStandard;
    p.modules = {domain::Module::kInventory, domain::Module::kEdi};
    p.limits = {5, 25'000, 50};
    p.period_end = kYearStart + (start_day + 30) * kDay;
    append(start_day, {{"t/" + tenant + "/tenant/" + tenant, eventstore::ExpectedVersion::Any(), {Data(t::Event(p))}}});
    for (int k = 0; k < orders_each; ++k) {
      const int day = start_day + static_cast<int>(rng() % (365 - start_day));
      o::OrderPlaced placed;
      placed.id = "o" + std::to_string(k);
      placed.tenant = tenant;
      placed.customer = "c" + std::to_string(k % 7);
      placed.currency = "EUR";
      for (std::uint32_t line = 1; line <= 10; ++line) placed.lines.push_back({line, "SKU-" + std::to_string(rng() % 1000), 2, 150, 300});
      placed.total = 3000;
      eventstore::StreamAppend s{"t/" + tenant + "/order/o" + std::to_string(k), eventstore::ExpectedVersion::Any(),
                                 {Data(o::Event(placed))}};
      if (k % 4 == 0) s.events.push_back(Data(o::Event(o::OrderCancelled{"bench", {}, 0})));
      append(day, {std::move(s)});
    }
    if (i % 20 == 0 && segment == 0) {
      t::PlanUpgraded up;
      up.from = "growth";
      up.to = "scale";
      up.rank = 3;
      up.limits = {20, 150'000, 200};
      append(std::min(364, start_day + 40), {{"t/" + tenant + "/tenant/" + tenant, eventstore::ExpectedVersion::Any(), {Data(t::Event(up))}}});
    }
  }
  return store.HeadPosition();
}

}  // namespace

int RunAnalyticsBench(const Settings& settings) {
  const bool quick = settings.round_seconds < 0.5;
  const int tenants = quick ? 400 : 10'000, orders_each = quick ? 5 : 20;
  auto catalog = config::LoadCatalog(config::DefaultDataDir() + "/plans.json");
  if (!catalog) {
    std::fprintf(stderr, "analytics bench: %s\n", catalog.error().c_str());
    return 1;
  }
  ScratchDir dir("analytics");
  eventstore::Options options;
  options.durability = eventstore::Durability::kBuffered;  // the fill only; reads are what is measured
  auto opened = eventstore::EventStore::Open(dir.str(), options);
  if (!opened) {
    std::fprintf(stderr, "analytics bench: %s\n", opened.error().ToString().c_str());
    return 1;
  }
  auto& store = **opened;
  const std::uint64_t head = Fill(store, tenants, orders_each);
  std::printf("analytics: log of %llu events (%d tenants over a year, %d orders of 10 lines each, a quarter cancelled)\n",
              static_cast<unsigned long long>(head), tenants, tenants * orders_each);
  std::vector<double> ratios;
  std::string model;
  const int rounds = std::max(1, std::min(settings.rounds, 3));
  for (int round = 0; round < rounds; ++round) {
    const auto scan_start = std::chrono::steady_clock::now();
    auto scanned = store.ScanAll(1, SIZE_MAX, [](const eventstore::EventView&) { return true; });
    const double scan_s = SecondsSince(scan_start);
    if (!scanned || *scanned != head) return 1;
    // A floor from the same run: the log scanned with every event decoded by the codec.
    const auto decode_start = std::chrono::steady_clock::now();
    std::size_t decoded = 0;
    (void)store.ScanAll(1, SIZE_MAX, [&](const eventstore::EventView& e) {
      decoded += e.stream.find("/order/") != std::string_view::npos
                     ? codec::DecodeOrder(e.type, e.schema_version, e.payload).has_value()
                     : codec::DecodeTenant(e.type, e.schema_version, e.payload).has_value();
      return true;
    });
    const double decode_s = SecondsSince(decode_start);
    model = "bench-analytics@" + std::to_string(round + 1);
    const auto rebuild_start = std::chrono::steady_clock::now();
    projections::Runner runner(store, projections::Analytics(*catalog), model, {std::chrono::milliseconds(1), 4096});
    runner.Start();
    if (!runner.WaitFor(head, std::chrono::minutes(10))) {
      std::fprintf(stderr, "analytics bench: the rebuild did not finish\n");
      return 1;
    }
    const double rebuild_s = SecondsSince(rebuild_start);
    runner.Stop();
    ratios.push_back(scan_s / rebuild_s);
    std::printf("analytics: round %d scan %.0f events/s, scan + decode %.0f events/s (%zu decoded; floor), analytics rebuild "
                "%.0f events/s (bulk)\n",
                round + 1, static_cast<double>(head) / scan_s, static_cast<double>(head) / decode_s, decoded,
                static_cast<double>(head) / rebuild_s);
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf("analytics_rebuild_ratio: %.3f (median of %zu; target >= 0.4)\n", ratios[ratios.size() / 2], ratios.size());

  // The platform's MRR by segment and day over the year, as the revenue route reads and shapes it.
  std::vector<double> ms;
  std::size_t rows = 0;
  for (int i = 0; i < 200; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto groups = projections::ListGroups(store, model, "s/");
    if (!groups) return 1;
    nlohmann::json items = nlohmann::json::array();
    for (const auto& g : *groups) {
      auto range = projections::ReadGroup(store, model, g, "2026-01-01", "2026-12-31");
      if (!range) return 1;
      std::int64_t mrr = range->opening.n[projections::kMrr];
      std::size_t next = 0;
      for (int d = 0; d < 365; ++d) {
        const std::string day = projections::Day(kYearStart + d * kDay);
        std::int64_t orders = 0;
        if (next < range->days.size() && range->days[next].day == day) {
          mrr = range->days[next].facts.n[projections::kMrr];
          orders = range->days[next].facts.n[projections::kOrders];
          ++next;
        }
        items.push_back({{"segment", g.substr(2)}, {"period", day}, {"mrr", mrr}, {"arr", mrr * 12}, {"orders", orders}});
      }
    }
    const std::string body = items.dump();
    rows = items.size();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::printf("analytics: MRR by segment and day over a year: %zu rows per answer\n", rows);
  std::printf("analytics_query_p50_ms: %.2f\nanalytics_query_p99_ms: %.2f (target < 50)\n", Percentile(ms, 0.5), Percentile(ms, 0.99));
  return 0;
}

}  // namespace keel::bench
