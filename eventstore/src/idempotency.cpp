// Idempotency fingerprints and the capnp encoding of IdempotencyRecord.
#include "idempotency.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>
#include <vector>

#include "envelope.capnp.h"
#include "sha256.hpp"

namespace keel::eventstore {

std::string Fingerprint(const AppendRequest& request) {
  Sha256Builder h;
  h.AddSized(request.metadata.principal).AddU64(request.streams.size());
  for (const auto& s : request.streams) {
    h.AddSized(s.stream)
        .AddU64(static_cast<std::uint64_t>(s.expected.kind()))
        .AddU64(s.expected.version())
        .AddU64(s.events.size());
    for (const auto& e : s.events) h.AddSized(e.type).AddU64(e.schema_version).AddSized(e.payload);
  }
  return h.Finish();
}

std::string EncodeIdempotency(const IdempotencyEntry& entry) {
  capnp::MallocMessageBuilder message;
  auto rec = message.initRoot<schema::IdempotencyRecord>();
  rec.setWrittenAtMs(entry.written_at_ms);
  rec.setFingerprint(kj::arrayPtr(reinterpret_cast<const capnp::byte*>(entry.fingerprint.data()),
                                  entry.fingerprint.size()));
  rec.setFirstPosition(entry.result.first_position);
  rec.setLastPosition(entry.result.last_position);
  auto streams = rec.initStreams(static_cast<unsigned>(entry.result.streams.size()));
  for (unsigned i = 0; i < streams.size(); ++i) {
    const auto& sr = entry.result.streams[i];
    auto out = streams[i];
    auto text = out.initStream(static_cast<unsigned>(sr.stream.size()));
    std::memcpy(text.begin(), sr.stream.data(), sr.stream.size());
    out.setFirstVersion(sr.first_version);
    out.setLastVersion(sr.last_version);
    out.setFirstPosition(sr.first_position);
    out.setLastPosition(sr.last_position);
  }
  auto flat = capnp::messageToFlatArray(message);
  auto bytes = flat.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

Result<IdempotencyEntry> DecodeIdempotency(std::string_view value) {
  if (value.empty() || value.size() % sizeof(capnp::word) != 0) {
    return MakeError(Errc::kCorruption, "idempotency record has an impossible size");
  }
  std::vector<capnp::word> words(value.size() / sizeof(capnp::word));
  std::memcpy(words.data(), value.data(), value.size());
  IdempotencyEntry entry;
  kj::Maybe<kj::Exception> failure = kj::runCatchingExceptions([&] {
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()));
    auto rec = reader.getRoot<schema::IdempotencyRecord>();
    entry.written_at_ms = rec.getWrittenAtMs();
    auto fp = rec.getFingerprint();
    entry.fingerprint.assign(reinterpret_cast<const char*>(fp.begin()), fp.size());
    entry.result.first_position = rec.getFirstPosition();
    entry.result.last_position = rec.getLastPosition();
    entry.result.duplicate = true;
    for (auto s : rec.getStreams()) {
      entry.result.streams.push_back(StreamResult{std::string(s.getStream().cStr()),
                                                  s.getFirstVersion(), s.getLastVersion(),
                                                  s.getFirstPosition(), s.getLastPosition()});
    }
  });
  KJ_IF_MAYBE(e, failure) {
    return MakeError(Errc::kCorruption,
                     "idempotency record does not decode: " + std::string(e->getDescription().cStr()));
  }
  return entry;
}

}  // namespace keel::eventstore

// -- retention --
#include "idempotency_expiry.hpp"

namespace keel::eventstore {

bool IdempotencyExpiry::Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value,
                               std::string*, bool*) const {
  auto entry = DecodeIdempotency(value.ToStringView());
  if (!entry) return false;  // keep what we cannot read; Verify-style tooling may want it
  return now_ms_() - entry->written_at_ms >= retention_ms_;
}

}  // namespace keel::eventstore
