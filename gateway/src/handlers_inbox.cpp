// The exceptions inbox and the support tickets from the inbox read model (projections/read_models.hpp):
//   GET /v1/tenants/{tenant}/exceptions?status=open|resolved&role=&kind=&integration=  routed
//       integration failures and latency breaches, oldest first (status=open reads the open index);
//   GET /v1/tenants/{tenant}/tickets?status=open|in_progress|waiting_on_customer|resolved&severity=
//       &priority=&assignee=  tickets by id, each with its age
//       (business time since it was opened: until now while open, until its resolution after).
#include "list_support.hpp"
#include "ticket_view.hpp"

namespace keel::gateway {
namespace {

using json::Json;

std::expected<std::string, Response> Status(const Call& c) {
  const std::string status = Query(c, "status");
  if (!status.empty() && status != "open" && status != "resolved")
    return std::unexpected(BadField({"status", "expected one of: open, resolved"}));
  return status;
}

Response ListExceptions(Call& c) {
  auto p = Params(c, {"status", "role", "kind", "integration"});
  if (!p) return p.error();
  auto status = Status(c);
  if (!status) return status.error();
  const std::string role = Query(c, "role"), kind = Query(c, "kind"), integration = Query(c, "integration");
  if (!role.empty() && !eventstore::IsValidId(role)) return BadField({"role", std::string(json::kIdRule)});
  if (!kind.empty() && kind != "failure" && kind != "latency_breach" && kind != "sla_breach")
    return BadField({"kind", "expected one of: failure, latency_breach, sla_breach"});
  if (!integration.empty() && integration != "edi" && integration != "marketplace")
    return BadField({"integration", "expected one of: edi, marketplace"});
  auto opened = Open(c, "inbox", *p);
  if (!opened) return opened.error();
  const std::string tenant = c.Param("tenant");
  projections::PageRequest& r = opened->request;
  const std::string rows = "x/" + tenant + "/";
  if (*status == "open") {
    r.prefix = "i/open/" + tenant + "/";
    r.rows_at = rows;
  } else {
    r.prefix = rows;
  }
  r.keep = [status = *status, role, kind, integration](const Json& row) {
    return (status.empty() || row.value("status", "") == status) && (role.empty() || row.value("routed_to", "") == role) &&
           (kind.empty() || row.value("kind", "") == kind) && (integration.empty() || row.value("integration", "") == integration);
  };
  return Listing(c, std::move(r), opened->figures);
}

Response ListTickets(Call& c) {
  auto p = Params(c, {"status", "severity", "priority", "assignee"});
  if (!p) return p.error();
  const std::string status = Query(c, "status"), severity = Query(c, "severity"), priority = Query(c, "priority"),
                    assignee = Query(c, "assignee");
  if (!status.empty() && status != "open" && status != "in_progress" && status != "waiting_on_customer" && status != "resolved")
    return BadField({"status", "expected one of: open, in_progress, waiting_on_customer, resolved"});
  if (!priority.empty() && !domain::ParsePriority(priority)) return BadField({"priority", "expected one of: p1, p2, p3, p4"});
  if (assignee.size() > 100) return BadField({"assignee", "at most 100 characters"});
  auto opened = Open(c, "inbox", *p);
  if (!opened) return opened.error();
  const std::string tenant = c.Param("tenant");
  projections::PageRequest& r = opened->request;
  const std::string rows = "k/" + tenant + "/";
  if (!status.empty() && status != "resolved") {  // the tickets not resolved, by the open index
    r.prefix = "i/ticket_open/" + tenant + "/";
    r.rows_at = rows;
  } else {
    r.prefix = rows;
  }
  r.keep = [status, severity, priority, assignee](const Json& row) {
    const std::string s = row.value("status", "");
    const bool status_ok = status.empty() || (status == "open" ? s != "resolved" : s == status);
    auto text = [&](const char* key) { return row.contains(key) && row[key].is_string() ? row[key].get<std::string>() : ""; };
    return status_ok && (severity.empty() || text("severity") == severity) && (priority.empty() || text("priority") == priority) &&
           (assignee.empty() || text("assignee") == assignee);
  };
  const std::int64_t now = c.ctx.clock.NowMs();
  const bool customer = !c.who.tenant.empty();  // the customer's side: no internal notes
  return Listing(c, std::move(r), opened->figures, [now, customer](Json row) {
    if (customer) CustomerView(row);
    row.erase("public_comments");
    const std::int64_t opened_at = row.value("opened_at", std::int64_t{0});
    const auto& resolved = row["resolved_at"];
    row["age_ms"] = std::max<std::int64_t>(0, (resolved.is_number() ? resolved.get<std::int64_t>() : now) - opened_at);
    return row;
  });
}

}  // namespace

void AddInboxHandlers(HandlerTable& t) {
  t["list_exceptions"] = ListExceptions;
  t["list_tickets"] = ListTickets;
}

}  // namespace keel::gateway
