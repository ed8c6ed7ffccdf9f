// An in-process Keel node for gateway tests: a real data directory, real actors, the real server on
// a free 127.0.0.1 port, a simulated clock, and helpers to send requests over real sockets.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "actors/clock.hpp"
#include "node.hpp"
#include "openapi_check.hpp"
#include "raw_http.hpp"
#include "test_support.hpp"

namespace keel::test {

using Json = nlohmann::json;

inline constexpr const char* kOwnerKey = "test_platform_owner_key_000000000";
// The node's master key in tests (32 bytes; keel serve keeps its own in a file beside the data dir).
inline const std::string kMasterKey(32, 'K');
inline constexpr std::int64_t kStart = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

struct WorldOptions {
  bool rate_limits = false;
  std::size_t max_in_flight = 1024;
  std::size_t body_limit = 1024 * 1024;
  std::size_t ws_queue_limit = 1024;
  std::chrono::milliseconds slow_consumer_grace{2'000};
  int ws_send_buffer = 0;
  std::size_t max_subscriptions = 4096;
  std::shared_ptr<rocksdb::Env> store_env;  // the fault-injection seam
  std::chrono::milliseconds store_recovery_interval{2'000};  // eventstore::Options::recovery_interval
  std::uint64_t store_resume_free_bytes = 8u << 20;
  std::int64_t idempotency_retention_ms = gateway::ApiOptions{}.idempotency_retention_ms;
  std::int64_t audit_retention_ms = gateway::ApiOptions{}.audit_retention_ms;
  // As `keel serve --clock simulated`: `clock` is business time that POST /v1/admin/clock/advance
  // moves, and `wall` is the wall clock apart from it. Otherwise `clock` serves as both.
  bool simulated_admin_clock = false;
  std::vector<std::string> cors_origins;  // ServerOptions::cors_origins
  // The request log's lines (NodeOptions::request_log), called on the log's thread; unset: no log.
  std::function<void(const std::string&)> log_sink;
  std::string log_format = "json";
};

// The stable name in a problem+json answer's `type` ("" when the body is not a problem).
inline std::string ProblemType(const HttpReply& r) {
  auto j = Json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) return "";
  const std::string type = j["type"];
  const std::string base = "https://keel.dev/problems/";
  return type.starts_with(base) ? type.substr(base.size()) : type;
}

class GatewayWorld {
 public:
  explicit GatewayWorld(WorldOptions w = {}) : clock(kStart), wall(kStart) {
    app::NodeOptions o;
    o.data_dir = dir.str();
    o.server.port = 0;
    o.server.io_threads = 2;
    o.server.workers = 16;
    o.server.max_in_flight = w.max_in_flight;
    o.server.body_limit = w.body_limit;
    o.server.ws_queue_limit = w.ws_queue_limit;
    o.server.slow_consumer_grace = w.slow_consumer_grace;
    o.server.ws_send_buffer = w.ws_send_buffer;
    o.server.max_subscriptions = w.max_subscriptions;
    o.server.cors_origins = w.cors_origins;
    if (w.log_sink) o.request_log = gateway::LogOptions{"info", w.log_format, w.log_sink};
    o.store.env = w.store_env;
    o.store.recovery_interval = w.store_recovery_interval;
    o.store.resume_free_bytes = w.store_resume_free_bytes;
    o.server.drain_timeout = std::chrono::seconds(5);
    o.rate_limits = w.rate_limits;
    o.idempotency_retention_ms = w.idempotency_retention_ms;
    o.audit_retention_ms = w.audit_retention_ms;
    o.clock = &clock;
    o.wall_clock = w.simulated_admin_clock ? &wall : &clock;
    if (w.simulated_admin_clock) o.simulated_clock = &clock;
    o.billing_interval = std::chrono::milliseconds(0);
    o.bootstrap_key = kOwnerKey;
    o.master_key = kMasterKey;
    o.runtime.scheduler_threads = 2;
    options_ = o;
    auto started = app::Node::Start(o);
    REQUIRE(started.has_value());
    node = std::move(*started);
  }

  // Stops the node, runs `between` with its data directory closed, and starts it again on it.
  void Restart(const std::function<void(const std::string& data_dir)>& between = {}) {
    node.reset();
    if (between) between(dir.str());
    auto started = app::Node::Start(options_);
    REQUIRE(started.has_value());
    node = std::move(*started);
  }

  std::uint16_t port() const { return node->port(); }
  std::uint16_t admin_port() const { return node->admin_port(); }

  // One request on a fresh connection, with `key` as the bearer token ("" = none).
  HttpReply Call(const std::string& method, const std::string& path, const Json& body = nullptr,
                 const std::string& key = kOwnerKey, const std::string& headers = {}) {
    // /metrics and /v1/admin/* are served on the admin listener only (DESIGN.md §4): sent there.
    const bool admin = path.starts_with("/metrics") || path.starts_with("/v1/admin/");
    RawHttp http(admin ? admin_port() : port());
    std::string h = headers;
    if (!key.empty()) h += "Authorization: Bearer " + key + "\r\n";
    HttpReply reply = http.Request(method, path, body.is_null() ? std::string() : body.dump(), h);
    Conform(method, path, reply);
    return reply;
  }
  // Every answer is checked against the API document (openapi_check.hpp); what does not follow it
  // fails the test when the world ends (answers may come on other threads than the test's).
  void Conform(const std::string& method, const std::string& path, const HttpReply& reply) {
    if (reply.status == 0 || method == "OPTIONS" || method == "HEAD") return;
    const std::string why = OpenApiCheck::Instance().Check(method, path, reply.status, reply.Header("content-type"), reply.body);
    if (why.empty()) return;
    std::lock_guard lock(nonconforming_mu_);
    nonconforming_.push_back(method + " " + path + " -> " + std::to_string(reply.status) + ": " + why + "\n  body: " +
                             reply.body.substr(0, 600));
  }
  ~GatewayWorld() {
    if (std::uncaught_exceptions() > 0) return;
    std::lock_guard lock(nonconforming_mu_);
    for (const auto& n : nonconforming_) FAIL_CHECK("an answer does not follow gateway/openapi.json: " << n);
  }
  Json CallJson(const std::string& method, const std::string& path, const Json& body = nullptr,
                const std::string& key = kOwnerKey, int expect = 0) {
    auto r = Call(method, path, body, key);
    if (expect != 0) {
      INFO(method << " " << path << " -> " << r.status << " " << r.body);
      REQUIRE(r.status == expect);
    }
    return Json::parse(r.body, nullptr, false);
  }
  // Creates a key of `role` bound to partner / tenant and returns its token.
  std::string Key(const std::string& role, const std::string& partner = {}, const std::string& tenant = {},
                  const std::string& workflow_role = {}) {
    auto j = CallJson("POST", "/v1/keys",
                      {{"role", role}, {"partner", partner}, {"tenant", tenant}, {"name", role}, {"workflow_role", workflow_role}},
                      kOwnerKey, 201);
    return j["token"].get<std::string>();
  }
  // The partner's own reference in a namespaced tenant id ("p1:t1" -> "t1", access.hpp).
  static std::string Reference(const std::string& tenant) { return tenant.substr(tenant.find(':') + 1); }
  // Registers and certifies `partner` (if new) and takes `tenant` ("<partner>:<reference>") live on `template_id` v1, as a client does.
  void LiveTenant(const std::string& partner, const std::string& tenant,
                  const std::string& template_id = "regional-distributor") {
    if (Call("GET", "/v1/partners/" + partner).status == 404) {
      CallJson("POST", "/v1/partners", {{"id", partner}, {"name", "Partner " + partner}}, kOwnerKey, 201);
      CallJson("POST", "/v1/partners/" + partner + "/certification", nullptr, kOwnerKey, 200);
    }
    CallJson("POST", "/v1/partners/" + partner + "/tenants",
             {{"reference", Reference(tenant)}, {"name", "Tenant " + tenant}, {"template_id", template_id}, {"template_version", 1}},
             kOwnerKey, 201);
    const std::string base = "/v1/tenants/" + tenant;
    CallJson("POST", base + "/onboarding", nullptr, kOwnerKey, 200);
    const Json state = CallJson("GET", base, nullptr, kOwnerKey, 200);
    for (const auto& m : state["state"]["milestones"])
      CallJson("POST", base + "/milestones/" + m["id"].get<std::string>() + "/completion", nullptr, kOwnerKey, 200);
    CallJson("POST", base + "/go-live", nullptr, kOwnerKey, 200);
  }
  std::uint64_t head() { return node->store().HeadPosition(); }
  // Events appended after `position` on behalf of an API key (process managers write as "process:...").
  std::vector<eventstore::RecordedEvent> KeyEventsSince(std::uint64_t position) {
    std::vector<eventstore::RecordedEvent> out;
    auto all = node->store().ReadAll(position + 1, 1'000'000);
    REQUIRE(all.has_value());
    for (auto& e : *all)
      if (e.principal.rfind("key:", 0) == 0) out.push_back(std::move(e));
    return out;
  }

  eventstore::test::TempDir dir;
  actors::SimulatedClock clock;
  actors::SimulatedClock wall;  // the wall clock, when WorldOptions::simulated_admin_clock
  std::unique_ptr<app::Node> node;
  app::NodeOptions options_;

 private:
  std::mutex nonconforming_mu_;
  std::vector<std::string> nonconforming_;
};

}  // namespace keel::test
