// Idempotency records: the request fingerprint that tells "the same request again" from "another
// request under the same key", and the stored outcome returned to a retry.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "eventstore/errors.hpp"
#include "eventstore/types.hpp"

namespace keel::eventstore {

// SHA-256 over what makes a request the same one: streams, expected versions, event types, schema
// versions, payloads and principal. Not the time, correlation or causation ids, which a client's
// retry may legitimately change.
std::string Fingerprint(const AppendRequest& request);
// What the store keeps for an append: the caller's command fingerprint when it gave one (marked so it
// never equals a computed one), else Fingerprint(request).
inline std::string StoredFingerprint(std::string_view command_fingerprint) {
  return "command:" + std::string(command_fingerprint);
}

struct IdempotencyEntry {
  std::int64_t written_at_ms = 0;
  std::string fingerprint;
  AppendResult result;
};

std::string EncodeIdempotency(const IdempotencyEntry& entry);
Result<IdempotencyEntry> DecodeIdempotency(std::string_view value);

}  // namespace keel::eventstore
