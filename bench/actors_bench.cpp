// Actors suite: commands per second through entity actors with a synced log against the store's own
// append rate in the same run; the same on a warehouse with a long history against a fresh one, with
// and without a reader holding its state; cold activation latency with a snapshot; full replay of a
// 10,000-event stream; and peak memory while a million order actors are activated with passivation on.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "actors/runtime.hpp"
#include "bench_util.hpp"
#include "codec/codec.hpp"
#include "codec/snapshot.hpp"

namespace keel::bench {
namespace {

using namespace keel::actors;
namespace w = keel::domain::warehouse;
constexpr domain::Timestamp kT0 = 1'700'000'000'000;
const w::CatalogView kCatalog{{"WIDGET", {false}}};

// CPU time (user + system) so far of this process's threads named `name`, in seconds; CAF names its
// scheduler's workers "caf.multiplexer". Linux: /proc/self/task/<tid>/stat, fields 14 and 15.
double ThreadsCpuSeconds(const std::string& name) {
  std::uint64_t ticks = 0;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream stat(task.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;  // the thread ended meanwhile
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos || line.compare(open + 1, close - open - 1, name) != 0) continue;
    std::istringstream fields(line.substr(close + 2));  // from field 3, the state
    std::string field;
    std::uint64_t utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
      if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
    }
    ticks += utime + stime;
  }
  return static_cast<double>(ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

w::Command Receipt(std::uint64_t n, const std::string& prefix = "r") {
  return w::ReceiveStock{prefix + std::to_string(n), {{"WIDGET", 1, 100, "", 0}}, kCatalog, kT0};
}

void CreateWarehouses(Runtime& runtime, const std::vector<EntityKey>& keys) {
  Client client(runtime);
  for (const auto& key : keys) client.Execute(key, w::CreateWarehouse{key.id, key.tenant, "W", "EUR", false, false, kT0});
}

struct CommandRate {
  double commands_per_s = 0;
  double reads_per_s = 0;               // with a reader only
  double actor_cpu_us_per_command = 0;  // the CAF workers' CPU time per command (not the store's writer)
};

// Commands per second for `seconds`: one thread per key, each with its own Client, sending
// ReceiveStock (one event per command) with receipt ids `prefix` + n, n from 0. With `reader`, one
// more thread reads keys[0] with Client::Get in a loop and always holds the last snapshot it got, so
// the entity's state is shared with a reader whenever a command changes it.
CommandRate MeasureCommands(Runtime& runtime, const std::vector<EntityKey>& keys, double seconds,
                            const std::string& prefix, bool reader = false) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> done{0}, failed{0}, reads{0};
  std::vector<std::thread> threads;
  const double cpu_start = ThreadsCpuSeconds("caf.multiplexer");
  const auto start = std::chrono::steady_clock::now();
  for (const auto& key : keys) {
    threads.emplace_back([&, key] {
      Client client(runtime);
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (client.Execute(key, Receipt(n++, prefix))) {
          ++done;
        } else {
          ++failed;
        }
      }
    });
  }
  if (reader) {
    threads.emplace_back([&] {
      Client client(runtime);
      std::optional<Snapshot> held;
      while (!stop.load(std::memory_order_relaxed)) {
        held = client.Get(keys.front());  // the previous one is released only once this one is in
        ++reads;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = SecondsSince(start);
  const double cpu = ThreadsCpuSeconds("caf.multiplexer") - cpu_start;
  if (failed.load() > 0) std::fprintf(stderr, "actors: %llu commands failed\n", static_cast<unsigned long long>(failed.load()));
  const auto commands = static_cast<double>(done.load());
  return {commands / elapsed, static_cast<double>(reads.load()) / elapsed, commands > 0 ? cpu * 1e6 / commands : 0};
}

// Commands per second from `senders` threads, each to its own new warehouse actor.
double ActorRate(Runtime& runtime, int senders, double seconds, const std::string& tag) {
  std::vector<EntityKey> keys;
  for (int s = 0; s < senders; ++s) keys.push_back(WarehouseKey("bench", tag + std::to_string(s)));
  CreateWarehouses(runtime, keys);
  return MeasureCommands(runtime, keys, seconds, "r").commands_per_s;
}

// Writes a warehouse with `receipts` distinct receipts (h0, h1, ...) straight into the store, in
// appends of 5,000 events encoded as its actor encodes them: 100,000 take ~0.15 s, where one command
// each would take half a minute. No actor is live for it yet and no snapshot is written: its first
// actor replays the whole stream.
eventstore::Result<void> AppendHistory(eventstore::EventStore& store, const EntityKey& key, std::uint64_t receipts) {
  constexpr std::uint64_t kBatch = 5'000;
  const std::string stream = StreamOf(key);
  std::vector<eventstore::EventData> batch;
  auto add = [&](const w::Event& event) {
    auto e = codec::Encode(event);
    batch.push_back({std::move(e.type), e.schema_version, std::move(e.payload)});
  };
  add(w::WarehouseCreated{key.id, key.tenant, "W", "EUR", false, false, kT0});
  std::uint64_t version = 0;
  auto flush = [&]() -> eventstore::Result<void> {
    const auto count = batch.size();
    auto appended = store.Append(stream, eventstore::ExpectedVersion::Exact(version), std::move(batch));
    batch.clear();
    if (!appended) return std::unexpected(appended.error());
    version += count;
    return {};
  };
  for (std::uint64_t n = 0; n < receipts; ++n) {
    add(w::StockReceived{"h" + std::to_string(n), {{"WIDGET", 1, 100, "", 0}}, kT0});
    if (batch.size() == kBatch) {
      if (auto flushed = flush(); !flushed) return flushed;
    }
  }
  return batch.empty() ? eventstore::Result<void>{} : flush();
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
        actor_rates.push_back(ActorRate(runtime, senders, s.round_seconds * 2, tag + "a"));
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

  // -- a command's cost against the aggregate's history (issue 15) --
  // One sender, as actor_commands_sync_c1, to a warehouse with a long history and to a fresh one,
  // alternating rounds of the same duration; then the same with a reader holding the state.
  double aged_rate[2] = {0, 0}, fresh_rate[2] = {0, 0}, aged_ratio[2] = {0, 0};
  if (s.Selected("aged")) {
    ScratchDir dir("actors-aged");
    auto opened = eventstore::EventStore::Open(dir.str());
    if (!opened) {
      std::fprintf(stderr, "actors: cannot open the store: %s\n", opened.error().ToString().c_str());
      return 1;
    }
    auto& store = *opened;
    Runtime runtime(*store);
    const std::uint64_t history = quick ? 10'000 : 100'000;
    const auto aged = WarehouseKey("bench", "aged");
    const auto part_start = std::chrono::steady_clock::now();
    if (auto written = AppendHistory(*store, aged, history); !written) {
      std::fprintf(stderr, "actors: cannot write the aged history: %s\n", written.error().ToString().c_str());
      return 1;
    }
    const double append_s = SecondsSince(part_start);
    const auto activation_start = std::chrono::steady_clock::now();
    {
      Client client(runtime);
      // Activates its actor: a full replay (the history was written without ledger records, as by a
      // version before them), which backfills the ledger into the store once.
      auto live = client.Get(aged);
      if (!live || live->version != history + 1) {
        std::fprintf(stderr, "actors: the aged warehouse did not load its %llu receipts\n", static_cast<unsigned long long>(history));
        return 1;
      }
      const std::string stream = StreamOf(aged);
      const auto waited = std::chrono::steady_clock::now();
      while (!store->LookupRecord(stream, "!ledger").value_or(std::nullopt) && SecondsSince(waited) < 60) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      auto first = store->LookupRecord(stream, w::ReceiptKey("h0"));
      auto last = store->LookupRecord(stream, w::ReceiptKey("h" + std::to_string(history - 1)));
      if (!first || !*first || !last || !*last) {
        std::fprintf(stderr, "actors: the aged warehouse's receipts are not in its ledger\n");
        return 1;
      }
    }
    Figure("aged_history_receipts", static_cast<double>(history), "receipts");
    Figure("aged_history_append", append_s * 1000.0, "ms");
    Figure("aged_history_activation", SecondsSince(activation_start) * 1000.0, "ms");
    for (int with_reader = 0; with_reader < 2; ++with_reader) {
      const auto snapshots_before = store->writer_stats();
      std::vector<double> aged_rates, fresh_rates, ratios, aged_reads, fresh_reads, aged_cpu, fresh_cpu;
      for (int r = 0; r < s.rounds; ++r) {
        const std::string round = (with_reader ? "g" : "c") + std::to_string(r) + "-";
        const auto a = MeasureCommands(runtime, {aged}, s.round_seconds * 2, round, with_reader != 0);
        const auto fresh = WarehouseKey("bench", "fresh" + round);
        CreateWarehouses(runtime, {fresh});
        const auto f = MeasureCommands(runtime, {fresh}, s.round_seconds * 2, round, with_reader != 0);
        aged_rates.push_back(a.commands_per_s);
        fresh_rates.push_back(f.commands_per_s);
        aged_reads.push_back(a.reads_per_s);
        fresh_reads.push_back(f.reads_per_s);
        aged_cpu.push_back(a.actor_cpu_us_per_command);
        fresh_cpu.push_back(f.actor_cpu_us_per_command);
        ratios.push_back(f.commands_per_s > 0 ? a.commands_per_s / f.commands_per_s : 0);
      }
      aged_rate[with_reader] = Median(aged_rates);
      fresh_rate[with_reader] = Median(fresh_rates);
      aged_ratio[with_reader] = Median(ratios);
      const auto snapshots_after = store->writer_stats();
      const std::string suffix = with_reader ? "_with_reader" : "";
      // The actors' CPU per command does not wait on the disk: where the fsync hides a cost, this shows it.
      Figure("aged_warehouse_actor_cpu_per_command" + suffix, Median(aged_cpu), "us");
      Figure("fresh_warehouse_actor_cpu_per_command" + suffix, Median(fresh_cpu), "us");
      if (with_reader) {
        Figure("aged_warehouse_reads_per_s_with_reader", Median(aged_reads), "reads/s");
        Figure("fresh_warehouse_reads_per_s_with_reader", Median(fresh_reads), "reads/s");
      }
      Figure("aged_part_snapshots_written" + suffix, static_cast<double>(snapshots_after.snapshots - snapshots_before.snapshots), "snapshots");
      Figure("aged_part_snapshot_bytes" + suffix,
             static_cast<double>(snapshots_after.snapshot_bytes - snapshots_before.snapshot_bytes) / 1024.0, "KiB");
    }
    {
      Client client(runtime);
      auto end = client.Get(aged);
      // What the hot state holds after the run: stock and open reservations, no ledger.
      Figure("aged_warehouse_ledger_entries_in_state_at_end",
             end ? static_cast<double>(w::LedgerKeys(end->As<w::State>().ledger).size()) : -1, "entries");
      Figure("aged_warehouse_snapshot_bytes_at_end", end ? static_cast<double>(codec::EncodeSnapshot(end->As<w::State>()).size()) : -1, "B");
    }
    std::printf("aged_part_duration: %.1f s\n", SecondsSince(part_start));
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
  if (s.Selected("aged")) {
    for (int with_reader = 0; with_reader < 2; ++with_reader) {
      const std::string suffix = with_reader ? "_with_reader" : "";
      Figure("aged_warehouse_commands_per_s" + suffix, aged_rate[with_reader], "commands/s");
      Figure("fresh_warehouse_commands_per_s" + suffix, fresh_rate[with_reader], "commands/s");
      std::printf("aged_vs_fresh_ratio%s: %.3f (target >= 0.9)\n", suffix.c_str(), aged_ratio[with_reader]);
    }
  }
  if (s.Selected("cold")) {
    std::printf("cold_activation_p99_ms: %.3f\n", p99);
    std::printf("replay_10k_events_ms: %.3f\n", replay_ms);
  }
  if (s.Selected("million")) std::printf("million_actors_peak_rss_mib: %.0f\n", peak_rss);
  return 0;
}

}  // namespace keel::bench
