// Accepts connections, each on its own strand, and starts an HTTP session for it.
#include "listener.hpp"

#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>

namespace keel::gateway {

Listener::Listener(net::io_context& ioc, ServerState& state, bool admin)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), state_(state), admin_(admin) {}

std::expected<std::uint16_t, std::string> Listener::Open(const std::string& address, std::uint16_t port) {
  beast::error_code ec;
  auto ip = net::ip::make_address(address, ec);
  if (ec) return std::unexpected("bad listen address '" + address + "': " + ec.message());
  tcp::endpoint endpoint{ip, port};
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return std::unexpected("cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
  return acceptor_.local_endpoint().port();
}

void Listener::Run() { Accept(); }

void Listener::Close() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void Listener::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      StartHttpSession(std::move(socket), self->state_, self->admin_);
    }
    self->Accept();
  });
}

}  // namespace keel::gateway
