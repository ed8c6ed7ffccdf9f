// WebSocket subprotocols as a way to send the API key: browsers cannot set headers on a WebSocket,
// but they can offer subprotocols. A client offers "keel.v1" and "keel.bearer.<key>"
// (Sec-WebSocket-Protocol: keel.v1, keel.bearer.<key>); the server selects "keel.v1" and never echoes
// the key. Keeps the key out of URLs (and so out of access logs), unlike ?key=. Beast-free.
#pragma once

#include <string>
#include <string_view>

namespace keel::gateway {

inline constexpr std::string_view kKeelProtocol = "keel.v1";
inline constexpr std::string_view kBearerProtocolPrefix = "keel.bearer.";

struct OfferedProtocols {
  bool keel = false;   // "keel.v1" was offered
  std::string bearer;  // the key from "keel.bearer.<key>", "" when none was offered
};

// Parses a Sec-WebSocket-Protocol header: comma-separated tokens, optional spaces around them.
inline OfferedProtocols ParseOfferedProtocols(std::string_view header) {
  OfferedProtocols out;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view token = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token == kKeelProtocol) {
      out.keel = true;
    } else if (token.starts_with(kBearerProtocolPrefix) && token.size() > kBearerProtocolPrefix.size()) {
      out.bearer = std::string(token.substr(kBearerProtocolPrefix.size()));
    }
  }
  return out;
}

}  // namespace keel::gateway
