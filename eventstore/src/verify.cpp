// Walks the log's hash chain (see verify.hpp).
#include "verify.hpp"

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <thread>

#include "envelope_codec.hpp"
#include "eventstore/store.hpp"
#include "keys.hpp"

namespace keel::eventstore {

namespace {

// The stream whose index range holds `position` ("" when none does): a walk of the stream index, for
// a report only (an event that does not decode cannot name its stream).
std::string StreamAt(const StoreCore& core, std::uint64_t position) {
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator({}, core.stream_index));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const auto key = it->key().ToStringView();
    const auto value = it->value().ToStringView();
    if (key.size() < 9 || value.size() != 16) continue;
    const std::uint64_t last_version = keys::DecodeBE64(key.substr(key.size() - 8));
    const std::uint64_t first_version = keys::DecodeBE64(value), first_position = keys::DecodeBE64(value.substr(8));
    if (position >= first_position && position <= first_position + (last_version - first_version))
      return std::string(key.substr(0, key.size() - 9));
  }
  return {};
}

// Reads a column family whole, so that RocksDB checks every block's checksum: "" or what is damaged.
std::string ReadWhole(const StoreCore& core, rocksdb::ColumnFamilyHandle* cf, const char* what) {
  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(ro, cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
  }
  if (it->status().ok()) return {};
  return std::string("the ") + what + "'s files are damaged (" + it->status().ToString() + ")";
}

// The highest position any tenant's index names (0 for an empty index).
Result<std::uint64_t> IndexedHead(const StoreCore& core) {
  std::uint64_t highest = 0;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator({}, core.tenant_index));
  it->SeekToFirst();
  while (it->Valid()) {
    const auto key = it->key().ToStringView();
    const auto end = key.find('\0');
    if (end == std::string_view::npos) return MakeError(Errc::kCorruption, "tenant index key is malformed");
    std::string past(key.substr(0, end));
    past.push_back('\x01');  // just past every key of this tenant
    it->Seek(past);
    if (it->Valid()) it->Prev(); else it->SeekToLast();
    if (!it->Valid()) break;
    const auto last = it->key().ToStringView();
    if (last.size() >= 8) highest = std::max(highest, keys::DecodeBE64(last.substr(last.size() - 8)));
    it->Seek(past);
  }
  if (it->status().IsCorruption())
    return MakeError(Errc::kCorruption, "the tenant index's files are damaged (" + it->status().ToString() + ")");
  if (!it->status().ok()) return MakeError(Errc::kIo, "reading the tenant index: " + it->status().ToString());
  return highest;
}

}  // namespace

namespace {

// One contiguous walk of [from, to]: every position present, each value's hash matches its body, each
// body decodes, names its position and links to the hash before it. `checked` grows as it goes (in
// steps); `stop` ends it early (the report then says `stopped`).
Result<VerifyReport> Walk(const StoreCore& core, std::uint64_t from, std::uint64_t to, std::atomic<std::uint64_t>& checked,
                          const std::atomic<bool>& stop) {
  VerifyReport report;
  report.from = from;
  report.to = to;
  auto fail = [&](std::uint64_t position, std::string reason, std::string stream = {}) {
    report.ok = false;
    report.bad_position = position;
    report.stream = stream.empty() ? StreamAt(core, position) : std::move(stream);
    report.reason = std::move(reason);
    return report;
  };
  std::string expected_prev(keys::kHashBytes, '\0');
  if (from > 1) {
    std::string prev;
    auto st = core.db->Get({}, core.log, keys::Position(from - 1), &prev);
    if (st.IsNotFound()) return fail(from - 1, "event is missing");
    if (st.IsCorruption()) return fail(from - 1, "the log's files are damaged here (" + st.ToString() + ")");
    if (!st.ok()) return MakeError(Errc::kIo, "reading the log: " + st.ToString());
    if (prev.size() < keys::kHashBytes) return fail(from - 1, "value is truncated");
    expected_prev = prev.substr(0, keys::kHashBytes);
  }

  rocksdb::ReadOptions ro;
  const std::string upper = keys::Position(to + 1);
  rocksdb::Slice upper_slice(upper);
  if (to < UINT64_MAX) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(core.db->NewIterator(ro, core.log));
  DecodeScratch scratch;
  std::uint64_t next = from, pending = 0;
  for (it->Seek(keys::Position(from)); it->Valid(); it->Next()) {
    if (it->key().size() != 8) return fail(next, "log key is malformed");
    const std::uint64_t position = keys::DecodeBE64(it->key().ToStringView());
    if (position != next) return fail(next, "event is missing");
    const std::string_view value = it->value().ToStringView();
    if (!HashMatches(value)) return fail(position, "stored hash does not match the event's bytes");
    auto view = DecodeEnvelope(value, scratch);
    if (!view) return fail(position, view.error().message);
    if (view->position != position) return fail(position, "event names another position", std::string(view->stream));
    if (view->prev_hash != expected_prev)
      return fail(position, "link to the previous event is broken", std::string(view->stream));
    expected_prev.assign(view->hash);
    ++report.checked;
    ++next;
    if (++pending == 4096) {
      checked.fetch_add(pending, std::memory_order_relaxed);
      pending = 0;
      if (stop.load(std::memory_order_relaxed)) {
        report.stopped = true;
        return report;
      }
    }
  }
  checked.fetch_add(pending, std::memory_order_relaxed);
  if (it->status().IsCorruption())  // a damaged table file: the events from here on cannot be read
    return fail(next, "the log's files are damaged here (" + it->status().ToString() + ")");
  if (!it->status().ok()) return MakeError(Errc::kIo, "reading the log: " + it->status().ToString());
  if (next != to + 1) return fail(next, "event is missing");
  return report;
}

}  // namespace

Result<VerifyReport> VerifyChain(const StoreCore& core, std::uint64_t from, std::uint64_t to, const Progress& progress,
                                 bool check_tail) {
  VerifyReport report;
  report.from = from == 0 ? 1 : from;
  report.to = to;
  // The indexes (which find a stream's and a tenant's events) are read whole beside the log's walk:
  // damage there is a failed check like damage in the log (reported when the log itself checks out).
  std::future<std::string> indexes;
  if (check_tail)
    indexes = std::async(std::launch::async, [&core] {
      for (auto [cf, what] : {std::pair{core.stream_index, "stream index"}, std::pair{core.tenant_index, "tenant index"}})
        if (auto damaged = ReadWhole(core, cf, what); !damaged.empty()) return damaged;
      return std::string();
    });
  auto index_damage = [&]() -> std::optional<VerifyReport> {
    if (!indexes.valid()) return std::nullopt;
    auto damaged = indexes.get();
    if (damaged.empty()) return std::nullopt;
    VerifyReport r = report;
    r.ok = false;
    r.bad_position = 0;
    r.stream.clear();
    r.reason = std::move(damaged);
    return r;
  };
  if (check_tail) {
    auto indexed = IndexedHead(core);
    if (!indexed && indexed.error().code == Errc::kCorruption) {
      if (indexes.valid()) indexes.wait();
      report.ok = false;
      report.reason = indexed.error().message;
      return report;
    }
    if (!indexed) return std::unexpected(indexed.error());
    if (*indexed > to) {
      report.ok = false;
      report.bad_position = to + 1;
      report.stream = StreamAt(core, to + 1);
      report.reason = "event is missing: the log ends at " + std::to_string(to) + " but the index names events up to " +
                      std::to_string(*indexed);
      if (indexes.valid()) indexes.wait();
      return report;
    }
  }
  if (report.from > to) {
    if (auto damaged = index_damage()) return *damaged;
    return report;
  }

  // Hashing is the cost (SHA-256 of every envelope): a long range is cut into parts walked on their own
  // threads, each linking its first event to the stored hash before it, so the parts make one chain.
  const std::uint64_t n = to - report.from + 1;
  const std::size_t parts = n < 100'000 ? 1 : std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  std::atomic<std::uint64_t> checked{0};
  std::atomic<bool> stop{false};
  std::vector<std::future<Result<VerifyReport>>> walks;
  for (std::size_t i = 0; i < parts; ++i) {
    const std::uint64_t a = report.from + n * i / parts, b = report.from + n * (i + 1) / parts - 1;
    walks.push_back(std::async(parts == 1 ? std::launch::deferred : std::launch::async,
                               [&core, a, b, &checked, &stop] { return Walk(core, a, b, checked, stop); }));
  }
  if (parts > 1) {
    for (auto& w : walks) {
      while (w.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready)
        if (progress && !progress(checked.load(), n)) stop = true;
    }
  }
  // The first part that failed or stopped decides; the parts before it checked out whole.
  for (auto& w : walks) {
    auto part = w.get();
    if (!part) return part;
    report.checked += part->checked;
    if (!part->ok || part->stopped) {
      report.ok = part->ok;
      report.stopped = part->stopped && part->ok;
      report.bad_position = part->bad_position;
      report.stream = part->stream;
      report.reason = part->reason;
      if (!report.ok) report.stopped = false;
      for (auto& rest : walks)
        if (rest.valid()) (void)rest.get();  // joined before the store may go
      if (!report.ok || report.stopped) break;
    }
  }
  if (report.ok && !report.stopped)
    if (auto damaged = index_damage()) return *damaged;
  if (indexes.valid()) indexes.wait();  // joined before the store may go
  if (progress && report.ok && !report.stopped) progress(report.checked, n);
  return report;
}

Result<VerifyReport> EventStore::Verify(std::uint64_t from, std::uint64_t to, const Progress& progress) const {
  DbRead guard(*core_);
  if (!guard) return NotOpen();
  const std::uint64_t head = core_->head.load();
  if (to == 0 || to > head) to = head;
  return VerifyChain(*core_, from, to, progress, /*check_tail=*/to == head);
}

}  // namespace keel::eventstore
