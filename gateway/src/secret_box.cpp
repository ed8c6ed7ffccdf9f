// Sealed secrets (see secret_box.hpp).
#include "secret_box.hpp"

#include <sodium.h>

#include <mutex>

namespace keel::gateway {
namespace {

constexpr std::string_view kPrefix = "sb1:";

void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { (void)sodium_init(); });  // -1 only when the library cannot start at all
}

std::string Hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xF];
  }
  return out;
}

std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace

SecretBox::SecretBox(std::string key) : key_(std::move(key)) {
  InitOnce();
  if (!key_.empty() && key_.size() != crypto_secretbox_KEYBYTES) key_.clear();  // never a short key
}

bool SecretBox::IsSealed(std::string_view stored) { return stored.starts_with(kPrefix); }

std::string SecretBox::Seal(std::string_view plain) const {
  if (key_.empty()) return std::string(plain);
  std::string out(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain.size(), '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(bytes, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(bytes + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plain.data()),
                        plain.size(), bytes, reinterpret_cast<const unsigned char*>(key_.data()));
  return std::string(kPrefix) + Hex(bytes, out.size());
}

std::optional<std::string> SecretBox::Open(std::string_view stored) const {
  if (!IsSealed(stored)) return std::string(stored);
  if (key_.empty()) return std::nullopt;
  auto raw = Unhex(stored.substr(kPrefix.size()));
  if (!raw || raw->size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
  std::string plain(raw->size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), bytes + crypto_secretbox_NONCEBYTES,
                                 raw->size() - crypto_secretbox_NONCEBYTES, bytes,
                                 reinterpret_cast<const unsigned char*>(key_.data())) != 0)
    return std::nullopt;
  return plain;
}

}  // namespace keel::gateway
