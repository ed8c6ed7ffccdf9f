// Handlers of the support ticket routes: opening (priority from severity and the tenant's renewal-risk
// band now, due times from the catalog's targets for the tenant's support tier, breaches routed by
// the template's rules), assignment, comments, working status, and one ticket with its comments and
// history from the inbox read model. Resolution is in handlers_tenant.cpp; the lists in handlers_inbox.cpp.
#include "analytics_support.hpp"
#include "call.hpp"
#include "domain/support.hpp"
#include "domain_json.hpp"
#include "list_support.hpp"

namespace keel::gateway {
namespace {
namespace t = domain::tenant;

actors::EntityKey Tenant(const Call& c) { return actors::TenantKey(c.Param("tenant")); }

Response OpenTicket(Call& c) {
  auto cmd = ParseBody<t::OpenTicket>(c);
  if (!cmd) return cmd.error();
  if (cmd->severity.empty()) cmd->severity = "medium";
  if (!domain::ParseSeverity(cmd->severity)) return BadField({"severity", "expected one of: low, medium, high, critical"});
  if (cmd->subject.size() > 200) return BadField({"subject", "at most 200 characters"});
  auto facts = TenantOf(c);
  if (!facts) return facts.error();
  if ((*facts)->segment != nullptr) cmd->rules = (*facts)->segment->workflow;
  cmd->sla = c.ctx.catalog.support_sla;
  cmd->risk_band = RiskBandNow(c, c.Param("tenant"));
  cmd->at = c.now;
  return Run(c, Tenant(c), t::Command(std::move(*cmd)));
}

Response AssignTicket(Call& c) {
  if (auto in = FromPath(c, "ticket", "ticket"); !in) return in.error();
  auto cmd = ParseBody<t::AssignTicket>(c);
  if (!cmd) return cmd.error();
  if (cmd->assignee.empty() || cmd->assignee.size() > 100) return BadField({"assignee", "expected a name of 1 to 100 characters"});
  cmd->at = c.now;
  return Run(c, Tenant(c), t::Command(std::move(*cmd)));
}

Response CommentOnTicket(Call& c) {
  if (auto in = FromPath(c, "ticket", "ticket"); !in) return in.error();
  auto cmd = ParseBody<t::CommentOnTicket>(c);
  if (!cmd) return cmd.error();
  if (cmd->from != "agent" && cmd->from != "customer") return BadField({"from", "expected one of: agent, customer"});
  if (cmd->body.empty() || cmd->body.size() > 4000) return BadField({"body", "expected 1 to 4000 characters"});
  if (cmd->author.empty()) cmd->author = c.who.Name();
  if (cmd->author.size() > 100) return BadField({"author", "at most 100 characters"});
  if (cmd->internal && cmd->from == "customer") return BadField({"internal", "a customer's comment is never internal"});
  cmd->at = c.now;
  return Run(c, Tenant(c), t::Command(std::move(*cmd)));
}

Response SetTicketStatus(Call& c) {
  if (auto in = FromPath(c, "ticket", "ticket"); !in) return in.error();
  auto cmd = ParseBody<t::SetTicketStatus>(c);
  if (!cmd) return cmd.error();
  if (cmd->status == "resolved")
    return BadField({"status", "a ticket is resolved with POST /v1/tenants/{tenant}/tickets/{ticket}/resolution"});
  if (!domain::support::ParseStatus(cmd->status))
    return BadField({"status", "expected one of: open, in_progress, waiting_on_customer"});
  if (cmd->reason.size() > 4000) return BadField({"reason", "at most 4000 characters"});
  cmd->at = c.now;
  return Run(c, Tenant(c), t::Command(std::move(*cmd)));
}

Response GetTicket(Call& c) {
  auto p = Params(c, {});
  if (!p) return p.error();
  const std::string tenant = c.Param("tenant"), ticket = c.Param("ticket");
  if (!eventstore::IsValidId(ticket)) return BadField({"ticket", std::string(json::kIdRule)});
  auto model = ReadModel(c, "inbox", p->min_position);
  if (!model) return model.error();
  auto row = c.ctx.store.ReadModelGet(model->first, "k/" + tenant + "/" + ticket);
  if (!row) return ReadModelUnreadable("inbox");
  if (!*row) return NotFound("no ticket '" + ticket + "' (of this tenant)");
  json::Json out = json::Json::parse(**row, nullptr, false);
  if (!out.is_object()) return ReadModelUnreadable("inbox");
  const std::int64_t opened_at = out.value("opened_at", std::int64_t{0});
  const auto& resolved = out["resolved_at"];
  out["age_ms"] = std::max<std::int64_t>(0, (resolved.is_number() ? resolved.get<std::int64_t>() : c.now) - opened_at);
  json::Json comments = json::Json::array();
  auto scanned = c.ctx.store.ReadModelScan(model->first, "c/" + tenant + "/" + ticket + "/",
                                           [&](std::string_view, std::string_view value) {
                                             auto j = json::Json::parse(value, nullptr, false);
                                             if (j.is_object()) comments.push_back(std::move(j));
                                             return comments.size() < 1000;
                                           });
  if (!scanned) return ReadModelUnreadable("inbox");
  out["comment_list"] = std::move(comments);
  out["projection"] = model->second;
  return JsonResponse(200, out);
}

}  // namespace

void AddTicketHandlers(HandlerTable& h) {
  h["open_ticket"] = OpenTicket;
  h["assign_ticket"] = AssignTicket;
  h["comment_on_ticket"] = CommentOnTicket;
  h["set_ticket_status"] = SetTicketStatus;
  h["get_ticket"] = GetTicket;
}

}  // namespace keel::gateway
