// The HTTP API as a function: Request in, Response out, with a synchronous actors::Client for the
// calling thread. Routing, authentication, access control, rate limits, idempotency keys, If-Match,
// body validation and every route's handler live behind it; sockets do not (see server.hpp). Call it
// from a worker thread, never from an io thread or a CAF worker.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "actors/billing_cycle.hpp"
#include "actors/clock.hpp"
#include "actors/rollouts.hpp"
#include "actors/support_sla.hpp"
#include "actors/runtime.hpp"
#include "config/loader.hpp"
#include "domain/analytics.hpp"
#include "eventstore/store.hpp"
#include "gateway/access.hpp"
#include "projections/projections.hpp"
#include "gateway/http.hpp"

namespace keel::gateway {

class RequestLog;

struct ApiOptions {
  bool rate_limits = true;  // per-tenant token buckets at the tenant's api_rps
  std::int64_t idempotency_retention_ms = 24LL * 3600 * 1000;
  std::int64_t audit_retention_ms = 90LL * 24 * 3600 * 1000;  // records of refused requests
  std::function<actors::BillingTick(std::int64_t now_ms)> close_billing;  // POST /v1/billing/period-close
  // Passes template-rollout waves whose soak time is over (actors/rollouts.hpp); called after a
  // simulated clock move. Unset: the clock answer says nothing of rollouts.
  std::function<actors::RolloutTick()> advance_rollouts;
  // Records support SLA breaches due by business time `now_ms` (actors/support_sla.hpp); called after
  // a simulated clock move. Unset: the clock answer says nothing of support.
  std::function<actors::SlaTick(std::int64_t now_ms)> sweep_sla;
  // The two clocks (DESIGN.md §4): the Api's `clock` is business time (commands' `at`, billing);
  // `wall_clock` times rate limits, Idempotency-Key and audit retention and caches (nullptr: `clock`).
  const actors::Clock* wall_clock = nullptr;
  // When business time is simulated (`keel serve --clock simulated`): the clock the platform owner
  // moves with POST /v1/admin/clock/advance. nullptr: the admin clock routes answer 404.
  actors::SimulatedClock* simulated_clock = nullptr;
  // The node's master key (DESIGN.md §4, secrets; at least 32 bytes): API keys are stored as HMACs
  // under a key derived from it. Start refuses to run without one, or with another than the one the
  // data directory's keys were made under.
  std::string master_key;
  // The operators' request log (request_log.hpp); null: none.
  std::shared_ptr<RequestLog> request_log;
  // The node's read models (projections/projections.hpp) for the list routes; null: they answer 503.
  projections::Projections* projections = nullptr;
  // Renewal-risk weights and scales, lifecycle stage thresholds (config/data/analytics.json).
  domain::analytics::Rules analytics_rules;
  // The dashboard's static files (GET /dashboard): the repository's gateway/dashboard, and Chart.js
  // from Debian's libjs-chart.js.
  std::string dashboard_dir = KEEL_DASHBOARD_DIR;
  std::string chart_js = "/usr/share/javascript/chart.js/chart.min.js";
};

// Why a KEEL_BOOTSTRAP_KEY is too weak to guard the platform ("" when it is fine): 24..256 printable
// ASCII characters without spaces, at least 10 of them distinct. `keel serve` refuses a weak one (exit 2).
std::string WeakBootstrapKey(const std::string& token);

// What starting the API found about its keys (Api::Start).
struct KeysReport {
  std::optional<std::string> generated_token;  // a new platform-owner key (no active one existed): print it once
  std::string notice;                          // something the operator should know ("" when nothing)
};

class Metrics;
class KeyStore;
struct ApiContext;

class Api {
 public:
  Api(eventstore::EventStore& store, actors::Runtime& runtime, const actors::Clock& clock,
      const domain::ServiceCatalog& catalog, const config::TemplateRegistry& templates, ApiOptions options = {});
  ~Api();

  // Loads the stored API keys; creates the platform owner's first key when there is none (from
  // `bootstrap_token` when given, else a random one, returned so the caller can print it once).
  // KEEL_BOOTSTRAP_KEY (`bootstrap_token`) is imported once: into a data directory that never had a
  // platform-owner key. Later it is left alone (a revoked one stays revoked) and the report says so.
  std::expected<KeysReport, std::string> Start(const std::string& bootstrap_token);

  Response Handle(const Request& request, actors::Client& client);
  // Answers without waiting when it can: routing, authentication, parsing and access run on the calling
  // thread (an io thread), then one asynchronous actor call whose completion renders the answer and
  // calls `done` on a CAF worker. Returns false, having done nothing, when the request needs the worker
  // pool: routes whose handler reads other aggregates, an Idempotency-Key (a store read), a tenant
  // not yet cached. `offload`, when given, runs a job on another thread (the worker pool): a read of a
  // large state (`kOffloadElements` or more entries) is rendered there instead of on the CAF worker,
  // which would otherwise hold up every actor it runs for the whole rendering.
  using Offload = std::function<void(std::function<void()>)>;
  static constexpr std::size_t kOffloadElements = 1000;
  bool TryHandleAsync(const Request& request, std::function<void(Response)> done, Offload offload = {});
  // The same for a caller already authenticated (a WebSocket session's principal).
  Response HandleAs(const Request& request, const Principal& who, actors::Client& client);
  std::optional<Principal> Authenticate(const Request& request) const;
  // Whether the key with this public id exists and is not revoked (long-lived connections re-check).
  bool KeyActive(const std::string& key_id) const;
  // Grows whenever a key stops working (revoked, or its expiry passed): lets the feed hub look a key
  // up again only when one did.
  std::uint64_t KeyRevocations() const;
  // Writes the request log's line of an answer the pipeline did not make (a CORS preflight, an
  // overload or drain refusal), under `route`.
  void LogAnswer(const Request& request, std::string_view route, const Response& response,
                 const Principal& who = {}) const;
  // Keeps a refusal the pipeline did not see in the audit: a WebSocket upgrade without a valid key
  // (no principal), or an open WebSocket whose key was revoked or expired meanwhile (its principal).
  void AuditRefused(const Request& request, int status, const Principal& who = {});

  // A key whose token the operator chose (demo keys, KEEL_BOOTSTRAP_KEY); kept if it exists.
  std::expected<void, std::string> ImportKey(const std::string& token, Role role, const std::string& name,
                                             const std::string& partner = {}, const std::string& tenant = {});
  void SetDraining(bool draining);
  // Whether the node can serve what a client will ask next (seeding done, process managers running):
  // until then /readyz answers 503 'starting'.
  void SetReady(bool ready);
  // Housekeeping: deletes stored Idempotency-Key responses whose retention ended (at most `limit` per
  // call, oldest first); returns how many. Run it periodically off the io threads (keel serve does,
  // with the billing tick).
  std::expected<std::size_t, std::string> PurgeExpiredIdempotency(std::int64_t now_ms, std::size_t limit = 10'000);
  // The same for the audit of refused requests (read model "audit"): records older than
  // `audit_retention_ms`, oldest first, at most `limit` per call; returns how many.
  std::expected<std::size_t, std::string> PurgeExpiredAudit(std::int64_t now_ms, std::size_t limit = 10'000);
  Metrics& metrics();
  KeyStore& keys();
  const actors::Clock& clock() const;  // business time
  std::int64_t WallNowMs() const;     // the wall clock (ApiOptions::wall_clock)

 private:
  struct Prepared;
  Prepared Prepare(const Request& req, const Principal& given, actors::Client* client, std::int64_t now);
  std::unique_ptr<ApiContext> ctx_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<KeyStore> keys_;
};

}  // namespace keel::gateway
