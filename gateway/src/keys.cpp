// API key storage and verification (see keys.hpp). Record layout in read model "api_keys":
// key = public id (16 hex), value = JSON {name, hash, role, partner, tenant, created_at, revoked}.
#include "keys.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <nlohmann/json.hpp>

namespace keel::gateway {
namespace {
constexpr std::string_view kModel = "api_keys";

std::string Hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

std::string Encode(const KeyRecord& r) {
  nlohmann::json j{{"name", r.name},       {"hash", r.hash},     {"role", RoleName(r.role)},
                   {"partner", r.partner}, {"tenant", r.tenant}, {"workflow_role", r.workflow_role}, {"created_at", r.created_at},
                   {"revoked", r.revoked}};
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
  r.hash = j.value("hash", "");
  r.role = *role;
  r.partner = j.value("partner", "");
  r.tenant = j.value("tenant", "");
  r.workflow_role = j.value("workflow_role", "");
  r.created_at = j.value("created_at", std::int64_t{0});
  r.revoked = j.value("revoked", false);
  return r;
}
}  // namespace

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
  return Hex(digest, len);
}

KeyStore::KeyStore(eventstore::EventStore& store) : store_(store) {}

std::expected<void, std::string> KeyStore::Load() {
  std::map<std::string, KeyRecord> loaded;
  std::string bad;
  auto scanned = store_.ReadModelScan(kModel, "", [&](std::string_view k, std::string_view v) {
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
  std::lock_guard lock(mu_);
  keys_ = std::move(loaded);
  return {};
}

std::optional<Principal> KeyStore::Verify(const std::string& token) const {
  if (token.empty() || token.size() > 256) return std::nullopt;
  const std::string hash = Sha256Hex(token);
  std::lock_guard lock(mu_);
  auto it = keys_.find(hash.substr(0, 16));
  if (it == keys_.end() || it->second.revoked) return std::nullopt;
  const auto& r = it->second;
  if (r.hash.size() != hash.size() || CRYPTO_memcmp(r.hash.data(), hash.data(), hash.size()) != 0) return std::nullopt;
  return Principal{r.id, r.role, r.partner, r.tenant, r.workflow_role};
}

std::expected<void, std::string> KeyStore::Save(const KeyRecord& r) {
  eventstore::ReadModelBatch batch;
  batch.model = std::string(kModel);
  batch.puts.emplace_back(r.id, Encode(r));
  auto done = store_.CommitReadModel(std::move(batch));
  if (!done) return std::unexpected(done.error().ToString());
  std::lock_guard lock(mu_);
  keys_[r.id] = r;
  return {};
}

std::expected<IssuedKey, std::string> KeyStore::Create(Role role, std::string partner, std::string tenant,
                                                       std::string name, std::int64_t now_ms, std::string workflow_role) {
  unsigned char secret[32];
  if (RAND_bytes(secret, sizeof secret) != 1) return std::unexpected("no randomness available");
  IssuedKey issued;
  issued.token = "keel_" + Hex(secret, sizeof secret);
  issued.record.hash = Sha256Hex(issued.token);
  issued.record.id = issued.record.hash.substr(0, 16);
  issued.record.role = role;
  issued.record.partner = std::move(partner);
  issued.record.tenant = std::move(tenant);
  issued.record.name = std::move(name);
  issued.record.workflow_role = std::move(workflow_role);
  issued.record.created_at = now_ms;
  if (auto saved = Save(issued.record); !saved) return std::unexpected(saved.error());
  return issued;
}

std::expected<KeyRecord, std::string> KeyStore::Import(const std::string& token, Role role, std::string name,
                                                       std::int64_t now_ms, std::string partner, std::string tenant) {
  if (!ValidBinding(role, partner, tenant)) return std::unexpected("the role does not fit that partner / tenant binding");
  if (token.size() < 24 || token.size() > 256) return std::unexpected("a key must be 24 to 256 characters long");
  KeyRecord r;
  r.hash = Sha256Hex(token);
  r.id = r.hash.substr(0, 16);
  if (auto existing = Find(r.id); existing && !existing->revoked) return *existing;
  r.role = role;
  r.partner = std::move(partner);
  r.tenant = std::move(tenant);
  r.name = std::move(name);
  r.created_at = now_ms;
  if (auto saved = Save(r); !saved) return std::unexpected(saved.error());
  return r;
}

std::expected<void, std::string> KeyStore::Revoke(const std::string& id) {
  auto r = Find(id);
  if (!r) return std::unexpected("no such key");
  r->revoked = true;
  auto saved = Save(*r);
  if (saved) revocations_.fetch_add(1, std::memory_order_release);
  return saved;
}

std::optional<KeyRecord> KeyStore::Find(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = keys_.find(id);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

bool KeyStore::AnyPlatformOwner() const {
  std::lock_guard lock(mu_);
  for (const auto& [id, r] : keys_)
    if (r.role == Role::kPlatformOwner && !r.revoked) return true;
  return false;
}

}  // namespace keel::gateway
