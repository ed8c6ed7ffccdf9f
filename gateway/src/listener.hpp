// The TCP listener of the gateway (see listener.cpp).
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "sessions.hpp"

namespace keel::gateway {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // `admin`: the admin listener (its sessions mark their requests Request::admin).
  Listener(net::io_context& ioc, ServerState& state, bool admin = false);
  std::expected<std::uint16_t, std::string> Open(const std::string& address, std::uint16_t port);
  void Run();
  void Close();

 private:
  void Accept();
  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  ServerState& state_;
  bool admin_ = false;
};

}  // namespace keel::gateway
