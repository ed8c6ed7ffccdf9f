// Billing aggregate (one billing stream per tenant): invoices computed from recorded facts by the
// billing rules (totals equal the sum of their lines; sandboxes are never billed), payments against
// invoices (a payment id is used once: again with the same invoice and amount it is a no-op, with
// other ones it is refused as id_reused), credit notes that never exceed the invoice they credit,
// and overdue assessment whose dunning steps (reminder, block plan changes, suspend) come from the
// tenant's template.
// Pure: no I/O, no clock (time arrives in commands), no CAF or RocksDB headers.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "domain/billing_rules.hpp"
#include "domain/catalog_data.hpp"
#include "domain/common.hpp"

namespace keel::domain::billing {

// -- commands --
struct IssueInvoice {
  std::string invoice_id, tenant;
  Timestamp period_start = 0, period_end = 0;
  PeriodFacts facts;
  ServiceCatalog catalog;
  Environment environment = Environment::kProduction;
  std::int64_t partner_bps = 0;         // the partner's revenue share
  std::int64_t payment_terms_days = 30;
  Timestamp at = 0;
};
struct RecordPayment { std::string invoice_id, payment_id; std::int64_t amount = 0; Timestamp at = 0; };
struct IssueCreditNote { std::string invoice_id, note_id, reason; std::int64_t amount = 0; Timestamp at = 0; };
struct AssessOverdue { std::vector<DunningStep> dunning; Timestamp at = 0; };
using Command = std::variant<IssueInvoice, RecordPayment, IssueCreditNote, AssessOverdue>;

// -- events --
struct InvoiceIssued {
  std::string invoice_id, tenant, currency;
  Timestamp period_start = 0, period_end = 0;
  std::vector<InvoiceLine> lines;
  std::int64_t total = 0;
  std::int64_t partner_share = 0, platform_share = 0;
  Timestamp due_at = 0;
  Timestamp at = 0;
  bool operator==(const InvoiceIssued&) const = default;
};
struct PaymentRecorded { std::string invoice_id, payment_id; std::int64_t amount = 0; Timestamp at = 0; bool operator==(const PaymentRecorded&) const = default; };
struct CreditNoteIssued { std::string invoice_id, note_id, reason; std::int64_t amount = 0; Timestamp at = 0; bool operator==(const CreditNoteIssued&) const = default; };
struct InvoiceOverdue { std::string invoice_id; std::int64_t outstanding = 0; Timestamp at = 0; bool operator==(const InvoiceOverdue&) const = default; };
struct DunningStepReached { std::string invoice_id; std::int64_t days_overdue = 0; DunningAction action = DunningAction::kReminder; Timestamp at = 0; bool operator==(const DunningStepReached&) const = default; };
using Event = std::variant<InvoiceIssued, PaymentRecorded, CreditNoteIssued, InvoiceOverdue, DunningStepReached>;

// -- state --
struct Invoice {
  std::int64_t total = 0, paid = 0, credited = 0;
  Timestamp period_start = 0, due_at = 0;
  bool overdue = false;
  std::set<std::int64_t> dunning_done;  // days_overdue of the steps already reached
  std::string currency;
  Timestamp period_end = 0;
  std::vector<InvoiceLine> lines;
  std::int64_t partner_share = 0, platform_share = 0;  // the revenue split: for the partner and the platform only
  std::int64_t outstanding() const { return total - paid - credited; }
  bool operator==(const Invoice&) const = default;
};
// What a payment id was first used for: the same id again must say the same.
struct PaymentSeen {
  std::string invoice_id;
  std::int64_t amount = 0;
  bool operator==(const PaymentSeen&) const = default;
};
struct State {
  std::map<std::string, Invoice> invoices;
  std::map<std::string, PaymentSeen> payments;  // by payment id
  std::map<std::string, PaymentSeen> credit_notes;  // note id -> its invoice and amount (as a payment's)
  std::set<Timestamp> periods_invoiced;
  bool operator==(const State&) const = default;
};

Decision<Event> Decide(const Command& command, const State& state);
State Evolve(State state, const Event& event);
// Evolve in place (same rules, no copy or move of the state): for replaying long streams.
void Apply(State& state, const Event& event);

// Whether any invoice was found overdue and is still not settled (what dunning acts on).
bool AnyOverdue(const State& state);

}  // namespace keel::domain::billing
