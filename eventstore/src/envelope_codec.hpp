// Encodes an event into its stored `log` value (sha256(body) || capnp body) and decodes it back into
// a zero-copy EventView. Decoding never throws: bad bytes become a kCorruption value.
#pragma once

#include <capnp/common.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eventstore/errors.hpp"
#include "eventstore/types.hpp"

namespace keel::eventstore {

struct EnvelopeFields {
  std::uint64_t position = 0;
  std::string_view stream;
  std::uint64_t version = 0;
  std::string_view type;
  std::uint32_t schema_version = 0;
  std::string_view tenant;
  std::int64_t timestamp_ms = 0;
  std::string_view principal;
  std::string_view correlation_id;
  std::string_view causation_id;
  std::string_view idempotency_key;
  std::string_view payload;
  std::string_view prev_hash;
};

// Returns the stored value; its first 32 bytes are the event's hash.
std::string EncodeEnvelope(const EnvelopeFields& fields);

// Reusable 8-byte-aligned buffer for decoding (Cap'n Proto needs word alignment).
using DecodeScratch = std::vector<capnp::word>;

// Decodes a stored value. The view's strings point into `scratch` or `value`; they stay valid until
// either changes. Checks only structure, not the hash (see VerifyValue).
// With `payload_only`, only position, version, type, schema version, payload and hash are set.
// Reads the writer's usual layout directly (envelope_direct.hpp), anything else with Cap'n Proto's
// reader: the two give the same view, and a value neither can read is kCorruption.
Result<EventView> DecodeEnvelope(std::string_view value, DecodeScratch& scratch, bool payload_only = false);
// Always through Cap'n Proto's reader (the reference the direct reader is tested against).
Result<EventView> DecodeEnvelopeWithReader(std::string_view value, DecodeScratch& scratch, bool payload_only = false);

// Re-hashes the body and compares it with the stored hash.
bool HashMatches(std::string_view value);

}  // namespace keel::eventstore
