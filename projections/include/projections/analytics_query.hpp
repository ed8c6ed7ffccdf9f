// Reading the analytics read model (analytics.hpp): a group's day facts over a range of days with its
// MRR and tenant count at the end of each, the groups under a prefix, and the tenants' states.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eventstore/store.hpp"
#include "projections/analytics.hpp"

namespace keel::projections {

struct DayRow {
  std::string day;  // YYYY-MM-DD
  Facts facts;      // what happened that day (kMrr / kTenants: the values at the day's end)
};

// The group's days in [from, to] (inclusive, YYYY-MM-DD; days without facts left out) and `close`,
// its MRR and tenants at the end of `to` (kMrr, kTenants), all read in one scan (one snapshot): the
// values at a day's end are the current ones less the net movements of the days after it.
struct GroupRange {
  std::vector<DayRow> days;
  Facts opening;  // kMrr / kTenants at the start of `from`
  Facts close;    // kMrr / kTenants at the end of `to`
};
eventstore::Result<GroupRange> ReadGroup(const eventstore::EventStore& store, const std::string& model,
                                         const std::string& group, const std::string& from, const std::string& to);

// The groups registered under `prefix` (e.g. "s/", "ps/<partner>/"), in key order.
eventstore::Result<std::vector<std::string>> ListGroups(const eventstore::EventStore& store, const std::string& model,
                                                        const std::string& prefix);

// The tenants' analytics states ("g/<tenant>") of one partner ("" : every partner), in tenant order,
// starting after `after` ("" : from the first), at most `limit`; `more` says whether any are left.
struct TenantStates {
  std::vector<nlohmann::json> states;
  bool more = false;
};
eventstore::Result<TenantStates> ReadTenantStates(const eventstore::EventStore& store, const std::string& model,
                                                  const std::string& partner, const std::string& after,
                                                  std::size_t limit);
eventstore::Result<std::optional<nlohmann::json>> ReadTenantState(const eventstore::EventStore& store,
                                                                  const std::string& model, const std::string& tenant);

// The distinct warehouses with events of `tenant` in [from, to].
eventstore::Result<std::size_t> ActiveWarehouses(const eventstore::EventStore& store, const std::string& model,
                                                 const std::string& tenant, const std::string& from,
                                                 const std::string& to);

}  // namespace keel::projections
