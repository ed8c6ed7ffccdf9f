// The direct envelope reader against Cap'n Proto's: the same view for every envelope the writer
// produces (any alignment), the same verdict for every single-bit corruption and truncation of one
// and for fields aliasing one blob (the traversal limit), and the fallback for shapes the direct
// reader declines (several segments, an older, shorter struct).
#include <catch2/catch.hpp>

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/schema.h>
#include <capnp/serialize.h>

#include <cstring>
#include <string>

#include "envelope.capnp.h"
#include "envelope_codec.hpp"
#include "envelope_direct.hpp"

using namespace keel::eventstore;

namespace {

bool Same(const EventView& a, const EventView& b) {
  return a.position == b.position && a.version == b.version && a.stream == b.stream && a.type == b.type &&
         a.schema_version == b.schema_version && a.tenant == b.tenant && a.timestamp_ms == b.timestamp_ms &&
         a.principal == b.principal && a.correlation_id == b.correlation_id && a.causation_id == b.causation_id &&
         a.idempotency_key == b.idempotency_key && a.payload == b.payload && a.hash == b.hash && a.prev_hash == b.prev_hash;
}

std::string Bytes(std::size_t n, int seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(1 + (i * 31 + static_cast<std::size_t>(seed)) % 255);  // no NUL
  return s;
}

// Stored value (32 hash bytes, then the flat message) of `message`.
std::string Stored(capnp::MessageBuilder& message) {
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(32, 'h') + std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// An order event's fields around `payload` (the views must outlive the encoding).
EnvelopeFields OrderFields(std::string_view payload) {
  EnvelopeFields f;
  f.position = 42;
  f.stream = "t/acme/order/o1";
  f.version = 3;
  f.type = "OrderPlaced";
  f.schema_version = 1;
  f.tenant = "acme";
  f.timestamp_ms = 1'700'000'000'000;
  f.principal = "key:abc";
  f.correlation_id = "c";
  f.payload = payload;
  return f;
}

}  // namespace

TEST_CASE("the direct envelope reader gives the view Cap'n Proto's reader gives", "[eventstore][envelope]") {
  const std::string hash(32, '\x07');
  for (int variant = 0; variant < 6; ++variant) {
    const std::string stream = variant == 0 ? "" : "t/acme/order/o-" + Bytes(static_cast<std::size_t>(variant * 40), variant);
    const std::string payload = variant == 1 ? "" : Bytes(static_cast<std::size_t>(1) << (variant * 3), variant);
    const std::string principal = variant == 2 ? "" : "key:" + Bytes(17, variant);
    const std::string idempotency_key = variant == 5 ? Bytes(300, 3) : "";  // EnvelopeFields holds views
    EnvelopeFields f;
    f.position = 1000u + static_cast<std::uint64_t>(variant);
    f.stream = stream;
    f.version = static_cast<std::uint64_t>(variant) * 7 + 1;
    f.type = variant == 3 ? "" : "OrderPlaced";
    f.schema_version = static_cast<std::uint32_t>(variant + 1);
    f.tenant = "acme";
    f.timestamp_ms = -5 + variant;
    f.principal = principal;
    f.correlation_id = variant == 4 ? "" : "corr";
    f.causation_id = "cause";
    f.idempotency_key = idempotency_key;
    f.payload = payload;
    f.prev_hash = hash;
    const std::string value = EncodeEnvelope(f);
    for (std::size_t shift : {0u, 1u, 3u}) {  // the direct reader needs no alignment
      std::string buffer(shift, 'x');
      buffer += value;
      const std::string_view at(buffer.data() + shift, value.size());
      for (bool payload_only : {false, true}) {
        DecodeScratch scratch;
        auto reference = DecodeEnvelopeWithReader(at, scratch, payload_only);
        REQUIRE(reference);
        auto direct = DecodeEnvelopeDirect(at, payload_only);
        INFO("variant " << variant << ", shift " << shift << ", payload_only " << payload_only);
        REQUIRE(direct);
        CHECK(Same(*direct, *reference));
        CHECK(direct->payload == payload);
        if (!payload_only) CHECK(direct->stream == stream);
      }
    }
  }
}

TEST_CASE("a corrupted or truncated envelope gets the same verdict from both readers", "[eventstore][envelope]") {
  const std::string payload = Bytes(40, 9);
  EnvelopeFields f = OrderFields(payload);
  const std::string hash(32, '\0');
  f.prev_hash = hash;
  const std::string value = EncodeEnvelope(f);
  std::size_t direct_declined = 0, checked = 0;
  auto compare = [&](const std::string& v) {
    DecodeScratch s1, s2;
    auto reference = DecodeEnvelopeWithReader(v, s1);
    auto decoded = DecodeEnvelope(v, s2);
    auto direct = DecodeEnvelopeDirect(v, false);
    ++checked;
    if (!direct) ++direct_declined;
    INFO("value of " << v.size() << " bytes");
    REQUIRE(decoded.has_value() == reference.has_value());
    if (decoded) CHECK(Same(*decoded, *reference));
    if (direct) {
      REQUIRE(reference);  // never accepts what Cap'n Proto refuses
      CHECK(Same(*direct, *reference));
    }
  };
  for (std::size_t byte = 32; byte < value.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string v = value;
      v[byte] = static_cast<char>(v[byte] ^ (1 << bit));
      compare(v);
    }
  }
  for (std::size_t n = 0; n < value.size(); ++n) compare(value.substr(0, n));
  CHECK(checked > 2000);
  CHECK(direct_declined > 0);  // the corruptions did reach the fallback
}

TEST_CASE("fields that alias one blob are refused by both readers alike", "[eventstore][envelope]") {
  // A stored envelope whose prevHash pointer is rewritten to name the payload's bytes: reading both
  // walks the payload twice, beyond the traversal limit (the message's words + 64).
  const std::string payload = Bytes(800, 4);  // 100 words: read twice > the limit
  const std::string small_payload = Bytes(80, 4);  // 10 words: read twice is within it
  for (const std::string* p : {&payload, &small_payload}) {
    std::string value = EncodeEnvelope(OrderFields(*p));
    char* segment = value.data() + 32 + 8;
    auto word = [&](std::uint64_t at) {
      std::uint64_t v;
      std::memcpy(&v, segment + at * 8, 8);
      return v;
    };
    const std::uint64_t root = word(0);
    const std::uint64_t start = 1 + static_cast<std::uint64_t>(static_cast<std::int32_t>(static_cast<std::uint32_t>(root)) >> 2);
    const std::uint64_t pointers_at = start + ((root >> 32) & 0xffff);
    const auto envelope_schema = capnp::Schema::from<keel::eventstore::schema::Envelope>();
    const std::uint64_t payload_at = pointers_at + envelope_schema.getFieldByName("payload").getProto().getSlot().getOffset();
    const std::uint64_t prev_at = pointers_at + envelope_schema.getFieldByName("prevHash").getProto().getSlot().getOffset();
    const std::uint64_t pp = word(payload_at);
    const std::int64_t target = static_cast<std::int64_t>(payload_at) + 1 + (static_cast<std::int32_t>(static_cast<std::uint32_t>(pp)) >> 2);
    const std::int64_t offset = target - static_cast<std::int64_t>(prev_at) - 1;
    const std::uint64_t alias = (pp & ~0xffffffffull) | (static_cast<std::uint64_t>(static_cast<std::uint32_t>(offset << 2)) | 1u);
    std::memcpy(segment + prev_at * 8, &alias, 8);

    DecodeScratch s1, s2;
    auto reference = DecodeEnvelopeWithReader(value, s1);
    auto decoded = DecodeEnvelope(value, s2);
    INFO("payload of " << p->size() << " bytes");
    REQUIRE(decoded.has_value() == reference.has_value());
    if (p == &payload) {
      CHECK_FALSE(reference);  // beyond the limit
    } else {
      REQUIRE(reference);
      CHECK(Same(*decoded, *reference));
      CHECK(decoded->prev_hash == *p);  // the alias reads the payload's bytes
    }
  }
}

TEST_CASE("envelopes the direct reader declines still decode through Cap'n Proto", "[eventstore][envelope]") {
  SECTION("several segments") {
    capnp::MallocMessageBuilder message(4, capnp::AllocationStrategy::FIXED_SIZE);  // tiny segments
    auto env = message.initRoot<schema::Envelope>();
    env.setPosition(7);
    env.setStream("t/acme/order/o1");
    env.setVersion(2);
    env.setType("OrderPlaced");
    env.setSchemaVersion(1);
    env.setTenant("acme");
    const std::string payload = Bytes(64, 1);
    env.setPayload(kj::arrayPtr(reinterpret_cast<const kj::byte*>(payload.data()), payload.size()));
    REQUIRE(message.getSegmentsForOutput().size() > 1);
    const std::string value = Stored(message);
    CHECK_FALSE(DecodeEnvelopeDirect(value, false));
    DecodeScratch scratch;
    auto decoded = DecodeEnvelope(value, scratch);
    REQUIRE(decoded);
    CHECK(decoded->position == 7);
    CHECK(decoded->stream == "t/acme/order/o1");
    CHECK(decoded->type == "OrderPlaced");
    CHECK(decoded->payload == payload);
  }
  SECTION("an older struct: a shorter data section, fewer pointers") {
    capnp::MallocMessageBuilder message;
    // One data word (position) and one pointer (stream): what an envelope with only field @0 and @1 was.
    auto root = message.getRoot<capnp::AnyPointer>().initAsAnyStruct(1, 1);
    const std::uint64_t position = 99;
    std::memcpy(root.getDataSection().begin(), &position, sizeof position);
    root.getPointerSection()[0].setAs<capnp::Text>("t/acme/order/o9");
    const std::string value = Stored(message);
    DecodeScratch scratch;
    auto reference = DecodeEnvelopeWithReader(value, scratch);
    REQUIRE(reference);
    auto direct = DecodeEnvelopeDirect(value, false);
    REQUIRE(direct);  // a shape the writer could have produced with an older schema
    CHECK(Same(*direct, *reference));
    CHECK(direct->position == 99);
    CHECK(direct->stream == "t/acme/order/o9");
    CHECK(direct->version == 0);
    CHECK(direct->type.empty());
    CHECK(direct->payload.empty());
  }
}
