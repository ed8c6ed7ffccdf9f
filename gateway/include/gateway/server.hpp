// `keel serve`'s network side: one port for HTTP/1.1 (keep-alive) and WebSocket (/v1/ws), io threads
// that only parse, route to the worker pool and write, and a graceful stop that refuses new work,
// finishes what is in flight and then closes. Beast-free header (pimpl).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "actors/runtime.hpp"
#include "eventstore/store.hpp"
#include "gateway/api.hpp"

namespace keel::gateway {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (see Server::port)
  std::size_t io_threads = 0;  // 0: one per core
  std::size_t workers = 64;    // handler threads (each may wait on an actor)
  std::size_t max_in_flight = 1024;  // requests accepted but not answered; beyond: 503
  std::size_t header_limit = 8 * 1024;  // bytes of request line + headers; beyond: 431
  std::size_t body_limit = 1024 * 1024; // bytes; beyond: 413
  std::chrono::milliseconds read_timeout{30'000};  // a request (or the next one on keep-alive) must arrive within
  std::size_t ws_queue_limit = 1024;  // feed frames queued for a WebSocket client; beyond, after the grace: closed
  int ws_send_buffer = 0;             // SO_SNDBUF of WebSocket sockets in bytes (0: the kernel's default)
  std::chrono::milliseconds slow_consumer_grace{2'000};
  std::size_t max_subscriptions = 4096;  // WebSocket feeds at once (a caught-up feed costs no thread)
  std::size_t max_feed_catch_ups = 64;   // feeds reading history on a thread of their own at once
  std::chrono::milliseconds drain_timeout{15'000};  // how long Stop waits for in-flight requests
  // Stop also waits until no request has been read for this long (a request already sent on a
  // keep-alive connection is answered 503 'draining' rather than cut off).
  std::chrono::milliseconds drain_quiet{50};
  // Browser origins allowed to call the API (CORS; `keel serve --cors-origin`): exact origins such as
  // "https://app.example.com", or "*". Empty: no CORS headers, preflights refused.
  std::vector<std::string> cors_origins;
  // The admin listener (DESIGN.md §4, listeners; `keel serve --admin-listen`, loopback by default):
  // /metrics, the detailed /readyz and /v1/admin/*, which the public listener does not serve. Port 0:
  // any free port (Server::admin_port).
  std::string admin_address = "127.0.0.1";
  std::uint16_t admin_port = 0;
};

// The close code a WebSocket client gets when it reads the feed too slowly.
inline constexpr std::uint16_t kSlowConsumerCloseCode = 4008;

class Server {
 public:
  Server(Api& api, eventstore::EventStore& store, actors::Runtime& runtime, ServerOptions options = {});
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::expected<void, std::string> Start();  // binds and starts serving
  std::uint16_t port() const;                // the bound port
  std::uint16_t admin_port() const;          // the admin listener's bound port
  // Graceful: stop accepting, answer 503 to new requests, wait (up to drain_timeout) for in-flight
  // requests to be answered, stop feeds, close connections. Idempotent.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::gateway
