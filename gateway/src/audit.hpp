// The audit of refused requests (read model "audit", one record per refusal): who (key holder or
// anonymous), role and scope, route, method, target with secrets redacted, status, source address and
// time; capped per source address and overall, what the caps drop counted in the metrics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "call.hpp"

namespace keel::gateway {

// A request target as it may be kept: the values of query parameters that may carry a secret (key,
// token, ...) replaced by "REDACTED".
std::string RedactTarget(std::string_view target);

// Records a refused request: every 401 and 403, and what a step marks (Response::audit: a 404 for what
// is outside the caller's scope, a refused key operation, an operator's act on the read side).
void Audit(ApiContext& ctx, const Request& req, const Principal& who, std::string_view route, int status, std::int64_t now);

}  // namespace keel::gateway
