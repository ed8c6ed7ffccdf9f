// Handlers of the support ticket routes: opening (priority from severity and the tenant's renewal-risk
// band now, due times from the catalog's targets for the tenant's support tier, breaches routed by
// the template's rules), assignment, comments, working status, and one ticket with its comments and
// history from the inbox read model, and resolution (work on a resolved ticket is 409 ticket_resolved).
// The lists are in handlers_inbox.cpp.
#include "analytics_support.hpp"
#include "call.hpp"
#include "domain/support.hpp"
#include "domain_json.hpp"
#include "list_support.hpp"
#include "ticket_view.hpp"

namespace keel::gateway {
namespace {
namespace t = domain::tenant;

actors::EntityKey Tenant(const Call& c) { return actors::TenantKey(c.Param("tenant")); }

// A text field's problem ("" when fine): blank (when required, or given at all: nothing but white
// space and invisible characters), longer than `max` characters (Unicode code points, not bytes), or
// holding control characters (C0, DEL, C1), line or paragraph separators, or bidirectional overrides
// (a body may hold line breaks and tabs).
std::string TextProblem(const std::string& text, std::size_t max, bool required, bool multiline) {
  std::size_t chars = 0;
  bool blank = true;
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char b = static_cast<unsigned char>(text[i]);
    const std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : 4;
    char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (std::size_t k = 1; k < len && i + k < text.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    i += len;
    ++chars;
    const bool line_break = cp == '\n' || cp == '\t' || cp == '\r';
    if ((cp < 0x20 && !(multiline && line_break)) || (cp >= 0x7F && cp <= 0x9F)) return "no control characters";
    if (cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
      return "no line separators or bidirectional overrides";
    const bool invisible = cp == ' ' || line_break || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200D) || cp == 0x202F ||
                           cp == 0x205F || cp == 0x2060 || cp == 0x3000 || cp == 0xFEFF || cp == 0x180E;
    if (!invisible) blank = false;
  }
  if ((required || !text.empty()) && blank) return "must not be blank";
  if (chars > max) return "at most " + std::to_string(max) + " characters";
  return {};
}

std::optional<Response> BadText(const char* field, const std::string& text, std::size_t max, bool required,
                                bool multiline = false) {
  if (auto why = TextProblem(text, max, required, multiline); !why.empty()) return BadField({field, why});
  return std::nullopt;
}

// 409 ticket_resolved for work on a ticket that is resolved (not open, but known to the inbox): it is
// reopened by opening it again under its id. nullopt when it is open, or unknown (the decider's 404).
std::optional<Response> Resolved(Call& c, const std::string& ticket) {
  auto facts = TenantOf(c);
  if (!facts || (*facts)->state.open_tickets.contains(ticket)) return std::nullopt;
  auto model = ReadModel(c, "inbox", 0);
  if (!model) return std::nullopt;
  auto row = c.ctx.store.ReadModelGet(model->first, "k/" + c.Param("tenant") + "/" + ticket);
  if (!row || !*row) return std::nullopt;
  return Problem(409, "ticket_resolved", "Ticket resolved",
                 "ticket '" + ticket + "' is resolved: open it again under its id to reopen it",
                 {{"code", "ticket_resolved"}});
}

Response OpenTicket(Call& c) {
  auto cmd = ParseBody<t::OpenTicket>(c);
  if (!cmd) return cmd.error();
  if (cmd->severity.empty()) cmd->severity = "medium";
  if (!domain::ParseSeverity(cmd->severity)) return BadField({"severity", "expected one of: low, medium, high, critical"});
  if (auto bad = BadText("subject", cmd->subject, 200, true)) return *bad;
  auto facts = TenantOf(c);
  if (!facts) return facts.error();
  if ((*facts)->segment != nullptr) cmd->rules = (*facts)->segment->workflow;
  cmd->sla = c.ctx.catalog.support_sla;
  cmd->risk_band = RiskBandNow(c, c.Param("tenant"));
  cmd->at = c.now;
  return Run(c, Tenant(c), t::Command(std::move(*cmd)));
}

// The support desk's own acts (assigning, setting the working status): not for a key bound to the
// tenant, which is the customer's side.
std::optional<Response> DeskOnly(const Call& c, std::string_view what) {
  if (c.who.tenant.empty()) return std::nullopt;
  return Problem(403, "forbidden", "Forbidden",
                 std::string(what) + " is the support desk's: a key bound to the tenant (the customer's side) comments only");
}

Response AssignTicket(Call& c) {
  if (auto desk = DeskOnly(c, "assigning a ticket")) return *desk;
  if (auto in = FromPath(c, "ticket", "ticket"); !in) return in.error();
  auto cmd = ParseBody<t::AssignTicket>(c);
  if (!cmd) return cmd.error();
  if (auto bad = BadText("assignee", cmd->assignee, 100, true)) return *bad;
  if (auto resolved = Resolved(c, cmd->ticket)) return *resolved;
  cmd->at = c.now;
  return Run(c, Tenant(c), t::Command(std::move(*cmd)));
}

Response CommentOnTicket(Call& c) {
  if (auto in = FromPath(c, "ticket", "ticket"); !in) return in.error();
  auto cmd = ParseBody<t::CommentOnTicket>(c);
  if (!cmd) return cmd.error();
  if (cmd->from != "agent" && cmd->from != "customer") return BadField({"from", "expected one of: agent, customer"});
  // A key bound to the tenant is the customer's side: it neither answers as the agent nor writes notes.
  if (!c.who.tenant.empty() && cmd->from == "agent")
    return BadField({"from", "a key bound to the tenant comments as the customer"});
  if (auto bad = BadText("body", cmd->body, 4000, true, true)) return *bad;
  if (cmd->author.empty()) cmd->author = c.who.Name();
  if (auto bad = BadText("author", cmd->author, 100, true)) return *bad;
  if (cmd->internal && cmd->from == "customer") return BadField({"internal", "a customer's comment is never internal"});
  if (auto resolved = Resolved(c, cmd->ticket)) return *resolved;
  cmd->at = c.now;
  return Run(c, Tenant(c), t::Command(std::move(*cmd)));
}

Response SetTicketStatus(Call& c) {
  if (auto desk = DeskOnly(c, "a ticket's working status")) return *desk;
  if (auto in = FromPath(c, "ticket", "ticket"); !in) return in.error();
  auto cmd = ParseBody<t::SetTicketStatus>(c);
  if (!cmd) return cmd.error();
  if (cmd->status == "resolved")
    return BadField({"status", "a ticket is resolved with POST /v1/tenants/{tenant}/tickets/{ticket}/resolution"});
  if (!domain::support::ParseStatus(cmd->status))
    return BadField({"status", "expected one of: open, in_progress, waiting_on_customer"});
  if (auto bad = BadText("reason", cmd->reason, 4000, false, true)) return *bad;
  if (auto resolved = Resolved(c, cmd->ticket)) return *resolved;
  cmd->at = c.now;
  return Run(c, Tenant(c), t::Command(std::move(*cmd)));
}

Response ResolveTicket(Call& c) {
  if (auto in = FromPath(c, "ticket", "ticket"); !in) return in.error();
  auto cmd = ParseBody<t::ResolveTicket>(c);
  if (!cmd) return cmd.error();
  if (auto resolved = Resolved(c, cmd->ticket)) return *resolved;  // resolved twice: said so, not 404
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
  // Internal notes are the agents': a key bound to the tenant (the customer's side) does not see them.
  const bool customer = !c.who.tenant.empty();
  json::Json comments = json::Json::array();
  auto scanned = c.ctx.store.ReadModelScan(model->first, "c/" + tenant + "/" + ticket + "/",
                                           [&](std::string_view, std::string_view value) {
                                             auto j = json::Json::parse(value, nullptr, false);
                                             if (j.is_object() && !(customer && j.value("internal", false)))
                                               comments.push_back(std::move(j));
                                             return comments.size() < 1000;
                                           });
  if (customer) {
    CustomerView(out);
    std::map<std::int64_t, std::int64_t> numbered;  // opening -> comments so far: no gaps where notes were
    for (auto& comment : comments) comment["comment"] = ++numbered[comment.value("opening", std::int64_t{1})];
  }
  out.erase("public_comments");
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
  h["resolve_ticket"] = ResolveTicket;
  h["get_ticket"] = GetTicket;
}

}  // namespace keel::gateway
