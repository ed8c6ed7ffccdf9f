// Stored first responses for Idempotency-Key (see idempotency.hpp).
#include "idempotency.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "keys.hpp"

namespace keel::gateway {

std::string CommandFingerprint(const Request& req, const std::string& key_id) {
  std::string body = req.body;
  if (!body.empty()) {
    auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) body = parsed.dump();  // objects keep their keys sorted: canonical
  }
  return Sha256Hex(req.method + '\n' + req.target + '\n' + key_id + '\n' + body);
}

namespace {
constexpr std::string_view kModel = "http_idempotency";
constexpr char kExpiryPrefix = '\x01';
constexpr std::string_view kIndexedMarker = "\x02expiry-index-v1";  // no slot starts with \x02 either

std::string ExpiryKey(std::int64_t expires_ms, const std::string& slot) {
  std::string key(1, kExpiryPrefix);
  const auto t = static_cast<std::uint64_t>(std::max<std::int64_t>(expires_ms, 0));
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>((t >> shift) & 0xff));
  return key + slot;
}

std::int64_t SaturatingAdd(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : INT64_MIN;
  return sum;
}

std::int64_t ExpiryOf(std::string_view key) {
  std::uint64_t t = 0;
  for (std::size_t i = 1; i < 9 && i < key.size(); ++i) t = (t << 8) | static_cast<unsigned char>(key[i]);
  return static_cast<std::int64_t>(t);
}
}  // namespace

IdempotencyCache::Lookup IdempotencyCache::Begin(const std::string& slot, const std::string& fingerprint,
                                                 std::int64_t now_ms) {
  {
    std::lock_guard lock(mu_);
    if (in_progress_.contains(slot)) return {Verdict::kInProgress, {}};
    in_progress_.insert(slot);
  }
  auto stored = store_.ReadModelGet(kModel, slot);
  if (!stored || !*stored) return {Verdict::kNew, {}};
  auto j = nlohmann::json::parse(**stored, nullptr, false);
  if (j.is_discarded() || SaturatingAdd(j.value("at", std::int64_t{0}), retention_ms_) < now_ms) return {Verdict::kNew, {}};
  Abandon(slot);
  if (j.value("fingerprint", "") != fingerprint) return {Verdict::kMismatch, {}};
  Lookup l{Verdict::kReplay, {}};
  l.response.status = j.value("status", 500);
  l.response.content_type = j.value("content_type", "application/json");
  l.response.body = j.value("body", "");
  for (const auto& h : j.value("headers", nlohmann::json::array()))
    if (h.is_array() && h.size() == 2) l.response.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
  return l;
}

void IdempotencyCache::Finish(const std::string& slot, const std::string& fingerprint, const Response& response,
                              std::int64_t now_ms) {
  // Only answers that the same request would get again are remembered: not overload or store errors.
  if (response.status < 500 && response.status != 429) {
    nlohmann::json headers = nlohmann::json::array();
    for (const auto& [k, v] : response.headers) headers.push_back({k, v});
    nlohmann::json j{{"fingerprint", fingerprint}, {"status", response.status}, {"content_type", response.content_type},
                     {"headers", headers},         {"body", response.body},     {"at", now_ms}};
    eventstore::ReadModelBatch batch;
    batch.model = std::string(kModel);
    batch.puts.emplace_back(slot, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    batch.puts.emplace_back(ExpiryKey(SaturatingAdd(now_ms, retention_ms_), slot), std::string());
    (void)store_.CommitReadModel(std::move(batch));  // on failure the store-level key still dedupes the events
  }
  Abandon(slot);
}

void IdempotencyCache::Abandon(const std::string& slot) {
  std::lock_guard lock(mu_);
  in_progress_.erase(slot);
}

eventstore::Result<std::size_t> IdempotencyCache::PurgeExpired(std::int64_t now_ms, std::size_t limit) {
  eventstore::ReadModelBatch batch;
  batch.model = std::string(kModel);
  std::size_t purged = 0, visited = 0;
  std::optional<eventstore::Error> failed;
  // Slots held while this purge decides on them and until its write lands: a request reusing one of
  // these keys meanwhile is told to retry (kInProgress) instead of having its fresh answer deleted.
  std::vector<std::string> held;
  auto release = [&] {
    std::lock_guard lock(mu_);
    for (const auto& slot : held) in_progress_.erase(slot);
  };
  auto scanned = store_.ReadModelScan(kModel, std::string(1, kExpiryPrefix), [&](std::string_view key, std::string_view) {
    if (key.size() < 9 || ExpiryOf(key) >= now_ms || visited >= limit) return false;
    ++visited;
    const std::string slot(key.substr(9));
    {
      std::lock_guard lock(mu_);
      if (!in_progress_.insert(slot).second) return true;  // a request holds it: its entry waits for the next purge
    }
    held.push_back(slot);
    batch.deletes.emplace_back(key);
    auto stored = store_.ReadModelGet(kModel, slot);
    if (!stored) {
      failed = stored.error();
      return false;
    }
    if (!*stored) return true;  // already gone: only the entry remains
    auto j = nlohmann::json::parse(**stored, nullptr, false);
    const std::int64_t expires = j.is_discarded() ? 0 : SaturatingAdd(j.value("at", std::int64_t{0}), retention_ms_);
    if (expires >= now_ms) {
      // Stored again since this entry was written (or the retention grew): keep the answer, and make
      // sure an entry for its actual expiry exists (a put of an existing entry changes nothing).
      batch.puts.emplace_back(ExpiryKey(expires, slot), std::string());
      return true;
    }
    batch.deletes.push_back(slot);
    ++purged;
    return true;
  });
  eventstore::Result<std::size_t> result = purged;
  if (!scanned) {
    result = std::unexpected(scanned.error());
  } else if (failed) {
    result = std::unexpected(*failed);
  } else if (!batch.deletes.empty()) {
    if (auto committed = store_.CommitReadModel(std::move(batch)); !committed) result = std::unexpected(committed.error());
  }
  release();
  return result;
}

eventstore::Result<std::size_t> IdempotencyCache::IndexUnindexed() {
  auto marker = store_.ReadModelGet(kModel, kIndexedMarker);
  if (!marker) return std::unexpected(marker.error());
  if (*marker) return 0;
  eventstore::ReadModelBatch batch;
  batch.model = std::string(kModel);
  std::size_t indexed = 0;
  auto scanned = store_.ReadModelScan(kModel, "", [&](std::string_view key, std::string_view value) {
    if (key.empty() || key[0] == kExpiryPrefix || key[0] == kIndexedMarker[0]) return true;
    auto j = nlohmann::json::parse(value, nullptr, false);
    const std::int64_t at = j.is_discarded() ? 0 : j.value("at", std::int64_t{0});
    // A put of an entry that exists changes nothing, so answers stored since need no check.
    batch.puts.emplace_back(ExpiryKey(SaturatingAdd(at, retention_ms_), std::string(key)), std::string());
    ++indexed;
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error());
  batch.puts.emplace_back(std::string(kIndexedMarker), std::string());
  if (auto committed = store_.CommitReadModel(std::move(batch)); !committed) return std::unexpected(committed.error());
  return indexed;
}

}  // namespace keel::gateway
