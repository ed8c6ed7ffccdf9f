// Stored first responses for Idempotency-Key (see idempotency.hpp).
#include "idempotency.hpp"

#include <nlohmann/json.hpp>

namespace keel::gateway {
namespace {
constexpr std::string_view kModel = "http_idempotency";
}

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
  if (j.is_discarded() || j.value("at", std::int64_t{0}) + retention_ms_ < now_ms) return {Verdict::kNew, {}};
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
    (void)store_.CommitReadModel(std::move(batch));  // on failure the store-level key still dedupes the events
  }
  Abandon(slot);
}

void IdempotencyCache::Abandon(const std::string& slot) {
  std::lock_guard lock(mu_);
  in_progress_.erase(slot);
}

}  // namespace keel::gateway
