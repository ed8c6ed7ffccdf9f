// Reading the analytics read model (analytics_query.hpp).
#include "projections/analytics_query.hpp"

#include <set>

namespace keel::projections {

using Json = nlohmann::json;

namespace {

std::int64_t NetMrr(const Facts& f) { return f.n[kMrrNew] + f.n[kMrrExpansion] - f.n[kMrrContraction] - f.n[kMrrChurn]; }
std::int64_t NetTenants(const Facts& f) { return f.n[kTenantsNew] - f.n[kTenantsChurned]; }

}  // namespace

eventstore::Result<GroupRange> ReadGroup(const eventstore::EventStore& store, const std::string& model,
                                         const std::string& group, const std::string& from, const std::string& to) {
  const std::string prefix = "d/" + group + "/";
  GroupRange out;
  Facts head;
  std::int64_t later_mrr = 0, later_tenants = 0;  // net movements of the days after `to`
  bool bad = false;
  // Seek to the day before `from` ("from" itself must be included): keys after prefix + from - 1 char.
  const std::string after = prefix + from.substr(0, from.size() - 1) + static_cast<char>(from.back() - 1) + "~";
  auto scanned = store.ReadModelScan(
      model, prefix,
      [&](std::string_view key, std::string_view value) {
        const std::string_view day = key.substr(prefix.size());
        Facts f;
        if (!DecodeFacts(value, f)) {
          bad = true;
          return false;
        }
        if (day == "~") {
          head = std::move(f);
        } else if (day > to) {
          later_mrr += NetMrr(f);
          later_tenants += NetTenants(f);
        } else if (day >= from) {
          out.days.push_back({std::string(day), std::move(f)});
        }
        return true;
      },
      after);
  if (!scanned) return std::unexpected(scanned.error());
  if (bad) return std::unexpected(eventstore::Error{eventstore::Errc::kCorruption, "analytics row of " + group + " is not readable"});
  std::int64_t mrr = head.n[kMrr] - later_mrr, tenants = head.n[kTenants] - later_tenants;
  out.close.n[kMrr] = mrr;
  out.close.n[kTenants] = tenants;
  for (auto it = out.days.rbegin(); it != out.days.rend(); ++it) {
    it->facts.n[kMrr] = mrr;
    it->facts.n[kTenants] = tenants;
    mrr -= NetMrr(it->facts);
    tenants -= NetTenants(it->facts);
  }
  out.opening.n[kMrr] = mrr;
  out.opening.n[kTenants] = tenants;
  return out;
}

eventstore::Result<std::vector<std::string>> ListGroups(const eventstore::EventStore& store, const std::string& model,
                                                        const std::string& prefix) {
  std::vector<std::string> out;
  auto scanned = store.ReadModelScan(model, "n/" + prefix, [&](std::string_view key, std::string_view) {
    out.emplace_back(key.substr(2));
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error());
  return out;
}

eventstore::Result<TenantStates> ReadTenantStates(const eventstore::EventStore& store, const std::string& model,
                                                  const std::string& partner, const std::string& after,
                                                  std::size_t limit) {
  TenantStates out;
  std::vector<std::string> tenants;
  const std::string prefix = partner.empty() ? "g/" : "i/p/" + partner + "/";
  auto scanned = store.ReadModelScan(
      model, prefix,
      [&](std::string_view key, std::string_view value) {
        if (tenants.size() == limit) {
          out.more = true;
          return false;
        }
        tenants.emplace_back(key.substr(prefix.size()));
        if (partner.empty()) out.states.push_back(Json::parse(value, nullptr, false));
        return true;
      },
      after.empty() ? std::string_view{} : std::string_view(prefix + after));
  if (!scanned) return std::unexpected(scanned.error());
  if (partner.empty()) return out;
  for (const auto& t : tenants) {
    auto state = ReadTenantState(store, model, t);
    if (!state) return std::unexpected(state.error());
    if (*state) out.states.push_back(std::move(**state));
  }
  return out;
}

eventstore::Result<std::optional<Json>> ReadTenantState(const eventstore::EventStore& store, const std::string& model,
                                                        const std::string& tenant) {
  auto row = store.ReadModelGet(model, "g/" + tenant);
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<Json>{};
  Json j = Json::parse(**row, nullptr, false);
  if (!j.is_object()) return std::unexpected(eventstore::Error{eventstore::Errc::kCorruption, "analytics state of " + tenant});
  return std::optional<Json>(std::move(j));
}

eventstore::Result<std::size_t> ActiveWarehouses(const eventstore::EventStore& store, const std::string& model,
                                                 const std::string& tenant, const std::string& from,
                                                 const std::string& to) {
  const std::string prefix = "aw/" + tenant + "/";
  std::set<std::string> seen;
  auto scanned = store.ReadModelScan(
      model, prefix,
      [&](std::string_view key, std::string_view) {
        const std::string_view rest = key.substr(prefix.size());
        if (rest.substr(0, 10) > to) return false;
        seen.emplace(rest.substr(11));
        return true;
      },
      prefix + from.substr(0, 9) + static_cast<char>(from[9] - 1) + "~");
  if (!scanned) return std::unexpected(scanned.error());
  return seen.size();
}

}  // namespace keel::projections
