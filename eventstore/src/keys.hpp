// RocksDB key layout of the event store, one column family per purpose:
//   log           BE64(position)                 -> sha256(body)[32] || body (capnp Envelope)
//   stream_index  stream \0 BE64(last_version)   -> BE64(first_version) BE64(first_position)
//   tenant_index  tenant \0 BE64(last_position)  -> BE64(first_position)
//   idempotency   tenant \0 idempotency-key      -> capnp IdempotencyRecord
//   snapshots     stream                         -> BE64(version) || snapshot bytes
//   checkpoints   name                           -> BE64(position)
//   read_models   model \0 key                   -> value
//   stream_records stream \0 key                  -> value (StreamRecord: an aggregate's ids by key)
//   default       "format"                       -> "1" (on-disk format version)
// Index entries are ranges, one per append (and stream): an append's events for one stream have
// consecutive versions at consecutive positions, and an append never spans tenants. Keying a range
// by its last element lets Seek(from) land on the range that contains `from`.
// Big-endian integers make RocksDB's bytewise order equal numeric order. Stream ids, tenant and
// model names never contain \0, so prefixes are unambiguous.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace keel::eventstore::keys {

inline constexpr std::string_view kLog = "log";
inline constexpr std::string_view kStreamIndex = "stream_index";
inline constexpr std::string_view kTenantIndex = "tenant_index";
inline constexpr std::string_view kIdempotency = "idempotency";
inline constexpr std::string_view kSnapshots = "snapshots";
inline constexpr std::string_view kCheckpoints = "checkpoints";
inline constexpr std::string_view kReadModels = "read_models";
inline constexpr std::string_view kStreamRecords = "stream_records";
inline constexpr std::string_view kFormatKey = "format";
inline constexpr std::string_view kFormatVersion = "1";
inline constexpr std::size_t kHashBytes = 32;

void PutBE64(std::string& out, std::uint64_t v);
std::string BE64(std::uint64_t v);
std::uint64_t DecodeBE64(std::string_view bytes);  // requires bytes.size() >= 8

inline std::string Position(std::uint64_t position) { return BE64(position); }
std::string StreamIndex(std::string_view stream, std::uint64_t last_version);
std::string StreamRange(std::uint64_t first_version, std::uint64_t first_position);
std::string StreamPrefix(std::string_view stream);  // stream \0
std::string TenantIndex(std::string_view tenant, std::uint64_t last_position);
std::string TenantPrefix(std::string_view tenant);  // tenant \0
std::string Idempotency(std::string_view tenant, std::string_view key);
std::string ReadModel(std::string_view model, std::string_view key);
std::string StreamRecord(std::string_view stream, std::string_view key);  // stream \0 key

}  // namespace keel::eventstore::keys
