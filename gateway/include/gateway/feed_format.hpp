// The live event feed as a WebSocket client sees it: which events a caller may see (its scope: the
// platform sees everything; a partner sees its own partner stream and its tenants' streams; a tenant-
// bound key sees that tenant) and the JSON frame of each. No sockets here: the feed hub calls it from
// its subscription threads. A frame does not depend on who sees it, so the hub renders it once.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "eventstore/store.hpp"
#include "gateway/access.hpp"

namespace keel::gateway {

// Where an event belongs, for scope checks: found once per event, then compared per feed.
struct EventScope {
  bool valid = false;     // a t/<tenant>/<kind>/<id> stream
  bool platform = false;  // the platform's own tenant
  std::string tenant, kind, id;
  std::string partner;    // the tenant's partner ("" when unknown), once a partner-bound check needed it
  bool partner_known = false;
};

class FeedFormat {
 public:
  explicit FeedFormat(eventstore::EventStore& store) : store_(store) {}
  // The frame for `event` if `who` may see it, else nullopt. Thread-safe.
  std::optional<std::string> Frame(const eventstore::EventView& event, const Principal& who);
  // The two halves of Frame: whether `who` may see `event`, and its frame (the same for everyone).
  bool Visible(const eventstore::EventView& event, const Principal& who);
  // Visible in two steps, for many principals and one event: the event's scope once, then a
  // comparison per principal (the tenant's partner is looked up once, when first needed).
  static EventScope ScopeOf(const eventstore::EventView& event);
  bool Visible(EventScope& scope, const Principal& who);
  std::string Render(const eventstore::EventView& event);
  // The partner a tenant belongs to (from its first event), "" when unknown. Cached.
  std::string PartnerOf(const std::string& tenant);

 private:
  eventstore::EventStore& store_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> partners_;
};

}  // namespace keel::gateway
