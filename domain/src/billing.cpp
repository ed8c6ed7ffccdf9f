// Billing decider (see billing.hpp).
#include "domain/billing.hpp"

#include "decider_support.hpp"

namespace keel::domain::billing {
namespace {

using R = RejectionCode;

Decision<Event> One(Event e) { return std::vector<Event>{std::move(e)}; }

Decision<Event> Issue(const IssueInvoice& c, const State& s) {
  if (c.environment == Environment::kSandbox) return Reject(R::kNotPermitted, "sandbox tenants are never billed");
  if (c.invoice_id.empty() || c.tenant.empty()) return Reject(R::kInvalidArgument, "an invoice needs an id and a tenant");
  if (s.invoices.contains(c.invoice_id)) return Reject(R::kAlreadyExists, "invoice " + c.invoice_id + " exists");
  if (s.periods_invoiced.contains(c.period_start)) return Reject(R::kAlreadyDone, "this period is already invoiced");
  if (c.period_end <= c.period_start) return Reject(R::kInvalidArgument, "the period ends before it starts");
  if (c.payment_terms_days < 0) return Reject(R::kInvalidArgument, "payment terms must not be negative");
  InvoiceIssued e;
  e.invoice_id = c.invoice_id;
  e.tenant = c.tenant;
  e.currency = c.catalog.currency;
  e.period_start = c.period_start;
  e.period_end = c.period_end;
  e.lines = InvoiceLines(c.catalog, c.facts);
  e.total = Total(e.lines);
  const auto split = Split(e.total, c.partner_bps);
  e.partner_share = split.partner;
  e.platform_share = split.platform;
  e.due_at = c.at + c.payment_terms_days * kDayMs;
  e.at = c.at;
  return One(std::move(e));
}

const Invoice* Find(const State& s, const std::string& id) {
  auto it = s.invoices.find(id);
  return it == s.invoices.end() ? nullptr : &it->second;
}

Decision<Event> Pay(const RecordPayment& c, const State& s) {
  if (c.payment_id.empty()) return Reject(R::kInvalidArgument, "a payment needs an id");
  if (auto seen = s.payments.find(c.payment_id); seen != s.payments.end()) {
    if (seen->second == PaymentSeen{c.invoice_id, c.amount}) return std::vector<Event>{};  // the same payment again
    return Reject(R::kIdReused, "payment " + c.payment_id + " was recorded with invoice " + seen->second.invoice_id +
                                    " and amount " + std::to_string(seen->second.amount));
  }
  const Invoice* inv = Find(s, c.invoice_id);
  if (inv == nullptr) return Reject(R::kNotFound, "no invoice " + c.invoice_id);
  if (c.amount <= 0) return Reject(R::kInvalidArgument, "a payment must be positive");
  if (c.amount > inv->outstanding()) {
    return Reject(R::kExceedsInvoice, "payment exceeds the outstanding " + std::to_string(inv->outstanding()));
  }
  return One(PaymentRecorded{c.invoice_id, c.payment_id, c.amount, c.at});
}

Decision<Event> Credit(const IssueCreditNote& c, const State& s) {
  if (c.note_id.empty() || c.reason.empty()) return Reject(R::kInvalidArgument, "a credit note needs an id and a reason");
  if (auto seen = s.credit_notes.find(c.note_id); seen != s.credit_notes.end()) {
    if (seen->second.invoice_id == c.invoice_id && seen->second.amount == c.amount) return std::vector<Event>{};  // a retry
    return Reject(R::kIdReused, "credit note " + c.note_id + " was issued for another invoice or amount");
  }
  const Invoice* inv = Find(s, c.invoice_id);
  if (inv == nullptr) return Reject(R::kNotFound, "no invoice " + c.invoice_id);
  if (c.amount <= 0) return Reject(R::kInvalidArgument, "a credit note must be positive");
  if (inv->credited + c.amount > inv->total) {
    return Reject(R::kExceedsInvoice, "credit notes would exceed the invoice total " + std::to_string(inv->total));
  }
  return One(CreditNoteIssued{c.invoice_id, c.note_id, c.reason, c.amount, c.at});
}

Decision<Event> Assess(const AssessOverdue& c, const State& s) {
  std::vector<Event> events;
  for (const auto& [id, inv] : s.invoices) {
    if (inv.outstanding() <= 0 || c.at <= inv.due_at) continue;
    if (!inv.overdue) events.push_back(InvoiceOverdue{id, inv.outstanding(), c.at});
    const std::int64_t days = (c.at - inv.due_at) / kDayMs;
    for (const auto& step : c.dunning) {
      if (days >= step.days_overdue && !inv.dunning_done.contains(step.days_overdue)) {
        events.push_back(DunningStepReached{id, step.days_overdue, step.action, c.at});
      }
    }
  }
  return events;
}

}  // namespace

Decision<Event> Decide(const Command& command, const State& s) {
  return std::visit(Overloaded{
                        [&](const IssueInvoice& c) { return Issue(c, s); },
                        [&](const RecordPayment& c) { return Pay(c, s); },
                        [&](const IssueCreditNote& c) { return Credit(c, s); },
                        [&](const AssessOverdue& c) { return Assess(c, s); },
                    },
                    command);
}

void Apply(State& s, const Event& event) {
  std::visit(Overloaded{
                 [&](const InvoiceIssued& e) {
                   Invoice& inv = s.invoices[e.invoice_id];
                   inv = Invoice{};
                   inv.total = e.total;
                   inv.period_start = e.period_start;
                   inv.due_at = e.due_at;
                   inv.currency = e.currency;
                   inv.period_end = e.period_end;
                   inv.lines = e.lines;
                   inv.partner_share = e.partner_share;
                   inv.platform_share = e.platform_share;
                   s.periods_invoiced.insert(e.period_start);
                 },
                 [&](const PaymentRecorded& e) {
                   s.invoices[e.invoice_id].paid += e.amount;
                   s.payments[e.payment_id] = PaymentSeen{e.invoice_id, e.amount};
                 },
                 [&](const CreditNoteIssued& e) {
                   s.invoices[e.invoice_id].credited += e.amount;
                   s.credit_notes[e.note_id] = PaymentSeen{e.invoice_id, e.amount};
                 },
                 [&](const InvoiceOverdue& e) { s.invoices[e.invoice_id].overdue = true; },
                 [&](const DunningStepReached& e) { s.invoices[e.invoice_id].dunning_done.insert(e.days_overdue); },
             },
             event);
}

bool AnyOverdue(const State& s) {
  for (const auto& [id, inv] : s.invoices) {
    if (inv.overdue && inv.outstanding() > 0) return true;
  }
  return false;
}

State Evolve(State s, const Event& event) {
  Apply(s, event);
  return s;
}

}  // namespace keel::domain::billing
