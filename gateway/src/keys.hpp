// API keys: created, revoked and verified here; stored hashed in the event store's read-model column
// family ("api_keys", key = the key's public id) so they survive restarts. The secret is shown once at
// creation and never stored or logged: a record holds SHA-256(token); the public id is the first 16
// hex digits of that hash, so verifying is one map lookup plus a constant-time compare.
// Thread-safe; the in-memory map mirrors the stored records.
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "eventstore/store.hpp"
#include "gateway/access.hpp"

namespace keel::gateway {

struct KeyRecord {
  std::string id, name, hash;  // hash: hex SHA-256 of the token
  Role role = Role::kAnalyst;
  std::string partner, tenant, workflow_role;
  std::int64_t created_at = 0;
  bool revoked = false;
};

struct IssuedKey {
  KeyRecord record;
  std::string token;  // the secret: returned once
};

class KeyStore {
 public:
  explicit KeyStore(eventstore::EventStore& store);

  // Reads every stored key; call once before serving.
  std::expected<void, std::string> Load();
  // The principal a bearer token stands for; nullopt for an unknown or revoked key.
  std::optional<Principal> Verify(const std::string& token) const;

  // A new random key (durable before it returns).
  std::expected<IssuedKey, std::string> Create(Role role, std::string partner, std::string tenant,
                                               std::string name, std::int64_t now_ms, std::string workflow_role = {});
  // A key whose token the operator chose (KEEL_BOOTSTRAP_KEY). Idempotent: an existing key with the same
  // token is kept as it is.
  std::expected<KeyRecord, std::string> Import(const std::string& token, Role role, std::string name,
                                               std::int64_t now_ms, std::string partner = {}, std::string tenant = {});
  std::expected<void, std::string> Revoke(const std::string& id);
  std::optional<KeyRecord> Find(const std::string& id) const;
  // How many revocations took effect so far: it grows after the revoked key reads as revoked.
  std::uint64_t Revocations() const { return revocations_.load(std::memory_order_acquire); }
  bool AnyPlatformOwner() const;

 private:
  std::expected<void, std::string> Save(const KeyRecord& r);
  eventstore::EventStore& store_;
  mutable std::mutex mu_;
  std::map<std::string, KeyRecord> keys_;
  std::atomic<std::uint64_t> revocations_{0};
};

std::string Sha256Hex(const std::string& data);

}  // namespace keel::gateway
