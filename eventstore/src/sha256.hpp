// SHA-256 (OpenSSL): one-shot and incremental, returning the 32 raw digest bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace keel::eventstore {

std::string Sha256(std::string_view data);
void Sha256Into(std::string_view data, char* out32);  // writes the 32 digest bytes to out32

class Sha256Builder {
 public:
  Sha256Builder();
  ~Sha256Builder();
  Sha256Builder& Add(std::string_view data);
  Sha256Builder& AddSized(std::string_view data);  // length-prefixed, so fields cannot run together
  Sha256Builder& AddU64(std::uint64_t v);
  std::string Finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace keel::eventstore
