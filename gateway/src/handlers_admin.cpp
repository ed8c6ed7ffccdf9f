// Handlers of the platform owner's clock routes: read business time, and move it forward when the
// node runs on a simulated clock (`keel serve --clock simulated`); each move closes the billing
// periods that ended, so invoices, renewals and dunning follow it at once. Answers 404 on the system clock.
#include "call.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {

constexpr std::int64_t kMaxAdvanceMs = 3660LL * 86'400'000;  // ten years in one move at most

Response NotSimulated() {
  return NotFound("business time runs on the system clock here; start `keel serve --clock simulated` to move it");
}

json::Json ClockJson(const Call& c, std::int64_t now) {
  return {{"mode", c.ctx.simulated ? "simulated" : "system"}, {"now", now}};
}

Response GetClock(Call& c) { return JsonResponse(200, ClockJson(c, c.ctx.clock.NowMs())); }

Response AdvanceClock(Call& c) {
  if (c.ctx.simulated == nullptr) return NotSimulated();
  auto body = ParseBody<json::AdvanceClockBody>(c);
  if (!body) return body.error();
  // Each part in range on its own, so that the sum cannot overflow.
  const std::pair<const char*, std::int64_t> parts[] = {
      {"days", body->days}, {"hours", body->hours}, {"minutes", body->minutes}, {"ms", body->ms}};
  for (const auto& [field, value] : parts) {
    if (value < 0) return BadField({field, "business time only moves forward: expected a number >= 0"});
    if (value > kMaxAdvanceMs) return BadField({field, "at most ten years in one move"});
  }
  const std::int64_t by = body->days * 86'400'000 + body->hours * 3'600'000 + body->minutes * 60'000 + body->ms;
  if (by <= 0) {
    const char* named = "days";  // the field the caller gave, when it gave one
    for (const char* f : {"days", "hours", "minutes", "ms"})
      if (c.body.is_object() && c.body.contains(f)) {
        named = f;
        break;
      }
    return BadField({named, "say how far to move: one of days, hours, minutes or ms, above 0"});
  }
  if (by > kMaxAdvanceMs) return BadField({"days", "at most ten years in one move"});

  std::lock_guard lock(c.ctx.clock_mu);
  const std::int64_t from = c.ctx.simulated->NowMs();
  c.ctx.simulated->Advance(by);
  const std::int64_t now = c.ctx.simulated->NowMs();
  json::Json out = ClockJson(c, now);
  out["from"] = from;
  out["advanced_ms"] = by;
  if (c.ctx.close_billing) {
    auto tick = CloseEndedPeriods(c.ctx, now);
    out["billing"] = {{"invoices", tick.invoices},
                      {"renewals", tick.renewals},
                      {"terminations", tick.terminations},
                      {"dunning_actions", tick.dunning_actions},
                      {"dunning_lifts", tick.lifts},
                      {"errors", tick.errors}};
  }
  if (c.ctx.advance_rollouts) {
    const auto rolled = c.ctx.advance_rollouts();
    out["rollouts"] = {{"waves_started", rolled.waves_started},
                       {"completed", rolled.completed},
                       {"rolled_back", rolled.rolled_back},
                       {"errors", rolled.errors}};
  }
  if (c.ctx.sweep_sla) {
    const auto swept = c.ctx.sweep_sla(now);
    out["support"] = {{"sla_breaches", swept.breaches}, {"errors", swept.errors}};
  }
  Response r = JsonResponse(200, out);
  r.audit = true;  // an operator's act on business time: kept in the audit trail
  return r;
}

}  // namespace

void AddAdminHandlers(HandlerTable& t) {
  t["get_clock"] = GetClock;
  t["advance_clock"] = AdvanceClock;
}

}  // namespace keel::gateway
