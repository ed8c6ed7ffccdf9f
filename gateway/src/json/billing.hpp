// JSON descriptors of the billing aggregate's commands (client fields only), events and state.
// Part of domain_json.hpp (see there for the rules); json_fields.hpp explains the descriptors.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/billing.hpp"
#include "json/values.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// Billing. IssueInvoice's tenant, facts, catalog, environment, share and terms are resolved by the
// gateway; AssessOverdue's dunning steps come from the tenant's template.

template <> struct Describe<domain::billing::InvoiceLine> {
  using T = domain::billing::InvoiceLine;
  static constexpr auto fields =
      std::make_tuple(Opt("kind", &T::kind), Opt("description", &T::description), Opt("amount", &T::amount));
};
template <> struct Describe<domain::billing::PeriodFacts> {
  using T = domain::billing::PeriodFacts;
  static constexpr auto fields =
      std::make_tuple(Opt("plan", &T::plan), Opt("deployment", &T::deployment), Opt("tier", &T::tier),
                      Opt("modules", &T::modules), Opt("orders", &T::orders), Opt("prorations", &T::prorations),
                      Opt("opening_plan", &T::opening_plan));
};
template <> struct Describe<domain::billing::RevenueSplit> {
  using T = domain::billing::RevenueSplit;
  static constexpr auto fields = std::make_tuple(Opt("partner", &T::partner), Opt("platform", &T::platform));
};

// -- commands --
template <> struct Describe<domain::billing::IssueInvoice> {
  using T = domain::billing::IssueInvoice;
  static constexpr auto fields = std::make_tuple(
      ReqId("invoice_id", &T::invoice_id), Req("period_start", &T::period_start), Req("period_end", &T::period_end));
};
template <> struct Describe<domain::billing::RecordPayment> {
  using T = domain::billing::RecordPayment;
  static constexpr auto fields =
      std::make_tuple(ReqId("invoice_id", &T::invoice_id), ReqId("payment_id", &T::payment_id), Req("amount", &T::amount));
};
template <> struct Describe<domain::billing::IssueCreditNote> {
  using T = domain::billing::IssueCreditNote;
  static constexpr auto fields = std::make_tuple(ReqId("invoice_id", &T::invoice_id), ReqId("note_id", &T::note_id),
                                                 Req("reason", &T::reason), Req("amount", &T::amount));
};
template <> struct Describe<domain::billing::AssessOverdue> { static constexpr auto fields = std::make_tuple(); };

// -- events --
template <> struct Describe<domain::billing::InvoiceIssued> {
  using T = domain::billing::InvoiceIssued;
  static constexpr auto fields =
      std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("tenant", &T::tenant), Opt("currency", &T::currency),
                      Opt("period_start", &T::period_start), Opt("period_end", &T::period_end), Opt("lines", &T::lines),
                      Opt("total", &T::total), Opt("partner_share", &T::partner_share),
                      Opt("platform_share", &T::platform_share), Opt("due_at", &T::due_at), Opt("at", &T::at));
};
template <> struct Describe<domain::billing::PaymentRecorded> {
  using T = domain::billing::PaymentRecorded;
  static constexpr auto fields = std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("payment_id", &T::payment_id),
                                                 Opt("amount", &T::amount), Opt("at", &T::at));
};
template <> struct Describe<domain::billing::CreditNoteIssued> {
  using T = domain::billing::CreditNoteIssued;
  static constexpr auto fields =
      std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("note_id", &T::note_id), Opt("reason", &T::reason),
                      Opt("amount", &T::amount), Opt("at", &T::at));
};
template <> struct Describe<domain::billing::InvoiceOverdue> {
  using T = domain::billing::InvoiceOverdue;
  static constexpr auto fields =
      std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("outstanding", &T::outstanding), Opt("at", &T::at));
};
template <> struct Describe<domain::billing::DunningStepReached> {
  using T = domain::billing::DunningStepReached;
  static constexpr auto fields =
      std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("days_overdue", &T::days_overdue),
                      Opt("action", &T::action), Opt("at", &T::at));
};

// -- state --
template <> struct Describe<domain::billing::Invoice> {
  using T = domain::billing::Invoice;
  static constexpr auto fields =
      std::make_tuple(Opt("total", &T::total), Opt("paid", &T::paid), Opt("credited", &T::credited),
                      Opt("period_start", &T::period_start), Opt("due_at", &T::due_at), Opt("overdue", &T::overdue),
                      Opt("dunning_done", &T::dunning_done), Opt("currency", &T::currency),
                      Opt("period_end", &T::period_end), Opt("lines", &T::lines),
                      Opt("partner_share", &T::partner_share), Opt("platform_share", &T::platform_share));
};
template <> struct Describe<domain::billing::PaymentSeen> {
  using T = domain::billing::PaymentSeen;
  static constexpr auto fields = std::make_tuple(Opt("invoice_id", &T::invoice_id), Opt("amount", &T::amount));
};
template <> struct Describe<domain::billing::State> {
  using T = domain::billing::State;
  static constexpr auto fields =
      std::make_tuple(Opt("invoices", &T::invoices), Opt("payments", &T::payments),
                      Opt("credit_notes", &T::credit_notes), Opt("periods_invoiced", &T::periods_invoiced));
};

// The partner / platform revenue split is for the partner and the platform owner only: keys bound
// to a tenant get invoices without it. Removes it from a rendered billing event or billing state.
inline void RedactRevenueSplit(Json& j) {
  if (!j.is_object()) return;
  j.erase("partner_share");
  j.erase("platform_share");
  if (auto it = j.find("invoices"); it != j.end() && it->is_object()) {
    for (auto& invoice : *it) {
      if (invoice.is_object()) {
        invoice.erase("partner_share");
        invoice.erase("platform_share");
      }
    }
  }
}

}  // namespace keel::gateway::json
