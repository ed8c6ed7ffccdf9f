// WebSocket /v1/ws over a real socket (a synchronous Beast client): commands with request ids, the
// live feed from a position with no gap between history and live, scope filtering of the feed, and
// a slow consumer closed with code 4008 instead of being buffered without bound, and the feed limit
// (503 beyond it, free again once a feed ends).
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <optional>
#include <set>
#include <thread>

#include "gateway/server.hpp"
#include "gateway_world.hpp"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using keel::test::GatewayWorld;
using keel::test::Json;

namespace {

class WsClient {
 public:
  // `receive_buffer`: a small kernel receive buffer (set before connecting, so the window stays small).
  WsClient(std::uint16_t port, const std::string& key, int receive_buffer = 0) : ws_(ioc_) {
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.open(net::ip::tcp::v4());
    if (receive_buffer > 0) socket.set_option(net::socket_base::receive_buffer_size(receive_buffer));
    socket.connect({net::ip::make_address("127.0.0.1"), port});
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::decorator([key](websocket::request_type& req) {
      req.set(beast::http::field::authorization, "Bearer " + key);
    }));
    ws_.handshake("127.0.0.1", "/v1/ws");
  }
  void Send(const Json& j) { ws_.write(net::buffer(j.dump())); }
  // The next frame; throws on a close, an error, or after 20 s without one (synchronous reads would
  // ignore the stream's timer, so this reads asynchronously and runs the io_context for a bounded time).
  Json Next() {
    beast::flat_buffer buf;
    std::optional<beast::error_code> result;
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(20));
    ws_.async_read(buf, [&](beast::error_code ec, std::size_t) { result = ec; });
    ioc_.restart();
    while (!result && ioc_.run_one() > 0) {
    }
    if (!result) throw beast::system_error(beast::error::timeout);
    if (*result) throw beast::system_error(*result);
    ++frames_;
    return Json::parse(beast::buffers_to_string(buf.data()));
  }
  // Reads until a frame of `type` arrives.
  Json NextOf(const std::string& type) {
    for (;;) {
      auto j = Next();
      if (j["type"] == type) return j;
    }
  }
  websocket::stream<beast::tcp_stream>& ws() { return ws_; }
  int frames() const { return frames_; }

 private:
  net::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  int frames_ = 0;
};

void Seed(GatewayWorld& w) {
  for (const char* p : {"p1", "p2"}) {
    w.CallJson("POST", "/v1/partners", {{"id", p}, {"name", p}}, keel::test::kOwnerKey, 201);
    w.CallJson("POST", std::string("/v1/partners/") + p + "/certification", nullptr, keel::test::kOwnerKey, 200);
  }
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t1"}, {"name", "T1"}, {"template_id", "regional-distributor"}}, keel::test::kOwnerKey, 201);
  w.CallJson("POST", "/v1/partners/p2/tenants", {{"reference", "t2"}, {"name", "T2"}, {"template_id", "regional-distributor"}}, keel::test::kOwnerKey, 201);
}

Json Usage(int calls) { return {{"api_calls", calls}}; }  // orders are metered, not reported

}  // namespace

TEST_CASE("WebSocket commands carry their request id and act like HTTP", "[gateway][ws]") {
  GatewayWorld w;
  Seed(w);
  WsClient c(w.port(), keel::test::kOwnerKey);
  c.Send({{"type", "command"}, {"id", "req-1"}, {"method", "POST"}, {"path", "/v1/tenants/p1:t1/usage"}, {"body", Usage(2)},
          {"idempotency_key", "ws-usage-1"}});
  auto reply = c.NextOf("reply");
  CHECK(reply["id"] == "req-1");
  CHECK(reply["status"] == 200);
  CHECK(reply["body"]["events"][0]["type"] == "UsageRecorded");
  const auto head = w.head();
  c.Send({{"type", "command"}, {"id", 2}, {"method", "POST"}, {"path", "/v1/tenants/p1:t1/usage"}, {"body", Usage(2)},
          {"idempotency_key", "ws-usage-1"}});
  auto again = c.NextOf("reply");
  CHECK(again["id"] == 2);
  CHECK(again["body"] == reply["body"]);
  CHECK(w.head() == head);
  c.Send({{"type", "command"}, {"id", 3}, {"method", "GET"}, {"path", "/v1/tenants/nope"}});
  CHECK(c.NextOf("reply")["status"] == 404);
  c.Send(Json{{"type", "bogus"}, {"id", 4}});
  CHECK(c.NextOf("reply")["status"] == 400);
  c.ws().write(net::buffer(std::string("{not json")));
  CHECK(c.NextOf("reply")["status"] == 400);
}

TEST_CASE("the feed resumes from a position: history then live with no gap and only the caller's scope", "[gateway][ws]") {
  GatewayWorld w;
  Seed(w);
  const std::string partner_key = w.Key("partner_admin", "p1");
  const auto start = w.head();
  for (int i = 0; i < 30; ++i) {
    w.CallJson("POST", "/v1/tenants/p1:t1/usage", Usage(i + 1), keel::test::kOwnerKey, 200);
    w.CallJson("POST", "/v1/tenants/p2:t2/usage", Usage(i + 1), keel::test::kOwnerKey, 200);
  }
  WsClient c(w.port(), partner_key);
  c.Send({{"type", "subscribe"}, {"id", "s"}, {"from", start + 1}});
  CHECK(c.NextOf("subscribed")["from"] == start + 1);
  // 30 historical t1 events, then 30 live ones written while subscribed.
  std::thread writer([&] {
    for (int i = 0; i < 30; ++i) {
      w.Call("POST", "/v1/tenants/p1:t1/usage", Usage(100 + i));
      w.Call("POST", "/v1/tenants/p2:t2/usage", Usage(100 + i));
    }
  });
  std::uint64_t last = start;
  std::set<std::string> tenants;
  for (int i = 0; i < 60; ++i) {
    auto e = c.NextOf("event");
    CHECK(e["position"].get<std::uint64_t>() > last);
    last = e["position"].get<std::uint64_t>();
    tenants.insert(e["tenant"].get<std::string>());
    CHECK(e["event_type"] == "UsageRecorded");
    CHECK(e["data"]["api_calls"].get<int>() == (i < 30 ? i + 1 : 100 + (i - 30)));  // in order, none missing
  }
  writer.join();
  CHECK(tenants == std::set<std::string>{"p1:t1"});
}

TEST_CASE("a slow feed consumer is closed with 4008 and the server stays healthy", "[gateway][ws]") {
  keel::test::WorldOptions o;
  o.ws_queue_limit = 256;
  o.slow_consumer_grace = std::chrono::milliseconds(300);
  o.ws_send_buffer = 16 * 1024;  // the server's kernel buffer fills after a few dozen frames
  GatewayWorld w(o);
  Seed(w);
  // Enough history to fill the (small) socket buffers many times over: appended straight to the
  // store (the feed shows events it cannot decode as such; frame size is what matters here).
  for (int batch = 0; batch < 10; ++batch) {
    std::vector<keel::eventstore::EventData> events;
    for (int i = 0; i < 500; ++i) events.push_back({"Filler", 1, std::string(400, 'x')});
    REQUIRE(w.node->store().Append("t/p1:t1/filler/f" + std::to_string(batch), keel::eventstore::ExpectedVersion::Any(),
                                   std::move(events)).has_value());
  }
  // A small receive window, so that the server's writes back up; then no reading for a while.
  WsClient c(w.port(), keel::test::kOwnerKey, 4096);
  c.Send({{"type", "subscribe"}, {"from", 1}});
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  bool closed = false;
  try {
    for (int i = 0; i < 200000; ++i) c.Next();
  } catch (const beast::system_error& e) {
    INFO("after " << c.frames() << " frames: " << e.code().message());
    closed = e.code() == websocket::error::closed;
    CHECK(c.ws().reason().code == keel::gateway::kSlowConsumerCloseCode);
  }
  CHECK(closed);
  CHECK(w.Call("GET", "/healthz").status == 200);
}

TEST_CASE("odd WebSocket messages get an error reply and the connection keeps working", "[gateway][ws]") {
  GatewayWorld w;
  Seed(w);
  WsClient c(w.port(), keel::test::kOwnerKey);
  for (const Json& odd : {Json{{"type", 1}}, Json{{"type", nullptr}}, Json{{"type", Json::array()}}, Json{{"id", 5}},
                          Json{{"type", "command"}, {"method", 7}, {"path", "/v1/plans"}},
                          Json{{"type", "subscribe"}, {"from", -3}}, Json{{"type", "subscribe"}, {"from", "x"}}}) {
    c.Send(odd);
    CHECK(c.NextOf("reply")["status"] == 400);
  }
  // Unsubscribing and subscribing again starts a fresh feed.
  c.Send({{"type", "subscribe"}, {"from", 1}});
  c.NextOf("subscribed");
  c.Send({{"type", "unsubscribe"}});
  c.NextOf("unsubscribed");
  const auto head = w.head();
  c.Send({{"type", "subscribe"}, {"from", head}});
  CHECK(c.NextOf("subscribed")["from"] == head);
  CHECK(c.NextOf("event")["position"] == head);
  c.Send({{"type", "command"}, {"id", "after"}, {"method", "GET"}, {"path", "/v1/plans"}});
  CHECK(c.NextOf("reply")["status"] == 200);
  CHECK(w.Call("GET", "/healthz").status == 200);
}

TEST_CASE("a key revoked while its WebSocket is open stops working at once", "[gateway][ws]") {
  GatewayWorld w;
  Seed(w);
  auto key = w.CallJson("POST", "/v1/keys", {{"role", "partner_admin"}, {"partner", "p1"}}, keel::test::kOwnerKey, 201);
  WsClient c(w.port(), key["token"].get<std::string>());
  c.Send({{"type", "command"}, {"id", 1}, {"method", "GET"}, {"path", "/v1/tenants/p1:t1"}});
  CHECK(c.NextOf("reply")["status"] == 200);
  w.CallJson("DELETE", "/v1/keys/" + key["id"].get<std::string>(), nullptr, keel::test::kOwnerKey, 200);
  c.Send({{"type", "command"}, {"id", 2}, {"method", "GET"}, {"path", "/v1/tenants/p1:t1"}});
  CHECK(c.NextOf("reply")["status"] == 401);
  bool closed = false;
  try {
    for (int i = 0; i < 10; ++i) c.Next();
  } catch (const beast::system_error& e) {
    closed = e.code() == websocket::error::closed;
  }
  CHECK(closed);
  // The refusal is audited with the key, its role and where the connection came from.
  REQUIRE(w.node->store().SaveCheckpoint("test.probe", 1).has_value());  // the audit's writes have landed
  bool audited = false;
  (void)w.node->store().ReadModelScan("audit", "r/", [&](std::string_view, std::string_view value) {
    const Json record = Json::parse(value, nullptr, false);
    if (record.value("route", "") == "websocket" && record.value("who", "") == "key:" + key["id"].get<std::string>()) {
      audited = record.value("status", 0) == 401 && record.value("role", "") == "partner_admin" &&
                record.value("source", "").starts_with("127.0.0.1:");
      INFO(record.dump());
      CHECK(audited);
    }
    return true;
  });
  CHECK(audited);
}

TEST_CASE("feeds beyond the server's limit are refused with 503 until one ends, many share the hub", "[gateway][ws]") {
  keel::test::WorldOptions o;
  o.max_subscriptions = 40;
  GatewayWorld w(o);
  Seed(w);
  // 40 feeds, all caught up: served by the hub, no thread each.
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 0; i < 40; ++i) {
    clients.push_back(std::make_unique<WsClient>(w.port(), keel::test::kOwnerKey));
    clients.back()->Send({{"type", "subscribe"}, {"id", i}});
    CHECK(clients.back()->NextOf("subscribed")["id"] == i);
  }
  WsClient extra(w.port(), keel::test::kOwnerKey);
  extra.Send({{"type", "subscribe"}, {"id", "one-too-many"}});
  auto refused = extra.NextOf("reply");
  CHECK(refused["id"] == "one-too-many");
  CHECK(refused["status"] == 503);
  CHECK(refused["body"]["type"] == "https://keel.dev/problems/too_many_subscriptions");
  // Every feed sees a new event once.
  w.CallJson("POST", "/v1/tenants/p1:t1/usage", Usage(3), keel::test::kOwnerKey, 200);
  for (auto& c : clients) {
    auto event = c->NextOf("event");
    CHECK(event["stream"] == "t/p1:t1/tenant/p1:t1");
  }
  // One ends: its place is free again.
  clients.front()->Send({{"type", "unsubscribe"}, {"id", "bye"}});
  CHECK(clients.front()->NextOf("unsubscribed")["id"] == "bye");
  extra.Send({{"type", "subscribe"}, {"id", "now"}});
  CHECK(extra.NextOf("subscribed")["id"] == "now");
}

namespace {
// A handshake that offers `protocols` and no Authorization header; the status and selected protocol.
struct Handshake {
  int status = 0;
  std::string protocol;
  bool open = false;
};
Handshake OfferProtocols(std::uint16_t port, const std::string& protocols, const std::string& target = "/v1/ws") {
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> ws(ioc);
  beast::get_lowest_layer(ws).connect({net::ip::make_address("127.0.0.1"), port});
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(20));
  ws.set_option(websocket::stream_base::decorator([protocols](websocket::request_type& req) {
    req.set(beast::http::field::sec_websocket_protocol, protocols);
  }));
  websocket::response_type res;
  Handshake h;
  beast::error_code ec;
  ws.handshake(res, "127.0.0.1", target, ec);
  h.status = static_cast<int>(res.result_int());
  h.protocol = std::string(res[beast::http::field::sec_websocket_protocol]);
  h.open = !ec;
  if (h.open) {
    ws.write(net::buffer(Json{{"type", "command"}, {"id", 1}, {"method", "GET"}, {"path", "/v1/plans"}}.dump()));
    beast::flat_buffer buf;
    ws.read(buf, ec);
    if (ec || Json::parse(beast::buffers_to_string(buf.data()))["status"] != 200) h.open = false;
    ws.close(websocket::close_code::normal, ec);
  }
  return h;
}
}  // namespace

TEST_CASE("a browser sends its key as a WebSocket subprotocol, keel.v1 is selected and the key never echoed", "[gateway][ws]") {
  GatewayWorld w;
  const std::string key = keel::test::kOwnerKey;
  auto ok = OfferProtocols(w.port(), "keel.v1, keel.bearer." + key);
  CHECK(ok.status == 101);
  CHECK(ok.protocol == "keel.v1");
  CHECK(ok.open);  // and a command on it is answered
  auto reversed = OfferProtocols(w.port(), "keel.bearer." + key + ", keel.v1");
  CHECK(reversed.protocol == "keel.v1");
  CHECK(reversed.open);
  // A wrong key: 401, as with the header.
  auto wrong = OfferProtocols(w.port(), "keel.v1, keel.bearer.not-a-real-key-not-a-real-key");
  CHECK(wrong.status == 401);
  CHECK(!wrong.open);
  // The key without keel.v1: nothing the server may select (it never echoes a key): 400.
  auto alone = OfferProtocols(w.port(), "keel.bearer." + key);
  CHECK(alone.status == 400);
  CHECK(!alone.open);
  // keel.v1 alone carries no key: 401; the ?key= of older clients still works beside it.
  CHECK(OfferProtocols(w.port(), "keel.v1").status == 401);
  auto query = OfferProtocols(w.port(), "keel.v1", "/v1/ws?key=" + key);
  CHECK(query.open);
  CHECK(query.protocol == "keel.v1");
}

TEST_CASE("a feed whose key is revoked is closed with the next event", "[gateway][ws]") {
  GatewayWorld w;
  Seed(w);
  auto key = w.CallJson("POST", "/v1/keys", {{"role", "partner_admin"}, {"partner", "p1"}}, keel::test::kOwnerKey, 201);
  WsClient c(w.port(), key["token"].get<std::string>());
  c.Send({{"type", "subscribe"}, {"id", "s"}});
  CHECK(c.NextOf("subscribed")["id"] == "s");
  w.CallJson("POST", "/v1/tenants/p1:t1/usage", Usage(1), keel::test::kOwnerKey, 200);
  CHECK(c.NextOf("event")["tenant"] == "p1:t1");
  w.CallJson("DELETE", "/v1/keys/" + key["id"].get<std::string>(), nullptr, keel::test::kOwnerKey, 200);
  // Without a message from the client: the feed itself notices, on the next event of any scope.
  w.CallJson("POST", "/v1/tenants/p2:t2/usage", Usage(1), keel::test::kOwnerKey, 200);
  bool closed = false;
  try {
    for (int i = 0; i < 10; ++i) {
      auto frame = c.Next();
      CHECK(frame["type"] != "event");  // nothing more is delivered
    }
  } catch (const beast::system_error& e) {
    closed = e.code() == websocket::error::closed;
    CHECK(c.ws().reason().code == websocket::close_code::policy_error);
  }
  CHECK(closed);
}

TEST_CASE("an invoice's feed frame carries the revenue split for the partner's feed, not for a tenant-bound key's",
          "[gateway][ws][billing]") {
  GatewayWorld w;
  Seed(w);
  w.CallJson("PUT", "/v1/partners/p1/revenue-share", {{"partner_bps", 2000}}, keel::test::kOwnerKey, 200);
  WsClient partner(w.port(), w.Key("partner_admin", "p1"));
  WsClient tenant(w.port(), w.Key("tenant_operator", "p1", "p1:t1"));
  for (auto* c : {&partner, &tenant}) {
    c->Send({{"type", "subscribe"}, {"id", "s"}, {"from", w.head() + 1}});
    c->NextOf("subscribed");
  }
  w.clock.Advance(31LL * 86'400'000);
  w.CallJson("POST", "/v1/billing/period-close", nullptr, keel::test::kOwnerKey, 200);
  auto invoice_of = [](WsClient& c) {
    for (;;) {
      auto e = c.NextOf("event");
      if (e["event_type"] == "InvoiceIssued" && e["tenant"] == "p1:t1") return e;
    }
  };
  const Json seen_by_partner = invoice_of(partner);
  const Json seen_by_tenant = invoice_of(tenant);
  CHECK(seen_by_partner["data"]["partner_share"].get<std::int64_t>() > 0);
  CHECK(seen_by_partner["data"].contains("platform_share"));
  CHECK_FALSE(seen_by_tenant["data"].contains("partner_share"));
  CHECK_FALSE(seen_by_tenant["data"].contains("platform_share"));
  CHECK(seen_by_tenant["data"]["total"] == seen_by_partner["data"]["total"]);
  CHECK(seen_by_tenant["data"]["lines"] == seen_by_partner["data"]["lines"]);
}

TEST_CASE("an extension's feed carries only the event types its manifest declared and only its tenant's", "[gateway][ws][extensions]") {
  GatewayWorld w;
  Seed(w);
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t3"}, {"name", "T3"}, {"template_id", "regional-distributor"}},
             keel::test::kOwnerKey, 201);
  const std::string admin = w.Key("partner_admin", "p1");
  auto approve = [&](const std::string& id, const Json& events) {
    w.CallJson("POST", "/v1/extensions",
               {{"id", id}, {"version", "1.0.0"}, {"name", id}, {"kind", "workflow_pack"}, {"events", events},
                {"scopes", {"tenant:read"}}, {"config_schema", {{"type", "object"}}}},
               admin, 201);
    w.CallJson("POST", "/v1/extensions/p1:" + id + "/versions/1.0.0/review", nullptr, keel::test::kOwnerKey, 200);
    w.CallJson("POST", "/v1/extensions/p1:" + id + "/versions/1.0.0/approval", nullptr, keel::test::kOwnerKey, 200);
    return w.CallJson("POST", "/v1/tenants/p1:t1/extensions", {{"extension", "p1:" + id}}, admin, 201)["key"]["token"].get<std::string>();
  };
  const std::string listener = approve("usage-listener", {"UsageRecorded"});
  const std::string deaf = approve("no-events", Json::array());
  // Without declared events there is no feed for it.
  CHECK_THROWS(WsClient(w.port(), deaf));
  const auto start = w.head();
  WsClient c(w.port(), listener);
  c.Send({{"type", "subscribe"}, {"id", "s"}, {"from", start + 1}});
  c.NextOf("subscribed");
  for (int i = 0; i < 5; ++i) {
    w.CallJson("POST", "/v1/tenants/p1:t1/onboarding", nullptr, keel::test::kOwnerKey, 0);  // OnboardingStarted once: not declared
    w.CallJson("POST", "/v1/tenants/p1:t3/usage", Usage(50 + i), keel::test::kOwnerKey, 200);  // another tenant of its partner
    w.CallJson("POST", "/v1/tenants/p1:t1/usage", Usage(i + 1), keel::test::kOwnerKey, 200);
  }
  for (int i = 0; i < 5; ++i) {
    auto e = c.NextOf("event");
    CHECK(e["event_type"] == "UsageRecorded");
    CHECK(e["tenant"] == "p1:t1");
    CHECK(e["data"]["api_calls"] == i + 1);
  }
}

TEST_CASE("an agents' internal ticket note reaches a tenant-bound key's feed without its text", "[gateway][ws][support]") {
  GatewayWorld w;
  Seed(w);
  const std::string base = "/v1/tenants/p1:t1/tickets";
  w.CallJson("POST", base, {{"ticket", "T1"}, {"subject", "Labels"}}, keel::test::kOwnerKey, 200);
  WsClient partner(w.port(), w.Key("partner_admin", "p1"));
  WsClient tenant(w.port(), w.Key("tenant_operator", "p1", "p1:t1"));
  for (auto* c : {&partner, &tenant}) {
    c->Send({{"type", "subscribe"}, {"id", "s"}, {"from", w.head() + 1}});
    c->NextOf("subscribed");
  }
  w.CallJson("POST", base + "/T1/comments", {{"from", "agent"}, {"body", "bill them for this"}, {"internal", true}},
             keel::test::kOwnerKey, 200);
  w.CallJson("POST", base + "/T1/comments", {{"from", "agent"}, {"body", "We are on it"}}, keel::test::kOwnerKey, 200);
  auto comments_of = [](WsClient& c) {
    std::vector<Json> out;
    while (out.size() < 2) {
      auto e = c.NextOf("event");
      if (e["event_type"] == "TicketCommented") out.push_back(e);
    }
    return out;
  };
  const auto by_partner = comments_of(partner);
  const auto by_tenant = comments_of(tenant);
  CHECK(by_partner[0]["data"]["body"] == "bill them for this");
  CHECK(by_tenant[0]["data"]["internal"] == true);
  CHECK(by_tenant[0]["data"]["body"] == "");  // the note's text stays with the agents
  CHECK(by_tenant[1]["data"]["body"] == "We are on it");
}
