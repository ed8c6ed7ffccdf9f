// The operators' request log (see request_log.hpp), on spdlog.
#include "gateway/request_log.hpp"

#include "audit.hpp"

#include <algorithm>
#include <spdlog/async.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <nlohmann/json.hpp>

namespace keel::gateway {
namespace {

// Lines to a callback (tests).
class CallbackSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit CallbackSink(std::function<void(const std::string&)> f) : f_(std::move(f)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override { f_(std::string(msg.payload.data(), msg.payload.size())); }
  void flush_() override {}

 private:
  std::function<void(const std::string&)> f_;
};

std::optional<spdlog::level::level_enum> ParseLevel(const std::string& level) {
  if (level == "debug") return spdlog::level::debug;
  if (level == "info") return spdlog::level::info;
  if (level == "warn") return spdlog::level::warn;
  if (level == "error") return spdlog::level::err;
  if (level == "off") return spdlog::level::off;
  return std::nullopt;
}

std::string Iso8601(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

// The problem type of a problem document ("" for anything else).
std::string ProblemType(const Response& r) {
  if (r.content_type != "application/problem+json") return {};
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) return {};
  std::string type = j["type"];
  const auto slash = type.rfind('/');
  return slash == std::string::npos ? type : type.substr(slash + 1);
}

}  // namespace

std::string CheckLogOptions(const LogOptions& o) {
  if (!ParseLevel(o.level)) return "log level: expected debug, info, warn, error or off";
  if (o.format != "json" && o.format != "text") return "log format: expected json or text";
  return {};
}

struct RequestLog::Impl {
  LogOptions options;
  std::shared_ptr<spdlog::details::thread_pool> pool;
  std::shared_ptr<spdlog::async_logger> logger;
};

RequestLog::RequestLog(LogOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  spdlog::sink_ptr sink;
  if (impl_->options.sink) {
    sink = std::make_shared<CallbackSink>(impl_->options.sink);
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  sink->set_pattern("%v");  // each line is formatted here, whole
  impl_->pool = std::make_shared<spdlog::details::thread_pool>(8192, 1);
  impl_->logger = std::make_shared<spdlog::async_logger>("keel.requests", sink, impl_->pool,
                                                         spdlog::async_overflow_policy::overrun_oldest);
  impl_->logger->set_level(ParseLevel(impl_->options.level).value_or(spdlog::level::info));
}

RequestLog::~RequestLog() { Flush(); }

void RequestLog::Flush() {
  if (impl_->logger) impl_->logger->flush();
}

std::uint64_t RequestLog::dropped() const { return impl_->pool ? impl_->pool->overrun_counter() : 0; }

void RequestLog::Write(const gateway::Request& req, std::size_t bytes_in, const Principal& who, std::string_view route,
                         const Response& response, double seconds) {
  const auto level = response.status >= 500   ? spdlog::level::err
                     : response.status >= 400 ? spdlog::level::warn
                                              : spdlog::level::info;
  if (!impl_->logger->should_log(level)) return;
  // A query may carry anything; a path segment may be a secret pasted for an id.
  const std::string path = RedactPath(std::string_view(req.target).substr(0, req.target.find('?')));
  const std::string problem = response.status >= 400 ? ProblemType(response) : std::string();
  // The tenant the request is about (its path's), else the one the key is bound to.
  std::string tenant = who.tenant;
  if (constexpr std::string_view kTenants = "/v1/tenants/"; path.starts_with(kTenants)) {
    const auto end = path.find('/', kTenants.size());
    tenant = path.substr(kTenants.size(), std::min<std::size_t>(end == std::string::npos ? std::string::npos : end - kTenants.size(), 128));
  }
  const std::string time = Iso8601(std::chrono::system_clock::now());
  const double latency_ms = seconds * 1000.0;
  std::string line;
  if (impl_->options.format == "json") {
    nlohmann::json j{{"time", time},
                     {"level", level == spdlog::level::info ? "info" : level == spdlog::level::warn ? "warn" : "error"},
                     {"event", "request"},
                     {"request_id", req.Header("x-request-id")},
                     {"source", req.source},
                     {"method", req.method},
                     {"route", std::string(route)},
                     {"path", path},
                     {"status", response.status},
                     {"latency_ms", static_cast<double>(static_cast<std::int64_t>(latency_ms * 1000)) / 1000.0},
                     {"bytes_in", bytes_in},
                     {"bytes_out", response.body.size()},
                     {"key", who.key_id},
                     {"role", who.key_id.empty() ? "" : std::string(RoleName(who.role))},
                     {"partner", who.partner},
                     {"tenant", tenant}};
    if (!problem.empty()) j["problem"] = problem;
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    char latency[32];
    std::snprintf(latency, sizeof latency, "%.3fms", latency_ms);
    line = time + " " + (level == spdlog::level::info ? "INFO " : level == spdlog::level::warn ? "WARN " : "ERROR") + " " +
           req.Header("x-request-id") + " " + (req.source.empty() ? "-" : req.source) + " " + req.method + " " + path +
           " " + std::string(route) + " " + std::to_string(response.status) + " " + latency + " in=" +
           std::to_string(bytes_in) + " out=" + std::to_string(response.body.size()) +
           " key=" + (who.key_id.empty() ? "-" : who.key_id) +
           (who.key_id.empty() ? "" : " role=" + std::string(RoleName(who.role))) +
           (tenant.empty() ? "" : " tenant=" + tenant) + (problem.empty() ? "" : " problem=" + problem);
  }
  impl_->logger->log(level, line);
}

}  // namespace keel::gateway
