// Support SLA sweep (see support_sla.hpp).
#include "actors/support_sla.hpp"

#include "domain/support.hpp"
#include "domain/tenant.hpp"

namespace keel::actors {
namespace {
namespace t = domain::tenant;
namespace sp = domain::support;

// The same rule the tenant decides by (support::BreachDue): only tickets it would record a breach for.
bool Due(const t::TicketWork& w, std::string_view target, std::int64_t now) {
  if (target == sp::kFirstResponse)
    return sp::BreachDue({w.first_response_due, w.responded_at != 0, w.first_response_breached, false}, now);
  return sp::BreachDue({w.resolution_due, false, w.resolution_breached, w.paused_at != 0}, now);
}

}  // namespace

SlaTick SweepSupportSla(eventstore::EventStore& store, Runtime& runtime, std::int64_t now) {
  SlaTick tick;
  Client client(runtime);
  auto tenants = store.ListTenants();
  if (!tenants) {
    ++tick.errors;
    return tick;
  }
  for (const auto& id : *tenants) {
    if (id == kPlatformTenant) continue;
    auto snap = client.Get(TenantKey(id));
    if (!snap) {
      ++tick.errors;
      continue;
    }
    const auto state = snap->As<t::State>();
    if (state.status == t::Status::kNone || state.status == t::Status::kTerminated) continue;
    for (const auto& [ticket, work] : state.tickets) {
      for (std::string_view target : {sp::kFirstResponse, sp::kResolution}) {
        if (!Due(work, target, now)) continue;
        const std::string key =
            "sla:" + id + ":" + ticket + ":" + std::to_string(work.opened_at) + ":" + std::string(target);
        auto recorded = client.Execute(TenantKey(id), t::RecordSlaBreach{ticket, std::string(target), now},
                                       CommandMeta{key, "process:support_sla", "tenant:" + id, "", std::nullopt});
        if (!recorded) {
          ++tick.errors;
          continue;
        }
        if (!recorded->duplicate && std::visit([](const auto& events) { return !events.empty(); }, recorded->events))
          ++tick.breaches;
      }
    }
  }
  return tick;
}

}  // namespace keel::actors
