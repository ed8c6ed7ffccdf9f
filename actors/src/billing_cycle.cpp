// Billing cycle (see billing_cycle.hpp).
#include "actors/billing_cycle.hpp"

#include <algorithm>

namespace keel::actors {
namespace {

namespace t = domain::tenant;
namespace b = domain::billing;

CommandMeta Meta(const std::string& key, const std::string& tenant) {
  return CommandMeta{key, "process:billing", "tenant:" + tenant, "", std::nullopt};
}

}  // namespace

BillingCycle::BillingCycle(eventstore::EventStore& store, Runtime& runtime, const domain::ServiceCatalog& catalog,
                           const config::TemplateRegistry& templates)
    : store_(store), runtime_(runtime), catalog_(catalog), templates_(templates) {}

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
      const auto* plan = catalog_.FindPlan(state.plan);
      if (state.environment == domain::Environment::kProduction && plan != nullptr) {
        std::int64_t partner_bps = 0;
        if (auto partner = client.Get(PartnerKey(state.partner))) {
          partner_bps = partner->As<domain::partner::State>().partner_bps;
        }
        b::IssueInvoice invoice{"INV-" + id + "-" + period, id, state.period_start, state.period_end,
                                b::PeriodFacts{*plan, state.deployment, state.tier, state.modules, state.period_orders,
                                               state.period_prorations},
                                catalog_, state.environment, partner_bps,
                                segment != nullptr ? segment->payment_terms_days : 30, state.period_end};
        auto issued = client.Execute(BillingKey(id), invoice, Meta("billing:" + id + ":invoice:" + period, id));
        if (issued || issued.error().rejection.code == domain::RejectionCode::kAlreadyDone) {
          ++tick.invoices;
        } else {
          ++tick.errors;
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
    auto assessed = client.Execute(BillingKey(id), b::AssessOverdue{segment->dunning, now});
    if (!assessed) continue;
    for (const auto& e : std::get<std::vector<b::Event>>(assessed->events)) {
      const auto* step = std::get_if<b::DunningStepReached>(&e);
      if (step == nullptr) continue;
      const std::string key = "billing:" + id + ":dunning:" + step->invoice_id + ":" + std::to_string(step->days_overdue);
      if (step->action == domain::DunningAction::kBlockPlanChanges) {
        if (client.Execute(TenantKey(id), t::SetPlanChangesBlocked{true, "invoice " + step->invoice_id + " overdue", now},
                           Meta(key, id))) {
          ++tick.dunning_actions;
        }
      } else if (step->action == domain::DunningAction::kSuspend) {
        if (client.Execute(TenantKey(id), t::SuspendTenant{"invoice " + step->invoice_id + " overdue", now}, Meta(key, id))) {
          ++tick.dunning_actions;
        }
      }
    }
  }
  return tick;
}

}  // namespace keel::actors
