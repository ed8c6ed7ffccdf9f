// The node's master key (DESIGN.md §4, secrets): 32 random bytes that the stored API-key hashes (and,
// later, sealed webhook secrets) depend on. Taken from KEEL_MASTER_KEY (64 hex digits) when set, else
// from a file beside the data directory (`<data dir>.master-key`, or the path given), created with
// mode 0600 on first start. Kept out of the data directory so that a copy of the store alone cannot be
// used to test guesses of API keys; a backup needs both.
#pragma once

#include <expected>
#include <string>

namespace keel::app {

struct MasterKey {
  std::string bytes;   // 32 bytes
  std::string source;  // "KEEL_MASTER_KEY" or the file's path
  bool created = false;  // a new file was written now
};

// `env_hex`: KEEL_MASTER_KEY's value, or null. `file`: "" for the default beside `data_dir`.
std::expected<MasterKey, std::string> LoadOrCreateMasterKey(const std::string& data_dir, const std::string& file,
                                                            const char* env_hex);

}  // namespace keel::app
