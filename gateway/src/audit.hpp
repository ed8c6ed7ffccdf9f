// The audit of refused requests (read model "audit", one record per refusal): who (key holder or
// anonymous), role and scope, route, method, target with secrets redacted, the tenant and partner it
// names, status, result (denied: by access control; refused: a command the rules or checks refused),
// source address and time; capped per source address and overall, what the caps drop counted in the
// metrics. Accepted commands are in the log (read model "commands"); GET /v1/audit merges both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "call.hpp"

namespace keel::gateway {

// A request target as it may be kept: the values of query parameters that may carry a secret (key,
// token, ...) or that look like a key's secret ("keel_...") replaced by "REDACTED", and so are path
// segments that look like one (DELETE /v1/keys/<a secret pasted for an id>).
std::string RedactTarget(std::string_view target);
std::string RedactPath(std::string_view path);

// Whether an answer is audited: every 401 and 403, what a step marks (Response::audit: a 404 for what
// is outside the caller's scope, a refused key operation, an operator's act on the read side), and
// every command (a write method) answered 4xx but 429.
bool ShouldAudit(const Request& req, const Response& r);

// Records a refused request (see ShouldAudit).
void Audit(ApiContext& ctx, const Request& req, const Principal& who, std::string_view route, const Response& r,
           std::int64_t now);

}  // namespace keel::gateway
