// What a route handler gets (the context of one authorized request) and the helpers every handler
// uses: parse the body into a command, load an aggregate, run a command and render its outcome or
// its failure as problem+json. Handlers run on the gateway's worker threads with a synchronous
// actors::Client: they may wait for actors; io threads and CAF workers never do. Routes whose command
// needs nothing but the request (and reads of one aggregate) also register an asynchronous form —
// a Builder, or the key to read — that the io thread runs without waiting (see Api::TryHandleAsync).
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "actors/billing_cycle.hpp"
#include "actors/rollouts.hpp"
#include "actors/support_sla.hpp"
#include "domain/analytics.hpp"
#include "actors/clock.hpp"
#include "actors/runtime.hpp"
#include "audit_trail.hpp"
#include "config/loader.hpp"
#include "gateway/access.hpp"
#include "gateway/http.hpp"
#include "gateway/request_log.hpp"
#include "gateway/router.hpp"
#include "idempotency.hpp"
#include "secret_box.hpp"
#include "json_fields.hpp"
#include "keys.hpp"
#include "metrics.hpp"
#include "problem.hpp"
#include "rate_limit.hpp"
#include "reference_data.hpp"

namespace keel::gateway {

struct ApiContext {
  ApiContext(eventstore::EventStore& s, actors::Runtime& r, const actors::Clock& c, const domain::ServiceCatalog& cat,
             const config::TemplateRegistry& t, KeyStore& k, Metrics& m, std::int64_t idempotency_retention_ms)
      : store(s), runtime(r), clock(c), catalog(cat), templates(t), keys(k), metrics(m),
        idempotency(s, idempotency_retention_ms), reference(s, cat, t), audit_trail(s) {}
  eventstore::EventStore& store;
  actors::Runtime& runtime;
  const actors::Clock& clock;
  const domain::ServiceCatalog& catalog;
  const config::TemplateRegistry& templates;
  KeyStore& keys;
  Metrics& metrics;
  IdempotencyCache idempotency;
  ReferenceData reference;  // tenant facts, price lists and catalogs for every command (reference_data.hpp)
  AuditTrail audit_trail;   // where refused requests and operators' acts are recorded (audit_trail.hpp)
  std::shared_ptr<RequestLog> request_log;  // the operators' request log; null: none
  projections::Projections* projections = nullptr;  // the read models of the list routes; null: 503
  domain::analytics::Rules analytics_rules;         // renewal-risk weights, stage thresholds (analytics.json)
  std::string dashboard_dir, chart_js;              // the dashboard's files (handlers_dashboard.cpp)
  RateLimiter limiter;
  bool rate_limits = true;
  std::int64_t audit_retention_ms = 0;
  std::function<actors::BillingTick(std::int64_t)> close_billing;  // unset: the route answers 503
  std::function<actors::RolloutTick()> advance_rollouts;           // unset: no rollouts run
  std::function<actors::SlaTick(std::int64_t)> sweep_sla;          // unset: no SLA sweep on clock moves
  SecretBox secrets;  // seals what the server reads again (extension configurations), under the master key
  const actors::Clock* wall = nullptr;            // rate limits, retention, caches; null: `clock`
  actors::SimulatedClock* simulated = nullptr;    // business time the admin clock routes move
  std::mutex clock_mu;                            // one advance (and its billing tick) at a time
  std::int64_t WallNowMs() const { return wall ? wall->NowMs() : clock.NowMs(); }
  std::string openapi;                                             // the OpenAPI document served as is
  std::atomic<bool> draining{false};                               // shutting down: /readyz says so
  std::atomic<bool> ready{true};  // false while the node still starts (seeding): /readyz says 'starting'
};

struct Call {
  ApiContext& ctx;
  actors::Client* client;  // the worker's client; null on the asynchronous path (builders must not use it)
  const Request& req;
  const RouteMatch& match;
  const Principal& who;
  json::Json body;  // the request body (an object; {} when empty)
  actors::CommandMeta meta;
  std::int64_t now = 0;
  // A tenant-scoped route's tenant as the pipeline read it for the lifecycle gate (current when the
  // request arrived; version 0 when it does not exist); null on other routes.
  TenantFactsRef tenant;
  const std::string& Param(const std::string& name) const { return match.params.at(name); }
};

using Handler = Response (*)(Call&);
using HandlerTable = std::map<std::string_view, Handler, std::less<>>;

// A command built from the request alone, ready to run.
struct Prepared {
  actors::EntityKey key;
  actors::AnyCommand command;
  int status = 200;
};
using Builder = std::expected<Prepared, Response> (*)(Call&);
using KeyOf = actors::EntityKey (*)(const Call&);
struct AsyncRoute {
  Builder build = nullptr;  // a command route
  KeyOf read = nullptr;     // a read of one aggregate
  bool empty_is_404 = true; // a read of an entity without events is 404 (catalog and billing: an empty state)
};
using AsyncTable = std::map<std::string_view, AsyncRoute, std::less<>>;

// Closes every billing period that ended by `now`: ticks the billing cycle (which closes at most two
// years of periods per tenant and tick) until a tick closes nothing more; the sum of the ticks.
actors::BillingTick CloseEndedPeriods(ApiContext& ctx, std::int64_t now);

void AddSystemHandlers(HandlerTable& t);
void AddAdminHandlers(HandlerTable& t);
void AddBackupHandlers(HandlerTable& t);
void AddRolloutHandlers(HandlerTable& t);
void AddPartnerHandlers(HandlerTable& t, AsyncTable& a);
void AddTenantHandlers(HandlerTable& t, AsyncTable& a);
void AddWarehouseHandlers(HandlerTable& t, AsyncTable& a);
void AddOrderHandlers(HandlerTable& t, AsyncTable& a);
void AddBillingHandlers(HandlerTable& t, AsyncTable& a);
void AddContractPriceHandlers(HandlerTable& t, AsyncTable& a);
void AddListHandlers(HandlerTable& t);
void AddInventoryHandlers(HandlerTable& t);
void AddInvoiceHandlers(HandlerTable& t);
void AddInboxHandlers(HandlerTable& t);
void AddTicketHandlers(HandlerTable& t);
void AddSupportAnalyticsHandlers(HandlerTable& t);
void AddAuditHandlers(HandlerTable& t);
void AddEntitlementHandlers(HandlerTable& t);
void AddProjectionHandlers(HandlerTable& t);
void AddAnalyticsHandlers(HandlerTable& t);
void AddAnalyticsTenantHandlers(HandlerTable& t);
void AddDashboardHandlers(HandlerTable& t);

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
// Whether an entity can have this key (its stream id is valid); BadId: 400 naming `field` if not.
bool ValidKey(const actors::EntityKey& key);
std::optional<Response> BadId(const actors::EntityKey& key, const std::string& field);
// The entity's state; 404 when it does not exist (or no entity can have that key).
std::expected<actors::Snapshot, Response> Load(Call& c, const actors::EntityKey& key);

// Reference data (reference_data.hpp), as handlers need it: the request's tenant (404 when it does
// not exist), its pinned template (503 configuration_missing when this server lacks it), and current
// partner and catalog snapshots (503 unavailable when they cannot be read).
std::expected<TenantFactsRef, Response> TenantOf(Call& c);
std::expected<const domain::SegmentTemplate*, Response> TemplateOf(const TenantFacts& tenant);
// 422 version_not_released when `version` of the template is under an unfinished rollout or was
// rolled back (domain::rollout::Released): a tenant reaches it through the rollout only
// (handlers_rollouts.cpp). nullopt otherwise.
std::optional<Response> Unreleased(Call& c, const std::string& template_id, int version);
std::expected<actors::Snapshot, Response> PartnerOf(Call& c, const std::string& partner);
std::expected<actors::Snapshot, Response> CatalogOf(Call& c);

// Runs the command with the call's metadata and renders the reply (`status` on success).
Response Run(Call& c, const actors::EntityKey& key, actors::AnyCommand command, int status = 200);
// The answer to a command's reply (counted in the metrics under `route`).
Response RenderReply(ApiContext& ctx, std::string_view route, const actors::EntityKey& key, const actors::Reply& reply,
                     int status);

// The common command: the body is command T (client fields only), stamped with the clock's time and
// run on the entity `Key` names as the aggregate's command variant `Aggregate`.
template <class Aggregate, class T, KeyOf Key>
std::expected<Prepared, Response> BuildCommand(Call& c) {
  auto cmd = ParseBody<T>(c);
  if (!cmd) return std::unexpected(cmd.error());
  cmd->at = c.now;
  return Prepared{Key(c), Aggregate(std::move(*cmd)), 200};
}
// The synchronous handler of a built command.
template <Builder B>
Response RunBuilt(Call& c) {
  auto p = B(c);
  if (!p) return p.error();
  return Run(c, p->key, std::move(p->command), p->status);
}
// Registers a command route served both ways: by the worker pool and asynchronously.
inline void Both(HandlerTable& t, AsyncTable& a, std::string_view id, Handler sync, Builder build) {
  t[id] = sync;
  a[id].build = build;
}
template <class Aggregate, class T, KeyOf Key>
void Simple(HandlerTable& t, AsyncTable& a, std::string_view id) {
  constexpr Builder build = BuildCommand<Aggregate, T, Key>;
  Both(t, a, id, RunBuilt<build>, build);
}
// The reply of a command as JSON (entity, version, log position, events).
json::Json OutcomeJson(const actors::EntityKey& key, const actors::Outcome& o);
Response StateResponse(const actors::EntityKey& key, const actors::Snapshot& s);
// `GET …?as_of=<position|time>` of an entity (actors/as_of.hpp): its state then, folded from its
// events in the store, with `as_of` saying the position and time of the last event folded. nullopt
// when the request has no as_of (the caller answers the current state); a bad value is 400 naming it,
// a position past the head 400, an entity without events by then 404 (catalog and billing: their
// empty state, as now).
std::optional<Response> AsOfState(Call& c, const actors::EntityKey& key);

}  // namespace keel::gateway
