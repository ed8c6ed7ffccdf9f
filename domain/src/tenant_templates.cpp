// Tenant decider, the template moves a rollout undoes (see tenant_templates.hpp): returning to the
// version the last upgrade came from, with what that upgrade brought taken away again.
#include "tenant_templates.hpp"

#include <algorithm>

namespace keel::domain::tenant {
namespace {
using R = RejectionCode;
Decision<Event> One(Event e) { return std::vector<Event>{std::move(e)}; }
}  // namespace

// A rollout's roll back: the tenant returns to the version its last upgrade came from.
Decision<Event> DecideRollBack(const RollBackTemplate& c, const State& s) {
  if (s.status == Status::kNone) return Reject(R::kNotFound, "no such tenant");
  if (c.template_id != s.template_id) return Reject(R::kInvalidArgument, "the tenant is on template " + s.template_id);
  if (s.template_version == c.to_version) return std::vector<Event>{};  // back already
  if (s.template_steps.empty() || s.template_steps.back().to_version != s.template_version ||
      s.template_steps.back().from_version != c.to_version) {
    return Reject(R::kIllegalTransition, "version " + std::to_string(s.template_version) + " was not reached from version " +
                                             std::to_string(c.to_version) + " by the tenant's last upgrade");
  }
  const TemplateStep& step = s.template_steps.back();
  // A limit goes back only where the upgrade's value still stands (a plan change since moved it: the
  // plan's), and never below what the tenant uses.
  auto back = [](std::int64_t now, std::int64_t after, std::int64_t before) { return now == after ? before : now; };
  const Limits limits{std::max(back(s.limits.warehouses, step.limits_after.warehouses, step.previous_limits.warehouses),
                               static_cast<std::int64_t>(s.warehouses.size())),
                      std::max(back(s.limits.monthly_orders, step.limits_after.monthly_orders, step.previous_limits.monthly_orders),
                               s.period_orders),
                      back(s.limits.api_rps, step.limits_after.api_rps, step.previous_limits.api_rps)};
  // The upgrade's modules, but not one the plan includes (the plan gives it whatever the template says).
  std::set<Module> removed;
  for (Module m : step.added_modules) {
    if (s.modules.contains(m) && !c.plan.modules.contains(m)) removed.insert(m);
  }
  // The milestones of the modules taken away, or gone since (the tenant switched the module off).
  std::vector<std::string> milestones;
  for (const auto& id : step.added_milestones) {
    const auto def = std::find_if(c.leaving.milestones.begin(), c.leaving.milestones.end(), [&](const Milestone& m) { return m.id == id; });
    const bool goes = def == c.leaving.milestones.end() || !def->module || removed.contains(*def->module) ||
                      !s.modules.contains(*def->module);
    if (goes && std::any_of(s.milestones.begin(), s.milestones.end(), [&](const MilestoneState& m) { return m.id == id; }))
      milestones.push_back(id);
  }
  return One(TemplateRolledBack{s.template_id, s.template_version, c.to_version, limits, removed, milestones, c.rollout, c.at});
}

}  // namespace keel::domain::tenant
