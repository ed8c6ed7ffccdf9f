// Handlers of the billing routes: reading a tenant's invoices, recording payments, issuing credit
// notes and assessing overdue invoices against the template's dunning steps. Invoices themselves are
// issued by the billing cycle (POST /v1/billing/period-close, or serve's daily timer). The read
// depends on who asks (a tenant-bound key sees invoices without the revenue split), so it is served
// by the worker pool, where the caller is known, rather than by the asynchronous read path.
#include "call.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {
namespace b = domain::billing;

actors::EntityKey Billing(const Call& c) { return actors::BillingKey(c.Param("tenant")); }

Response Get(Call& c) {
  Response r;
  if (auto past = AsOfState(c, Billing(c))) {
    r = std::move(*past);
    if (r.status != 200) return r;
  } else {
    auto snap = c.client->Get(Billing(c));
    if (!snap) return Problem(503, "unavailable", "The service is unavailable", "billing did not answer");
    r = StateResponse(Billing(c), *snap);
  }
  if (c.who.tenant.empty()) return r;
  auto body = json::Json::parse(r.body);
  json::RedactRevenueSplit(body["state"]);
  r.body = body.dump(-1, ' ', false, json::Json::error_handler_t::replace);
  return r;
}

template <class T>
std::expected<Prepared, Response> BuildOnInvoice(Call& c) {
  if (auto in = FromPath(c, "invoice", "invoice_id"); !in) return std::unexpected(in.error());
  return BuildCommand<b::Command, T, Billing>(c);
}

Response AssessOverdue(Call& c) {
  auto cmd = ParseBody<b::AssessOverdue>(c);
  if (!cmd) return cmd.error();
  auto tenant = TenantOf(c);
  if (!tenant) return tenant.error();
  auto segment = TemplateOf(**tenant);
  if (!segment) return segment.error();
  cmd->dunning = (*segment)->dunning;
  cmd->at = c.now;
  return Run(c, Billing(c), b::Command(std::move(*cmd)));
}

}  // namespace

void AddBillingHandlers(HandlerTable& t, AsyncTable& a) {
  t["get_billing"] = Get;
  Both(t, a, "record_payment", RunBuilt<BuildOnInvoice<b::RecordPayment>>, BuildOnInvoice<b::RecordPayment>);
  Both(t, a, "issue_credit_note", RunBuilt<BuildOnInvoice<b::IssueCreditNote>>, BuildOnInvoice<b::IssueCreditNote>);
  t["assess_overdue"] = AssessOverdue;
}

}  // namespace keel::gateway
