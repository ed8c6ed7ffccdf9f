// The node's master key (see master_key.hpp).
#include "master_key.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace keel::app {
namespace {

std::expected<std::string, std::string> FromHex(std::string text, const std::string& what) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  if (text.size() != 64) return std::unexpected(what + ": expected 64 hex digits (32 bytes)");
  std::string out;
  for (std::size_t i = 0; i < 64; i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::unexpected(what + ": expected 64 hex digits (32 bytes)");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string ToHex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

}  // namespace

std::expected<MasterKey, std::string> LoadOrCreateMasterKey(const std::string& data_dir, const std::string& file,
                                                            const char* env_hex) {
  if (env_hex != nullptr && *env_hex != '\0') {
    auto bytes = FromHex(env_hex, "KEEL_MASTER_KEY");
    if (!bytes) return std::unexpected(bytes.error());
    return MasterKey{std::move(*bytes), "KEEL_MASTER_KEY", false};
  }
  std::string path = file;
  if (path.empty()) {
    path = data_dir;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    path += ".master-key";
  }
  if (std::ifstream in(path); in) {
    std::stringstream text;
    text << in.rdbuf();
    auto bytes = FromHex(text.str(), "master key file " + path);
    if (!bytes) return std::unexpected(bytes.error());
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
      return std::unexpected("master key file " + path + " is readable by others: chmod 600 it");
    return MasterKey{std::move(*bytes), path, false};
  }
  std::string bytes(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), 32) != 1) return std::unexpected("no randomness available");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected("cannot create the master key file " + path + ": " + std::strerror(errno));
  const std::string text = ToHex(bytes) + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    return std::unexpected("cannot write the master key file " + path);
  }
  return MasterKey{std::move(bytes), path, true};
}

}  // namespace keel::app
