// RFC 9457 problem details: every error the gateway answers is application/problem+json with a
// stable `type` (https://keel.dev/problems/<name>), a title, the HTTP status and a detail; extra
// members (the offending field, a rejection code, Retry-After) are added per error.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gateway/http.hpp"

namespace keel::gateway {

inline constexpr std::string_view kProblemBase = "https://keel.dev/problems/";

inline Response Problem(int status, std::string_view type, std::string_view title, std::string detail,
                        nlohmann::json extra = nlohmann::json::object()) {
  nlohmann::json j = std::move(extra);
  j["type"] = std::string(kProblemBase) + std::string(type);
  j["title"] = std::string(title);
  j["status"] = status;
  j["detail"] = std::move(detail);
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

// 503 store_unavailable: the event store takes no writes right now (a full disk: they resume on their
// own; reads still work). Retry-After tells a client when to try again.
inline Response StoreUnavailable(std::string detail) {
  Response r = Problem(503, "store_unavailable", "The event store cannot take writes", std::move(detail));
  r.headers.emplace_back("Retry-After", "5");
  return r;
}

}  // namespace keel::gateway
