// Direct reading of a stored Envelope (see envelope_direct.hpp). Cap'n Proto wire format, single
// segment: a word holding (segment count - 1) and the segment's size in words, then the segment. A
// struct pointer is [offset:30 signed | kind 0:2] [pointer words:16 | data words:16]; a list pointer
// is [offset:30 signed | kind 1:2] [element count:29 | element size:3], element size 2 being bytes.
// Offsets count words from the end of the pointer. Little-endian hosts, like the wire format.
#include "envelope_direct.hpp"

#include <capnp/schema.h>

#include <cstdint>
#include <cstring>

#include "envelope.capnp.h"
#include "keys.hpp"

namespace keel::eventstore {
namespace {

// Byte offsets of the data fields, pointer indexes of the others, from the compiled schema.
struct Layout {
  bool ok = false;
  std::uint32_t position = 0, version = 0, schema_version = 0, timestamp_ms = 0;
  std::uint32_t stream = 0, type = 0, tenant = 0, principal = 0, correlation_id = 0, causation_id = 0,
                idempotency_key = 0, payload = 0, prev_hash = 0;
};

Layout MakeLayout() {
  using W = capnp::schema::Type;
  const auto schema = capnp::Schema::from<schema::Envelope>();
  Layout l;
  bool ok = true;
  auto slot = [&](const char* name, W::Which type, std::uint32_t unit) -> std::uint32_t {
    const auto field = schema.getFieldByName(name);
    if (field.getType().which() != type) ok = false;
    return field.getProto().getSlot().getOffset() * unit;
  };
  l.position = slot("position", W::UINT64, 8);
  l.version = slot("version", W::UINT64, 8);
  l.schema_version = slot("schemaVersion", W::UINT32, 4);
  l.timestamp_ms = slot("timestampMs", W::INT64, 8);
  l.stream = slot("stream", W::TEXT, 1);
  l.type = slot("type", W::TEXT, 1);
  l.tenant = slot("tenant", W::TEXT, 1);
  l.principal = slot("principal", W::TEXT, 1);
  l.correlation_id = slot("correlationId", W::TEXT, 1);
  l.causation_id = slot("causationId", W::TEXT, 1);
  l.idempotency_key = slot("idempotencyKey", W::TEXT, 1);
  l.payload = slot("payload", W::DATA, 1);
  l.prev_hash = slot("prevHash", W::DATA, 1);
  l.ok = ok;
  return l;
}

const Layout& TheLayout() {
  static const Layout layout = MakeLayout();
  return layout;
}

std::uint64_t Word(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::int64_t SignedOffset(std::uint64_t pointer) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(pointer)) >> 2;
}

struct Root {
  const char* segment;
  std::uint64_t words;       // segment size
  std::uint64_t data;        // word index of the struct's data section
  std::uint64_t data_words;
  std::uint64_t pointers;
  // Words left to read under the limit DecodeEnvelopeWithReader gives Cap'n Proto (the message's
  // words + 64): fields that alias one blob are refused alike.
  mutable std::uint64_t budget;

  // A data field; beyond an older, shorter data section it reads as zero.
  template <class T>
  T Number(std::uint32_t byte) const {
    if (byte + sizeof(T) > data_words * 8) return T{};
    T v;
    std::memcpy(&v, segment + data * 8 + byte, sizeof(T));
    return v;
  }

  // A Text (without its NUL) or Data field; a null or absent pointer is empty. False: decline.
  bool Bytes(std::uint32_t index, bool text, std::string_view& out) const {
    out = {};
    if (index >= pointers) return true;
    const std::uint64_t at = data + data_words + index;
    const std::uint64_t p = Word(segment + at * 8);
    if (p == 0) return true;
    if ((p & 3) != 1 || ((p >> 32) & 7) != 2) return false;  // a list of bytes, nothing else
    const std::uint64_t count = p >> 35;
    const std::int64_t target = static_cast<std::int64_t>(at) + 1 + SignedOffset(p);
    if (target < 0 || static_cast<std::uint64_t>(target) > words || count > (words - static_cast<std::uint64_t>(target)) * 8) {
      return false;
    }
    const std::uint64_t read = (count + 7) / 8;
    if (read > budget) return false;
    budget -= read;
    const char* bytes = segment + static_cast<std::uint64_t>(target) * 8;
    if (!text) {
      out = {bytes, count};
      return true;
    }
    if (count == 0 || bytes[count - 1] != '\0') return false;
    out = {bytes, count - 1};
    return true;
  }
};

}  // namespace

std::optional<EventView> DecodeEnvelopeDirect(std::string_view value, bool payload_only) {
  const Layout& l = TheLayout();
  if (!l.ok || value.size() < keys::kHashBytes + 16 || (value.size() - keys::kHashBytes) % 8 != 0) return std::nullopt;
  const char* message = value.data() + keys::kHashBytes;
  const std::uint64_t size = value.size() - keys::kHashBytes;
  std::uint32_t segments_minus_one, words32;
  std::memcpy(&segments_minus_one, message, 4);
  std::memcpy(&words32, message + 4, 4);
  const std::uint64_t words = words32;
  if (segments_minus_one != 0 || (words + 1) * 8 != size || words == 0) return std::nullopt;
  const char* segment = message + 8;
  const std::uint64_t root = Word(segment);
  if (root == 0 || (root & 3) != 0) return std::nullopt;  // a struct, not null
  const std::int64_t start = 1 + SignedOffset(root);
  const std::uint64_t data_words = (root >> 32) & 0xffff, pointers = root >> 48;
  if (start < 0 || static_cast<std::uint64_t>(start) + data_words + pointers > words) return std::nullopt;
  const std::uint64_t limit = (words + 1) + 64;
  if (data_words + pointers > limit) return std::nullopt;
  const Root r{segment, words, static_cast<std::uint64_t>(start), data_words, pointers, limit - data_words - pointers};

  EventView v;
  v.position = r.Number<std::uint64_t>(l.position);
  v.version = r.Number<std::uint64_t>(l.version);
  v.schema_version = r.Number<std::uint32_t>(l.schema_version);
  if (!r.Bytes(l.type, true, v.type) || !r.Bytes(l.payload, false, v.payload)) return std::nullopt;
  if (!payload_only) {
    v.timestamp_ms = r.Number<std::int64_t>(l.timestamp_ms);
    if (!r.Bytes(l.stream, true, v.stream) || !r.Bytes(l.tenant, true, v.tenant) ||
        !r.Bytes(l.principal, true, v.principal) || !r.Bytes(l.correlation_id, true, v.correlation_id) ||
        !r.Bytes(l.causation_id, true, v.causation_id) || !r.Bytes(l.idempotency_key, true, v.idempotency_key) ||
        !r.Bytes(l.prev_hash, false, v.prev_hash)) {
      return std::nullopt;
    }
  }
  v.hash = value.substr(0, keys::kHashBytes);
  return v;
}

}  // namespace keel::eventstore
