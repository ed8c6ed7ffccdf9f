// Billing lists from the billing read model (projections/read_models.hpp):
//   GET /v1/tenants/{tenant}/invoices?status=open|overdue|settled  a tenant's invoices by id, with
//       lines, paid, credited and balance (the revenue split left out for tenant-bound keys);
//   GET /v1/partners/{partner}/statements?period=YYYY-MM            the partner's revenue-share statement:
//       per tenant billed, partner share and platform share (the two always sum to billed), and the
//       month's totals per currency.
#include "json/billing.hpp"
#include "list_support.hpp"
#include "projections/read_models.hpp"

namespace keel::gateway {
namespace {

using json::Json;

Response ListInvoices(Call& c) {
  auto p = Params(c, {"status"});
  if (!p) return p.error();
  const std::string status = Query(c, "status");
  if (!status.empty() && status != "open" && status != "overdue" && status != "settled")
    return BadField({"status", "expected one of: open, overdue, settled"});
  auto opened = Open(c, "billing", *p);
  if (!opened) return opened.error();
  const std::string tenant = c.Param("tenant");
  projections::PageRequest& r = opened->request;
  if (!status.empty()) {
    r.prefix = "i/status/" + tenant + "/" + status + "/";
    r.rows_at = "inv/" + tenant + "/";
    r.keep = [status](const Json& row) { return row.value("status", "") == status; };
  } else {
    r.prefix = "inv/" + tenant + "/";
  }
  const bool redact = !c.who.tenant.empty();
  return Listing(c, std::move(r), opened->figures, [redact](Json row) {
    row.erase("tenant");
    if (redact) json::RedactRevenueSplit(row);
    return row;
  });
}

bool IsPeriod(const std::string& p) {
  if (p.size() != 7 || p[4] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6})
    if (p[i] < '0' || p[i] > '9') return false;
  const int month = (p[5] - '0') * 10 + (p[6] - '0');
  return month >= 1 && month <= 12;
}

Response Statement(Call& c) {
  auto p = Params(c, {"period"});
  if (!p) return p.error();
  const std::string period = Query(c, "period");
  if (period.empty()) return BadField({"period", "required: the month, as YYYY-MM"});
  if (!IsPeriod(period)) return BadField({"period", "expected a month as YYYY-MM"});
  const std::string partner = c.Param("partner");
  auto exists = PartnerOf(c, partner);
  if (!exists) return exists.error();
  if (exists->version == 0) return NotFound("partner '" + partner + "' does not exist");
  auto opened = Open(c, "billing", *p);
  if (!opened) return opened.error();
  Json totals = Json::array();
  auto sums = c.ctx.store.ReadModelGet(opened->request.model, "sum/" + partner + "/" + period);
  if (!sums) return Problem(503, "unavailable", "The service is unavailable", "the read model could not be read");
  if (*sums) {
    const Json by_currency = Json::parse(**sums, nullptr, false);
    if (by_currency.is_object())
      for (const auto& [currency, t] : by_currency.items()) {
        Json row = t;
        row["currency"] = currency;
        totals.push_back(std::move(row));
      }
  }
  projections::PageRequest& r = opened->request;
  r.prefix = "st/" + partner + "/" + period + "/";
  Response page = Listing(c, std::move(r), opened->figures);
  if (page.status != 200) return page;
  Json body = Json::parse(page.body);
  return JsonResponse(200, {{"partner", partner},
                            {"period", period},
                            {"totals", std::move(totals)},
                            {"items", std::move(body["items"])},
                            {"next_cursor", std::move(body["next_cursor"])},
                            {"projection", std::move(body["projection"])}});
}

}  // namespace

void AddInvoiceHandlers(HandlerTable& t) {
  t["list_invoices"] = ListInvoices;
  t["get_statement"] = Statement;
}

}  // namespace keel::gateway
