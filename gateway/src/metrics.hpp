// The gateway's Prometheus metrics (prometheus-cpp): requests and latency by route and status,
// commands by type, plus figures read at scrape time — live actors and activations, the store's head
// position and its group-commit sizes, the reference data's hits and look-ups, each read model's
// position, lag, parked events and rebuild progress. Render() returns the text exposition format.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "actors/runtime.hpp"
#include "eventstore/store.hpp"
#include "projections/projections.hpp"
#include "reference_data.hpp"

namespace keel::gateway {

class Metrics {
 public:
  Metrics(eventstore::EventStore& store, actors::Runtime& runtime);
  ~Metrics();
  void Request(std::string_view route, int status, double seconds);
  void Command(std::string_view type, bool accepted);
  void Denied();        // a request refused by authentication or access control
  void AuditDropped(std::string_view cap);  // an audit record the per-source or overall cap dropped
  void ReadOffloaded();  // a read of a large state rendered on the worker pool
  void WebSocketOpened();
  void WebSocketClosed();
  std::string Render(const ReferenceData::Stats& reference, const std::vector<projections::ProjectionStatus>& read_models = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::gateway
