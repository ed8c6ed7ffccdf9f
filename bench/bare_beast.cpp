// The bare Beast baseline servers (see bare_beast.hpp): keep-alive, one strand per connection,
// read a request, (durable: append its body and wait for the writer's answer,) write a fixed 200
// answer, repeat.
#include "bare_beast.hpp"

#include <pthread.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "eventstore/store.hpp"

namespace keel::bench {
namespace {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, eventstore::EventStore* store, std::atomic<int>* in_flight, std::string stream)
      : stream_(std::move(s)), store_(store), in_flight_(in_flight), stream_id_(std::move(stream)) {}
  void Read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (self->store_ == nullptr) return self->Answer(true);
      eventstore::AppendRequest append;
      append.streams.push_back({self->stream_id_, eventstore::ExpectedVersion::Any(), {{"BareRequest", 1, std::move(self->req_.body())}}});
      // The writer's thread answers: hand the result back to this connection's strand.
      self->in_flight_->fetch_add(1);
      self->store_->AppendAsync(std::move(append), [self](eventstore::Result<eventstore::AppendResult> r) mutable {
        // The session goes to the strand with the answer, so the writer's thread does not keep it
        // (its last reference must not go after the io_context); only then is the append done.
        auto* in_flight = self->in_flight_;
        auto executor = self->stream_.get_executor();
        net::post(executor, [s = std::move(self), ok = r.has_value()] { s->Answer(ok); });
        in_flight->fetch_sub(1);
      });
    });
  }

 private:
  void Answer(bool ok) {
    res_ = http::response<http::string_body>(ok ? http::status::ok : http::status::internal_server_error, req_.version());
    res_.set(http::field::content_type, "application/json");
    res_.body() = R"({"entity":{"kind":"tenant","id":"t"},"version":1,"position":1,"events":[]})";
    res_.keep_alive(req_.keep_alive());
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->Read();
    });
  }

  beast::tcp_stream stream_;
  eventstore::EventStore* store_;
  std::atomic<int>* in_flight_;  // appends not yet answered by the writer
  std::string stream_id_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

}  // namespace

struct BareBeast::Impl {
  Impl(std::size_t n, eventstore::EventStore* s) : ioc(static_cast<int>(n)), acceptor(net::make_strand(ioc)), store(s) {
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), 0};
    acceptor.open(ep.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    Accept();
    for (std::size_t i = 0; i < n; ++i) threads.emplace_back([this] {
      pthread_setname_np(pthread_self(), "bench-bare-io");
      ioc.run();
    });
  }
  void Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      s.set_option(tcp::no_delay(true), ec);
      const std::string id = std::to_string(sessions++);
      std::make_shared<Session>(std::move(s), store, &in_flight, "t/bare" + id + "/bare/" + id)->Read();
      Accept();
    });
  }
  net::io_context ioc;
  tcp::acceptor acceptor;
  eventstore::EventStore* store;
  std::uint64_t sessions = 0;  // accepts run on the acceptor's strand
  std::atomic<int> in_flight{0};
  std::vector<std::thread> threads;
};

BareBeast::BareBeast(std::size_t io_threads, eventstore::EventStore* store)
    : impl_(std::make_unique<Impl>(io_threads, store)) {}
BareBeast::~BareBeast() {
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  // Answers the writer still holds are posted to the stopped (but living) io_context, and destroyed
  // with it, after this.
  while (impl_->in_flight.load() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}
std::uint16_t BareBeast::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace keel::bench
