// Exception routing: integration failures, sync-latency breaches and support SLA breaches (tenant
// events whose `routed_to` role the workflow rules chose) become open exceptions in that role's inbox;
// a recovery closes the integration's open exceptions, a ticket's resolution its SLA breaches. The inbox is a read model written together with its checkpoint in
// one batch, so every event counts exactly once, across crashes too.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eventstore/store.hpp"

namespace keel::actors {

struct RoutedException {
  std::string tenant, role;
  std::string kind;  // edi_failure, marketplace_failure, sync_latency, sla_breach
  std::string detail;
  std::uint64_t position = 0;  // the event that raised it
  std::int64_t at = 0;
};

class ExceptionRouter {
 public:
  explicit ExceptionRouter(eventstore::EventStore& store);
  ~ExceptionRouter();
  void Stop();
  bool WaitUntilProcessed(std::uint64_t position, std::chrono::milliseconds timeout);

  // Open exceptions of a tenant, for one role or (empty) every role.
  static std::vector<RoutedException> Open(const eventstore::EventStore& store, const std::string& tenant,
                                           const std::string& role = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel::actors
