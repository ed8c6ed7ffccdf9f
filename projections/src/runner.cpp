// The projection runner (see runner.hpp): chunks of the log folded under an overlay of the batch's
// changes, each event under its own overlay so that a refused one leaves nothing behind; parked events
// kept in the model's own key space ("!parked/<position>", "!blocked/<stream>").
#include "projections/runner.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

namespace keel::projections {
namespace {

using Json = nlohmann::json;

std::string ParkedKey(std::uint64_t position) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "!parked/%020llu", static_cast<unsigned long long>(position));
  return buf;
}
std::string BlockedKey(std::string_view stream) { return "!blocked/" + std::string(stream); }

// The model as committed, under the changes of this batch.
class BatchModel : public Model {
 public:
  BatchModel(const eventstore::EventStore& store, const std::string& model, bool store_empty = false)
      : store_(store), model_(model), store_empty_(store_empty) {}
  std::optional<std::string> Get(std::string_view key) override {
    if (auto it = pending_.find(key); it != pending_.end()) return it->second;
    if (store_empty_) return std::nullopt;  // a key space nothing was written to yet
    auto v = store_.ReadModelGet(model_, key);
    if (!v) {
      failed_ = v.error().ToString();
      return std::nullopt;
    }
    return *v;
  }
  void Put(std::string key, std::string value) override {
    bytes_ += key.size() + value.size();
    pending_[std::move(key)] = std::move(value);
  }
  void Delete(std::string key) override {
    bytes_ += key.size();
    pending_[std::move(key)] = std::nullopt;
  }
  std::any* Scratch() override { return &scratch_; }
  bool empty() const { return pending_.empty(); }
  std::size_t bytes() const { return bytes_; }  // written since the last Batch (an upper bound of what is held)
  const std::string& failed() const { return failed_; }
  eventstore::ReadModelBatch Batch(std::uint64_t checkpoint) {
    eventstore::ReadModelBatch b;
    b.model = model_;
    b.checkpoint = checkpoint;
    for (auto& [k, v] : pending_) {
      if (v) b.puts.emplace_back(k, std::move(*v));
      else b.deletes.push_back(k);
    }
    pending_.clear();
    scratch_.reset();
    bytes_ = 0;
    store_empty_ = false;
    return b;
  }

 private:
  const eventstore::EventStore& store_;
  const std::string& model_;
  // Hashed (a bulk catch-up holds hundreds of thousands of keys); the store orders what it ingests.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::optional<std::string>, Hash, std::equal_to<>> pending_;
  std::size_t bytes_ = 0;
  bool store_empty_ = false;
  std::string failed_;  // a read of the store that failed (the batch is not committed)
  std::any scratch_;    // the projection's typed state for this batch (Projection::Flush writes it)
};

// One event's changes over the batch: merged when Apply succeeds, dropped when it refuses. An event
// touches a handful of keys: a vector searched from its end (the latest write first).
class EventModel : public Model {
 public:
  explicit EventModel(BatchModel& batch) : batch_(batch) {}
  std::optional<std::string> Get(std::string_view key) override {
    for (auto it = changes_.rbegin(); it != changes_.rend(); ++it)
      if (it->first == key) return it->second;
    return batch_.Get(key);
  }
  void Put(std::string key, std::string value) override { changes_.emplace_back(std::move(key), std::move(value)); }
  void Delete(std::string key) override { changes_.emplace_back(std::move(key), std::nullopt); }
  std::any* Scratch() override { return batch_.Scratch(); }
  void Merge() {
    for (auto& [k, v] : changes_) {  // in order: a later write of a key replaces an earlier one
      if (v) batch_.Put(std::move(k), std::move(*v));
      else batch_.Delete(std::move(k));
    }
    changes_.clear();
  }

 private:
  BatchModel& batch_;
  std::vector<std::pair<std::string, std::optional<std::string>>> changes_;
};

// Parks `e` with `error` in `model` (its stream stays blocked until its parked events are gone).
void Park(Model& model, const eventstore::EventView& e, const std::string& error) {
  model.Put(ParkedKey(e.position),
            Json{{"stream", std::string(e.stream)}, {"type", std::string(e.type)}, {"error", error}}.dump());
  const std::string blocked = BlockedKey(e.stream);
  const auto count = model.Get(blocked);
  model.Put(blocked, std::to_string((count ? std::stoull(*count) : 0) + 1));
}

void Unblock(Model& model, std::string_view stream) {
  const std::string blocked = BlockedKey(stream);
  const auto count = model.Get(blocked);
  const std::uint64_t left = count ? std::stoull(*count) : 0;
  if (left <= 1) model.Delete(blocked);
  else model.Put(blocked, std::to_string(left - 1));
}

// Folds `e` into `batch`, parking it when Apply refuses or its stream is blocked.
void Fold(const Projection& p, const eventstore::EventView& e, BatchModel& batch) {
  if (!p.Wants(e)) return;
  if (batch.Get(BlockedKey(e.stream))) {
    Park(batch, e, "waits for an earlier parked event of its stream");
    return;
  }
  EventModel one(batch);
  auto applied = p.Apply(e, one);
  if (applied) {
    one.Merge();
  } else {
    Park(batch, e, applied.error());
  }
}

std::int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Runner::Runner(eventstore::EventStore& store, std::shared_ptr<const Projection> projection, std::string model,
               RunnerOptions options)
    : store_(store), projection_(std::move(projection)), model_(std::move(model)), options_(options) {
  if (auto cp = store_.LoadCheckpoint(model_); cp && *cp) position_ = **cp;
}

Runner::~Runner() { Stop(); }

void Runner::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Runner::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::int64_t Runner::lag_ms() const {
  std::lock_guard lock(seen_mu_);
  const std::uint64_t position = position_.load();
  for (const auto& [head, seen] : heads_seen_)
    if (head > position) return (SteadyNs() - seen) / 1'000'000;
  return 0;
}

bool Runner::WaitFor(std::uint64_t position, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return advanced_.wait_for(lock, timeout, [&] { return position_.load() >= position; });
}

std::string Runner::last_error() const {
  std::lock_guard lock(mu_);
  return error_;
}

void Runner::Loop() {
  while (!stop_) {
    {
      // Remember when each new head was first seen; forget the heads already folded.
      const std::uint64_t head = store_.HeadPosition(), position = position_.load();
      std::lock_guard lock(seen_mu_);
      while (!heads_seen_.empty() && heads_seen_.front().first <= position) heads_seen_.pop_front();
      if (head > position && (heads_seen_.empty() || heads_seen_.back().first < head)) {
        heads_seen_.emplace_back(head, SteadyNs());
        if (heads_seen_.size() > 4096) heads_seen_.pop_back();  // bounded: the oldest entries matter
      }
    }
    if (!Step()) std::this_thread::sleep_for(options_.gather);
  }
}

struct Runner::Bulk {
  BatchModel changes;
  std::uint64_t last = 0;  // the last position folded into `changes`
  int ingested = 0;        // ingestions of this catch-up so far
  Bulk(const eventstore::EventStore& store, const std::string& model, bool empty) : changes(store, model, empty) {}
};

bool Runner::BulkStep(std::unique_lock<std::mutex>& lock, std::uint64_t head) {
  if (!bulk_) {
    // Nothing committed yet (checkpoint 0) means nothing written: reads need not go to the store.
    bulk_ = std::make_unique<Bulk>(store_, model_, position_.load() == 0);
    bulk_->last = position_.load();
  }
  const std::uint64_t from = bulk_->last + 1;
  std::uint64_t end = head;
  if (options_.until != 0) end = std::min(end, options_.until);
  const std::size_t chunk = std::max<std::size_t>(options_.chunk, 16'384);
  std::uint64_t last = 0;
  if (from <= end) {
    auto scanned = store_.ScanAll(from, std::min<std::uint64_t>(chunk, end - from + 1), [&](const eventstore::EventView& e) {
      Fold(*projection_, e, bulk_->changes);
      last = e.position;
      return bulk_->changes.bytes() < options_.bulk_budget;  // full: ingest what is gathered
    });
    if (!scanned) {
      error_ = "reading the log: " + scanned.error().ToString();
      bulk_.reset();  // folded again from the checkpoint
      return false;
    }
  }
  if (last != 0) bulk_->last = last;
  const bool caught_up = bulk_->last >= end;
  const bool ingest_now = caught_up || bulk_->changes.bytes() >= options_.bulk_budget;
  if (ingest_now) projection_->Flush(bulk_->changes);
  if (!bulk_->changes.failed().empty()) {
    error_ = "reading the model: " + bulk_->changes.failed();
    bulk_.reset();
    return false;
  }
  if (!ingest_now) return last != 0;
  if (bulk_->last == position_.load()) {  // nothing gathered
    bulk_.reset();
    return false;
  }
  const std::uint64_t through = bulk_->last;
  auto ingested = store_.IngestReadModel(bulk_->changes.Batch(through));
  if (!ingested) {
    error_ = "ingesting: " + ingested.error().ToString();
    bulk_.reset();  // folded again from the checkpoint
    return false;
  }
  error_.clear();
  ++bulk_->ingested;
  if (caught_up && bulk_->ingested > 1) {
    // Several ingested files overlap: merged, so that a point read visits one (not counted as lag).
    if (auto compacted = store_.CompactReadModel(model_); !compacted) error_ = "compacting: " + compacted.error().ToString();
  }
  position_ = through;
  if (caught_up) bulk_.reset();  // near the head: chunk by chunk again
  lock.unlock();
  advanced_.notify_all();
  return true;
}

bool Runner::Step() {
  std::unique_lock lock(mu_);
  {
    const std::uint64_t head = store_.HeadPosition();
    if (bulk_ || (options_.bulk_behind != 0 && head > position_.load() + options_.bulk_behind)) return BulkStep(lock, head);
  }
  const std::uint64_t from = position_.load() + 1;
  std::size_t chunk = options_.chunk;
  if (options_.until != 0) {
    if (from > options_.until) return false;
    chunk = std::min<std::uint64_t>(chunk, options_.until - from + 1);
  }
  BatchModel batch(store_, model_);
  std::uint64_t last = 0;
  auto scanned = store_.ScanAll(from, chunk, [&](const eventstore::EventView& e) {
    Fold(*projection_, e, batch);
    last = e.position;
    return true;
  });
  if (!scanned) {
    error_ = "reading the log: " + scanned.error().ToString();
    return false;
  }
  if (last == 0) return false;
  projection_->Flush(batch);
  if (!batch.failed().empty()) {
    error_ = "reading the model: " + batch.failed();
    return false;
  }
  auto committed = store_.CommitReadModel(batch.Batch(last));
  if (!committed) {
    error_ = "committing: " + committed.error().ToString();
    return false;  // the same chunk is folded again next time (nothing of it was written)
  }
  error_.clear();
  position_ = last;
  lock.unlock();
  advanced_.notify_all();
  return true;
}

std::vector<Parked> Runner::ListParked() const {
  std::vector<Parked> out;
  (void)store_.ReadModelScan(model_, "!parked/", [&](std::string_view key, std::string_view value) {
    const Json j = Json::parse(value, nullptr, false);
    Parked p;
    p.position = std::stoull(std::string(key.substr(8)));
    if (j.is_object()) {
      p.stream = j.value("stream", "");
      p.type = j.value("type", "");
      p.error = j.value("error", "");
    }
    out.push_back(std::move(p));
    return true;
  });
  return out;
}

eventstore::Result<std::size_t> Runner::Retry(std::uint64_t position) {
  std::lock_guard lock(mu_);
  auto parked = store_.ReadModelGet(model_, ParkedKey(position));
  if (!parked) return std::unexpected(parked.error());
  if (!*parked) return 0;
  const std::string stream = Json::parse(**parked, nullptr, false).value("stream", "");
  std::vector<std::uint64_t> positions;  // the stream's parked events, in order
  (void)store_.ReadModelScan(model_, "!parked/", [&](std::string_view key, std::string_view value) {
    if (Json::parse(value, nullptr, false).value("stream", "") == stream) positions.push_back(std::stoull(std::string(key.substr(8))));
    return true;
  });
  BatchModel batch(store_, model_);
  std::size_t left = positions.size();
  for (const auto p : positions) {
    bool applied = false;
    std::string error;
    auto read = store_.ScanAll(p, 1, [&](const eventstore::EventView& e) {
      EventModel one(batch);
      auto r = projection_->Apply(e, one);
      if (r) {
        one.Merge();
        applied = true;
      } else {
        error = r.error();
      }
      return false;
    });
    if (!read) return std::unexpected(read.error());
    if (!applied) {
      // Still refused: it and the stream's later ones stay parked (it with the new error).
      auto current = store_.ReadModelGet(model_, ParkedKey(p));
      Json keep = current && *current ? Json::parse(**current, nullptr, false) : Json::object();
      if (keep.is_object()) {
        keep["error"] = error;
        batch.Put(ParkedKey(p), keep.dump());
      }
      break;
    }
    batch.Delete(ParkedKey(p));
    Unblock(batch, stream);
    --left;
  }
  projection_->Flush(batch);
  auto committed = store_.CommitReadModel(batch.Batch(position_.load()));
  if (!committed) return std::unexpected(committed.error());
  return left;
}

eventstore::Result<bool> Runner::Skip(std::uint64_t position) {
  std::lock_guard lock(mu_);
  auto parked = store_.ReadModelGet(model_, ParkedKey(position));
  if (!parked) return std::unexpected(parked.error());
  if (!*parked) return false;
  BatchModel batch(store_, model_);
  batch.Delete(ParkedKey(position));
  Unblock(batch, Json::parse(**parked, nullptr, false).value("stream", ""));
  auto committed = store_.CommitReadModel(batch.Batch(position_.load()));
  if (!committed) return std::unexpected(committed.error());
  return true;
}

}  // namespace keel::projections
