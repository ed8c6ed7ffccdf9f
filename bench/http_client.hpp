// A minimal blocking HTTP/1.1 client for keel-bench's load threads: one keep-alive connection to
// 127.0.0.1, a request sent whole and its response read to its Content-Length. Enough for
// benchmarks whose servers answer with Content-Length (every Keel response does); not a general client.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace keel::bench {

inline int Connect(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// Sends `request` and reads one response into `buf`; returns its status (0 on a broken connection).
inline int RoundTrip(int fd, const std::string& request, std::string& buf) {
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return 0;
  buf.clear();
  std::size_t header_end = std::string::npos;
  std::size_t need = 0;
  char chunk[8192];
  for (;;) {
    if (header_end == std::string::npos) {
      header_end = buf.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        auto cl = buf.find("Content-Length: ");
        if (cl == std::string::npos) cl = buf.find("content-length: ");
        need = header_end + 4 + (cl != std::string::npos ? std::stoul(buf.substr(cl + 16)) : 0);
      }
    }
    if (header_end != std::string::npos && buf.size() >= need) break;
    auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return 0;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
  return std::atoi(buf.c_str() + 9);
}

inline std::string Post(const std::string& key, const std::string& path, const std::string& body) {
  return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace keel::bench
