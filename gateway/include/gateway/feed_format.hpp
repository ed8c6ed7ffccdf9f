// The live event feed as a WebSocket client sees it: which events a caller may see (its scope: the
// platform sees everything; a partner sees its own partner stream and its tenants' streams; a tenant-
// bound key sees that tenant) and the JSON frame of each. No sockets here: the feed hub calls it from
// its subscription threads. A frame depends only on its audience: the partner and the platform owner
// see an invoice's partner / platform revenue split, tenant-bound keys see the invoice without it, and
// the text of an agents' internal ticket note is left out for them.
// So the hub renders each event at most once per audience (once for most events, which do not differ).
#pragma once

#include <atomic>
#include <cstdint>
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

// Who a frame is rendered for: partner- and platform-wide keys, or keys bound to one tenant.
enum class Audience : std::uint8_t { kPartner, kTenant };
inline Audience AudienceOf(const Principal& who) { return who.tenant.empty() ? Audience::kPartner : Audience::kTenant; }

// One event's frames, each rendered when a feed of its audience first needs it.
struct EventFrames {
  std::optional<std::string> partner, tenant;  // `tenant` only for events that differ by audience
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
  std::string Render(const eventstore::EventView& event, Audience audience = Audience::kPartner);
  // Whether the event's frame differs by audience (an invoice, which carries the revenue split; a
  // ticket comment, which may be an internal note).
  static bool DiffersByAudience(const EventScope& scope, const eventstore::EventView& event);
  // The frame for `audience`, rendered into `frames` once.
  const std::string& FrameFor(const eventstore::EventView& event, const EventScope& scope, Audience audience,
                              EventFrames& frames);
  // The partner a tenant belongs to (from its first event), "" when unknown. Cached.
  std::string PartnerOf(const std::string& tenant);
  std::uint64_t renders() const { return renders_.load(std::memory_order_relaxed); }  // frames rendered so far

 private:
  eventstore::EventStore& store_;
  std::mutex mu_;
  std::unordered_map<std::string, std::string> partners_;
  std::atomic<std::uint64_t> renders_{0};
};

}  // namespace keel::gateway
