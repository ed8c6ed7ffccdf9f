// SHA-256 through OpenSSL's EVP interface.
#include "sha256.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "keys.hpp"

namespace keel::eventstore {

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

void Sha256Into(std::string_view data, char* out32) {
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out32));
}

struct Sha256Builder::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256Builder::Sha256Builder() : ctx_(std::make_unique<Ctx>()) {
  EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr);
}

Sha256Builder::~Sha256Builder() = default;

Sha256Builder& Sha256Builder::Add(std::string_view data) {
  EVP_DigestUpdate(ctx_->md, data.data(), data.size());
  return *this;
}

Sha256Builder& Sha256Builder::AddU64(std::uint64_t v) { return Add(keys::BE64(v)); }

Sha256Builder& Sha256Builder::AddSized(std::string_view data) {
  AddU64(data.size());
  return Add(data);
}

std::string Sha256Builder::Finish() {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md, reinterpret_cast<unsigned char*>(out.data()), &len);
  return out;
}

}  // namespace keel::eventstore
