// The request pipeline (see api.hpp): route → authenticate → parse → scope and role → rate limit →
// If-Match → Idempotency-Key → handler → metrics. Every refusal is problem+json; denied attempts are
// counted and audited (read model "audit", one record per refusal).
#include "gateway/api.hpp"

#include <cctype>
#include <set>

#include <chrono>
#include <cstdio>

#include "audit.hpp"
#include "call.hpp"
#include "extension_support.hpp"
#include "gateway/request_log.hpp"
#include "http_extras.hpp"
#include "domain_json.hpp"
#include "openapi_document.hpp"

namespace keel::gateway {
namespace {

constexpr std::size_t kMaxDepth = 32;

struct Tables {
  HandlerTable handlers;
  AsyncTable async;
};

const Tables& AllTables() {
  static const Tables tables = [] {
    Tables t;
    AddSystemHandlers(t.handlers);
    AddAdminHandlers(t.handlers);
    AddBackupHandlers(t.handlers);
    AddExtensionHandlers(t.handlers);
    AddRolloutHandlers(t.handlers);
    AddPartnerHandlers(t.handlers, t.async);
    AddTenantHandlers(t.handlers, t.async);
    AddWarehouseHandlers(t.handlers, t.async);
    AddOrderHandlers(t.handlers, t.async);
    AddBillingHandlers(t.handlers, t.async);
    AddContractPriceHandlers(t.handlers, t.async);
    AddListHandlers(t.handlers);
    AddInventoryHandlers(t.handlers);
    AddInvoiceHandlers(t.handlers);
    AddInboxHandlers(t.handlers);
    AddTicketHandlers(t.handlers);
    AddSupportAnalyticsHandlers(t.handlers);
    AddAuditHandlers(t.handlers);
    AddEntitlementHandlers(t.handlers);
    AddProjectionHandlers(t.handlers);
    AddAnalyticsHandlers(t.handlers);
    AddAnalyticsTenantHandlers(t.handlers);
    AddDashboardHandlers(t.handlers);
    return t;
  }();
  return tables;
}
const HandlerTable& Handlers() { return AllTables().handlers; }
const AsyncTable& AsyncRoutes() { return AllTables().async; }

bool IsJsonContentType(const std::string& value) {
  std::string v;
  for (char ch : value.substr(0, value.find(';'))) {
    if (ch != ' ' && ch != '\t') v += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"));
}

std::string BearerToken(const Request& req) {
  std::string auth = req.Header("authorization");
  if (auth.size() > 7 && (auth.compare(0, 7, "Bearer ") == 0 || auth.compare(0, 7, "bearer ") == 0)) return auth.substr(7);
  return req.Header("x-api-key");
}

// A key's share of its tenant's api_rps (at least 1 request per second).
constexpr std::int64_t kKeySharePercent = 50;


std::optional<std::uint64_t> ParseIfMatch(std::string v) {
  if (v.starts_with("W/")) v = v.substr(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.empty() || v.size() > 19) return std::nullopt;
  std::uint64_t n = 0;
  for (char ch : v) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  return n;
}

bool ValidIdempotencyKey(const std::string& k) {
  if (k.empty() || k.size() > 255) return false;
  for (unsigned char ch : k)
    if (ch < 0x21 || ch > 0x7e) return false;
  return true;
}

}  // namespace

Api::Api(eventstore::EventStore& store, actors::Runtime& runtime, const actors::Clock& clock,
         const domain::ServiceCatalog& catalog, const config::TemplateRegistry& templates, ApiOptions options) {
  metrics_ = std::make_unique<Metrics>(store, runtime);
  keys_ = std::make_unique<KeyStore>(store, options.master_key.empty() ? std::string()
                                                                      : HmacSha256Hex(options.master_key, "keel/api-keys/v1"));
  ctx_ = std::make_unique<ApiContext>(store, runtime, clock, catalog, templates, *keys_, *metrics_,
                                      options.idempotency_retention_ms);
  ctx_->rate_limits = options.rate_limits;
  ctx_->audit_retention_ms = options.audit_retention_ms;
  ctx_->close_billing = std::move(options.close_billing);
  ctx_->advance_rollouts = std::move(options.advance_rollouts);
  ctx_->sweep_sla = std::move(options.sweep_sla);
  if (!options.master_key.empty()) ctx_->secrets = SecretBox(RawHmacSha256(options.master_key, "keel/sealed-secrets/v1"));
  ctx_->wall = options.wall_clock;
  ctx_->simulated = options.simulated_clock;
  ctx_->openapi = std::string(OpenApiDocument());
  ctx_->request_log = std::move(options.request_log);
  ctx_->projections = options.projections;
  ctx_->analytics_rules = options.analytics_rules;
  ctx_->dashboard_dir = options.dashboard_dir;
  ctx_->chart_js = options.chart_js;
}

// The context first: it refers to the metrics and keys, and waits for its audit records in flight.
Api::~Api() { ctx_.reset(); }

std::string WeakBootstrapKey(const std::string& token) { return WeakTokenReason(token); }

std::expected<KeysReport, std::string> Api::Start(const std::string& bootstrap_token) {
  if (auto loaded = keys_->Load(); !loaded) return std::unexpected(loaded.error());
  if (auto indexed = ctx_->idempotency.IndexUnindexed(); !indexed) {
    return std::unexpected("idempotency index: " + indexed.error().ToString());
  }
  if (auto trail = ctx_->audit_trail.Start(); !trail) return std::unexpected("audit trail: " + trail.error().ToString());
  const auto now = ctx_->WallNowMs();
  KeysReport report;
  if (!bootstrap_token.empty()) {
    if (auto weak = WeakTokenReason(bootstrap_token); !weak.empty()) return std::unexpected("KEEL_BOOTSTRAP_KEY: " + weak);
    if (auto known = keys_->FindByToken(bootstrap_token)) {
      if (!known->Active(now)) report.notice = "KEEL_BOOTSTRAP_KEY names a revoked or expired key: it stays so";
    } else if (keys_->EverHadPlatformOwner()) {
      report.notice = "KEEL_BOOTSTRAP_KEY ignored: it is imported once, and this data directory has platform-owner keys";
    } else {
      auto imported = keys_->Import(bootstrap_token, Role::kPlatformOwner, "bootstrap", now);
      if (!imported) return std::unexpected("KEEL_BOOTSTRAP_KEY: " + imported.error());
    }
  }
  if (keys_->AnyPlatformOwner(now)) return report;
  auto issued = keys_->Create(Role::kPlatformOwner, "", "", "bootstrap", now);
  if (!issued) return std::unexpected(issued.error());
  report.generated_token = issued->token;
  return report;
}

std::expected<void, std::string> Api::ImportKey(const std::string& token, Role role, const std::string& name,
                                               const std::string& partner, const std::string& tenant) {
  auto r = keys_->Import(token, role, name, ctx_->WallNowMs(), partner, tenant);
  if (!r) return std::unexpected(r.error());
  return {};
}

void Api::SetDraining(bool draining) { ctx_->draining = draining; }
void Api::SetReady(bool ready) { ctx_->ready = ready; }
std::expected<std::size_t, std::string> Api::PurgeExpiredIdempotency(std::int64_t now_ms, std::size_t limit) {
  auto purged = ctx_->idempotency.PurgeExpired(now_ms, limit);
  if (!purged) return std::unexpected(purged.error().ToString());
  return *purged;
}
std::expected<std::size_t, std::string> Api::PurgeExpiredAudit(std::int64_t now_ms, std::size_t limit) {
  const std::int64_t retention = std::max<std::int64_t>(0, ctx_->audit_retention_ms);
  if (now_ms <= retention) return 0;
  auto purged = ctx_->audit_trail.PurgeBefore(now_ms - retention, limit);
  if (!purged) return std::unexpected(purged.error().ToString());
  return *purged;
}

Metrics& Api::metrics() { return *metrics_; }
KeyStore& Api::keys() { return *keys_; }
const actors::Clock& Api::clock() const { return ctx_->clock; }
std::int64_t Api::WallNowMs() const { return ctx_->WallNowMs(); }

std::optional<Principal> Api::Authenticate(const Request& request) const {
  return keys_->Verify(BearerToken(request), ctx_->WallNowMs());
}

bool Api::KeyActive(const std::string& key_id) const {
  auto key = keys_->Find(key_id);
  return key && key->Active(ctx_->WallNowMs());
}

void Api::LogAnswer(const Request& request, std::string_view route, const Response& response, const Principal& who) const {
  if (ctx_->request_log) ctx_->request_log->Write(request, request.body.size(), who, route, response, 0.0);
}

void Api::AuditRefused(const Request& request, int status, const Principal& who) {
  Response refused;
  refused.status = status;
  refused.audit = true;
  Audit(*ctx_, request, who, "websocket", refused, ctx_->WallNowMs());
}

std::uint64_t Api::KeyRevocations() const { return keys_->Changes(ctx_->WallNowMs()); }

Response Api::Handle(const Request& request, actors::Client& client) { return HandleAs(request, Principal{}, client); }

// Everything before the handler: route, authentication, body, scope, role, rate, If-Match. Either a
// final answer, or a call ready for its handler; `needs_pool` when it cannot go on without waiting
// (only when `client` is null: a tenant whose facts only its actor can give).
struct Api::Prepared {
  std::optional<Response> answer;
  // The lifecycle gate's refusal of a command that carries an Idempotency-Key: answered only after
  // the key's check, so a retry of a command that succeeded before a suspension gets its first answer.
  std::optional<Response> lifecycle_refusal;
  bool needs_pool = false;
  std::optional<RouteMatch> match;
  Principal who;
  json::Json body;
  actors::CommandMeta meta;
  TenantFactsRef tenant;  // a tenant-scoped route's tenant, as the gate saw it
  std::vector<std::pair<std::string, std::string>> rate_headers;  // RateLimit-*: on whatever is answered
  std::string route_id = "unmatched";
};

Api::Prepared Api::Prepare(const Request& req, const Principal& given, actors::Client* client, std::int64_t now) {
  ApiContext& ctx = *ctx_;
  Prepared p;
  auto matched = Match(req.method, req.target);
  if (!matched) {
    if (matched.error().status == 405) {
      std::string allow;
      for (const auto& m : matched.error().allow) allow += (allow.empty() ? "" : ", ") + m;
      Response r = Problem(405, "method_not_allowed", "Method not allowed", req.method + " is not served here; allowed: " + allow);
      r.headers.emplace_back("Allow", allow);
      p.answer = std::move(r);
    } else {
      p.answer = NotFound("no route for " + req.method + " " + req.target.substr(0, req.target.find('?')));
    }
    return p;
  }
  p.match = std::move(*matched);
  const RouteMatch& match = *p.match;
  const Route& route = *match.route;
  // Two listeners (DESIGN.md §4): the admin one serves /metrics and /v1/admin/* and nothing of the API;
  // the public one the reverse; both serve /healthz and /readyz (the admin's with details).
  if (const std::string_view pattern = route.pattern; pattern != "/healthz" && pattern != "/readyz") {
    const bool admin_route = pattern == "/metrics" || pattern.starts_with("/v1/admin/");
    if (admin_route != req.admin) {
      p.answer = NotFound(std::string("no route for ") + req.method + " " + req.target.substr(0, req.target.find('?')) +
                          (admin_route ? " here: it is on the admin listener" : " on the admin listener"));
      return p;
    }
  }
  p.route_id = std::string(route.id);

  // Authentication (a WebSocket session arrives authenticated, but its key may since have been revoked).
  p.who = given;
  if (!p.who.key_id.empty() && !KeyActive(p.who.key_id)) p.who = Principal{};
  if (route.category != Category::kPublic && p.who.key_id.empty()) {
    auto verified = Authenticate(req);
    if (!verified) {
      // Whoever holds a token may learn why it no longer works (revoked, expired: rotate or ask for a new one).
      std::string detail = "send the key as 'Authorization: Bearer <key>'";
      if (const std::string token = BearerToken(req); !token.empty()) {
        if (auto known = keys_->FindByToken(token); known && known->revoked) {
          detail = "this API key was revoked";
        } else if (known && !known->Active(now)) {
          detail = known->rotated_to.empty() ? "this API key has expired" : "this API key was rotated and its grace period has ended";
        }
      }
      Response r = Problem(401, "unauthorized", "Missing or invalid API key", detail);
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      p.answer = std::move(r);
      return p;
    }
    p.who = *verified;
  }
  const Principal& who = p.who;

  // Body: JSON objects only, bounded in depth.
  p.body = json::Json::object();
  if (!req.body.empty()) {
    if (!IsJsonContentType(req.Header("content-type"))) {
      p.answer = Problem(415, "unsupported_media_type", "Unsupported media type", "send the body as application/json");
      return p;
    }
    if (json::NestingDepth(req.body) > kMaxDepth) {
      p.answer = Problem(400, "malformed_json", "Malformed JSON", "the body is nested deeper than 32 levels");
      return p;
    }
    p.body = json::Json::parse(req.body, nullptr, false);
    if (p.body.is_discarded()) {
      p.answer = Problem(400, "malformed_json", "Malformed JSON", "the body is not valid JSON (or not valid UTF-8)");
      return p;
    }
    if (!p.body.is_object()) {
      p.answer = BadField({"", "expected a JSON object"});
      return p;
    }
  } else if (route.command && !req.Header("content-type").empty() && !IsJsonContentType(req.Header("content-type"))) {
    p.answer = Problem(415, "unsupported_media_type", "Unsupported media type", "send the body as application/json");
    return p;
  }

  // A query parameter whose value does not percent-decode (a bad escape, %00, %2F) is 400 naming it,
  // never dropped: a filter silently left out would answer more than was asked for.
  if (!match.malformed_query.empty()) {
    p.answer = BadField({match.malformed_query, "does not percent-decode (every % takes two hex digits; no %00 or %2F)"});
    return p;
  }
  // Path ids follow the id rule like body ids: 400 naming the parameter (the value is not echoed: it
  // may hold anything). Before the scope check, for every caller: an id no entity can have exists in
  // no scope, so the answer tells nothing of any.
  for (const auto& [name, value] : match.params) {
    if (!eventstore::IsValidId(value)) {
      p.answer = BadField({name, std::string(json::kIdRule)});
      return p;
    }
  }

  // Scope: a resource outside the caller's scope does not exist for it.
  std::string tenant_scope;
  std::int64_t tenant_rps = 0;
  domain::tenant::Status tenant_status = domain::tenant::Status::kNone;
  if (route.scope == Scope::kPartner) {
    if (!Sees(who, match.params.at("partner"), "")) {
      p.answer = NotFound("partner '" + match.params.at("partner") + "' does not exist");
      p.answer->audit = true;
      return p;
    }
  } else if (route.scope == Scope::kTenant) {
    tenant_scope = match.params.at("tenant");
    // A tenant outside the caller's scope by its id alone (access.hpp) is answered before any look-up:
    // another partner's tenant and a missing one cost the same and read the same.
    if (OutsideByName(who, tenant_scope)) {
      p.answer = NotFound("tenant '" + tenant_scope + "' does not exist");
      p.answer->audit = true;
      return p;
    }
    // The tenant's facts as of its stream's current version (reference_data.hpp): a tenant suspended
    // a millisecond ago, by hand or by dunning, trades no more.
    static const TenantFactsRef kNoTenant = std::make_shared<const TenantFacts>();
    auto facts = eventstore::IsValidId(tenant_scope) ? ctx.reference.Tenant(tenant_scope, client)
                                                     : ReferenceResult<TenantFactsRef>(kNoTenant);  // no such tenant can exist
    if (!facts) {
      if (facts.error().kind == ReferenceError::Kind::kWouldWait) {
        p.needs_pool = true;
        return p;
      }
      p.answer = Problem(503, "unavailable", "The service is unavailable", "the tenant did not answer");
      return p;
    }
    p.tenant = std::move(*facts);
    const TenantFacts& info = *p.tenant;
    if (!Sees(who, info.exists() ? info.state.partner : "", tenant_scope) || (!info.exists() && !who.partner.empty())) {
      p.answer = NotFound("tenant '" + tenant_scope + "' does not exist");
      p.answer->audit = true;
      return p;
    }
    tenant_rps = info.state.limits.api_rps;
    tenant_status = info.state.status;
  }
  if (!RoleAllows(who.role, route.category)) {
    p.answer = Problem(403, "forbidden", "Forbidden",
                       std::string(RoleName(who.role)) + " may not use " + std::string(CategoryName(route.category)) +
                           " routes");
    return p;
  }
  // An extension's key does only what its manifest declared (least privilege), and only while the
  // tenant has every module it requires (extension_support.hpp).
  if (who.role == Role::kExtension) {
    if (auto refused = GrantRefusal(who, route, p.tenant ? &p.tenant->state : nullptr)) {
      p.answer = Problem(403, "forbidden", "Forbidden", *refused);
      return p;
    }
  }
  // Authorization first, then existence: a tenant that does not exist is 404 on every route, for every
  // role its scope covers (a partner-bound key already got 404 above, as for another partner's tenant).
  if (route.scope == Scope::kTenant && p.tenant && !p.tenant->exists()) {
    p.answer = NotFound("tenant '" + tenant_scope + "' does not exist");
    return p;
  }

  // Rate: the tenant's api_rps, for the partners' and tenants' own keys (the platform operator's
  // maintenance and seeding are not throttled by a tenant's plan), and within it each key's share
  // (kKeySharePercent), so that one key — an analyst's dashboard gone wild — cannot take the tenant's
  // whole budget. Every answer says where the caller stands (RateLimit-* headers).
  if (ctx.rate_limits && !tenant_scope.empty() && who.role != Role::kPlatformOwner && tenant_rps > 0) {
    const std::int64_t key_rps = std::max<std::int64_t>(1, tenant_rps * kKeySharePercent / 100);
    std::int64_t key_left = 0, tenant_left = 0;
    const std::int64_t key_wait = ctx.limiter.Take("key:" + who.key_id + "@" + tenant_scope, key_rps, now, &key_left);
    const std::int64_t tenant_wait = key_wait > 0 ? 0 : ctx.limiter.Take(tenant_scope, tenant_rps, now, &tenant_left);
    const std::int64_t wait_ms = std::max(key_wait, tenant_wait);
    p.rate_headers = {{"RateLimit-Limit", std::to_string(key_rps)},
                      {"RateLimit-Remaining", std::to_string(wait_ms > 0 ? 0 : std::min(key_left, tenant_left))},
                      {"RateLimit-Reset", std::to_string(wait_ms > 0 ? (wait_ms + 999) / 1000 : 1)},
                      {"RateLimit-Policy", std::to_string(key_rps) + ";w=1;comment=\"per key; the tenant " +
                                               std::to_string(tenant_rps) + "/s across its keys\""}};
    if (wait_ms > 0) {
      Response r = Problem(429, "rate_limited", "Too many requests",
                           key_wait > 0 ? "this key may send " + std::to_string(key_rps) + " of the " + std::to_string(tenant_rps) +
                                              " requests per second of tenant '" + tenant_scope + "'"
                                        : "tenant '" + tenant_scope + "' is limited to " + std::to_string(tenant_rps) +
                                              " requests per second across its keys");
      r.headers.emplace_back("Retry-After", std::to_string((wait_ms + 999) / 1000));
      p.answer = std::move(r);
      return p;
    }
  }

  // The lifecycle table (domain/lifecycle.hpp): what the tenant's state admits, for every route.
  if (!tenant_scope.empty()) {
    if (auto refused = domain::lifecycle::TenantAdmits(tenant_status, RouteActivity(route))) {
      Response r = Unprocessable(domain::RejectionCodeName(refused->code), refused->message);
      if (route.command && !req.Header("idempotency-key").empty()) {
        p.lifecycle_refusal = std::move(r);
      } else {
        p.answer = std::move(r);
        return p;
      }
    }
  }

  p.meta.principal = who.Name();
  p.meta.correlation_id = req.Header("x-request-id").substr(0, 128);
  p.meta.causation_id = "http:" + p.route_id;
  if (route.command) {
    // An Idempotency-Key header that is there but empty is a client's mistake, not "no key".
    if (req.headers.contains("idempotency-key") && req.Header("idempotency-key").empty()) {
      p.answer = Problem(400, "invalid_idempotency_key", "Invalid Idempotency-Key",
                         "an Idempotency-Key is 1 to 255 visible ASCII characters; leave the header out for none");
      return p;
    }
    if (auto if_match = req.Header("if-match"); !if_match.empty()) {
      auto v = ParseIfMatch(if_match);
      if (!v) {
        p.answer = Problem(400, "invalid_if_match", "Invalid If-Match", "If-Match must be a version number, e.g. \"3\"");
        return p;
      }
      p.meta.expected_version = *v;
    }
  }
  return p;
}

Response Api::HandleAs(const Request& req, const Principal& given, actors::Client& client) {
  const auto started = std::chrono::steady_clock::now();
  ApiContext& ctx = *ctx_;
  const std::int64_t now = ctx.clock.NowMs();  // business time, for the command
  const std::int64_t wall = ctx.WallNowMs();   // rate limits, retention, caches
  Prepared p = Prepare(req, given, &client, wall);
  auto finish = [&](Response r) {
    for (const auto& h : p.rate_headers) r.headers.push_back(h);
    if (const std::string id = req.Header("x-request-id"); !id.empty()) StampRequestId(r, id);  // before the log counts bytes
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ctx.metrics.Request(p.route_id, r.status, seconds);
    if (ShouldAudit(req, r)) Audit(ctx, req, p.who, p.route_id, r, wall);
    if (ctx.request_log) ctx.request_log->Write(req, req.body.size(), p.who, p.route_id, r, seconds);
    return r;
  };
  if (p.answer) return finish(std::move(*p.answer));
  const Route& route = *p.match->route;

  const auto& handlers = Handlers();
  auto handler = handlers.find(route.id);
  if (handler == handlers.end()) return finish(Problem(501, "not_implemented", "Not implemented", p.route_id));

  // Idempotency-Key: a retry gets the first response; another request under the same key is refused.
  std::string slot, fingerprint;
  if (route.command) {
    if (auto key = req.Header("idempotency-key"); !key.empty()) {
      if (!ValidIdempotencyKey(key))
        return finish(Problem(400, "invalid_idempotency_key", "Invalid Idempotency-Key",
                              "an Idempotency-Key is 1 to 255 visible ASCII characters"));
      slot = p.who.key_id + '\0' + key;
      fingerprint = CommandFingerprint(req, p.who.key_id);
      auto seen = ctx.idempotency.Begin(slot, fingerprint, wall);
      switch (seen.verdict) {
        case IdempotencyCache::Verdict::kReplay: return finish(std::move(seen.response));
        case IdempotencyCache::Verdict::kMismatch:
          return finish(Problem(409, "idempotency_key_reused", "Idempotency-Key reused",
                                "this Idempotency-Key was first used for a different request"));
        case IdempotencyCache::Verdict::kInProgress:
          return finish(Problem(409, "request_in_progress", "Request in progress",
                                "a request with this Idempotency-Key is still being processed; retry later"));
        case IdempotencyCache::Verdict::kNew: break;
      }
      p.meta.idempotency_key = "http:" + p.who.key_id + ":" + key;
      p.meta.fingerprint = fingerprint;  // the store checks it too: 409 even if this answer is never stored
    }
  }
  if (p.lifecycle_refusal) {
    if (!slot.empty()) ctx.idempotency.Finish(slot, fingerprint, *p.lifecycle_refusal, wall);
    return finish(std::move(*p.lifecycle_refusal));
  }

  Call call{ctx, &client, req, *p.match, p.who, std::move(p.body), std::move(p.meta), now, std::move(p.tenant)};
  Response response;
  try {
    response = handler->second(call);
  } catch (...) {
    response = Problem(500, "internal", "Internal error", "the request could not be handled");
  }
  if (!slot.empty()) {
    // The key belongs to an earlier command (the store said so): this answer is not the key's to keep.
    if (!response.keep_for_key)
      ctx.idempotency.Abandon(slot);
    else if (response.stored_body) {
      Response kept = response;
      kept.body = *kept.stored_body;
      kept.stored_body.reset();
      ctx.idempotency.Finish(slot, fingerprint, kept, wall);
    } else {
      ctx.idempotency.Finish(slot, fingerprint, response, wall);
    }
  }
  response.stored_body.reset();
  return finish(std::move(response));
}

bool Api::TryHandleAsync(const Request& req, std::function<void(Response)> done, Offload offload) {
  // Only routes with an asynchronous form, and never with an Idempotency-Key (its lookup reads the store).
  auto matched = Match(req.method, req.target);
  if (!matched) return false;
  const auto& async = AsyncRoutes();
  auto entry = async.find(matched->route->id);
  if (entry == async.end() || !req.Header("idempotency-key").empty()) return false;
  // A state in the past is folded from the store: the synchronous path (a worker thread) reads it.
  if (entry->second.read && matched->query.contains("as_of")) return false;

  const auto started = std::chrono::steady_clock::now();
  ApiContext& ctx = *ctx_;
  const std::int64_t now = ctx.clock.NowMs();
  auto prepared = std::make_shared<Prepared>(Prepare(req, Principal{}, nullptr, ctx.WallNowMs()));
  if (prepared->needs_pool) return false;
  // What the request log needs of the request, without its body (only when there is a log).
  std::shared_ptr<const Request> logged;
  if (ctx.request_log) logged = std::make_shared<const Request>(Request{req.method, req.target, req.headers, {}, req.source, req.admin});
  // ... and what the audit needs of it (only its line: a refusal is rare, the copy is not).
  const Request audited{req.method, req.target, {{"x-request-id", req.Header("x-request-id")}}, {}, req.source, req.admin};
  auto finish = [&ctx, started, route = prepared->route_id, done, logged, audited, bytes_in = req.body.size(),
                 prepared](Response r) {
    for (const auto& h : prepared->rate_headers) r.headers.push_back(h);
    if (!audited.Header("x-request-id").empty()) StampRequestId(r, audited.Header("x-request-id"));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ctx.metrics.Request(route, r.status, seconds);
    if (ShouldAudit(audited, r)) Audit(ctx, audited, prepared->who, route, r, ctx.WallNowMs());
    if (logged) ctx.request_log->Write(*logged, bytes_in, prepared->who, route, r, seconds);
    done(std::move(r));
  };
  if (prepared->answer) {
    finish(std::move(*prepared->answer));
    return true;
  }
  Call call{ctx, nullptr, req, *prepared->match, prepared->who, std::move(prepared->body), prepared->meta, now,
            prepared->tenant};
  const AsyncRoute route = entry->second;
  try {
    if (route.read) {
      const actors::EntityKey key = route.read(call);
      if (!ValidKey(key)) {  // no entity can have that id
        finish(NotFound(std::string(actors::KindName(key.kind)) + " '" + key.id + "' does not exist"));
        return true;
      }
      ctx.runtime.GetAsync(key, [finish, key, empty_is_404 = route.empty_is_404, metrics = &ctx.metrics,
                                 offload = std::move(offload)](std::optional<actors::Snapshot> s) {
        try {
          if (!s) return finish(Problem(503, "unavailable", "The service is unavailable", "the entity did not answer"));
          if (s->version == 0 && empty_is_404)
            return finish(NotFound(std::string(actors::KindName(key.kind)) + " '" + key.id + "' does not exist"));
          // The snapshot shares the entity's state, so it may travel; a large one is rendered elsewhere.
          // While it is held, a command to the entity copies the state first (see entity_actor.cpp).
          const std::size_t elements = std::visit([](const auto& st) { return json::Elements(st); }, *s->state);
          if (offload && elements >= kOffloadElements) {
            metrics->ReadOffloaded();
            return offload([finish, key, snap = std::move(*s)] {
              Response r;
              try {
                r = StateResponse(key, snap);
              } catch (...) {
                r = Problem(500, "internal", "Internal error", "the request could not be handled");
              }
              finish(std::move(r));  // once, outside the try: an answer is never sent twice
            });
          }
          finish(StateResponse(key, *s));
        } catch (...) {
          finish(Problem(500, "internal", "Internal error", "the request could not be handled"));
        }
      });
      return true;
    }
    auto built = route.build(call);
    if (!built) {
      finish(std::move(built.error()));
      return true;
    }
    const actors::EntityKey key = built->key;
    const int status = built->status;
    if (!ValidKey(key)) {
      finish(NotFound(std::string(actors::KindName(key.kind)) + " '" + key.id + "' does not exist"));
      return true;
    }
    ctx.runtime.ExecuteAsync(key, std::move(built->command), call.meta,
                             [&ctx, finish, key, status, route_id = prepared->route_id](actors::Reply reply) {
                               try {
                                 finish(RenderReply(ctx, route_id, key, reply, status));
                               } catch (...) {
                                 finish(Problem(500, "internal", "Internal error", "the request could not be handled"));
                               }
                             });
  } catch (const std::exception&) {
    finish(Problem(500, "internal", "Internal error", "the request could not be handled"));
  }
  return true;
}

}  // namespace keel::gateway
