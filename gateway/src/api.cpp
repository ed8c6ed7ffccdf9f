// The request pipeline (see api.hpp): route → authenticate → parse → scope and role → rate limit →
// If-Match → Idempotency-Key → handler → metrics. Every refusal is problem+json; denied attempts are
// counted and audited (read model "audit", one record per refusal).
#include "gateway/api.hpp"

#include <chrono>
#include <cstdio>

#include "call.hpp"
#include "openapi_document.hpp"

namespace keel::gateway {
namespace {

constexpr std::size_t kMaxDepth = 32;

const HandlerTable& Handlers() {
  static const HandlerTable table = [] {
    HandlerTable t;
    AddSystemHandlers(t);
    AddPartnerHandlers(t);
    AddTenantHandlers(t);
    AddWarehouseHandlers(t);
    AddOrderHandlers(t);
    AddBillingHandlers(t);
    return t;
  }();
  return table;
}

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

void Audit(ApiContext& ctx, const Request& req, const std::string& who, int status, std::int64_t now) {
  static std::atomic<std::uint64_t> seq{0};
  char key[48];
  std::snprintf(key, sizeof key, "%020lld-%010llu", static_cast<long long>(now),
                static_cast<unsigned long long>(seq.fetch_add(1)));
  json::Json rec{{"at", now}, {"who", who}, {"method", req.method}, {"target", req.target.substr(0, 512)},
                 {"status", status}};
  eventstore::ReadModelBatch batch;
  batch.model = "audit";
  batch.puts.emplace_back(key, rec.dump(-1, ' ', false, json::Json::error_handler_t::replace));
  ctx.store.CommitReadModelAsync(std::move(batch), [](auto) {});
  ctx.metrics.Denied();
}

std::optional<TenantInfo> Tenant(ApiContext& ctx, actors::Client& client, const std::string& tenant, std::int64_t now) {
  {
    std::lock_guard lock(ctx.tenants_mu);
    auto it = ctx.tenants.find(tenant);
    if (it != ctx.tenants.end() && it->second.exists && now - it->second.fetched_at < 5000) return it->second;
  }
  auto snap = client.Get(actors::TenantKey(tenant));
  if (!snap) return std::nullopt;
  TenantInfo info;
  info.fetched_at = now;
  if (snap->version > 0) {
    const auto& st = std::get<domain::tenant::State>(snap->state);
    info.exists = true;
    info.partner = st.partner;
    info.api_rps = st.limits.api_rps;
  }
  std::lock_guard lock(ctx.tenants_mu);
  if (info.exists) ctx.tenants[tenant] = info;
  return info;
}

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
  keys_ = std::make_unique<KeyStore>(store);
  ctx_ = std::make_unique<ApiContext>(store, runtime, clock, catalog, templates, *keys_, *metrics_);
  ctx_->rate_limits = options.rate_limits;
  ctx_->close_billing = std::move(options.close_billing);
  ctx_->openapi = std::string(OpenApiDocument());
}

Api::~Api() = default;

std::expected<std::optional<std::string>, std::string> Api::Start(const std::string& bootstrap_token) {
  if (auto loaded = keys_->Load(); !loaded) return std::unexpected(loaded.error());
  const auto now = ctx_->clock.NowMs();
  if (!bootstrap_token.empty()) {
    auto imported = keys_->Import(bootstrap_token, Role::kPlatformOwner, "bootstrap", now);
    if (!imported) return std::unexpected("KEEL_BOOTSTRAP_KEY: " + imported.error());
    return std::optional<std::string>{};
  }
  if (keys_->AnyPlatformOwner()) return std::optional<std::string>{};
  auto issued = keys_->Create(Role::kPlatformOwner, "", "", "bootstrap", now);
  if (!issued) return std::unexpected(issued.error());
  return std::optional<std::string>{issued->token};
}

std::expected<void, std::string> Api::ImportKey(const std::string& token, Role role, const std::string& name,
                                               const std::string& partner, const std::string& tenant) {
  auto r = keys_->Import(token, role, name, ctx_->clock.NowMs(), partner, tenant);
  if (!r) return std::unexpected(r.error());
  return {};
}

void Api::SetDraining(bool draining) { ctx_->draining = draining; }
Metrics& Api::metrics() { return *metrics_; }
KeyStore& Api::keys() { return *keys_; }
const actors::Clock& Api::clock() const { return ctx_->clock; }

std::optional<Principal> Api::Authenticate(const Request& request) const { return keys_->Verify(BearerToken(request)); }

Response Api::Handle(const Request& request, actors::Client& client) { return HandleAs(request, Principal{}, client); }

Response Api::HandleAs(const Request& req, const Principal& given, actors::Client& client) {
  const auto started = std::chrono::steady_clock::now();
  ApiContext& ctx = *ctx_;
  const std::int64_t now = ctx.clock.NowMs();
  std::string route_id = "unmatched";
  auto finish = [&](Response r) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ctx.metrics.Request(route_id, r.status, seconds);
    return r;
  };

  auto matched = Match(req.method, req.target);
  if (!matched) {
    if (matched.error().status == 405) {
      std::string allow;
      for (const auto& m : matched.error().allow) allow += (allow.empty() ? "" : ", ") + m;
      Response r = Problem(405, "method_not_allowed", "Method not allowed", req.method + " is not served here; allowed: " + allow);
      r.headers.emplace_back("Allow", allow);
      return finish(std::move(r));
    }
    return finish(NotFound("no route for " + req.method + " " + req.target.substr(0, req.target.find('?'))));
  }
  const RouteMatch& match = *matched;
  const Route& route = *match.route;
  route_id = std::string(route.id);

  // Authentication (a WebSocket session arrives authenticated).
  Principal who = given;
  if (route.category != Category::kPublic && who.key_id.empty()) {
    auto verified = Authenticate(req);
    if (!verified) {
      Audit(ctx, req, "anonymous", 401, now);
      Response r = Problem(401, "unauthorized", "Missing or invalid API key",
                           "send the key as 'Authorization: Bearer <key>'");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      return finish(std::move(r));
    }
    who = *verified;
  }

  // Body: JSON objects only, bounded in depth.
  json::Json body = json::Json::object();
  if (!req.body.empty()) {
    if (!IsJsonContentType(req.Header("content-type")))
      return finish(Problem(415, "unsupported_media_type", "Unsupported media type", "send the body as application/json"));
    if (json::NestingDepth(req.body) > kMaxDepth)
      return finish(Problem(400, "malformed_json", "Malformed JSON", "the body is nested deeper than 32 levels"));
    body = json::Json::parse(req.body, nullptr, false);
    if (body.is_discarded())
      return finish(Problem(400, "malformed_json", "Malformed JSON", "the body is not valid JSON (or not valid UTF-8)"));
    if (!body.is_object()) return finish(BadField({"", "expected a JSON object"}));
  } else if (route.command && !req.Header("content-type").empty() && !IsJsonContentType(req.Header("content-type"))) {
    return finish(Problem(415, "unsupported_media_type", "Unsupported media type", "send the body as application/json"));
  }

  // Scope: a resource outside the caller's scope does not exist for it.
  std::string tenant_scope;
  std::int64_t tenant_rps = 0;
  if (route.scope == Scope::kPartner) {
    if (!Sees(who, match.params.at("partner"), "")) {
      Audit(ctx, req, who.Name(), 404, now);
      return finish(NotFound("partner '" + match.params.at("partner") + "' does not exist"));
    }
  } else if (route.scope == Scope::kTenant) {
    tenant_scope = match.params.at("tenant");
    auto info = Tenant(ctx, client, tenant_scope, now);
    if (!info) return finish(Problem(503, "unavailable", "The service is unavailable", "the tenant did not answer"));
    if (!Sees(who, info->exists ? info->partner : "", tenant_scope) || (!info->exists && !who.partner.empty())) {
      Audit(ctx, req, who.Name(), 404, now);
      return finish(NotFound("tenant '" + tenant_scope + "' does not exist"));
    }
    tenant_rps = info->api_rps;
  }
  if (!RoleAllows(who.role, route.category)) {
    Audit(ctx, req, who.Name(), 403, now);
    return finish(Problem(403, "forbidden", "Forbidden",
                          std::string(RoleName(who.role)) + " may not perform " + std::string(CategoryName(route.category)) +
                              " operations"));
  }

  // Rate: the tenant's api_rps, for the partners' and tenants' own keys (the platform operator's
  // maintenance and seeding are not throttled by a tenant's plan).
  if (ctx.rate_limits && !tenant_scope.empty() && who.role != Role::kPlatformOwner) {
    if (auto wait_ms = ctx.limiter.Take(tenant_scope, tenant_rps, now); wait_ms > 0) {
      Response r = Problem(429, "rate_limited", "Too many requests",
                           "tenant '" + tenant_scope + "' is limited to " + std::to_string(tenant_rps) + " requests per second");
      r.headers.emplace_back("Retry-After", std::to_string((wait_ms + 999) / 1000));
      return finish(std::move(r));
    }
  }

  Call call{ctx, client, req, match, who, std::move(body), {}, now};
  call.meta.principal = who.Name();
  call.meta.correlation_id = req.Header("x-request-id").substr(0, 128);
  call.meta.causation_id = "http:" + route_id;
  if (route.command) {
    if (auto if_match = req.Header("if-match"); !if_match.empty()) {
      auto v = ParseIfMatch(if_match);
      if (!v) return finish(Problem(400, "invalid_if_match", "Invalid If-Match", "If-Match must be a version number, e.g. \"3\""));
      call.meta.expected_version = *v;
    }
  }

  const auto& handlers = Handlers();
  auto handler = handlers.find(route.id);
  if (handler == handlers.end()) return finish(Problem(501, "not_implemented", "Not implemented", route_id));

  // Idempotency-Key: a retry gets the first response; another request under the same key is refused.
  std::string slot, fingerprint;
  if (route.command) {
    if (auto key = req.Header("idempotency-key"); !key.empty()) {
      if (!ValidIdempotencyKey(key))
        return finish(Problem(400, "invalid_idempotency_key", "Invalid Idempotency-Key",
                              "an Idempotency-Key is 1 to 255 visible ASCII characters"));
      slot = who.key_id + '\0' + key;
      fingerprint = Sha256Hex(req.method + '\n' + req.target + '\n' + req.body);
      auto seen = ctx.idempotency.Begin(slot, fingerprint, now);
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
      call.meta.idempotency_key = "http:" + who.key_id + ":" + key;
    }
  }

  Response response;
  try {
    response = handler->second(call);
  } catch (const std::exception& e) {
    response = Problem(500, "internal", "Internal error", "the request could not be handled");
  }
  if (!slot.empty()) ctx.idempotency.Finish(slot, fingerprint, response, now);
  return finish(std::move(response));
}

}  // namespace keel::gateway
