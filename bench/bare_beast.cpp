// The bare Beast baseline server (see bare_beast.hpp): keep-alive, one strand per connection,
// read a request, write a fixed 200 answer, repeat.
#include "bare_beast.hpp"

#include <pthread.h>

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <thread>
#include <vector>

namespace keel::bench {
namespace {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket s) : stream_(std::move(s)) {}
  void Read() {
    req_ = {};
    http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->res_ = http::response<http::string_body>(http::status::ok, self->req_.version());
      self->res_.set(http::field::content_type, "application/json");
      self->res_.body() = R"({"entity":{"kind":"tenant","id":"t"},"version":1,"position":1,"events":[]})";
      self->res_.keep_alive(self->req_.keep_alive());
      self->res_.prepare_payload();
      http::async_write(self->stream_, self->res_, [self](beast::error_code ec2, std::size_t) {
        if (!ec2) self->Read();
      });
    });
  }

 private:
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

}  // namespace

struct BareBeast::Impl {
  explicit Impl(std::size_t n) : ioc(static_cast<int>(n)), acceptor(net::make_strand(ioc)) {
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
      std::make_shared<Session>(std::move(s))->Read();
      Accept();
    });
  }
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
};

BareBeast::BareBeast(std::size_t io_threads) : impl_(std::make_unique<Impl>(io_threads)) {}
BareBeast::~BareBeast() {
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
}
std::uint16_t BareBeast::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace keel::bench
