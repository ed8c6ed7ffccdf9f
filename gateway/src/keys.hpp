// API keys: created, rotated, revoked, listed and verified here; stored in the event store's read-model
// column family ("api_keys", key = the key's public id) so they survive restarts. The secret (the
// token) is shown once at creation and never stored or logged. A key's public id is random (not
// derived from the token); its record holds HMAC-SHA256(token) under the node's key secret (derived
// from the master key, DESIGN.md §4), so a leaked store cannot be used to test guesses. Verifying is
// one keyed hash, one map lookup and a constant-time compare. Records made before keyed hashes hold
// an unsalted SHA-256 and an id derived from it: they verify as before and are rewritten with the
// keyed hash on first use. A check value in the same model refuses a master key other than the one
// the keys were made under. Thread-safe; the in-memory map mirrors the stored records.
#pragma once

#include <atomic>
#include <climits>
#include <cstdint>
#include <expected>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "eventstore/store.hpp"
#include "gateway/access.hpp"

namespace keel::gateway {

struct KeyRecord {
  std::string id, name;
  std::string mac;          // hex HMAC-SHA256(token) under the key secret ("" for a legacy record)
  std::string legacy_hash;  // a legacy record's hex SHA-256(token) (its id is its first 16 digits)
  Role role = Role::kAnalyst;
  std::string partner, tenant, workflow_role;
  std::int64_t created_at = 0;    // wall-clock ms
  std::int64_t expires_at = 0;    // wall-clock ms; 0: never
  std::int64_t last_used_at = 0;  // wall-clock ms, kept to within an hour on disk
  std::string rotated_to;         // the key that replaced this one (POST /v1/keys/{key}/rotation)
  // The first key of its rotations (its own id when never rotated from another): who acts. Events,
  // approvals' segregation of duties and audits name the holder, so a rotation is no new person.
  std::string holder;
  const std::string& Holder() const { return holder.empty() ? id : holder; }
  bool revoked = false;
  std::shared_ptr<const ExtensionGrant> grant;  // an extension's key: what it may do
  bool Active(std::int64_t now_ms) const { return !revoked && (expires_at == 0 || now_ms < expires_at); }
};

struct IssuedKey {
  KeyRecord record;
  std::string token;  // the secret: returned once
};

// Why a token the operator chose (KEEL_BOOTSTRAP_KEY) is too weak to guard the platform: "" when it is
// fine. 24..256 printable ASCII characters without spaces, at least 10 of them distinct.
std::string WeakTokenReason(const std::string& token);

class KeyStore {
 public:
  // `secret`: the key secret (at least 32 bytes; Api derives it from the node's master key).
  KeyStore(eventstore::EventStore& store, std::string secret);

  // Reads every stored key and checks the secret against the one they were made under; call once
  // before serving.
  std::expected<void, std::string> Load();
  // The principal a bearer token stands for; nullopt for an unknown, revoked or expired key. Notes
  // the key's use (at `now_ms`, wall clock): written back at most once an hour per key, off this thread.
  std::optional<Principal> Verify(const std::string& token, std::int64_t now_ms);

  // A new random key (durable before it returns). `expires_at` 0: it does not expire.
  std::expected<IssuedKey, std::string> Create(Role role, std::string partner, std::string tenant, std::string name,
                                               std::int64_t now_ms, std::string workflow_role = {},
                                               std::int64_t expires_at = 0);
  // The key of an installed extension (role extension, bound to the tenant), limited to `grant`.
  std::expected<IssuedKey, std::string> CreateForExtension(std::string partner, std::string tenant, ExtensionGrant grant,
                                                           std::int64_t now_ms);
  // Revokes `holder` and every key rotated from it (an extension's key, whatever rotations followed);
  // nothing to do is no error.
  std::expected<void, std::string> RevokeHolder(const std::string& holder);
  // A key whose token the operator chose (demo keys). A key with that token that exists already is
  // kept exactly as it is, revoked or not: an import never brings a revoked key back.
  std::expected<KeyRecord, std::string> Import(const std::string& token, Role role, std::string name,
                                               std::int64_t now_ms, std::string partner = {}, std::string tenant = {});
  // The key with that token, if one exists (revoked or not).
  std::optional<KeyRecord> FindByToken(const std::string& token) const;
  // A new key with `id`'s role, binding and name; `id` then expires at `old_expires_at` (both durable
  // in one write before it returns).
  std::expected<IssuedKey, std::string> Rotate(const std::string& id, std::int64_t now_ms, std::int64_t old_expires_at);
  std::expected<void, std::string> Revoke(const std::string& id);
  std::optional<KeyRecord> Find(const std::string& id) const;
  std::vector<KeyRecord> List() const;
  // Grows after a key stops working: a revocation (once the key reads as revoked), a rotation, or a
  // key's expiry passing (noticed by the first call at or after it). Long-lived connections look their
  // key up again only when it moved.
  std::uint64_t Changes(std::int64_t now_ms);
  // Whether a platform owner key is active now, and whether one ever existed (revoked or expired).
  bool AnyPlatformOwner(std::int64_t now_ms) const;
  bool EverHadPlatformOwner() const;

 private:
  std::expected<void, std::string> Save(const std::vector<KeyRecord>& records);
  std::string Mac(const std::string& token) const;
  KeyRecord NewRecord(const std::string& token, Role role, std::string partner, std::string tenant, std::string name,
                      std::int64_t now_ms, std::string workflow_role, std::int64_t expires_at) const;
  eventstore::EventStore& store_;
  std::string secret_;
  mutable std::mutex mu_;
  std::map<std::string, KeyRecord> keys_;                  // by id
  std::unordered_map<std::string, std::string> by_mac_;    // mac -> id
  std::unordered_map<std::string, std::int64_t> saved_use_;  // id -> last_used_at as last written
  std::atomic<std::uint64_t> revocations_{0};
  std::atomic<std::int64_t> next_expiry_{INT64_MAX};  // the soonest expiry still ahead
  std::atomic<std::uint64_t> expiries_{0};            // expiries noticed by Changes
};

std::string Sha256Hex(const std::string& data);
// Hex HMAC-SHA256 of `data` under `key`.
std::string HmacSha256Hex(const std::string& key, const std::string& data);
// The same HMAC as 32 raw bytes (a derived key: SecretBox's, from the master key).
std::string RawHmacSha256(const std::string& key, const std::string& data);

}  // namespace keel::gateway
