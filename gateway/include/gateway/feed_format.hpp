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

class FeedFormat {
 public:
  explicit FeedFormat(eventstore::EventStore& store) : store_(store) {}
  // The frame for `event` if `who` may see it, else nullopt. Thread-safe.
  std::optional<std::string> Frame(const eventstore::EventView& event, const Principal& who);
  // The two halves of Frame: whether `who` may see `event`, and its frame (the same for everyone).
  bool Visible(const eventstore::EventView& event, const Principal& who);
  std::string Render(const eventstore::EventView& event);
  // The partner a tenant belongs to (from its first event), "" when unknown. Cached.
  std::string PartnerOf(const std::string& tenant);

 private:
  eventstore::EventStore& store_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> partners_;
};

}  // namespace keel::gateway
