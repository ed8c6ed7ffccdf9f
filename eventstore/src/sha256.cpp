// SHA-256 through OpenSSL's EVP interface.
#include "sha256.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "keys.hpp"

namespace keel::eventstore {

namespace {

// OpenSSL 3 resolves an algorithm through its provider on every one-shot call; fetching SHA-256
// once and reusing a per-thread context halves the cost of hashing one event.
const EVP_MD* Sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct ThreadCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~ThreadCtx() { EVP_MD_CTX_free(ctx); }
};

}  // namespace

void Sha256Into(std::string_view data, char* out32) {
  thread_local ThreadCtx t;
  unsigned int len = 0;
  EVP_DigestInit_ex(t.ctx, Sha256Md(), nullptr);
  EVP_DigestUpdate(t.ctx, data.data(), data.size());
  EVP_DigestFinal_ex(t.ctx, reinterpret_cast<unsigned char*>(out32), &len);
}

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  Sha256Into(data, out.data());
  return out;
}

struct Sha256Builder::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256Builder::Sha256Builder() : ctx_(std::make_unique<Ctx>()) {
  EVP_DigestInit_ex(ctx_->md, Sha256Md(), nullptr);
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
