// Actors suite: commands per second through entity actors with a synced log against the store's own
// append rate in the same run; cold activation latency with a snapshot; full replay of a 10,000-event
// stream; and peak memory while a million order actors are activated with passivation on.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "actors/runtime.hpp"
#include "bench_util.hpp"
#include "codec/codec.hpp"

namespace keel::bench {
namespace {

using namespace keel::actors;
namespace w = keel::domain::warehouse;
constexpr domain::Timestamp kT0 = 1'700'000'000'000;
const w::CatalogView kCatalog{{"WIDGET", {false}}};

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

w::Command Receipt(std::uint64_t n) {
  return w::ReceiveStock{"r" + std::to_string(n), {{"WIDGET", 1, 100, "", 0}}, kCatalog, kT0};
}

// Commands per second from `senders` threads, each to its own warehouse actor.
double ActorRate(eventstore::EventStore& store, Runtime& runtime, int senders, double seconds, const std::string& tag) {
  {
    Client client(runtime);
    for (int s = 0; s < senders; ++s) {
      client.Execute(WarehouseKey("bench", tag + std::to_string(s)),
                     w::CreateWarehouse{tag + std::to_string(s), "bench", "W", "EUR", false, false, kT0});
    }
  }
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0}, failed{0};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      Client client(runtime);
      const auto key = WarehouseKey("bench", tag + std::to_string(s));
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (client.Execute(key, Receipt(n++))) {
          ++done;
        } else {
          ++failed;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  if (failed.load() > 0) std::fprintf(stderr, "actors: %llu commands failed\n", static_cast<unsigned long long>(failed.load()));
  (void)store;
  return static_cast<double>(done.load()) / SecondsSince(start);
}

// Appends per second straight into the store: the same encoded event, the same stream pattern.
double StoreRate(eventstore::EventStore& store, int senders, double seconds, const std::string& tag) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0};
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back([&, s] {
      const std::string stream = "t/bench/warehouse/" + tag + std::to_string(s);
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        auto e = codec::Encode(w::Event(w::StockReceived{"r" + std::to_string(n++), {{"WIDGET", 1, 100, "", 0}}, kT0}));
        if (store.Append(stream, eventstore::ExpectedVersion::Any(), {{e.type, e.schema_version, e.payload}})) ++done;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  return static_cast<double>(done.load()) / SecondsSince(start);
}


}  // namespace

int RunActorsSuite(const Settings& s) {
  const bool quick = s.rounds == 1 && s.round_seconds < 0.1;
  std::printf("# actors suite%s\n", quick ? " (quick: figures mean nothing)" : "");

  // -- memory first, so the peak RSS is this part's --
  double peak_rss = 0;
  if (s.Selected("million")) {
    ScratchDir dir("actors-memory");
    eventstore::Options options;
    options.durability = eventstore::Durability::kBuffered;
    auto store = eventstore::EventStore::Open(dir.str(), options).value();
    RuntimeConfig config;
    config.idle_timeout = std::chrono::milliseconds(200);
    config.max_live_actors = 100'000;
    Runtime runtime(*store, config);
    const std::uint64_t total = quick ? 20'000 : 1'000'000;
    std::atomic<std::uint64_t> next{0};
    std::vector<std::thread> threads;
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        Client client(runtime);
        for (std::uint64_t i = next++; i < total; i = next++) {
          client.Get(OrderKey("tenant" + std::to_string(i % 1000), "o" + std::to_string(i)));
        }
      });
    }
    for (auto& t : threads) t.join();
    const double seconds = SecondsSince(start);
    const auto stats = runtime.Stats();
    peak_rss = PeakRssMiB();
    Figure("million_actors_activated", static_cast<double>(stats.activations), "actors");
    Figure("million_actors_activations_per_s", static_cast<double>(stats.activations) / seconds, "activations/s");
    Figure("million_actors_live_at_end", static_cast<double>(stats.live_actors), "actors");
    Figure("million_actors_peak_rss", peak_rss, "MiB");
  }

  // -- throughput, synced --
  double lowest_ratio = 1e9;
  if (s.Selected("actor_commands")) {
    ScratchDir dir("actors-throughput");
    auto store = eventstore::EventStore::Open(dir.str()).value();
    Runtime runtime(*store);
    for (int senders : {1, 64}) {
      std::vector<double> ratios, actor_rates, store_rates;
      for (int r = 0; r < s.rounds; ++r) {
        const std::string tag = "s" + std::to_string(senders) + "r" + std::to_string(r) + "w";
        actor_rates.push_back(ActorRate(*store, runtime, senders, s.round_seconds * 2, tag + "a"));
        store_rates.push_back(StoreRate(*store, senders, s.round_seconds * 2, tag + "s"));
        ratios.push_back(actor_rates.back() / store_rates.back());
      }
      const std::string name = "actor_commands_sync_c" + std::to_string(senders);
      Figure(name, Median(actor_rates), "commands/s");
      Figure("store_appends_sync_c" + std::to_string(senders), Median(store_rates), "appends/s");
      Ratio(name + "_ratio", Median(ratios));
      lowest_ratio = std::min(lowest_ratio, Median(ratios));
    }
  }

  // -- activation and replay --
  double p99 = 0, replay_ms = 0;
  if (s.Selected("cold")) {
    ScratchDir dir("actors-activation");
    eventstore::Options options;
    options.durability = eventstore::Durability::kBuffered;
    auto store = eventstore::EventStore::Open(dir.str(), options).value();
    const int entities = quick ? 50 : 2000;
    const int events_each = 120;
    {
      RuntimeConfig config;
      config.snapshot_every = 100;
      Runtime runtime(*store, config);
      Client client(runtime);
      for (int e = 0; e < entities; ++e) {
        const auto key = WarehouseKey("bench", "cold" + std::to_string(e));
        client.Execute(key, w::CreateWarehouse{"cold" + std::to_string(e), "bench", "W", "EUR", false, false, kT0});
        for (int i = 1; i < events_each; ++i) client.Execute(key, Receipt(static_cast<std::uint64_t>(i)));
      }
      // 10,000 events on one stream, appended directly so that no snapshot is taken.
      for (int i = 0; i < 10'000; i += 100) {
        std::vector<eventstore::EventData> batch;
        for (int j = 0; j < 100; ++j) {
          auto ev = codec::Encode(w::Event(w::StockReceived{"r" + std::to_string(i + j), {{"WIDGET", 1, 100, "", 0}}, kT0}));
          batch.push_back({ev.type, ev.schema_version, ev.payload});
        }
        store->Append("t/bench/warehouse/long", eventstore::ExpectedVersion::Any(), std::move(batch)).value();
      }
    }
    Runtime runtime(*store);  // every actor starts cold
    Client client(runtime);
    std::vector<double> latencies;
    for (int e = 0; e < entities; ++e) {
      const auto start = std::chrono::steady_clock::now();
      auto snap = client.Get(WarehouseKey("bench", "cold" + std::to_string(e)));
      latencies.push_back(SecondsSince(start) * 1000.0);
      if (!snap || snap->version != static_cast<std::uint64_t>(events_each)) std::fprintf(stderr, "cold activation lost state\n");
    }
    p99 = Percentile(latencies, 0.99);
    Figure("cold_activation_p50", Percentile(latencies, 0.5) * 1000.0, "us");
    Figure("cold_activation_p99", p99 * 1000.0, "us");
    // Each repetition on a fresh runtime, so the actor is cold every time; the median counts.
    std::vector<double> replays;
    for (int r = 0; r < (quick ? 1 : 9); ++r) {
      Runtime fresh(*store);
      Client reader(fresh);
      const auto start = std::chrono::steady_clock::now();
      auto snap = reader.Get(WarehouseKey("bench", "long"));
      replays.push_back(SecondsSince(start) * 1000.0);
      if (!snap || snap->version != 10'000) std::fprintf(stderr, "replay lost events\n");
    }
    replay_ms = Median(replays);
    // Where a replay's time goes: the same stream read on this thread without an actor, as a scan
    // only, scan + decode, and scan + decode + apply (the last is the actor's work minus messaging).
    const char* kSplit[] = {"replay_10k_scan_only", "replay_10k_scan_decode", "replay_10k_scan_decode_apply"};
    for (int mode = 0; mode < 3; ++mode) {
      std::vector<double> t;
      for (int r = 0; r < (quick ? 1 : 9); ++r) {
        w::State state;
        const auto start = std::chrono::steady_clock::now();
        auto n = store->ScanStream("t/bench/warehouse/long", 1, SIZE_MAX, [&](const eventstore::EventView& v) {
          if (mode >= 1) {
            auto ev = keel::codec::DecodeWarehouse(v.type, v.schema_version, v.payload);
            if (!ev) return false;
            if (mode == 2) w::Apply(state, *ev);
          }
          return true;
        }, eventstore::EventStore::Fields::kPayloadOnly);
        t.push_back(SecondsSince(start) * 1000.0);
        if (!n || *n != 10'000) std::fprintf(stderr, "replay split lost events\n");
      }
      Figure(kSplit[mode], Median(t) * 1000.0, "us");
    }
    Figure("replay_10k_events_min", *std::min_element(replays.begin(), replays.end()) * 1000.0, "us");
    Figure("replay_10k_events", replay_ms * 1000.0, "us");
  }

  // Summary lines only for the parts that ran (`--only` may skip some).
  if (s.Selected("actor_commands")) Ratio("actor_vs_store_ratio", lowest_ratio);
  if (s.Selected("cold")) {
    std::printf("cold_activation_p99_ms: %.3f\n", p99);
    std::printf("replay_10k_events_ms: %.3f\n", replay_ms);
  }
  if (s.Selected("million")) std::printf("million_actors_peak_rss_mib: %.0f\n", peak_rss);
  return 0;
}

}  // namespace keel::bench
