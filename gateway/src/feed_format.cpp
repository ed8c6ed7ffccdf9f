// Feed scope filtering and event frames (see feed_format.hpp).
#include "gateway/feed_format.hpp"

#include "actors/entity.hpp"
#include "codec/codec.hpp"
#include "domain_json.hpp"
#include "gateway/event_json.hpp"

namespace keel::gateway {
namespace {

// Splits t/<tenant>/<kind>/<id>.
struct StreamParts {
  std::string_view tenant, kind, id;
};
std::optional<StreamParts> Parse(std::string_view s) {
  if (!s.starts_with("t/")) return std::nullopt;
  s.remove_prefix(2);
  auto a = s.find('/');
  if (a == std::string_view::npos) return std::nullopt;
  auto b = s.find('/', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  return StreamParts{s.substr(0, a), s.substr(a + 1, b - a - 1), s.substr(b + 1)};
}

}  // namespace

std::string FeedFormat::PartnerOf(const std::string& tenant) {
  {
    std::lock_guard lock(mu_);
    if (auto it = partners_.find(tenant); it != partners_.end()) return it->second;
  }
  std::string partner;
  auto first = store_.ReadStream(actors::StreamOf(actors::TenantKey(tenant)), 1, 1);
  if (first && !first->empty()) {
    const auto& r = first->front();
    auto ev = codec::DecodeTenant(r.type, r.schema_version, r.payload);
    if (ev) {
      if (const auto* p = std::get_if<domain::tenant::TenantProvisioned>(&*ev)) partner = p->partner;
    }
  }
  if (!partner.empty()) {
    std::lock_guard lock(mu_);
    partners_[tenant] = partner;
  }
  return partner;
}

EventScope FeedFormat::ScopeOf(const eventstore::EventView& e) {
  EventScope scope;
  auto parts = Parse(e.stream);
  if (!parts) return scope;
  scope.valid = true;
  scope.tenant = std::string(parts->tenant);
  scope.kind = std::string(parts->kind);
  scope.id = std::string(parts->id);
  scope.platform = parts->tenant == actors::kPlatformTenant;
  return scope;
}

bool FeedFormat::Visible(EventScope& scope, const Principal& who) {
  if (!scope.valid) return false;
  if (who.partner.empty()) return true;
  if (scope.platform) {
    // A partner's own stream is visible to its partner-wide keys; other platform streams are not.
    return scope.kind == "partner" && scope.id == who.partner && who.tenant.empty();
  }
  if (!who.tenant.empty() && who.tenant != scope.tenant) return false;
  if (!scope.partner_known) {
    scope.partner = PartnerOf(scope.tenant);
    scope.partner_known = true;
  }
  return !scope.partner.empty() && scope.partner == who.partner;
}

bool FeedFormat::Visible(const eventstore::EventView& e, const Principal& who) {
  if (who.grant && !who.grant->events.contains(e.type)) return false;  // an extension sees what it declared
  auto parts = Parse(e.stream);
  if (!parts) return false;
  if (who.partner.empty()) return true;
  if (parts->tenant == actors::kPlatformTenant) {
    return parts->kind == "partner" && parts->id == who.partner && who.tenant.empty();
  }
  const std::string tenant(parts->tenant);
  if (!who.tenant.empty() && who.tenant != tenant) return false;
  return PartnerOf(tenant) == who.partner;
}

std::string FeedFormat::Render(const eventstore::EventView& e, Audience audience) {
  renders_.fetch_add(1, std::memory_order_relaxed);
  auto parts = Parse(e.stream);
  const std::string_view tenant = parts ? parts->tenant : std::string_view{};
  json::Json data = parts ? EventDataJson(e.stream, e.type, e.schema_version, e.payload) : json::Json(nullptr);
  if (audience == Audience::kTenant && parts && parts->kind == "billing") json::RedactRevenueSplit(data);
  // An agents' internal note is not for the customer's side: its text is left out for tenant-bound keys.
  if (audience == Audience::kTenant && e.type == "TicketCommented" && data.is_object() && data.value("internal", false))
    data["body"] = "";
  json::Json frame{{"type", "event"},
                   {"position", e.position},
                   {"stream", std::string(e.stream)},
                   {"version", e.version},
                   {"event_type", std::string(e.type)},
                   {"tenant", std::string(tenant)},
                   {"at", e.timestamp_ms},
                   {"data", std::move(data)}};
  return frame.dump(-1, ' ', false, json::Json::error_handler_t::replace);
}

bool FeedFormat::DiffersByAudience(const EventScope& scope, const eventstore::EventView& e) {
  return (scope.kind == "billing" && e.type == "InvoiceIssued") || e.type == "TicketCommented";
}

const std::string& FeedFormat::FrameFor(const eventstore::EventView& e, const EventScope& scope, Audience audience,
                                        EventFrames& frames) {
  if (audience == Audience::kTenant && DiffersByAudience(scope, e)) {
    if (!frames.tenant) frames.tenant = Render(e, Audience::kTenant);
    return *frames.tenant;
  }
  if (!frames.partner) frames.partner = Render(e, Audience::kPartner);
  return *frames.partner;
}

std::optional<std::string> FeedFormat::Frame(const eventstore::EventView& e, const Principal& who) {
  if (!Visible(e, who)) return std::nullopt;
  return Render(e, AudienceOf(who));
}

}  // namespace keel::gateway
