// A small HTTP client for the tools that ask a running server (its admin listener: backup, the read
// models' status, rebuild, retry, skip) instead of opening its data directory.
#pragma once

#include <expected>
#include <string>

namespace keel::app::cli {

struct AdminReply {
  int status = 0;
  std::string body;
};

// `url`: http://host:port (the admin listener `keel serve` prints). `key`: a platform owner's API key.
std::expected<AdminReply, std::string> AdminCall(const std::string& url, const std::string& key, const std::string& method,
                                                 const std::string& target, const std::string& body = {});

// The key from --key, else KEEL_ADMIN_KEY; "" when neither.
std::string AdminKey(const std::string& flag);

}  // namespace keel::app::cli
