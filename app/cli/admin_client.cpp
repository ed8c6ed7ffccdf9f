// HTTP calls to a running server's admin listener (see admin_client.hpp), Boost.Beast, synchronous:
// the tools are short-lived command-line programs.
#include "admin_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdlib>

namespace keel::app::cli {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

std::string AdminKey(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv("KEEL_ADMIN_KEY");
  return env ? env : "";
}

std::expected<AdminReply, std::string> AdminCall(const std::string& url, const std::string& key, const std::string& method,
                                                 const std::string& target, const std::string& body) {
  std::string rest = url;
  if (rest.starts_with("http://")) rest = rest.substr(7);
  else if (rest.find("://") != std::string::npos) return std::unexpected("--admin: only http:// URLs (the admin listener is plain HTTP on loopback)");
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size())
    return std::unexpected("--admin: expected http://host:port, got '" + url + "'");
  const std::string host = rest.substr(0, colon), port = rest.substr(colon + 1);
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> req{method == "POST" ? http::verb::post : http::verb::get, target, 11};
    req.set(http::field::host, host);
    req.set(http::field::authorization, "Bearer " + key);
    req.set(http::field::user_agent, "keel-cli");
    if (method == "POST") {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    stream.expires_after(std::chrono::hours(6));  // a backup of a large store takes what it takes
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(stream, buffer, parser);
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return AdminReply{static_cast<int>(parser.get().result_int()), parser.get().body()};
  } catch (const std::exception& e) {
    return std::unexpected("cannot reach " + url + ": " + e.what());
  }
}

}  // namespace keel::app::cli
