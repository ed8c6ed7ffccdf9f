// The audit of refused requests (see audit.hpp).
#include "audit.hpp"

#include <cctype>
#include <cstdio>
#include <set>

namespace keel::gateway {
namespace {
// At most kAuditPerSecond audit records a second (a flood of bad keys must not fill the disk); the
// denial is counted in the metrics either way.
constexpr std::int64_t kAuditPerSecond = 200;
constexpr std::int64_t kAuditPerSource = 20;  // one address cannot take the whole budget

// Whether a path segment or query value looks like an API key's secret (keys.cpp issues "keel_...").
bool LooksLikeToken(std::string_view v) { return v.starts_with("keel_") || v.starts_with("keel%5F") || v.starts_with("keel%5f"); }
}  // namespace

std::string RedactPath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  std::size_t at = 0;
  while (at <= path.size()) {
    const auto slash = path.find('/', at);
    const std::string_view segment = path.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at);
    out.append(LooksLikeToken(segment) ? std::string_view("REDACTED") : segment);
    if (slash == std::string_view::npos) break;
    out += '/';
    at = slash + 1;
  }
  return out;
}

std::string RedactTarget(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return RedactPath(target);
  static const std::set<std::string> kSecret{"key", "api_key", "apikey", "token", "access_token",
                                             "secret", "password", "authorization", "bearer"};
  std::string out = RedactPath(target.substr(0, q)) + '?';
  std::string_view rest = target.substr(q + 1);
  bool first = true;
  while (!rest.empty() || first) {
    const auto amp = rest.find('&');
    std::string_view part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (!first) out += '&';
    first = false;
    const auto eq = part.find('=');
    std::string name(part.substr(0, eq));
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (eq != std::string_view::npos && (kSecret.contains(name) || LooksLikeToken(part.substr(eq + 1)))) {
      out.append(part.substr(0, eq + 1)).append("REDACTED");
    } else {
      out.append(part);
    }
    if (amp == std::string_view::npos) break;
  }
  return out;
}

bool ShouldAudit(const Request& req, const Response& r) {
  if (r.audit || r.status == 401 || r.status == 403) return true;
  const bool write = req.method == "POST" || req.method == "PUT" || req.method == "DELETE" || req.method == "PATCH";
  return write && r.status >= 400 && r.status < 500 && r.status != 429;
}

namespace {
// The tenant and partner a target's path names ("" when none): /v1/tenants/<t>/..., /v1/partners/<p>/...
std::pair<std::string, std::string> Named(std::string_view target) {
  target = target.substr(0, target.find('?'));
  auto segment = [&](std::string_view prefix) -> std::string {
    if (!target.starts_with(prefix)) return {};
    auto rest = target.substr(prefix.size());
    return std::string(rest.substr(0, rest.find('/')));
  };
  std::string tenant = segment("/v1/tenants/"), partner = segment("/v1/partners/");
  if (!tenant.empty() && !eventstore::IsValidId(tenant)) tenant.clear();
  if (!partner.empty() && !eventstore::IsValidId(partner)) partner.clear();
  if (!tenant.empty()) partner = std::string(TenantNamespace(tenant));
  return {tenant, partner};
}
}  // namespace

void Audit(ApiContext& ctx, const Request& req, const Principal& who, std::string_view route, const Response& r,
           std::int64_t now) {
  const int status = r.status;
  const char* result = status < 400                                                   ? "accepted"  // an operator's act
                       : status == 401 || status == 403 || (r.audit && status == 404) ? "denied"
                                                                                      : "refused";
  if (std::string_view(result) == "denied") ctx.metrics.Denied();
  const std::string source_ip = req.source.substr(0, req.source.rfind(':'));
  // The caps keep a flood of refused requests from flooding the trail; an accepted act is always kept
  // (else a flood of bad requests could hide the acts that follow it).
  const bool act = std::string_view(result) == "accepted";
  if (!act && ctx.limiter.Take("audit-source:" + source_ip, kAuditPerSource, now) > 0) {
    ctx.metrics.AuditDropped("per_source");
    return;
  }
  if (!act && ctx.limiter.Take("audit-all", kAuditPerSecond, now) > 0) {
    ctx.metrics.AuditDropped("overall");
    return;
  }
  // Its time is business time, as the log's; its place in the trail is the log's head when it was
  // refused (audit_trail.hpp).
  const std::int64_t business = ctx.clock.NowMs();
  auto named = Named(req.target);
  if (!r.audit_partner.empty() || !r.audit_tenant.empty()) named = {r.audit_tenant, r.audit_partner};
  json::Json rec{{"at", business},
                 {"who", who.key_id.empty() ? std::string("anonymous") : who.Name()},
                 {"role", who.key_id.empty() ? std::string() : std::string(RoleName(who.role))},
                 {"scope", {{"partner", who.partner}, {"tenant", who.tenant}}},
                 {"route", std::string(route)},
                 {"method", req.method},
                 {"target", RedactTarget(req.target).substr(0, 512)},
                 {"status", status},
                 {"result", result},
                 {"tenant", named.first},
                 {"partner", named.second},
                 {"source", req.source},
                 {"request_id", req.Header("x-request-id")}};
  if (!r.audit_subject.empty()) rec["subject"] = r.audit_subject;
  if (!r.audit_issued.empty()) rec["issued"] = r.audit_issued;
  ctx.audit_trail.Write(now, rec.dump(-1, ' ', false, json::Json::error_handler_t::replace), [&metrics = ctx.metrics](bool written) {
    if (!written) metrics.AuditDropped("write_failed");
  });
}

}  // namespace keel::gateway
