// Secrets the server must read again later (an extension's configuration, which may hold a partner
// system's credentials; webhook signing secrets next), sealed under a key derived from the node's
// master key (DESIGN.md §4) with libsodium's secretbox (XSalsa20-Poly1305): "sb1:" + hex(nonce |
// ciphertext). A store copied without the master key file holds none of them in the clear, and a
// changed byte is refused, not decrypted to garbage. Thread-safe (no state beyond the key).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keel::gateway {

class SecretBox {
 public:
  // `key`: 32 bytes (Api derives it from the master key); empty: Seal keeps text as it is and Open
  // reads only unsealed text (a node without a master key, in some tests).
  explicit SecretBox(std::string key = {});
  std::string Seal(std::string_view plain) const;
  // The sealed text opened; unsealed text (written before sealing) as it is; nullopt when it is sealed
  // under another key or was changed.
  std::optional<std::string> Open(std::string_view stored) const;
  static bool IsSealed(std::string_view stored);

 private:
  std::string key_;
};

}  // namespace keel::gateway
