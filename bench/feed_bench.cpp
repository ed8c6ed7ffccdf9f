// keel-bench feed: the live event feed's fan-out with many subscribers. 256 feeds of the platform's
// scope follow the log while 8 threads append one event at a time with a synced log. The feed hub
// (one subscription for every caught-up feed, each frame rendered once) against the design it
// replaced, measured in alternating rounds of the same run: one store subscription per feed, each
// doing the same work per event (scope check, frame, hand-off); and, for reference, the same appends
// with no feed at all. Prints appends per second and the process's CPU per appended event for each,
// and the ratios; every feed must get every event.
#include <sys/resource.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "eventstore/store.hpp"
#include "feed_hub.hpp"

namespace keel::bench {
namespace {

constexpr int kFeeds = 256;
constexpr int kAppenders = 8;
const gateway::Principal kPlatform{"bench", gateway::Role::kPlatformOwner, "", "", ""};

double ProcessCpu() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Round {
  double appends_per_s = 0;
  double cpu_us_per_append = 0;
  bool complete = false;  // every feed got every event
};

// Appends for `seconds` from kAppenders threads; then waits until `delivered` reaches appends x feeds.
Round Load(eventstore::EventStore& store, double seconds, const std::atomic<std::uint64_t>& delivered,
           std::uint64_t delivered_before) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> appended{0};
  const double cpu0 = ProcessCpu();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kAppenders; ++t) {
    threads.emplace_back([&, t] {
      const std::string stream = "t/bench/feed/s" + std::to_string(t);
      while (!stop.load(std::memory_order_relaxed)) {
        if (store.Append(stream, eventstore::ExpectedVersion::Any(), {{"Tick", 1, "0123456789abcdef0123456789abcdef"}}))
          appended.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  Round r;
  r.appends_per_s = static_cast<double>(appended.load()) / SecondsSince(start);
  const std::uint64_t expected = delivered_before + appended.load() * kFeeds;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (delivered.load() < expected && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // CPU until every frame is out, so work a design defers is counted too.
  r.cpu_us_per_append = appended.load() ? (ProcessCpu() - cpu0) / static_cast<double>(appended.load()) * 1e6 : 0;
  r.complete = delivered.load() == expected;
  return r;
}

// The design before the hub: a store subscription per feed, each checking scope and rendering.
Round PerFeedSubscriptions(eventstore::EventStore& store, gateway::FeedFormat& format, double seconds) {
  std::atomic<std::uint64_t> delivered{0};
  std::vector<std::unique_ptr<eventstore::Subscription>> subs;
  for (int i = 0; i < kFeeds; ++i) {
    subs.push_back(store.Subscribe(store.HeadPosition() + 1, [&](const eventstore::EventView& e) {
      if (!format.Visible(e, kPlatform)) return;
      std::string frame = format.Render(e);
      if (!frame.empty()) delivered.fetch_add(1, std::memory_order_relaxed);
    }));
  }
  auto r = Load(store, seconds, delivered, 0);
  subs.clear();
  return r;
}

Round NoFeeds(eventstore::EventStore& store, double seconds) {
  std::atomic<std::uint64_t> none{0};
  Round r = Load(store, seconds, none, 0);
  r.complete = true;
  return r;
}

Round Hub(eventstore::EventStore& store, gateway::FeedFormat& format, double seconds) {
  std::atomic<std::uint64_t> delivered{0};
  // As in the server: keys looked up again only after a revocation (none happens here).
  gateway::FeedHub hub(store, format, [](const std::string&) { return true; }, {}, [] { return std::uint64_t{0}; });
  std::vector<std::shared_ptr<gateway::Feed>> feeds;
  for (int i = 0; i < kFeeds; ++i) {
    gateway::FeedSink sink;
    sink.frame = [&](const std::shared_ptr<gateway::Feed>& feed, std::string frame) {
      if (!frame.empty()) delivered.fetch_add(1, std::memory_order_relaxed);
      feed->queued.fetch_sub(1);  // a client that keeps up
    };
    feeds.push_back(hub.Subscribe(store.HeadPosition() + 1, kPlatform, std::move(sink)));
  }
  auto r = Load(store, seconds, delivered, 0);
  hub.Stop();
  return r;
}

}  // namespace

int RunFeedSuite(const Settings& settings) {
  const bool quick = settings.round_seconds < 0.1;
  std::printf("# feed suite%s\n", quick ? " (quick: figures mean nothing)" : "");
  ScratchDir dir("feed");
  auto store = eventstore::EventStore::Open(dir.str());
  if (!store) {
    std::fprintf(stderr, "feed: %s\n", store.error().message.c_str());
    return 1;
  }
  gateway::FeedFormat format(**store);
  const double seconds = quick ? 0.1 : 2.0;
  const int rounds = quick ? 1 : std::max(1, std::min(settings.rounds, 5));
  std::vector<double> hub_rate, old_rate, none_rate, hub_cpu, old_cpu, none_cpu, rate_ratio, cpu_ratio, hub_vs_none;
  bool complete = true;
  for (int r = 0; r < rounds; ++r) {
    const auto old = PerFeedSubscriptions(**store, format, seconds);
    const auto hub = Hub(**store, format, seconds);
    const auto none = NoFeeds(**store, seconds);
    none_rate.push_back(none.appends_per_s);
    none_cpu.push_back(none.cpu_us_per_append);
    hub_vs_none.push_back(none.appends_per_s > 0 ? hub.appends_per_s / none.appends_per_s : 0);
    complete = complete && old.complete && hub.complete;
    old_rate.push_back(old.appends_per_s);
    hub_rate.push_back(hub.appends_per_s);
    old_cpu.push_back(old.cpu_us_per_append);
    hub_cpu.push_back(hub.cpu_us_per_append);
    rate_ratio.push_back(old.appends_per_s > 0 ? hub.appends_per_s / old.appends_per_s : 0);
    cpu_ratio.push_back(hub.cpu_us_per_append > 0 ? old.cpu_us_per_append / hub.cpu_us_per_append : 0);
  }
  std::printf("feed_subscribers: %d feeds\n", kFeeds);
  Figure("feed_hub_appends_per_s", Median(hub_rate), "appends/s");
  Figure("feed_per_subscription_appends_per_s", Median(old_rate), "appends/s");
  Figure("feed_hub_cpu_per_append", Median(hub_cpu), "us");
  Figure("feed_per_subscription_cpu_per_append", Median(old_cpu), "us");
  Figure("feed_none_appends_per_s", Median(none_rate), "appends/s");
  Figure("feed_none_cpu_per_append", Median(none_cpu), "us");
  Ratio("feed_hub_vs_no_feeds_appends_ratio", Median(hub_vs_none));
  Ratio("feed_hub_vs_per_subscription_appends_ratio", Median(rate_ratio));
  Ratio("feed_per_subscription_vs_hub_cpu_ratio", Median(cpu_ratio));
  if (!complete) std::fprintf(stderr, "feed: a feed missed events\n");
  return complete ? 0 : 1;
}

}  // namespace keel::bench
