// HTTP idempotency: the first response to a command sent with an Idempotency-Key is stored (read
// model "http_idempotency", key = API key id + '\0' + Idempotency-Key, value = JSON {fingerprint,
// status, content_type, headers, body, at}) and a retry gets it back byte for byte; the same key with a
// different request (fingerprint = SHA-256 of method, path and body) is a conflict. Keys are kept for
// `retention_ms`. Two concurrent requests with one key: the second is told to retry. Each stored
// response also gets an expiry entry in the same model and the same write ("\x01" + big-endian expiry
// time + slot; no slot starts with \x01), so PurgeExpired walks only what has expired, oldest first.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "eventstore/store.hpp"
#include "gateway/http.hpp"

namespace keel::gateway {

// The command's canonical fingerprint (DESIGN.md §4): SHA-256 of the method, the target, the key that
// sent it and the body as canonical JSON (keys sorted, no whitespace; a body that is not JSON as is).
// A retry that only reformats its body is the same command.
std::string CommandFingerprint(const Request& req, const std::string& key_id);

class IdempotencyCache {
 public:
  IdempotencyCache(eventstore::EventStore& store, std::int64_t retention_ms) : store_(store), retention_ms_(retention_ms) {}

  enum class Verdict { kNew, kReplay, kMismatch, kInProgress };
  struct Lookup {
    Verdict verdict = Verdict::kNew;
    Response response;  // kReplay
  };
  // On kNew the key is held until Finish or Abandon.
  Lookup Begin(const std::string& slot, const std::string& fingerprint, std::int64_t now_ms);
  void Finish(const std::string& slot, const std::string& fingerprint, const Response& response, std::int64_t now_ms);
  void Abandon(const std::string& slot);
  // Deletes stored responses whose retention ended by `now_ms`, visiting at most `limit` expired
  // entries (oldest first); returns how many responses went. A slot stored again since its entry was
  // written is kept (its `at` is checked) and re-indexed at its real expiry; a slot that a request
  // holds right now is left for the next purge.
  eventstore::Result<std::size_t> PurgeExpired(std::int64_t now_ms, std::size_t limit = 10'000);
  // Once per data directory: gives every stored answer that has no expiry entry (stored before
  // entries existed) one, so that PurgeExpired reaches it; a marker key records that it ran.
  // Returns how many answers it indexed (0 when the marker is there).
  eventstore::Result<std::size_t> IndexUnindexed();

 private:
  eventstore::EventStore& store_;
  std::int64_t retention_ms_;
  std::mutex mu_;
  std::set<std::string> in_progress_;
};

}  // namespace keel::gateway
