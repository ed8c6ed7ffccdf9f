// A WebSocket session at /v1/ws, authenticated by the upgrade request's key. Text messages are JSON:
//   {"type":"command","id":<any>,"method":"POST","path":"/v1/...","body":{...},"idempotency_key":"...","if_match":"3"}
//     -> {"type":"reply","id":<same>,"status":201,"body":{...}} (the same handling as HTTP, same scope)
//   {"type":"subscribe","from":<position>} -> {"type":"subscribed","from":N}, then {"type":"event",...}
//     frames of the caller's scope from that position on, history then live with no gap
//   {"type":"unsubscribe"}
// Feed frames are bounded per session: a client that stays behind more than ws_queue_limit frames for
// slow_consumer_grace is closed with code 4008 rather than buffered without bound (feed_hub.hpp: one
// hub thread serves every caught-up feed; a feed reads history on a thread of its own). Replies are
// bounded too: the session stops reading while too many of its commands or frames are pending. A key
// revoked while the connection is open stops working for its commands and its feed at once.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <deque>
#include <thread>

#include <nlohmann/json.hpp>

#include "http_extras.hpp"
#include "json_fields.hpp"
#include "metrics.hpp"
#include "sessions.hpp"
#include "ws_protocols.hpp"

namespace keel::gateway {
namespace {
namespace websocket = beast::websocket;
using Json = nlohmann::json;

class WebSocketSession : public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(beast::tcp_stream stream, Principal who, ServerState& state)
      : ws_(std::move(stream)), who_(std::move(who)), state_(state) {}

  ~WebSocketSession() {
    DropFeed();
    state_.api.metrics().WebSocketClosed();
  }

  void Run(http::request<http::string_body> upgrade) {
    state_.api.metrics().WebSocketOpened();
    beast::error_code no_peer;
    if (const auto remote = beast::get_lowest_layer(ws_).socket().remote_endpoint(no_peer); !no_peer)
      source_ = remote.address().to_string() + ":" + std::to_string(remote.port());
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(state_.options.body_limit);
    // A client that offered keel.v1 (perhaps with its key as keel.bearer.<key>) gets keel.v1 selected.
    if (ParseOfferedProtocols(std::string(upgrade[http::field::sec_websocket_protocol])).keel) {
      ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(http::field::sec_websocket_protocol, kKeelProtocol);
      }));
    }
    if (state_.options.ws_send_buffer > 0) {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().set_option(net::socket_base::send_buffer_size(state_.options.ws_send_buffer), ignored);
    }
    ws_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->Read();
    });
  }

 private:
  void Read() { ResumeOrPause(); }

  void OnRead(beast::error_code ec) {
    if (ec) return;  // closed, reset or too large: the session ends
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    try {
      Handle(text);
    } catch (const std::exception&) {  // nothing a client sends may escape onto the io thread
      Error(nullptr, 400, "malformed_message", "the message could not be handled");
    }
    ResumeOrPause();
  }

  // Reads the next message unless the client is not taking its answers: then reading waits until the
  // backlog has gone (Write's completion resumes it).
  void ResumeOrPause() {
    if (closing_ || reading_) return;
    if (outbox_.size() + pending_commands_ >= state_.options.ws_queue_limit) return;
    reading_ = true;
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->reading_ = false;
      self->OnRead(ec);
    });
  }

  static std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

  void Error(const Json& id, int status, std::string_view type, std::string detail) {
    // A problem document like the HTTP ones (title included; `instance` names this connection's message).
    Json body{{"type", "https://keel.dev/problems/" + std::string(type)},
              {"title", status == 401 ? "Missing or invalid API key" : status == 404 ? "Not found" : "Bad message"},
              {"status", status},
              {"detail", std::move(detail)},
              {"instance", "urn:keel:request:" + NextRequestId()}};
    Send(Dump(Json{{"type", "reply"}, {"id", id}, {"status", status}, {"body", body}}), nullptr);
  }

  void DropFeed() {
    if (!feed_) return;
    feed_->Close();  // no new frame from now on
    // Stop waits for the hub's current delivery and joins a catch-up thread: off the io thread.
    state_.pool.Post([feed = feed_] { feed->Stop(); });
    feed_.reset();
    state_.subscriptions.fetch_sub(1);
  }

  void Handle(const std::string& text) {
    if (!ws_.got_text()) return Error(nullptr, 400, "malformed_message", "send JSON text messages");
    if (json::NestingDepth(text) > 32) return Error(nullptr, 400, "malformed_json", "nested deeper than 32 levels");
    Json msg = Json::parse(text, nullptr, false);
    if (msg.is_discarded() || !msg.is_object()) return Error(nullptr, 400, "malformed_json", "a message is a JSON object");
    const Json id = msg.contains("id") ? msg["id"] : Json(nullptr);
    const std::string type = msg.contains("type") && msg["type"].is_string() ? msg["type"].get<std::string>() : "";
    if (!state_.api.KeyActive(who_.key_id)) {
      Error(id, 401, "unauthorized", "this connection's API key has been revoked");
      return CloseRevoked();
    }
    if (type == "command") return Command(id, msg);
    if (type == "subscribe") return Subscribe(id, msg);
    if (type == "unsubscribe") {
      DropFeed();
      return Send(Dump(Json{{"type", "unsubscribed"}, {"id", id}}), nullptr);
    }
    Error(id, 400, "unknown_message_type", "type is one of: command, subscribe, unsubscribe");
  }

  void Command(const Json& id, const Json& msg) {
    auto str = [&](const char* k) { return msg.contains(k) && msg[k].is_string() ? msg[k].get<std::string>() : std::string(); };
    Request req;
    req.method = str("method");
    req.target = str("path");
    if (req.method.empty() || req.target.empty()) return Error(id, 400, "invalid_field", "method and path are required strings");
    if (req.target.rfind("/v1/", 0) != 0 || req.target.rfind("/v1/ws", 0) == 0)
      return Error(id, 404, "not_found", "commands go to /v1/ routes");
    if (msg.contains("body") && !msg["body"].is_null()) {
      req.body = msg["body"].dump();
      req.headers["content-type"] = "application/json";
    }
    // Logged and answered like an HTTP request: a request id of its own and the connection's peer.
    req.headers["x-request-id"] = NextRequestId();
    req.source = source_;
    if (auto k = str("idempotency_key"); !k.empty()) req.headers["idempotency-key"] = k;
    if (auto v = str("if_match"); !v.empty()) req.headers["if-match"] = v;
    auto self = shared_from_this();
    auto executor = ws_.get_executor();
    ++pending_commands_;
    const bool accepted = state_.pool.Submit([self, executor, id, req = std::move(req)](actors::Client& client) {
      std::string frame;
      try {
        Response r = self->state_.api.HandleAs(req, self->who_, client);
        Json body = Json::parse(r.body, nullptr, false);
        if (body.is_discarded()) body = r.body;  // e.g. metrics text
        frame = Dump(Json{{"type", "reply"}, {"id", id}, {"status", r.status}, {"body", body}});
      } catch (...) {
        frame = Dump(Json{{"type", "reply"}, {"id", id}, {"status", 500}});
      }
      net::post(executor, [self, frame = std::move(frame)]() mutable {
        --self->pending_commands_;
        self->Send(std::move(frame), nullptr);
        self->ResumeOrPause();
      });
    });
    if (!accepted) {
      --pending_commands_;
      Error(id, 503, "overloaded", "too many requests in flight; retry shortly");
    }
  }

  void Subscribe(const Json& id, const Json& msg) {
    if (feed_) return Error(id, 409, "already_subscribed", "unsubscribe first");
    if (state_.draining) return Error(id, 503, "draining", "the server is shutting down");
    std::uint64_t from = state_.store.HeadPosition() + 1;
    if (msg.contains("from")) {
      if (!msg["from"].is_number_unsigned()) return Error(id, 400, "invalid_field", "from: expected a position (integer >= 0)");
      from = std::max<std::uint64_t>(1, msg["from"].get<std::uint64_t>());
    }
    if (state_.subscriptions.fetch_add(1) >= state_.options.max_subscriptions) {
      state_.subscriptions.fetch_sub(1);
      return Error(id, 503, "too_many_subscriptions", "the server's feed subscriptions are all in use");
    }
    std::weak_ptr<WebSocketSession> weak = shared_from_this();
    auto executor = ws_.get_executor();
    FeedSink sink;
    sink.frame = [weak, executor](const std::shared_ptr<Feed>& feed, std::string frame) {
      // The hub's thread never holds the session: the strand does, briefly.
      net::post(executor, [weak, feed, frame = std::move(frame)]() mutable {
        auto self = weak.lock();
        if (self && self->feed_ == feed) self->Send(std::move(frame), feed);
        else feed->queued.fetch_sub(1);  // the session or this feed is gone
      });
    };
    sink.end = [weak, executor](const std::shared_ptr<Feed>& feed, FeedEnd why) {
      net::post(executor, [weak, feed, why] {
        auto self = weak.lock();
        if (!self || self->feed_ != feed) return;  // an earlier feed of this session: not its business now
        if (why == FeedEnd::kSlowConsumer) self->CloseSlow();
        else if (why == FeedEnd::kKeyRevoked) self->CloseRevoked();
        else self->CloseWith(websocket::close_code::internal_error, "feed failed");
      });
    };
    auto feed = state_.hub.Subscribe(from, who_, std::move(sink));
    if (!feed) {
      state_.subscriptions.fetch_sub(1);
      return Error(id, 503, "too_many_subscriptions",
                   "too many feeds are reading history at once (or the server is stopping); retry shortly");
    }
    feed_ = std::move(feed);
    // Frames may be posted already; they run on this strand after this handler, so after this reply.
    Send(Dump(Json{{"type", "subscribed"}, {"id", id}, {"from", from}}), nullptr);
  }

  // "<connection>-<n>": each message's request id, unique in the process (http_extras.hpp).
  std::string NextRequestId() { return connection_id_ + "-" + std::to_string(++messages_); }

  // The key stopped working while the connection was open: audited like any refusal (who, from where),
  // then the connection ends with 1008.
  void CloseRevoked() {
    if (closing_) return;
    Request r;
    r.method = "GET";
    r.target = "/v1/ws";
    r.source = source_;
    state_.api.AuditRefused(r, 401, who_);
    CloseWith(websocket::close_code::policy_error, "key revoked");
  }
  void CloseSlow() { CloseWith(static_cast<websocket::close_code>(kSlowConsumerCloseCode), "slow consumer"); }

  void CloseWith(websocket::close_code code, const char* reason) {
    if (closing_) return;
    closing_ = true;
    // Drop what waits; the front may be being written and stays until its write completes.
    while (outbox_.size() > (writing_ ? 1u : 0u)) {
      Uncount(outbox_.back());
      outbox_.pop_back();
    }
    ws_.async_close(websocket::close_reason(code, reason), [self = shared_from_this()](beast::error_code) {});
  }

  // `feed`: the subscription a feed frame counts against (null for replies).
  void Send(std::string frame, std::shared_ptr<Feed> feed) {
    if (closing_) {
      if (feed) feed->queued.fetch_sub(1);
      return;
    }
    outbox_.emplace_back(std::move(frame), std::move(feed));
    if (!writing_) Write();
  }

  static void Uncount(const std::pair<std::string, std::shared_ptr<Feed>>& entry) {
    if (entry.second) entry.second->queued.fetch_sub(1);
  }

  void Write() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front().first), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (self->outbox_.empty()) return;
      Uncount(self->outbox_.front());
      self->outbox_.pop_front();
      if (ec) {
        self->closing_ = true;
        while (!self->outbox_.empty()) {
          Uncount(self->outbox_.front());
          self->outbox_.pop_front();
        }
        return;
      }
      if (!self->outbox_.empty() && !self->closing_) self->Write();
      self->ResumeOrPause();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  Principal who_;
  std::string source_;  // the peer's address:port, for the audit and the request log
  std::string connection_id_ = RequestIdFor("");  // a fresh id per connection
  std::uint64_t messages_ = 0;
  ServerState& state_;
  std::shared_ptr<Feed> feed_;
  std::deque<std::pair<std::string, std::shared_ptr<Feed>>> outbox_;  // frame, the feed it counts against
  std::size_t pending_commands_ = 0;  // submitted to the pool, reply not yet queued
  bool closing_ = false, reading_ = false, writing_ = false;
};

}  // namespace

void StartWebSocketSession(beast::tcp_stream stream, http::request<http::string_body> upgrade, Principal who,
                           ServerState& state) {
  std::make_shared<WebSocketSession>(std::move(stream), std::move(who), state)->Run(std::move(upgrade));
}

}  // namespace keel::gateway
