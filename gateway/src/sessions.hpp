// The Beast sessions (after Beast's chat-multi example): an HTTP session per connection that reads
// requests, hands them to the worker pool and writes the answers; a WebSocket session after an upgrade
// to /v1/ws; the listener that accepts connections on strands.
#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server_state.hpp"

namespace keel::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

void StartHttpSession(tcp::socket socket, ServerState& state, bool admin = false);
void StartWebSocketSession(beast::tcp_stream stream, http::request<http::string_body> upgrade, Principal who,
                           ServerState& state);

}  // namespace keel::gateway
