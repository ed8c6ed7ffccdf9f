// The audit trail's keys and pending records (see audit_trail.hpp).
#include "audit_trail.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <tuple>
#include <vector>

namespace keel::gateway {
namespace {

constexpr std::string_view kModel = "audit";

std::string RecordKey(std::uint64_t head, std::uint64_t seq) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "r/%020llu-%020llu", static_cast<unsigned long long>(head), static_cast<unsigned long long>(seq));
  return buf;
}

std::string WallKey(std::int64_t wall, std::string_view record_key) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "w/%020lld/", static_cast<long long>(wall < 0 ? 0 : wall));
  return buf + std::string(record_key.substr(AuditTrail::kRecords.size()));
}

// The number `digits` spells (all of them digits), or nothing.
std::optional<std::uint64_t> Digits(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

}  // namespace

AuditTrail::~AuditTrail() {
  std::unique_lock lock(mu_);
  written_.wait_for(lock, std::chrono::seconds(5), [&] { return pending_.empty(); });
}

eventstore::Result<std::size_t> AuditTrail::Start() {
  // Records of the earlier layout: "<wall20>-<head20>-<seq10>", in wall order.
  struct Old {
    std::uint64_t head, wall, seq;
    std::string key, value;
  };
  std::vector<Old> old;
  auto scanned = store_.ReadModelScan(kModel, "", [&](std::string_view key, std::string_view value) {
    if (key.size() != 52 || key[20] != '-' || key[41] != '-') return true;
    auto wall = Digits(key.substr(0, 20)), head = Digits(key.substr(21, 20)), seq = Digits(key.substr(42));
    if (wall && head && seq) old.push_back({*head, *wall, *seq, std::string(key), std::string(value)});
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error());
  if (!old.empty()) {
    std::sort(old.begin(), old.end(), [](const Old& a, const Old& b) {
      return std::tie(a.head, a.wall, a.seq) < std::tie(b.head, b.wall, b.seq);
    });
    eventstore::ReadModelBatch batch;  // all at once: a crash keeps the old layout or the new one
    batch.model = std::string(kModel);
    std::uint64_t seq = 0;
    for (auto& o : old) {
      const std::string key = RecordKey(o.head, seq++);
      batch.puts.emplace_back(WallKey(static_cast<std::int64_t>(o.wall), key), "");
      batch.puts.emplace_back(key, std::move(o.value));
      batch.deletes.push_back(std::move(o.key));
    }
    if (auto committed = store_.CommitReadModel(std::move(batch)); !committed) return std::unexpected(committed.error());
  }
  // The sequence goes on after the last record made at the log's current head (records of earlier
  // heads sort before any new one whatever their sequence).
  std::uint64_t next = old.size();
  const std::string at_head = RecordKey(store_.HeadPosition(), 0).substr(0, 2 + 20 + 1);
  auto last = store_.ReadModelScan(kModel, at_head, [&](std::string_view key, std::string_view) {
    if (auto seq = Digits(key.substr(at_head.size()))) next = std::max(next, *seq + 1);
    return true;
  });
  if (!last) return std::unexpected(last.error());
  std::lock_guard lock(mu_);
  next_seq_ = next;
  return old.size();
}

void AuditTrail::Write(std::int64_t wall_ms, std::string record, std::function<void(bool)> done) {
  std::string key;
  {
    // The head and the sequence under one lock: keys are made in the order they sort.
    std::lock_guard lock(mu_);
    key = RecordKey(store_.HeadPosition(), next_seq_++);
    pending_.insert(key);
  }
  eventstore::ReadModelBatch batch;
  batch.model = std::string(kModel);
  batch.puts.emplace_back(WallKey(wall_ms, key), "");
  batch.puts.emplace_back(key, std::move(record));
  store_.CommitReadModelAsync(std::move(batch), [this, key, done = std::move(done)](eventstore::Result<void> r) {
    if (done) done(r.has_value());
    std::lock_guard lock(mu_);
    pending_.erase(key);
    written_.notify_all();
  });
}

AuditTrail::Stop AuditTrail::Hold() const {
  std::lock_guard lock(mu_);
  if (pending_.empty()) return {RecordKey(store_.HeadPosition(), next_seq_), false};
  return {*pending_.begin(), true};
}

eventstore::Result<std::size_t> AuditTrail::PurgeBefore(std::int64_t cutoff_wall_ms, std::size_t limit) {
  char end[32];
  std::snprintf(end, sizeof end, "w/%020lld/", static_cast<long long>(cutoff_wall_ms < 0 ? 0 : cutoff_wall_ms));
  eventstore::ReadModelBatch batch;
  batch.model = std::string(kModel);
  std::size_t n = 0;
  auto scanned = store_.ReadModelScan(kModel, kByWall, [&](std::string_view key, std::string_view) {
    if (n >= limit || key >= std::string_view(end)) return false;
    const auto slash = key.find('/', kByWall.size());
    if (slash == std::string_view::npos) return true;
    batch.deletes.emplace_back(key);
    batch.deletes.push_back(std::string(kRecords) + std::string(key.substr(slash + 1)));
    ++n;
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error());
  if (n == 0) return 0;
  if (auto committed = store_.CommitReadModel(std::move(batch)); !committed) return std::unexpected(committed.error());
  return n;
}

}  // namespace keel::gateway
