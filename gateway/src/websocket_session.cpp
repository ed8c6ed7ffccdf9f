// A WebSocket session at /v1/ws, authenticated by the upgrade request's key. Text messages are JSON:
//   {"type":"command","id":<any>,"method":"POST","path":"/v1/...","body":{...},"idempotency_key":"...","if_match":"3"}
//     -> {"type":"reply","id":<same>,"status":201,"body":{...}} (the same handling as HTTP, same scope)
//   {"type":"subscribe","from":<position>} -> {"type":"subscribed","from":N}, then {"type":"event",...}
//     frames of the caller's scope from that position on, history then live with no gap
//   {"type":"unsubscribe"}
// Feed frames are bounded per session: a client that stays behind more than ws_queue_limit frames for
// slow_consumer_grace is closed with code 4008 rather than buffered without bound.
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <deque>
#include <thread>

#include <nlohmann/json.hpp>

#include "json_fields.hpp"
#include "metrics.hpp"
#include "sessions.hpp"

namespace keel::gateway {
namespace {
namespace websocket = beast::websocket;
using Json = nlohmann::json;

class WebSocketSession : public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(beast::tcp_stream stream, Principal who, ServerState& state)
      : ws_(std::move(stream)), who_(std::move(who)), state_(state) {}

  ~WebSocketSession() {
    if (feed_) {
      feed_->closed = true;
      // Joining the subscription thread is quick but not free: do it off the io thread.
      state_.pool.Post([feed = feed_] { feed->Stop(); });
      state_.subscriptions.fetch_sub(1);
    }
    state_.api.metrics().WebSocketClosed();
  }

  void Run(http::request<http::string_body> upgrade) {
    state_.api.metrics().WebSocketOpened();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(state_.options.body_limit);
    if (state_.options.ws_send_buffer > 0) {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().set_option(net::socket_base::send_buffer_size(state_.options.ws_send_buffer), ignored);
    }
    ws_.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->Read();
    });
  }

 private:
  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) return;  // closed, reset or too large: the session ends
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    Handle(text);
    if (!closing_) Read();
  }

  void Error(const Json& id, int status, std::string_view type, std::string detail) {
    Json body{{"type", "https://keel.dev/problems/" + std::string(type)}, {"status", status}, {"detail", std::move(detail)}};
    Send(Json{{"type", "reply"}, {"id", id}, {"status", status}, {"body", body}}.dump(), false);
  }

  void Handle(const std::string& text) {
    if (!ws_.got_text()) return Error(nullptr, 400, "malformed_message", "send JSON text messages");
    if (json::NestingDepth(text) > 32) return Error(nullptr, 400, "malformed_json", "nested deeper than 32 levels");
    Json msg = Json::parse(text, nullptr, false);
    if (msg.is_discarded() || !msg.is_object()) return Error(nullptr, 400, "malformed_json", "a message is a JSON object");
    const Json id = msg.contains("id") ? msg["id"] : Json(nullptr);
    const std::string type = msg.value("type", "");
    if (type == "command") return Command(id, msg);
    if (type == "subscribe") return Subscribe(id, msg);
    if (type == "unsubscribe") {
      if (feed_) {
        feed_->closed = true;
        state_.pool.Post([feed = feed_] { feed->Stop(); });
        feed_.reset();
        state_.subscriptions.fetch_sub(1);
      }
      return Send(Json{{"type", "unsubscribed"}, {"id", id}}.dump(), false);
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
    if (auto k = str("idempotency_key"); !k.empty()) req.headers["idempotency-key"] = k;
    if (auto v = str("if_match"); !v.empty()) req.headers["if-match"] = v;
    auto self = shared_from_this();
    auto executor = ws_.get_executor();
    const bool accepted = state_.pool.Submit([self, executor, id, req = std::move(req)](actors::Client& client) {
      Response r = self->state_.api.HandleAs(req, self->who_, client);
      Json body = Json::parse(r.body, nullptr, false);
      if (body.is_discarded()) body = r.body;  // e.g. metrics text
      std::string frame = Json{{"type", "reply"}, {"id", id}, {"status", r.status}, {"body", body}}.dump();
      net::post(executor, [self, frame = std::move(frame)]() mutable { self->Send(std::move(frame), false); });
    });
    if (!accepted) Error(id, 503, "overloaded", "too many requests in flight; retry shortly");
  }

  void Subscribe(const Json& id, const Json& msg) {
    if (feed_) return Error(id, 409, "already_subscribed", "unsubscribe first");
    std::uint64_t from = state_.store.HeadPosition() + 1;
    if (msg.contains("from")) {
      if (!msg["from"].is_number_unsigned()) return Error(id, 400, "invalid_field", "from: expected a position (integer >= 0)");
      from = std::max<std::uint64_t>(1, msg["from"].get<std::uint64_t>());
    }
    if (state_.subscriptions.fetch_add(1) >= state_.options.max_subscriptions) {
      state_.subscriptions.fetch_sub(1);
      return Error(id, 503, "too_many_subscriptions", "the server's feed subscriptions are all in use");
    }
    feed_ = std::make_shared<FeedState>();
    state_.AddFeed(feed_);
    Send(Json{{"type", "subscribed"}, {"id", id}, {"from", from}}.dump(), false);
    std::weak_ptr<WebSocketSession> weak = shared_from_this();
    auto executor = ws_.get_executor();
    auto feed = feed_;
    ServerState* state = &state_;
    const Principal who = who_;
    auto handler = [weak, executor, feed, state, who](const eventstore::EventView& e) {
      if (feed->closed) return;
      auto frame = state->feed.Frame(e, who);
      if (!frame) return;
      const auto limit = state->options.ws_queue_limit;
      const auto deadline = std::chrono::steady_clock::now() + state->options.slow_consumer_grace;
      while (feed->queued.load() >= limit) {
        if (feed->closed) return;
        if (std::chrono::steady_clock::now() > deadline) {
          feed->closed = true;
          net::post(executor, [weak] {
            if (auto self = weak.lock()) self->CloseSlow();
          });
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      feed->queued.fetch_add(1);
      // The subscription thread never holds the session: the strand does, briefly.
      net::post(executor, [weak, feed, frame = std::move(*frame)]() mutable {
        if (auto self = weak.lock()) self->Send(std::move(frame), true);
        else feed->queued.fetch_sub(1);
      });
    };
    std::lock_guard lock(feed_->mu);
    feed_->subscription = state_.store.Subscribe(from, std::move(handler));
  }

  void CloseSlow() {
    if (closing_) return;
    closing_ = true;
    if (outbox_.size() > 1) outbox_.erase(outbox_.begin() + 1, outbox_.end());  // the front is being written
    ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(kSlowConsumerCloseCode), "slow consumer"),
                    [self = shared_from_this()](beast::error_code) {});
  }

  void Send(std::string frame, bool counted) {
    if (closing_) {
      if (counted && feed_) feed_->queued.fetch_sub(1);
      return;
    }
    outbox_.emplace_back(std::move(frame), counted);
    if (outbox_.size() == 1) Write();
  }

  void Write() {
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front().first), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (self->outbox_.empty()) return;
      if (self->outbox_.front().second && self->feed_) self->feed_->queued.fetch_sub(1);
      self->outbox_.pop_front();
      if (ec) {
        self->closing_ = true;
        self->outbox_.clear();
        return;
      }
      if (!self->outbox_.empty()) self->Write();
    });
  }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  Principal who_;
  ServerState& state_;
  std::shared_ptr<FeedState> feed_;
  std::deque<std::pair<std::string, bool>> outbox_;  // frame, counted against the feed's queue
  bool closing_ = false;
};

}  // namespace

void StartWebSocketSession(beast::tcp_stream stream, http::request<http::string_body> upgrade, Principal who,
                           ServerState& state) {
  std::make_shared<WebSocketSession>(std::move(stream), std::move(who), state)->Run(std::move(upgrade));
}

}  // namespace keel::gateway
