// Handlers of the list routes, answered from the read models (projections/read_models.hpp):
//   GET /v1/partners?level=                    (a partner-bound key: its own partner)
//   GET /v1/partners/{partner}/tenants?status=&plan=&template_id=
//   GET /v1/tenants/{tenant}/warehouses
//   GET /v1/tenants/{tenant}/orders?status=&customer=&channel=&placed_from=&placed_to=
// Each takes limit (1..500, default 50), cursor (the previous page's next_cursor) and min_position (a
// log position, e.g. a command's reply's: the answer waits, at most 2 s, until the read model has
// folded it; else 503 projection_behind). Every answer: {"items", "next_cursor", "projection":
// {"name", "position", "lag_events", "lag_ms"}}. An unknown parameter, an empty one or a bad value is
// 400 naming it; a min_position beyond the log's head is 400; at most kMaxWaiters requests wait.
#include <set>

#include "list_support.hpp"
#include "projections/query.hpp"
#include "projections/read_models.hpp"

namespace keel::gateway {
namespace {

using json::Json;

const std::set<std::string>& PartnerLevels() {
  static const std::set<std::string> k{"registered", "silver", "gold", "platinum"};
  return k;
}
const std::set<std::string>& TenantStatuses() {
  static const std::set<std::string> k{"provisioning", "onboarding", "active", "suspended", "terminated"};
  return k;
}
const std::set<std::string>& OrderStatuses() {
  static const std::set<std::string> k{"awaiting_approval", "placed",  "backordered", "reserved",  "picked",
                                       "partially_shipped", "shipped", "delivered",   "invoiced",  "cancelled",
                                       "rejected"};
  return k;
}
Response ListTenants(Call& c) {
  auto p = Params(c, {"status", "plan", "template_id"});
  if (!p) return p.error();
  const std::string status = Query(c, "status"), plan = Query(c, "plan"), template_id = Query(c, "template_id");
  if (!status.empty() && !TenantStatuses().contains(status))
    return BadField({"status", "expected one of: " + Listed(TenantStatuses())});
  const std::string partner = c.Param("partner");
  auto exists = PartnerOf(c, partner);
  if (!exists) return exists.error();
  if (exists->version == 0) return NotFound("partner '" + partner + "' does not exist");
  auto opened = Open(c, "tenants", *p);
  if (!opened) return opened.error();
  projections::PageRequest& r = opened->request;
  if (!status.empty()) {
    r.prefix = "i/status/" + partner + "/" + status + "/";
    r.rows_at = "p/" + partner + "/";
  } else {
    r.prefix = "p/" + partner + "/";
  }
  if (!plan.empty() || !template_id.empty())
    r.keep = [plan, template_id](const Json& row) {
      return (plan.empty() || row.value("plan", "") == plan) && (template_id.empty() || row.value("template_id", "") == template_id);
    };
  return Listing(c, std::move(r), opened->figures);
}

Response ListOrders(Call& c) {
  auto p = Params(c, {"status", "customer", "channel", "placed_from", "placed_to"});
  if (!p) return p.error();
  const std::string status = Query(c, "status"), customer = Query(c, "customer"), channel = Query(c, "channel");
  if (!status.empty() && !OrderStatuses().contains(status))
    return BadField({"status", "expected one of: " + Listed(OrderStatuses())});
  if (!customer.empty() && !eventstore::IsValidId(customer)) return BadField({"customer", std::string(json::kIdRule)});
  if (!channel.empty() && channel != "direct" && channel != "b2b" && channel != "marketplace" && channel != "edi")
    return BadField({"channel", "expected one of: direct, b2b, marketplace, edi"});
  std::optional<std::uint64_t> from, to;
  if (auto v = Query(c, "placed_from"); !v.empty() && !(from = Number(v)))
    return BadField({"placed_from", "expected Unix epoch milliseconds"});
  if (auto v = Query(c, "placed_to"); !v.empty() && !(to = Number(v)))
    return BadField({"placed_to", "expected Unix epoch milliseconds"});
  if (from && to && *from > *to) return BadField({"placed_from", "after placed_to"});
  auto opened = Open(c, "orders", *p);
  if (!opened) return opened.error();
  const std::string tenant = c.Param("tenant");
  projections::PageRequest& r = opened->request;
  const std::string rows = "o/" + tenant + "/";
  // An index answers, the other filters are checked on its rows: a placement window (its order is the
  // answer's: by placement time), else status, else customer.
  if (from || to) {
    r.prefix = "i/placed/" + tenant + "/";
    r.rows_at = rows;
    if (from && r.cursor.empty()) r.cursor = projections::EncodeCursor(r.prefix + projections::Padded(static_cast<std::int64_t>(*from) - 1) + "/~");
    if (to) r.until = r.prefix + projections::Padded(static_cast<std::int64_t>(*to) + 1);
  } else if (!status.empty()) {
    r.prefix = "i/status/" + tenant + "/" + status + "/";
    r.rows_at = rows;
  } else if (!customer.empty()) {
    r.prefix = "i/customer/" + tenant + "/" + customer + "/";
    r.rows_at = rows;
  } else {
    r.prefix = rows;
  }
  r.keep = [status, customer, channel, from, to](const Json& row) {
    const auto placed = row.value("placed_at", std::int64_t{0});
    return (status.empty() || row.value("status", "") == status) && (customer.empty() || row.value("customer", "") == customer) &&
           (channel.empty() || row.value("channel", "") == channel) && (!from || placed >= static_cast<std::int64_t>(*from)) &&
           (!to || placed <= static_cast<std::int64_t>(*to));
  };
  return Listing(c, std::move(r), opened->figures);
}

// The platform's partners; a partner-bound key sees its own partner only.
Response ListPartners(Call& c) {
  auto p = Params(c, {"level"});
  if (!p) return p.error();
  const std::string level = Query(c, "level");
  if (!level.empty() && !PartnerLevels().contains(level))
    return BadField({"level", "expected one of: " + Listed(PartnerLevels())});
  auto opened = Open(c, "partners", *p);
  if (!opened) return opened.error();
  projections::PageRequest& r = opened->request;
  r.prefix = "p/";
  if (!c.who.partner.empty()) r.prefix = "p/" + c.who.partner;  // its own row (and no other's)
  const std::string own = c.who.partner;
  // A key bound to a tenant reads no partner (as GET /v1/partners/{partner} is 404 for it).
  const bool none = !c.who.tenant.empty();
  r.keep = [level, own, none](const Json& row) {
    return !none && (level.empty() || row.value("level", "") == level) && (own.empty() || row.value("id", "") == own);
  };
  return Listing(c, std::move(r), opened->figures);
}

Response ListWarehouses(Call& c) {
  auto p = Params(c, {});
  if (!p) return p.error();
  auto opened = Open(c, "warehouses", *p);
  if (!opened) return opened.error();
  opened->request.prefix = "w/" + c.Param("tenant") + "/";
  return Listing(c, std::move(opened->request), opened->figures);
}

}  // namespace

void AddListHandlers(HandlerTable& t) {
  t["list_partners"] = ListPartners;
  t["list_warehouses"] = ListWarehouses;
  t["list_tenants"] = ListTenants;
  t["list_orders"] = ListOrders;
}

}  // namespace keel::gateway
