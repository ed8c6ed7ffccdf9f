// What a route handler gets (the context of one authorized request) and the helpers every handler
// uses: parse the body into a command, load an aggregate, run a command and render its outcome or
// its failure as problem+json. Handlers run on the gateway's worker threads with a synchronous
// actors::Client: they may wait for actors; io threads and CAF workers never do.
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "actors/billing_cycle.hpp"
#include "actors/clock.hpp"
#include "actors/runtime.hpp"
#include "config/loader.hpp"
#include "gateway/access.hpp"
#include "gateway/http.hpp"
#include "gateway/router.hpp"
#include "idempotency.hpp"
#include "json_fields.hpp"
#include "keys.hpp"
#include "metrics.hpp"
#include "problem.hpp"
#include "rate_limit.hpp"

namespace keel::gateway {

// What the gateway knows of a tenant for access control and rate limiting (cached briefly).
struct TenantInfo {
  bool exists = false;
  std::string partner;
  std::int64_t api_rps = 0;
  std::int64_t fetched_at = 0;
};

struct ApiContext {
  ApiContext(eventstore::EventStore& s, actors::Runtime& r, const actors::Clock& c, const domain::ServiceCatalog& cat,
             const config::TemplateRegistry& t, KeyStore& k, Metrics& m)
      : store(s), runtime(r), clock(c), catalog(cat), templates(t), keys(k), metrics(m),
        idempotency(s, 24LL * 3600 * 1000) {}
  eventstore::EventStore& store;
  actors::Runtime& runtime;
  const actors::Clock& clock;
  const domain::ServiceCatalog& catalog;
  const config::TemplateRegistry& templates;
  KeyStore& keys;
  Metrics& metrics;
  IdempotencyCache idempotency;
  RateLimiter limiter;
  bool rate_limits = true;
  std::function<actors::BillingTick(std::int64_t)> close_billing;  // unset: the route answers 503
  std::string openapi;                                             // the OpenAPI document served as is
  std::atomic<bool> draining{false};                               // shutting down: /readyz says so

  std::mutex tenants_mu;
  std::unordered_map<std::string, TenantInfo> tenants;
};

struct Call {
  ApiContext& ctx;
  actors::Client& client;
  const Request& req;
  const RouteMatch& match;
  const Principal& who;
  json::Json body;  // the request body (an object; {} when empty)
  actors::CommandMeta meta;
  std::int64_t now = 0;
  const std::string& Param(const std::string& name) const { return match.params.at(name); }
};

using Handler = Response (*)(Call&);
using HandlerTable = std::map<std::string_view, Handler, std::less<>>;
void AddSystemHandlers(HandlerTable& t);
void AddPartnerHandlers(HandlerTable& t);
void AddTenantHandlers(HandlerTable& t);
void AddWarehouseHandlers(HandlerTable& t);
void AddOrderHandlers(HandlerTable& t);
void AddBillingHandlers(HandlerTable& t);

// -- helpers (call.cpp) --
Response BadField(const json::FieldError& e);
Response NotFound(std::string detail);
Response Unprocessable(std::string_view type, std::string detail);
Response FailureResponse(const actors::Failure& f);
Response JsonResponse(int status, const json::Json& body);

// Puts a path parameter into the body under `field` (the body may repeat it, but not contradict it).
std::expected<void, Response> FromPath(Call& c, const std::string& param, const std::string& field);

template <class T>
std::expected<T, Response> ParseBody(Call& c) {
  T value{};
  if (auto err = json::FromJson(c.body, value, "")) return std::unexpected(BadField(*err));
  return value;
}

// The current state of an entity; 404 when it has no events.
std::expected<actors::Snapshot, Response> Load(Call& c, const actors::EntityKey& key);
template <class S>
std::expected<S, Response> LoadState(Call& c, const actors::EntityKey& key) {
  auto snap = Load(c, key);
  if (!snap) return std::unexpected(snap.error());
  return std::get<S>(std::move(snap->state));
}

// Runs the command with the call's metadata and renders the reply (`status` on success).
Response Run(Call& c, const actors::EntityKey& key, actors::AnyCommand command, int status = 200);

// The common handler: the body is command T (client fields only), stamped with the clock's time and
// run on `key` as the aggregate's command variant `Aggregate`.
template <class Aggregate, class T>
Response ParseAndRun(Call& c, const actors::EntityKey& key) {
  auto cmd = ParseBody<T>(c);
  if (!cmd) return cmd.error();
  cmd->at = c.now;
  return Run(c, key, Aggregate(std::move(*cmd)));
}
// The reply of a command as JSON (entity, version, log position, events).
json::Json OutcomeJson(const actors::EntityKey& key, const actors::Outcome& o);
Response StateResponse(const actors::EntityKey& key, const actors::Snapshot& s);

// The tenant's segment template (pinned version) and its plan, for commands that need them.
const domain::SegmentTemplate* TemplateOf(const ApiContext& ctx, const domain::tenant::State& t);

}  // namespace keel::gateway
