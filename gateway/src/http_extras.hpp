// What every HTTP answer carries besides the handler's response: the request id (X-Request-Id, the
// client's when it sends a usable one, else a new one; also `instance` in a problem document), and
// CORS for the origins the operator configured (ServerOptions::cors_origins), preflights included.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eventstore/stream_id.hpp"
#include "gateway/http.hpp"

namespace keel::gateway {

// The client's X-Request-Id when it follows the id rule (1..128 of A-Z a-z 0-9 . _ : -), else a new
// one: 16 hex digits, unique within the process and unlikely to repeat across restarts.
inline std::string RequestIdFor(std::string_view offered) {
  if (!offered.empty() && eventstore::IsValidId(offered)) return std::string(offered);
  static const std::uint32_t prefix = std::random_device{}();
  static std::atomic<std::uint32_t> counter{0};
  char id[17];
  std::snprintf(id, sizeof id, "%08x%08x", prefix, counter.fetch_add(1, std::memory_order_relaxed));
  return id;
}

// Adds X-Request-Id, and `instance` to a problem document (RFC 9457: this occurrence).
inline void StampRequestId(Response& r, const std::string& request_id) {
  bool has_header = false;
  for (const auto& [k, v] : r.headers) has_header = has_header || k == "X-Request-Id";
  if (!has_header) r.headers.emplace_back("X-Request-Id", request_id);
  if (r.content_type == "application/problem+json" && r.body.size() >= 2 && r.body.back() == '}' &&
      r.body.find("\"instance\"") == std::string::npos) {
    r.body.pop_back();
    r.body += ",\"instance\":\"urn:keel:request:" + request_id + "\"}";
  }
}

// Whether `origin` may call the API from a browser: listed exactly, or "*" listed.
inline bool OriginAllowed(const std::vector<std::string>& allowed, std::string_view origin) {
  if (origin.empty()) return false;
  for (const auto& a : allowed)
    if (a == "*" || a == origin) return true;
  return false;
}

// The CORS headers of an answer to an allowed origin.
inline void AddCorsHeaders(Response& r, std::string_view origin) {
  r.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  r.headers.emplace_back("Vary", "Origin");
  r.headers.emplace_back("Access-Control-Expose-Headers", "ETag, X-Request-Id, Retry-After, WWW-Authenticate, Allow, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy");
}

// The answer to a preflight (OPTIONS with Access-Control-Request-Method): 204 with what a browser may
// send, for an allowed origin; 403 problem otherwise.
inline Response Preflight(const std::vector<std::string>& allowed, std::string_view origin) {
  Response r;
  if (!OriginAllowed(allowed, origin)) {
    r.status = 403;
    r.content_type = "application/problem+json";
    r.body = "{\"type\":\"https://keel.dev/problems/cors_origin_refused\",\"title\":\"Origin not allowed\",\"status\":403,"
             "\"detail\":\"this origin may not call the API from a browser (keel serve --cors-origin)\"}";
    return r;
  }
  r.status = 204;
  AddCorsHeaders(r, origin);
  r.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE");
  r.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, If-Match, X-Request-Id");
  r.headers.emplace_back("Access-Control-Max-Age", "600");
  return r;
}

}  // namespace keel::gateway
