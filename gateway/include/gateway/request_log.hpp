// The operators' request log: one line per request (time, request id, source address, method, route,
// path without its query, status, latency, bytes in and out, the key's id, role and tenant binding,
// and the problem type of a refusal), as JSON or text, at a level: answers below 400 are info, 4xx
// warn, 5xx error. Never a secret: keys appear by id only, query strings are left out. Written off
// the request's thread (spdlog's asynchronous logger; on overflow the oldest lines go and are counted).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/access.hpp"
#include "gateway/http.hpp"

namespace keel::gateway {

struct LogOptions {
  std::string level = "info";  // debug | info | warn | error | off
  std::string format = "json";  // json | text
  // Where lines go: stderr when unset; tests pass a callback (called on the logging thread).
  std::function<void(const std::string& line)> sink;
};

// Whether `level` and `format` are ones LogOptions takes ("" when they are; else what is wrong).
std::string CheckLogOptions(const LogOptions& options);

class RequestLog {
 public:
  explicit RequestLog(LogOptions options);
  ~RequestLog();  // flushes
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  // `request`'s body is not read: its size is `bytes_in`.
  void Write(const gateway::Request& request, std::size_t bytes_in, const Principal& who, std::string_view route,
               const Response& response, double seconds);
  void Flush();
  std::uint64_t dropped() const;  // lines lost to overflow

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::gateway
