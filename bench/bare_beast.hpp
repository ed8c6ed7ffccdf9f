// Bare Boost.Beast HTTP servers, the baselines of the gateway benchmark (same io thread count, same
// machine, same load client):
// - plain: answers every request with a fixed small JSON body;
// - durable: appends each request's body as one event to an event store (its own stream per
//   connection, synced group commit through the store's writer) and answers the fixed body once the
//   append is durable. No authentication, routing, JSON, actors or domain logic: the least a server
//   can do per durable request with this store, i.e. the floor under the gateway's durable commands.
#pragma once

#include <cstdint>
#include <memory>

namespace keel::eventstore {
class EventStore;
}

namespace keel::bench {

class BareBeast {
 public:
  // `store`: null for the plain server; else the store the durable server appends to (outlives it).
  explicit BareBeast(std::size_t io_threads, eventstore::EventStore* store = nullptr);
  ~BareBeast();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::bench
