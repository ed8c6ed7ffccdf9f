// One HTTP/1.1 connection: read a request (header, body and time limits), answer it through the
// asynchronous actor bridge or the worker pool, write the answer when it is posted back to this
// connection's strand, repeat while keep-alive. The io thread never waits for an actor. Requests are answered in order, one at a time per connection;
// pipelined requests wait in the socket buffer. A client that disconnects mid-request loses nothing:
// the command completes and is durable; only the write of its answer fails.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <array>
#include <cctype>
#include <optional>

#include "http_extras.hpp"
#include "problem.hpp"
#include "sessions.hpp"
#include "ws_protocols.hpp"

namespace keel::gateway {
namespace {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, ServerState& state, bool admin)
      : stream_(std::move(socket)), state_(state), admin_(admin) {}

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_.options.header_limit));
    parser_->body_limit(state_.options.body_limit);
    stream_.expires_after(state_.options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return Close();
    }
    request_id_.clear();  // a refusal before the request is parsed gets a new id (Write)
    origin_.clear();
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      // The headers were read (or most of them): a usable X-Request-Id of the client's still names this answer.
      if (parser_) request_id_ = RequestIdFor(std::string(parser_->get()["X-Request-Id"]));
    }
    if (ec == http::error::body_limit) {
      return WriteError(413, "payload_too_large", "Payload too large",
                        "the body is larger than " + std::to_string(state_.options.body_limit) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return WriteError(431, "headers_too_large", "Request header fields too large",
                        "the request line and headers exceed " + std::to_string(state_.options.header_limit) + " bytes");
    }
    if (ec) return WriteError(400, "bad_request", "Bad request", "the request is not valid HTTP/1.1: " + ec.message());

    state_.NoteRead();
    auto req = parser_->release();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    if (boost::beast::websocket::is_upgrade(req)) {
      if (admin_) return WriteError(404, "not_found", "Not found", "the admin listener serves no WebSocket");
      return Upgrade(std::move(req));
    }

    Request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      request.headers[name] = std::string(field.value());
    }
    request.body = std::move(req.body());
    request.admin = admin_;
    {
      beast::error_code ignored;
      const auto remote = stream_.socket().remote_endpoint(ignored);
      if (!ignored) request.source = remote.address().to_string() + ":" + std::to_string(remote.port());
    }
    request_id_ = RequestIdFor(request.Header("x-request-id"));
    request.headers["x-request-id"] = request_id_;
    origin_ = request.Header("origin");
    if (admin_) origin_.clear();  // no browser calls the admin listener: no CORS there
    if (request.method == "OPTIONS" && !request.Header("access-control-request-method").empty()) {
      Response preflight = Preflight(state_.options.cors_origins, origin_);
      state_.api.LogAnswer(request, "preflight", preflight);  // refused ones (403) show who tried
      return Write(std::move(preflight));
    }

    // Counted before the draining check: a stop that sees no open request never misses this one.
    if (state_.open_requests.fetch_add(1) >= state_.options.max_in_flight || state_.draining) {
      state_.open_requests.fetch_sub(1);
      if (state_.draining) {
        keep_alive_ = false;
        Response r = Problem(503, "draining", "Shutting down", "the server is shutting down; retry on another instance");
        state_.api.LogAnswer(request, "-", r);
        return Write(std::move(r));
      }
      Response r = Problem(503, "overloaded", "Overloaded", "too many requests in flight; retry shortly");
      r.headers.emplace_back("Retry-After", "1");
      state_.api.LogAnswer(request, "-", r);
      return Write(std::move(r));
    }
    auto executor = stream_.get_executor();
    auto self = shared_from_this();
    // Most commands and reads need one actor call: made from here without waiting; the answer comes
    // back to this strand. The rest go to the worker pool.
    bool handled = false;
    try {
      handled = state_.api.TryHandleAsync(
          request,
          [self, executor](Response response) {
            net::post(executor, [self, response = std::move(response)]() mutable { self->Write(std::move(response), true); });
          },
          [self](std::function<void()> job) { self->state_.pool.Post(std::move(job)); });
    } catch (...) {  // nothing may escape onto the io thread; answered below through the pool
      handled = false;
    }
    if (handled) return;
    const bool accepted = state_.pool.Submit([self, executor, request = std::move(request)](actors::Client& client) mutable {
      Response response;
      try {
        response = self->state_.api.Handle(request, client);
      } catch (...) {
        response = Problem(500, "internal", "Internal error", "the request could not be handled");
      }
      net::post(executor, [self, response = std::move(response)]() mutable {
        self->Write(std::move(response), true);
      });
    });
    if (!accepted) {
      state_.open_requests.fetch_sub(1);
      Response r = Problem(503, "overloaded", "Overloaded", "too many requests in flight; retry shortly");
      r.headers.emplace_back("Retry-After", "1");
      Write(std::move(r));
    }
  }

  void Upgrade(http::request<http::string_body> req) {
    const auto target = std::string(req.target());
    if (target.substr(0, target.find('?')) != "/v1/ws") {
      return WriteError(404, "not_found", "Not found", "WebSocket connections are served at /v1/ws");
    }
    Request probe;
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      probe.headers[name] = std::string(field.value());
    }
    // Browsers cannot set headers on a WebSocket. The key may come as a subprotocol (ws_protocols.hpp),
    // or, the older way, as ?key=... in the URL (TLS assumed in front; URLs end up in logs).
    const auto offered = ParseOfferedProtocols(probe.Header("sec-websocket-protocol"));
    if (!offered.bearer.empty() && !offered.keel) {
      return WriteError(400, "bad_request", "Bad request",
                        "offer the subprotocol keel.v1 together with keel.bearer.<key>: the server selects keel.v1");
    }
    if (probe.Header("authorization").empty()) {
      if (!offered.bearer.empty()) {
        probe.headers["authorization"] = "Bearer " + offered.bearer;
      } else if (auto q = target.find("key="); q != std::string::npos) {
        probe.headers["authorization"] = "Bearer " + target.substr(q + 4, target.find('&', q) - q - 4);
      }
    }
    auto who = state_.api.Authenticate(probe);
    // The request log's view of the upgrade: the path without its query (which may hold a key).
    probe.method = "GET";
    probe.target = target.substr(0, target.find('?'));
    {
      beast::error_code ignored;
      if (const auto remote = stream_.socket().remote_endpoint(ignored); !ignored)
        probe.source = remote.address().to_string() + ":" + std::to_string(remote.port());
    }
    probe.headers.erase("authorization");
    probe.headers["x-request-id"] = RequestIdFor(probe.Header("x-request-id"));
    if (!who) {
      state_.api.AuditRefused(probe, 401);
      Response r = Problem(401, "unauthorized", "Missing or invalid API key", "send the key as 'Authorization: Bearer <key>'");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      state_.api.LogAnswer(probe, "websocket", r);
      keep_alive_ = false;
      return Write(std::move(r));
    }
    if (who->role == Role::kExtension && (!who->grant || who->grant->events.empty())) {
      state_.api.AuditRefused(probe, 403, *who);
      Response r = Problem(403, "forbidden", "Forbidden",
                           "this extension declared no event types: it has no feed (its manifest's events)");
      state_.api.LogAnswer(probe, "websocket", r);
      keep_alive_ = false;
      return Write(std::move(r));
    }
    {
      Response switching;
      switching.status = 101;
      state_.api.LogAnswer(probe, "websocket", switching, *who);
    }
    stream_.expires_never();
    StartWebSocketSession(std::move(stream_), std::move(req), std::move(*who), state_);
  }

  void WriteError(int status, std::string_view type, std::string_view title, std::string detail) {
    keep_alive_ = false;  // the rest of the stream cannot be trusted after a framing error
    Write(Problem(status, type, title, std::move(detail)));
  }

  // `counted`: the answer of a request that was submitted to the pool (open_requests counts it).
  void Write(Response r, bool counted = false) {
    if (request_id_.empty()) request_id_ = RequestIdFor("");
    StampRequestId(r, request_id_);
    if (OriginAllowed(state_.options.cors_origins, origin_) && r.status != 204) AddCorsHeaders(r, origin_);
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version_);
    res->set(http::field::server, "keel");
    res->set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_ && !state_.draining);
    res->prepare_payload();
    stream_.expires_after(state_.options.read_timeout);
    state_.writing.fetch_add(1);
    http::async_write(stream_, *res, [self = shared_from_this(), res, counted](beast::error_code ec, std::size_t) {
      self->state_.writing.fetch_sub(1);
      if (counted) self->state_.open_requests.fetch_sub(1);
      if (ec || !res->keep_alive()) return self->Close();
      self->Read();
    });
  }

  // A lingering close: stop sending, then read and discard what the client still sends (the rest of a
  // refused body) for a bounded time, so that the kernel does not reset the connection before the
  // client has read our answer.
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(2));
    Drain();
  }
  void Drain() {
    stream_.async_read_some(net::buffer(drain_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) return self->Drain();
      beast::error_code ignored;
      self->stream_.socket().close(ignored);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::array<char, 4096> drain_{};
  std::optional<http::request_parser<http::string_body>> parser_;
  ServerState& state_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool admin_ = false;  // on the admin listener
  std::string request_id_;  // the current request's (X-Request-Id)
  std::string origin_;      // the current request's Origin header
};

}  // namespace

void StartHttpSession(tcp::socket socket, ServerState& state, bool admin) {
  std::make_shared<HttpSession>(std::move(socket), state, admin)->Run();
}

}  // namespace keel::gateway
