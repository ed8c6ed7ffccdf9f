// Encoding of the event store's RocksDB keys (layout documented in keys.hpp).
#include "keys.hpp"

namespace keel::eventstore::keys {

void PutBE64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::string BE64(std::uint64_t v) {
  std::string s;
  s.reserve(8);
  PutBE64(s, v);
  return s;
}

std::uint64_t DecodeBE64(std::string_view bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

std::string StreamPrefix(std::string_view stream) {
  std::string k(stream);
  k.push_back('\0');
  return k;
}

std::string StreamIndex(std::string_view stream, std::uint64_t version) {
  std::string k = StreamPrefix(stream);
  PutBE64(k, version);
  return k;
}

std::string StreamRange(std::uint64_t first_version, std::uint64_t first_position) {
  std::string v;
  v.reserve(16);
  PutBE64(v, first_version);
  PutBE64(v, first_position);
  return v;
}

std::string TenantPrefix(std::string_view tenant) {
  std::string k(tenant);
  k.push_back('\0');
  return k;
}

std::string TenantIndex(std::string_view tenant, std::uint64_t position) {
  std::string k = TenantPrefix(tenant);
  PutBE64(k, position);
  return k;
}

std::string Idempotency(std::string_view tenant, std::string_view key) {
  std::string k = TenantPrefix(tenant);
  k.append(key);
  return k;
}

std::string ReadModel(std::string_view model, std::string_view key) {
  std::string k(model);
  k.push_back('\0');
  k.append(key);
  return k;
}

std::string StreamRecord(std::string_view stream, std::string_view key) {
  std::string k(stream);
  k.push_back('\0');
  k.append(key);
  return k;
}

}  // namespace keel::eventstore::keys
