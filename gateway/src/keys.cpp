// API key storage and verification (see keys.hpp). Record layout in read model "api_keys":
// key = public id (16 hex), value = JSON {name, mac | hash (legacy), role, partner, tenant,
// workflow_role, created_at, expires_at, last_used_at, rotated_to, revoked}; key "!check" = the
// hex HMAC of a fixed text under the key secret.
#include "keys.hpp"

#include <algorithm>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <set>

#include <nlohmann/json.hpp>

namespace keel::gateway {
namespace {
constexpr std::string_view kModel = "api_keys";
constexpr std::string_view kCheckKey = "!check";
constexpr std::string_view kCheckText = "keel api keys: secret check";
constexpr std::int64_t kUseResolution = 3'600'000;  // last_used_at is written back at most once an hour

std::string Hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

std::optional<std::string> RandomHex(std::size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) return std::nullopt;
  return Hex(buf.data(), buf.size());
}

bool SameHex(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Encode(const KeyRecord& r) {
  nlohmann::json j{{"name", r.name},           {"role", RoleName(r.role)},     {"partner", r.partner},
                   {"tenant", r.tenant},       {"workflow_role", r.workflow_role}, {"created_at", r.created_at},
                   {"expires_at", r.expires_at}, {"last_used_at", r.last_used_at}, {"rotated_to", r.rotated_to}, {"holder", r.holder},
                   {"revoked", r.revoked}};
  if (!r.mac.empty()) j["mac"] = r.mac;
  if (!r.legacy_hash.empty()) j["hash"] = r.legacy_hash;
  if (r.grant) {
    j["grant"] = {{"extension", r.grant->extension}, {"version", r.grant->version}, {"commands", r.grant->commands},
                  {"scopes", r.grant->scopes},       {"events", r.grant->events},
                  {"modules", r.grant->modules}};
  }
  return j.dump();
}

std::optional<KeyRecord> Decode(std::string_view id, std::string_view value) {
  auto j = nlohmann::json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto role = ParseRole(j.value("role", ""));
  if (!role) return std::nullopt;
  KeyRecord r;
  r.id = std::string(id);
  r.name = j.value("name", "");
  r.mac = j.value("mac", "");
  r.legacy_hash = j.value("hash", "");
  r.role = *role;
  r.partner = j.value("partner", "");
  r.tenant = j.value("tenant", "");
  r.workflow_role = j.value("workflow_role", "");
  r.created_at = j.value("created_at", std::int64_t{0});
  r.expires_at = j.value("expires_at", std::int64_t{0});
  r.last_used_at = j.value("last_used_at", std::int64_t{0});
  r.rotated_to = j.value("rotated_to", "");
  r.holder = j.value("holder", "");
  r.revoked = j.value("revoked", false);
  if (r.mac.empty() && r.legacy_hash.empty()) return std::nullopt;
  if (r.role == Role::kExtension) {  // an extension's key without its grant would be no key at all
    auto g = j.find("grant");
    if (g == j.end() || !g->is_object()) return std::nullopt;
    auto grant = std::make_shared<ExtensionGrant>();
    grant->extension = g->value("extension", "");
    grant->version = g->value("version", "");
    for (auto [field, into] : {std::pair{"commands", &grant->commands}, {"scopes", &grant->scopes}, {"events", &grant->events},
                               {"modules", &grant->modules}}) {
      auto list = g->find(field);
      if (list == g->end() && std::string_view(field) == "modules") continue;
      if (list == g->end() || !list->is_array()) return std::nullopt;
      for (const auto& item : *list) {
        if (!item.is_string()) return std::nullopt;
        into->insert(item.get<std::string>());
      }
    }
    r.grant = std::move(grant);
  }
  return r;
}
}  // namespace

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(digest, len);
}

std::string HmacSha256Hex(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), digest, &len);
  return Hex(digest, len);
}

std::string RawHmacSha256(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), digest, &len);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string WeakTokenReason(const std::string& token) {
  if (token.size() < 24 || token.size() > 256) return "a key must be 24 to 256 characters long";
  std::set<char> distinct;
  for (char ch : token) {
    if (ch < 0x21 || ch > 0x7e) return "a key is printable ASCII without spaces";
    distinct.insert(ch);
  }
  if (distinct.size() < 10) return "a key needs at least 10 different characters (this one is easy to guess)";
  return {};
}

KeyStore::KeyStore(eventstore::EventStore& store, std::string secret) : store_(store), secret_(std::move(secret)) {}

std::string KeyStore::Mac(const std::string& token) const { return HmacSha256Hex(secret_, token); }

std::expected<void, std::string> KeyStore::Load() {
  if (secret_.size() < 32) return std::unexpected("the key secret must be at least 32 bytes");
  std::map<std::string, KeyRecord> loaded;
  std::string bad, check;
  auto scanned = store_.ReadModelScan(kModel, "", [&](std::string_view k, std::string_view v) {
    if (k == kCheckKey) {
      check = std::string(v);
      return true;
    }
    auto r = Decode(k, v);
    if (!r) {
      bad = std::string(k);
      return false;
    }
    loaded.emplace(r->id, std::move(*r));
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error().ToString());
  if (!bad.empty()) return std::unexpected("api key record " + bad + " is unreadable");
  const std::string expected = HmacSha256Hex(secret_, std::string(kCheckText));
  if (!check.empty() && !SameHex(check, expected)) {
    return std::unexpected("the master key is not the one this data directory's API keys were made under "
                           "(check KEEL_MASTER_KEY or the master key file)");
  }
  if (check.empty()) {
    eventstore::ReadModelBatch batch;
    batch.model = std::string(kModel);
    batch.puts.emplace_back(std::string(kCheckKey), expected);
    if (auto done = store_.CommitReadModel(std::move(batch)); !done) return std::unexpected(done.error().ToString());
  }
  std::lock_guard lock(mu_);
  keys_ = std::move(loaded);
  by_mac_.clear();
  saved_use_.clear();
  std::int64_t next = INT64_MAX;
  for (const auto& [id, r] : keys_) {
    if (!r.mac.empty()) by_mac_[r.mac] = id;
    saved_use_[id] = r.last_used_at;
    if (r.expires_at > 0) next = std::min(next, r.expires_at);
  }
  next_expiry_.store(next);
  return {};
}

std::optional<Principal> KeyStore::Verify(const std::string& token, std::int64_t now_ms) {
  if (token.empty() || token.size() > 256) return std::nullopt;
  const std::string mac = Mac(token);
  std::unique_lock lock(mu_);
  KeyRecord* r = nullptr;
  if (auto m = by_mac_.find(mac); m != by_mac_.end()) {
    auto it = keys_.find(m->second);
    if (it != keys_.end() && SameHex(it->second.mac, mac)) r = &it->second;
  }
  bool write_back = false;
  if (r == nullptr) {  // a record from before keyed hashes: verify it as it was, then upgrade it
    const std::string hash = Sha256Hex(token);
    auto it = keys_.find(hash.substr(0, 16));
    if (it == keys_.end() || !SameHex(it->second.legacy_hash, hash)) return std::nullopt;
    r = &it->second;
    r->mac = mac;
    r->legacy_hash.clear();
    by_mac_[mac] = r->id;
    write_back = true;
  }
  const bool active = r->Active(now_ms);
  if (active) {
    r->last_used_at = now_ms;
    if (now_ms - saved_use_[r->id] >= kUseResolution) write_back = true;
  }
  std::optional<Principal> who;
  if (active) who = Principal{r->id, r->role, r->partner, r->tenant, r->workflow_role, r->Holder(), r->grant};
  if (write_back) {
    saved_use_[r->id] = r->last_used_at;
    eventstore::ReadModelBatch batch;
    batch.model = std::string(kModel);
    batch.puts.emplace_back(r->id, Encode(*r));
    lock.unlock();
    store_.CommitReadModelAsync(std::move(batch), [](auto) {});  // never waits on this thread
  }
  return who;
}

std::expected<void, std::string> KeyStore::Save(const std::vector<KeyRecord>& records) {
  eventstore::ReadModelBatch batch;
  batch.model = std::string(kModel);
  for (const auto& r : records) batch.puts.emplace_back(r.id, Encode(r));
  auto done = store_.CommitReadModel(std::move(batch));
  if (!done) return std::unexpected(done.error().ToString());
  std::lock_guard lock(mu_);
  for (const auto& r : records) {
    keys_[r.id] = r;
    if (!r.mac.empty()) by_mac_[r.mac] = r.id;
    saved_use_[r.id] = r.last_used_at;
    if (r.expires_at > 0 && r.expires_at < next_expiry_.load()) next_expiry_.store(r.expires_at);
  }
  return {};
}

KeyRecord KeyStore::NewRecord(const std::string& token, Role role, std::string partner, std::string tenant,
                              std::string name, std::int64_t now_ms, std::string workflow_role,
                              std::int64_t expires_at) const {
  KeyRecord r;
  r.mac = Mac(token);
  r.role = role;
  r.partner = std::move(partner);
  r.tenant = std::move(tenant);
  r.name = std::move(name);
  r.workflow_role = std::move(workflow_role);
  r.created_at = now_ms;
  r.expires_at = expires_at;
  return r;
}

std::expected<IssuedKey, std::string> KeyStore::Create(Role role, std::string partner, std::string tenant,
                                                       std::string name, std::int64_t now_ms, std::string workflow_role,
                                                       std::int64_t expires_at) {
  auto secret = RandomHex(32);
  auto id = RandomHex(8);
  if (!secret || !id) return std::unexpected("no randomness available");
  IssuedKey issued;
  issued.token = "keel_" + *secret;
  issued.record = NewRecord(issued.token, role, std::move(partner), std::move(tenant), std::move(name), now_ms,
                            std::move(workflow_role), expires_at);
  issued.record.id = *id;
  if (auto saved = Save({issued.record}); !saved) return std::unexpected(saved.error());
  return issued;
}

std::expected<IssuedKey, std::string> KeyStore::CreateForExtension(std::string partner, std::string tenant,
                                                                   ExtensionGrant grant, std::int64_t now_ms) {
  std::string name = "extension " + grant.extension + " " + grant.version;
  auto issued = [&]() -> std::expected<IssuedKey, std::string> {
    auto secret = RandomHex(32);
    auto id = RandomHex(8);
    if (!secret || !id) return std::unexpected("no randomness available");
    IssuedKey k;
    k.token = "keel_" + *secret;
    k.record = NewRecord(k.token, Role::kExtension, std::move(partner), std::move(tenant), std::move(name), now_ms, {}, 0);
    k.record.id = *id;
    k.record.grant = std::make_shared<const ExtensionGrant>(std::move(grant));
    return k;
  }();
  if (!issued) return issued;
  if (auto saved = Save({issued->record}); !saved) return std::unexpected(saved.error());
  return issued;
}

std::expected<void, std::string> KeyStore::RevokeHolder(const std::string& holder) {
  std::vector<KeyRecord> changed;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, r] : keys_) {
      if (!r.revoked && r.Holder() == holder) {
        changed.push_back(r);
        changed.back().revoked = true;
      }
    }
  }
  if (changed.empty()) return {};
  auto saved = Save(changed);
  if (saved) revocations_.fetch_add(1, std::memory_order_release);
  return saved;
}

std::optional<KeyRecord> KeyStore::FindByToken(const std::string& token) const {
  const std::string mac = Mac(token);
  const std::string hash = Sha256Hex(token);
  std::lock_guard lock(mu_);
  if (auto m = by_mac_.find(mac); m != by_mac_.end()) {
    if (auto it = keys_.find(m->second); it != keys_.end()) return it->second;
  }
  if (auto it = keys_.find(hash.substr(0, 16)); it != keys_.end() && SameHex(it->second.legacy_hash, hash)) return it->second;
  return std::nullopt;
}

std::expected<KeyRecord, std::string> KeyStore::Import(const std::string& token, Role role, std::string name,
                                                       std::int64_t now_ms, std::string partner, std::string tenant) {
  if (!ValidBinding(role, partner, tenant)) return std::unexpected("the role does not fit that partner / tenant binding");
  if (auto weak = WeakTokenReason(token); !weak.empty()) return std::unexpected(weak);
  if (auto existing = FindByToken(token)) return *existing;  // revoked stays revoked
  auto id = RandomHex(8);
  if (!id) return std::unexpected("no randomness available");
  KeyRecord r = NewRecord(token, role, std::move(partner), std::move(tenant), std::move(name), now_ms, {}, 0);
  r.id = *id;
  if (auto saved = Save({r}); !saved) return std::unexpected(saved.error());
  return r;
}

std::expected<IssuedKey, std::string> KeyStore::Rotate(const std::string& id, std::int64_t now_ms,
                                                       std::int64_t old_expires_at) {
  auto old = Find(id);
  if (!old) return std::unexpected("no such key");
  if (!old->Active(now_ms)) return std::unexpected("a revoked or expired key cannot be rotated");
  auto secret = RandomHex(32);
  auto new_id = RandomHex(8);
  if (!secret || !new_id) return std::unexpected("no randomness available");
  IssuedKey issued;
  issued.token = "keel_" + *secret;
  // The new key lives as long as the old one was made to (no expiry if it had none).
  const std::int64_t lifetime = old->expires_at == 0 ? 0 : old->expires_at - old->created_at;
  issued.record = NewRecord(issued.token, old->role, old->partner, old->tenant, old->name, now_ms, old->workflow_role,
                            lifetime == 0 ? 0 : now_ms + lifetime);
  issued.record.id = *new_id;
  issued.record.holder = old->Holder();  // the same holder, with a new secret
  issued.record.grant = old->grant;      // an extension's key keeps what it may do
  old->rotated_to = *new_id;
  old->expires_at = old->expires_at == 0 ? old_expires_at : std::min(old->expires_at, old_expires_at);
  if (auto saved = Save({issued.record, *old}); !saved) return std::unexpected(saved.error());
  return issued;
}

std::expected<void, std::string> KeyStore::Revoke(const std::string& id) {
  auto r = Find(id);
  if (!r) return std::unexpected("no such key");
  r->revoked = true;
  // The keys it replaced, still working in their grace period, stop with it: a revocation is the
  // holder's, not one secret's.
  std::vector<KeyRecord> changed{*r};
  {
    std::lock_guard lock(mu_);
    for (std::string next = id;;) {
      auto it = std::find_if(keys_.begin(), keys_.end(), [&](const auto& kv) { return kv.second.rotated_to == next; });
      if (it == keys_.end() || it->second.revoked) break;
      changed.push_back(it->second);
      changed.back().revoked = true;
      next = it->second.id;
    }
  }
  auto saved = Save(changed);
  if (saved) revocations_.fetch_add(1, std::memory_order_release);
  return saved;
}

std::uint64_t KeyStore::Changes(std::int64_t now_ms) {
  if (now_ms >= next_expiry_.load(std::memory_order_acquire)) {
    std::lock_guard lock(mu_);
    std::int64_t next = INT64_MAX;
    for (const auto& [id, r] : keys_)
      if (r.expires_at > now_ms) next = std::min(next, r.expires_at);
    next_expiry_.store(next, std::memory_order_release);
    expiries_.fetch_add(1, std::memory_order_acq_rel);
  }
  return revocations_.load(std::memory_order_acquire) + expiries_.load(std::memory_order_acquire);
}

std::optional<KeyRecord> KeyStore::Find(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = keys_.find(id);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

std::vector<KeyRecord> KeyStore::List() const {
  std::lock_guard lock(mu_);
  std::vector<KeyRecord> out;
  out.reserve(keys_.size());
  for (const auto& [id, r] : keys_) out.push_back(r);
  return out;
}

bool KeyStore::AnyPlatformOwner(std::int64_t now_ms) const {
  std::lock_guard lock(mu_);
  for (const auto& [id, r] : keys_)
    if (r.role == Role::kPlatformOwner && r.Active(now_ms)) return true;
  return false;
}

bool KeyStore::EverHadPlatformOwner() const {
  std::lock_guard lock(mu_);
  for (const auto& [id, r] : keys_)
    if (r.role == Role::kPlatformOwner) return true;
  return false;
}

}  // namespace keel::gateway
