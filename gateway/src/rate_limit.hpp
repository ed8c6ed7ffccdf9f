// Per-tenant token buckets: `rate` requests per second with a burst of one second's worth. Time is
// passed in (milliseconds from the injectable clock), so tests drive it. Thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace keel::gateway {

class RateLimiter {
 public:
  // Takes a token for `tenant`; 0 when allowed, else the milliseconds until one is available.
  // A rate of 0 or less means unlimited. `remaining`: the whole tokens left after this one.
  std::int64_t Take(const std::string& tenant, std::int64_t rate, std::int64_t now_ms, std::int64_t* remaining = nullptr) {
    if (rate <= 0) return 0;
    std::lock_guard lock(mu_);
    auto [it, fresh] = buckets_.try_emplace(tenant, Bucket{static_cast<double>(rate), now_ms});
    Bucket& b = it->second;
    const double capacity = static_cast<double>(rate);
    if (!fresh) {
      b.tokens = std::min(capacity, b.tokens + static_cast<double>(now_ms - b.at) * capacity / 1000.0);
      b.at = std::max(b.at, now_ms);
    }
    if (b.tokens >= 1.0) {
      b.tokens -= 1.0;
      if (remaining) *remaining = static_cast<std::int64_t>(b.tokens);
      return 0;
    }
    if (remaining) *remaining = 0;
    return std::max<std::int64_t>(1, static_cast<std::int64_t>((1.0 - b.tokens) * 1000.0 / capacity + 0.999));
  }

 private:
  struct Bucket {
    double tokens;
    std::int64_t at;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace keel::gateway
