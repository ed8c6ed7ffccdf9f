// Billing cycle and dunning relief (see billing_cycle.hpp).
#include "actors/billing_cycle.hpp"

#include <algorithm>

#include "domain/billing_period.hpp"

namespace keel::actors {
namespace {

namespace t = domain::tenant;
namespace b = domain::billing;

CommandMeta Meta(const std::string& key, const std::string& tenant) {
  return CommandMeta{key, "process:billing", "tenant:" + tenant, "", std::nullopt};
}

bool Changed(const Reply& r) {
  return r && !r->duplicate && std::visit([](const auto& events) { return !events.empty(); }, r->events);
}

}  // namespace

int LiftDunning(Client& client, const std::string& tenant, std::int64_t at, const std::string& key) {
  auto snap = client.Get(TenantKey(tenant));
  if (!snap) return 0;
  const auto& state = snap->As<t::State>();
  const bool suspended = state.status == t::Status::kSuspended && state.suspended_by == t::ImposedBy::kDunning;
  const bool blocked = state.plan_changes_blocked && state.plan_changes_blocked_by == t::ImposedBy::kDunning;
  if (!suspended && !blocked) return 0;
  auto billing = client.Get(BillingKey(tenant));
  if (!billing || b::AnyOverdue(billing->As<b::State>())) return 0;
  int lifted = 0;
  if (suspended) {
    lifted += Changed(client.Execute(TenantKey(tenant), t::ReinstateTenant{at, t::ImposedBy::kDunning},
                                     Meta(key + ":reinstate", tenant)));
  }
  if (blocked) {
    lifted += Changed(client.Execute(TenantKey(tenant),
                                     t::SetPlanChangesBlocked{false, "no invoice is overdue", at, t::ImposedBy::kDunning},
                                     Meta(key + ":unblock", tenant)));
  }
  return lifted;
}

std::unique_ptr<ProcessManager> StartDunningRelief(eventstore::EventStore& store, Runtime& runtime) {
  return std::make_unique<ProcessManager>(
      "process.dunning", store, runtime,
      [](Client& client, const DomainEvent& ev) {
        const auto* billing = std::get_if<b::Event>(&ev.event);
        if (billing == nullptr) return;
        const std::int64_t at = std::visit([](const auto& e) { return e.at; }, *billing);
        LiftDunning(client, ev.key.tenant, at, "dunning:" + ev.key.tenant + ":lift:" + std::to_string(ev.position));
      },
      std::set<std::string, std::less<>>{"PaymentRecorded", "CreditNoteIssued"});
}

BillingCycle::BillingCycle(eventstore::EventStore& store, Runtime& runtime, const domain::ServiceCatalog& catalog,
                           const config::TemplateRegistry& templates)
    : store_(store), runtime_(runtime), catalog_(catalog), templates_(templates),
      relief_(StartDunningRelief(store, runtime)) {}

BillingTick BillingCycle::Tick(std::int64_t now) {
  BillingTick tick;
  Client client(runtime_);
  auto tenants = store_.ListTenants();
  if (!tenants) {
    ++tick.errors;
    return tick;
  }
  for (const auto& id : *tenants) {
    if (id == kPlatformTenant) continue;
    for (int guard = 0; guard < 24; ++guard) {  // at most two years of missed periods per tick
      auto snap = client.Get(TenantKey(id));
      if (!snap) {
        ++tick.errors;
        break;
      }
      const auto state = snap->As<t::State>();
      if (state.status == t::Status::kNone || state.status == t::Status::kTerminated) break;
      if (now < state.period_end) break;
      const std::string period = std::to_string(state.period_start);
      const auto* segment = templates_.Find(state.template_id, state.template_version);
      if (state.environment == domain::Environment::kProduction) {
        std::int64_t partner_bps = 0;
        if (auto partner = client.Get(PartnerKey(state.partner))) {
          partner_bps = partner->As<domain::partner::State>().partner_bps;
        }
        if (auto invoice = b::CloseCurrentPeriod(state, catalog_, partner_bps,
                                                 segment != nullptr ? segment->payment_terms_days : 30)) {
          auto issued = client.Execute(BillingKey(id), *invoice, Meta("billing:" + id + ":invoice:" + period, id));
          if (issued || issued.error().rejection.code == domain::RejectionCode::kAlreadyDone) {
            ++tick.invoices;
          } else {
            ++tick.errors;
          }
        }
      }
      auto renewed = client.Execute(TenantKey(id), t::RenewSubscription{state.period_end},
                                    Meta("billing:" + id + ":renew:" + period, id));
      if (!renewed) {
        ++tick.errors;
        break;
      }
      const auto& events = std::get<std::vector<t::Event>>(renewed->events);
      const bool terminated = std::any_of(events.begin(), events.end(),
                                          [](const t::Event& e) { return std::holds_alternative<t::TenantTerminated>(e); });
      ++(terminated ? tick.terminations : tick.renewals);
      if (terminated) break;
    }
    // Dunning: the template's steps, applied to this tenant's unpaid invoices.
    auto snap = client.Get(TenantKey(id));
    if (!snap) continue;
    const auto state = snap->As<t::State>();
    const auto* segment = templates_.Find(state.template_id, state.template_version);
    if (segment == nullptr || state.status == t::Status::kTerminated) continue;
    auto assessed = client.Execute(BillingKey(id), b::AssessOverdue{segment->dunning, now}, Meta({}, id));  // no key: assessed afresh each tick
    if (!assessed) continue;
    for (const auto& e : std::get<std::vector<b::Event>>(assessed->events)) {
      const auto* step = std::get_if<b::DunningStepReached>(&e);
      if (step == nullptr) continue;
      const std::string key = "billing:" + id + ":dunning:" + step->invoice_id + ":" + std::to_string(step->days_overdue);
      const std::string why = "invoice " + step->invoice_id + " overdue";
      if (step->action == domain::DunningAction::kBlockPlanChanges) {
        if (client.Execute(TenantKey(id), t::SetPlanChangesBlocked{true, why, now, t::ImposedBy::kDunning}, Meta(key, id))) {
          ++tick.dunning_actions;
        }
      } else if (step->action == domain::DunningAction::kSuspend) {
        if (client.Execute(TenantKey(id), t::SuspendTenant{why, now, t::ImposedBy::kDunning}, Meta(key, id))) {
          ++tick.dunning_actions;
        }
      }
    }
    // Relief: a payment that landed while the steps above were applied is seen here.
    tick.lifts += LiftDunning(client, id, now, "billing:" + id + ":lift:" + std::to_string(now));
  }
  return tick;
}

}  // namespace keel::actors
