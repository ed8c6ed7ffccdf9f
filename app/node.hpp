// A whole Keel node in one object: the event store on its data directory, the actor runtime, the
// process managers (fulfilment, returns, replenishment, exception routing), the billing cycle on a
// timer, the API and the HTTP/WebSocket server. `keel serve` runs one; end-to-end tests and the
// gateway benchmark start one in-process on 127.0.0.1.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/clock.hpp"
#include "actors/runtime.hpp"
#include "eventstore/store.hpp"
#include "gateway/api.hpp"
#include "gateway/request_log.hpp"
#include "gateway/server.hpp"

namespace keel::app {

struct NodeOptions {
  std::string data_dir = "./data";
  std::string config_dir;  // plans.json + templates/; "" = the repository's config/data
  gateway::ServerOptions server;
  actors::RuntimeConfig runtime;
  bool rate_limits = true;
  // Business time (commands' `at`, billing periods, dunning, renewals); nullptr: the system clock.
  const actors::Clock* clock = nullptr;
  // The wall clock (DESIGN.md §4): rate limits, Idempotency-Key and audit retention, the store's key
  // retention, caches. nullptr: the system clock.
  const actors::Clock* wall_clock = nullptr;
  // `keel serve --clock simulated`: business time the platform owner moves (POST
  // /v1/admin/clock/advance); also `clock`. Started no earlier than the newest event in the log, so
  // business time never runs backwards across a restart. nullptr: the admin clock routes answer 404.
  actors::SimulatedClock* simulated_clock = nullptr;
  // The housekeeping tick: closes billing periods and purges expired Idempotency-Key responses.
  std::chrono::milliseconds billing_interval{60'000};  // 0: no timer (POST /v1/billing/period-close only)
  std::string bootstrap_key;  // KEEL_BOOTSTRAP_KEY
  // The master key (master_key.hpp): its 32 bytes, or "" to take KEEL_MASTER_KEY or the file
  // `master_key_file` ("" = `<data_dir>.master-key`), created on first start.
  std::string master_key;
  std::string master_key_file;
  // The operators' request log (gateway/request_log.hpp): one line per request; unset: none.
  std::optional<gateway::LogOptions> request_log;
  // Start with /readyz answering 503 'starting' until MarkReady() (keel serve --demo seeds first).
  bool defer_ready = false;
  // How long the gateway keeps stored Idempotency-Key answers and records of refused requests
  // (`keel serve --idempotency-retention-hours`, `--audit-retention-days`); ApiOptions' defaults.
  std::int64_t idempotency_retention_ms = gateway::ApiOptions{}.idempotency_retention_ms;
  std::int64_t audit_retention_ms = gateway::ApiOptions{}.audit_retention_ms;
  eventstore::Options store;  // durability, retention, the fault-injection Env seam (the clock is set from `clock`)
};

class Node {
 public:
  static std::expected<std::unique_ptr<Node>, std::string> Start(NodeOptions options);
  ~Node();  // Stop()
  void Stop();  // graceful: the server drains, then process managers, runtime and store close
  // /readyz says ready from now on (NodeOptions::defer_ready); support SLA breaches due by now are
  // recorded first (a start without defer_ready does so in Start).
  void MarkReady();

  std::uint16_t port() const;
  std::uint16_t admin_port() const;  // the admin listener (metrics, detailed readiness, /v1/admin/*)
  gateway::Api& api();
  eventstore::EventStore& store();
  actors::Runtime& runtime();
  const std::optional<std::string>& generated_key() const;  // a new platform-owner key, shown once
  // What starting found that an operator should read (KEEL_BOOTSTRAP_KEY ignored, a new master key
  // file): lines for stderr, never a secret.
  const std::vector<std::string>& notices() const;

  struct Impl;

 private:
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::app
