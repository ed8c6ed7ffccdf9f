// The support read model (read_models.hpp, "support"): support load per partner and support tier,
// and SLA attainment per partner, folded from the tenants' ticket events.
//   "t/<tenant>" -> {partner, tier}                         (from TenantProvisioned)
//   "o/<tenant>/<ticket>" -> an open ticket's targets and what became of them so far
//   "l/<partner>/<tier>" -> {opened, open, resolved, comments, resolution_ms, by_priority: {p1: {opened, open}}}
//   "a/<partner>" -> {first_response: {met, breached}, resolution: {met, breached}}
// A target is met when the response (the first public agent comment, or the resolution if it came
// first) or the resolution comes by its due time (moved on by waits on the customer, a wait the
// resolution ends included), breached when
// the tenant recorded a breach or the act came late; tickets without targets count in the load only.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "codec/codec.hpp"
#include "domain/support.hpp"
#include "domain/tenant.hpp"
#include "entity_fold.hpp"
#include "projections/read_models.hpp"

namespace keel::projections {
namespace {

using Json = nlohmann::json;
namespace t = domain::tenant;
namespace sp = domain::support;

Json Load(Model& m, const std::string& key, Json fallback) {
  if (auto kept = m.Get(key)) {
    Json j = Json::parse(*kept, nullptr, false);
    if (j.is_object()) return j;
  }
  return fallback;
}

// Adds `by` to j's counter `a` (j made an object first: a count never throws on a fresh key).
void Bump(Json& j, const std::string& a, std::int64_t by = 1) {
  if (!j.is_object()) j = Json::object();
  const Json& v = j[a];
  j[a] = (v.is_number_integer() ? v.get<std::int64_t>() : 0) + by;
}

class Support final : public Projection {
 public:
  std::string_view name() const override { return "support"; }
  std::uint32_t version() const override { return 1; }
  bool Wants(const eventstore::EventView& e) const override {
    return StreamKind(e.stream) == "tenant" &&
           (e.type == "TenantProvisioned" || e.type == "TicketOpened" || e.type == "TicketResolved" ||
            e.type == "TicketCommented" || e.type == "TicketStatusChanged" || e.type == "TicketSlaBreached");
  }

  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    auto event = codec::DecodeTenant(e.type, e.schema_version, e.payload);
    if (!event) return std::unexpected("undecodable " + std::string(e.type) + ": " + event.error().message);
    const std::string tenant = StreamTenant(e.stream);
    if (const auto* p = std::get_if<t::TenantProvisioned>(&*event)) {
      m.Put("t/" + tenant, Json{{"partner", p->partner}, {"tier", std::string(domain::TierName(p->tier))}}.dump());
      return {};
    }
    const Json who = Load(m, "t/" + tenant, Json{{"partner", tenant.substr(0, tenant.find(':'))}, {"tier", "standard"}});
    const std::string partner = who.value("partner", ""), tier = who.value("tier", "standard");
    const std::string load_key = "l/" + partner + "/" + tier, att_key = "a/" + partner;
    Json load = Load(m, load_key, Json::object());
    Json att = Load(m, att_key, Json{{"first_response", {{"met", 0}, {"breached", 0}}}, {"resolution", {{"met", 0}, {"breached", 0}}}});
    auto count = [&](const char* target, bool met) { Bump(att[target], met ? "met" : "breached"); };
    if (!load["by_priority"].is_object()) load["by_priority"] = Json::object();

    if (const auto* opened = std::get_if<t::TicketOpened>(&*event)) {
      const std::string priority = opened->priority.empty() ? "none" : opened->priority;
      Bump(load, "opened");
      Bump(load, "open");
      Bump(load["by_priority"][priority], "opened");
      Bump(load["by_priority"][priority], "open");
      m.Put("o/" + tenant + "/" + opened->ticket, Json{{"priority", priority},
                                                       {"opened_at", opened->at},
                                                       {"fr_due", opened->first_response_due},
                                                       {"res_due", opened->resolution_due},
                                                       {"responded", false},
                                                       {"fr_breached", false},
                                                       {"res_breached", false}}
                                                      .dump());
    } else {
      std::string ticket;
      std::visit([&](const auto& ev) {
        if constexpr (requires { ev.ticket; }) ticket = ev.ticket;
      }, *event);
      const std::string open_key = "o/" + tenant + "/" + ticket;
      auto kept = m.Get(open_key);
      if (!kept) return {};  // a ticket opened before the model knew it: nothing to fold
      Json o = Json::parse(*kept, nullptr, false);
      if (!o.is_object()) return std::unexpected("ticket '" + ticket + "': its open row is unreadable");
      const bool fr_open = o.value("fr_due", std::int64_t{0}) > 0 && !o.value("responded", false) && !o.value("fr_breached", false);
      const bool res_open = o.value("res_due", std::int64_t{0}) > 0 && !o.value("res_breached", false);
      if (const auto* commented = std::get_if<t::TicketCommented>(&*event)) {
        Bump(load, "comments");
        if (commented->first_response && fr_open) count("first_response", commented->at <= o.value("fr_due", std::int64_t{0}));
        if (commented->first_response) o["responded"] = true;
      } else if (const auto* changed = std::get_if<t::TicketStatusChanged>(&*event)) {
        o["res_due"] = changed->resolution_due;
        o["paused_at"] = changed->to == sp::StatusName(sp::TicketStatus::kWaitingOnCustomer) ? changed->at : 0;
      } else if (const auto* breach = std::get_if<t::TicketSlaBreached>(&*event)) {
        if (breach->target == sp::kFirstResponse && fr_open) count("first_response", false);
        if (breach->target == sp::kResolution && res_open) count("resolution", false);
        o[breach->target == sp::kFirstResponse ? "fr_breached" : "res_breached"] = true;
      } else if (const auto* resolved = std::get_if<t::TicketResolved>(&*event)) {
        const std::string priority = o.value("priority", "none");
        Bump(load, "open", -1);
        Bump(load, "resolved");
        Bump(load, "resolution_ms", resolved->at - o.value("opened_at", resolved->at));
        Bump(load["by_priority"][priority], "open", -1);
        if (fr_open) count("first_response", resolved->at <= o.value("fr_due", std::int64_t{0}));
        // Resolved while waiting on the customer: the wait so far does not count against the target.
        const std::int64_t paused_at = o.value("paused_at", std::int64_t{0});
        const std::int64_t waited = paused_at > 0 ? std::max<std::int64_t>(0, resolved->at - paused_at) : 0;
        if (res_open) count("resolution", resolved->at <= o.value("res_due", std::int64_t{0}) + waited);
        m.Delete(open_key);
        m.Put(load_key, load.dump());
        m.Put(att_key, att.dump());
        return {};
      }
      m.Put(open_key, o.dump());
    }
    m.Put(load_key, load.dump());
    m.Put(att_key, att.dump());
    return {};
  }
};

}  // namespace

std::shared_ptr<const Projection> SupportModel() { return std::make_shared<Support>(); }

}  // namespace keel::projections
