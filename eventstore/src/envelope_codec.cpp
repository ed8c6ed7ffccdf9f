// Envelope encoding: capnp flat message, prefixed with its SHA-256 (see keys.hpp for the layout).
#include "envelope_codec.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <kj/io.h>

#include <cstring>

#include "envelope.capnp.h"
#include "envelope_direct.hpp"
#include "keys.hpp"
#include "sha256.hpp"

namespace keel::eventstore {
namespace {

kj::ArrayPtr<const capnp::byte> Bytes(std::string_view s) {
  return {reinterpret_cast<const capnp::byte*>(s.data()), s.size()};
}

// Text setters want NUL-terminated input; views here may be substrings, so copy into init'ed space.
void Copy(capnp::Text::Builder to, std::string_view from) {
  if (!from.empty()) std::memcpy(to.begin(), from.data(), from.size());
}

std::string_view View(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }
std::string_view View(capnp::Data::Reader d) {
  return {reinterpret_cast<const char*>(d.begin()), d.size()};
}

}  // namespace

std::string EncodeEnvelope(const EnvelopeFields& f) {
  // One first segment large enough for the whole message avoids reallocations.
  const std::size_t words = 32 + (f.payload.size() + f.stream.size() + f.type.size() +
                                  f.tenant.size() + f.principal.size() + f.correlation_id.size() +
                                  f.causation_id.size() + f.idempotency_key.size()) / 8;
  // The first segment comes from a per-thread buffer (zeroed, as capnp requires) rather than malloc.
  thread_local std::vector<capnp::word> first_segment;
  if (first_segment.size() < words) first_segment.resize(words);
  std::memset(first_segment.data(), 0, words * sizeof(capnp::word));
  capnp::MallocMessageBuilder message(kj::arrayPtr(first_segment.data(), words),
                                      capnp::AllocationStrategy::FIXED_SIZE);
  auto env = message.initRoot<schema::Envelope>();
  env.setPosition(f.position);
  Copy(env.initStream(static_cast<unsigned>(f.stream.size())), f.stream);
  env.setVersion(f.version);
  Copy(env.initType(static_cast<unsigned>(f.type.size())), f.type);
  env.setSchemaVersion(f.schema_version);
  Copy(env.initTenant(static_cast<unsigned>(f.tenant.size())), f.tenant);
  env.setTimestampMs(f.timestamp_ms);
  Copy(env.initPrincipal(static_cast<unsigned>(f.principal.size())), f.principal);
  Copy(env.initCorrelationId(static_cast<unsigned>(f.correlation_id.size())), f.correlation_id);
  Copy(env.initCausationId(static_cast<unsigned>(f.causation_id.size())), f.causation_id);
  Copy(env.initIdempotencyKey(static_cast<unsigned>(f.idempotency_key.size())), f.idempotency_key);
  env.setPayload(Bytes(f.payload));
  env.setPrevHash(Bytes(f.prev_hash));

  // Serialize straight into the value, behind room for the hash.
  auto segments = message.getSegmentsForOutput();
  const std::size_t body_bytes = capnp::computeSerializedSizeInWords(segments) * sizeof(capnp::word);
  std::string value(keys::kHashBytes + body_bytes, '\0');
  kj::ArrayOutputStream out(
      kj::arrayPtr(reinterpret_cast<kj::byte*>(value.data()) + keys::kHashBytes, body_bytes));
  capnp::writeMessage(out, segments);
  Sha256Into({value.data() + keys::kHashBytes, body_bytes}, value.data());
  return value;
}

bool HashMatches(std::string_view value) {
  if (value.size() < keys::kHashBytes) return false;
  char digest[keys::kHashBytes];
  Sha256Into(value.substr(keys::kHashBytes), digest);
  return std::memcmp(digest, value.data(), keys::kHashBytes) == 0;
}

Result<EventView> DecodeEnvelope(std::string_view value, DecodeScratch& scratch, bool payload_only) {
  if (auto direct = DecodeEnvelopeDirect(value, payload_only)) return *direct;
  return DecodeEnvelopeWithReader(value, scratch, payload_only);
}

Result<EventView> DecodeEnvelopeWithReader(std::string_view value, DecodeScratch& scratch, bool payload_only) {
  auto corrupt = [](std::string why) { return MakeError(Errc::kCorruption, std::move(why)); };
  if (value.size() < keys::kHashBytes + sizeof(capnp::word) ||
      (value.size() - keys::kHashBytes) % sizeof(capnp::word) != 0) {
    return corrupt("log value has an impossible size");
  }
  std::string_view body = value.substr(keys::kHashBytes);
  const std::size_t words = body.size() / sizeof(capnp::word);
  const capnp::word* start;
  if (reinterpret_cast<std::uintptr_t>(body.data()) % alignof(capnp::word) == 0) {
    start = reinterpret_cast<const capnp::word*>(body.data());
  } else {
    scratch.resize(words);
    std::memcpy(scratch.data(), body.data(), body.size());
    start = scratch.data();
  }
  EventView v;
  kj::Maybe<kj::Exception> failure = kj::runCatchingExceptions([&] {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = words + 64;
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(start, words), options);
    auto env = reader.getRoot<schema::Envelope>();
    v.position = env.getPosition();
    v.version = env.getVersion();
    v.type = View(env.getType());
    v.schema_version = env.getSchemaVersion();
    v.payload = View(env.getPayload());
    if (payload_only) return;
    v.stream = View(env.getStream());
    v.tenant = View(env.getTenant());
    v.timestamp_ms = env.getTimestampMs();
    v.principal = View(env.getPrincipal());
    v.correlation_id = View(env.getCorrelationId());
    v.causation_id = View(env.getCausationId());
    v.idempotency_key = View(env.getIdempotencyKey());
    v.prev_hash = View(env.getPrevHash());
  });
  KJ_IF_MAYBE(e, failure) {
    return corrupt("log value does not decode: " + std::string(e->getDescription().cStr()));
  }
  v.hash = value.substr(0, keys::kHashBytes);
  return v;
}

RecordedEvent RecordedEvent::From(const EventView& v) {
  return RecordedEvent{v.position,
                       v.version,
                       std::string(v.stream),
                       std::string(v.type),
                       v.schema_version,
                       std::string(v.tenant),
                       v.timestamp_ms,
                       std::string(v.principal),
                       std::string(v.correlation_id),
                       std::string(v.causation_id),
                       std::string(v.idempotency_key),
                       std::string(v.payload),
                       std::string(v.hash),
                       std::string(v.prev_hash)};
}

}  // namespace keel::eventstore
