// A bare Boost.Beast HTTP server that answers every request with a fixed small JSON body: the
// baseline the gateway benchmark compares durable commands against (same io thread count, same
// machine, same load client).
#pragma once

#include <cstdint>
#include <memory>

namespace keel::bench {

class BareBeast {
 public:
  explicit BareBeast(std::size_t io_threads);
  ~BareBeast();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::bench
