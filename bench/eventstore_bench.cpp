// Event-store suite: append throughput through the store (synced, group commit) against raw RocksDB
// WriteBatches with sync of the same sizes, and replay through the store against a raw RocksDB
// iteration over the same log keys. Store and baseline alternate; the best of each counts.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "bench_util.hpp"
#include "eventstore/store.hpp"

namespace keel::bench {
namespace {

using namespace keel::eventstore;
constexpr std::size_t kPayloadBytes = 200;

std::string Key(std::uint64_t v) {
  std::string k(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) k[i] = static_cast<char>(v & 0xff);
  return k;
}

std::vector<EventData> Events(int n) {
  return std::vector<EventData>(static_cast<std::size_t>(n),
                                EventData{"OrderLineAdded", 1, std::string(kPayloadBytes, 'p')});
}

Metadata Meta() { return Metadata{0, "partner-app:bench", "corr-0123456789", "cmd-0123456789"}; }

// Runs `body(thread_index, stop)` on `threads` threads for `seconds`; returns operations per second.
template <class Body>
double RunFor(int threads, double seconds, Body body) {
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> ops{0};
  std::vector<std::thread> workers;
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::uint64_t mine = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!body(t)) break;
        ++mine;
      }
      ops += mine;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  return static_cast<double>(ops.load()) / SecondsSince(start);
}

// One stored log value for the bench's events: the raw baseline writes values of this size and
// content (with the 32 hash bytes varied per event, as real hashes are), so both sides hand RocksDB
// equally compressible data.
std::string StoredValue() {
  ScratchDir dir("calibrate");
  {
    auto store = EventStore::Open(dir.str()).value();
    store->Append("t/bench/order/0", ExpectedVersion::Any(), Events(1), Meta()).value();
  }
  std::vector<std::string> names;
  rocksdb::DB::ListColumnFamilies({}, dir.str(), &names);
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (auto& n : names) descs.emplace_back(n, rocksdb::ColumnFamilyOptions{});
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::DB::OpenForReadOnly({}, dir.str(), descs, &handles, &db);
  std::string value;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "log") db->Get({}, handles[i], Key(1), &value);
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  return value;
}

// Overwrites the first 32 bytes of `value` with pseudo-random bytes derived from `seed`.
void VaryHash(std::string& value, std::uint64_t seed) {
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (std::size_t i = 0; i < 32 && i < value.size(); i += 8) {
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    const std::uint64_t r = x * 0x2545F4914F6CDD1Dull;
    std::memcpy(value.data() + i, &r, std::min<std::size_t>(8, value.size() - i));
  }
}

// One synced append configuration: a store and a raw RocksDB, each opened once, sampled in turn.
class AppendConfig {
 public:
  AppendConfig(int threads, int events, const std::string& stored_value)
      : threads_(threads), events_(events), batch_(Events(events)), value_(stored_value),
        versions_(static_cast<std::size_t>(threads), 0), store_dir_("store"), raw_dir_("raw") {
    store_ = EventStore::Open(store_dir_.str()).value();
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    if (!rocksdb::DB::Open(options, raw_dir_.str(), &raw).ok()) std::exit(1);
    raw_.reset(raw);
  }
  ~AppendConfig() {
    store_.reset();
    raw_->Close();
  }

  // Events per second through the store: each thread appends to its own stream, exact versions.
  double SampleStore(double seconds) {
    std::atomic<bool> failed{false};
    double appends = RunFor(threads_, seconds, [&](int t) {
      auto& v = versions_[static_cast<std::size_t>(t)];
      auto r = store_->Append("t/bench/order/" + std::to_string(t), ExpectedVersion::Exact(v), batch_, Meta());
      if (!r) {
        std::fprintf(stderr, "append failed: %s\n", r.error().ToString().c_str());
        failed = true;
        return false;
      }
      v = r->streams[0].last_version;
      return true;
    });
    if (failed) std::exit(1);
    return appends * events_;
  }

  // Events per second as raw synced WriteBatches of the same number of same-sized values.
  double SampleRaw(double seconds) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    double batches = RunFor(threads_, seconds, [&](int) {
      rocksdb::WriteBatch batch;
      std::string value = value_;
      std::uint64_t k = next_key_.fetch_add(static_cast<std::uint64_t>(events_));
      for (int i = 0; i < events_; ++i) {
        VaryHash(value, k + static_cast<std::uint64_t>(i));
        batch.Put(Key(k + static_cast<std::uint64_t>(i)), value);
      }
      return raw_->Write(wo, &batch).ok();
    });
    return batches * events_;
  }

 private:
  int threads_;
  int events_;
  std::vector<EventData> batch_;
  std::string value_;
  std::vector<std::uint64_t> versions_;
  std::atomic<std::uint64_t> next_key_{1};
  ScratchDir store_dir_;
  ScratchDir raw_dir_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<rocksdb::DB> raw_;
};

void Populate(const std::string& dir, std::size_t events) {
  Options o;
  o.durability = Durability::kBuffered;
  auto store = EventStore::Open(dir, o).value();
  constexpr int kThreads = 4;
  constexpr int kPerAppend = 10;
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      for (std::size_t i = 0; i < events / kThreads / kPerAppend; ++i) {
        store->Append("t/tenant" + std::to_string(t % 2) + "/order/" + std::to_string(i % 1000),
                      ExpectedVersion::Any(), Events(kPerAppend), Meta()).value();
      }
    });
  }
  for (auto& w : workers) w.join();
}

double StoreReplayRate(const std::string& dir, std::uint64_t* checksum) {
  Options o;
  o.verify_on_open = VerifyOnOpen::kNone;
  auto store = EventStore::Open(dir, o).value();
  std::uint64_t sum = 0;
  auto start = std::chrono::steady_clock::now();
  auto n = store->ScanAll(1, SIZE_MAX, [&](const EventView& v) {
    sum += v.payload.size() + v.version;
    return true;
  }).value();
  double rate = static_cast<double>(n) / SecondsSince(start);
  *checksum = sum;
  return rate;
}

double RawReplayRate(const std::string& dir, std::uint64_t* checksum) {
  std::vector<std::string> names;
  rocksdb::DB::ListColumnFamilies({}, dir, &names);
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (auto& n : names) descs.emplace_back(n, rocksdb::ColumnFamilyOptions{});
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::OpenForReadOnly({}, dir, descs, &handles, &db).ok()) std::exit(1);
  rocksdb::ColumnFamilyHandle* log = nullptr;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "log") log = handles[i];
  }
  std::uint64_t sum = 0, n = 0;
  auto start = std::chrono::steady_clock::now();
  rocksdb::ReadOptions ro;
  ro.readahead_size = 2u << 20;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, log));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    sum += it->key().size() + it->value().size();
    ++n;
  }
  double rate = static_cast<double>(n) / SecondsSince(start);
  it.reset();
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  *checksum = sum;
  return rate;
}

double VerifyRate(const std::string& dir) {
  Options o;
  o.verify_on_open = VerifyOnOpen::kNone;
  auto store = EventStore::Open(dir, o).value();
  auto start = std::chrono::steady_clock::now();
  auto report = store->Verify().value();
  if (!report.ok) std::exit(1);
  return static_cast<double>(report.checked) / SecondsSince(start);
}

}  // namespace

int RunEventStoreSuite(const Settings& s) {
  std::printf("# eventstore suite: %d alternating rounds of %.2f s per configuration (medians), "
              "payload %zu bytes\n", s.rounds, s.round_seconds, kPayloadBytes);
  const std::string stored_value = StoredValue();
  Figure("stored_event_bytes", static_cast<double>(stored_value.size()), "bytes");

  double lowest_sync_ratio = 1e9;
  for (int threads : {1, 64}) {
    for (int events : {1, 10}) {
      const std::string name = "append_sync_t" + std::to_string(threads) + "_e" + std::to_string(events);
      if (!s.Selected(name)) continue;
      AppendConfig config(threads, events, stored_value);
      // Adjacent samples form pairs; the median of the per-pair ratios cancels slow drift in the
      // machine's fsync latency, which is larger than the difference being measured.
      std::vector<double> store, raw, ratios;
      for (int r = 0; r < s.rounds; ++r) {
        store.push_back(config.SampleStore(s.round_seconds));
        raw.push_back(config.SampleRaw(s.round_seconds));
        ratios.push_back(store.back() / raw.back());
      }
      const double ratio = Median(ratios);
      Figure(name + "_store", Median(store), "events/s");
      Figure(name + "_raw", Median(raw), "events/s");
      Ratio(name + "_ratio", ratio);
      lowest_sync_ratio = std::min(lowest_sync_ratio, ratio);
    }
  }

  if (!s.Selected("replay")) {
    if (lowest_sync_ratio < 1e9) Ratio("append_sync_ratio", lowest_sync_ratio);
    return 0;
  }
  ScratchDir replay_dir("replay");
  Populate(replay_dir.str(), s.replay_events);
  std::vector<double> stores, raws;
  std::uint64_t store_sum = 0, raw_sum = 0;
  for (int r = 0; r < std::max(s.rounds / 2, 1) + 2; ++r) {
    stores.push_back(StoreReplayRate(replay_dir.str(), &store_sum));
    raws.push_back(RawReplayRate(replay_dir.str(), &raw_sum));
  }
  const double store = Median(stores), raw = Median(raws);
  Figure("replay_events", static_cast<double>(s.replay_events), "events");
  Figure("replay_store", store, "events/s");
  Figure("replay_raw", raw, "events/s");
  Ratio("replay_scan_ratio", store / raw);
  Figure("verify_chain", VerifyRate(replay_dir.str()), "events/s");

  if (lowest_sync_ratio < 1e9) Ratio("append_sync_ratio", lowest_sync_ratio);
  Ratio("replay_ratio", store / raw);
  return (store_sum == 0 || raw_sum == 0) ? 1 : 0;
}

}  // namespace keel::bench
