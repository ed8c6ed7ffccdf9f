// The billing read model (read_models.hpp): a tenant's invoices with their balance and status, and
// each partner's revenue-share statement per month. Each invoice is folded by the domain's own Apply
// into a billing state holding that invoice alone (kept as snapshot bytes, "s/<stream>/<invoice>"),
// so an event costs one invoice, never the tenant's whole billing history.
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "codec/codec.hpp"
#include "codec/snapshot.hpp"
#include "domain/billing.hpp"
#include "entity_fold.hpp"
#include "projections/read_models.hpp"

namespace keel::projections {
namespace {

using Json = nlohmann::json;
namespace b = domain::billing;

const std::string& InvoiceOf(const b::Event& event) {
  return std::visit([](const auto& e) -> const std::string& { return e.invoice_id; }, event);
}

std::string InvoiceStatus(const b::Invoice& inv) {
  if (inv.outstanding() <= 0) return "settled";
  return inv.overdue ? "overdue" : "open";
}

class Billing final : public Projection {
 public:
  std::string_view name() const override { return "billing"; }
  std::uint32_t version() const override { return 1; }
  bool Wants(const eventstore::EventView& e) const override { return StreamKind(e.stream) == "billing"; }

  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    auto event = codec::DecodeBilling(e.type, e.schema_version, e.payload);
    if (!event) return std::unexpected("undecodable " + std::string(e.type) + ": " + event.error().message);
    const std::string_view stream = e.stream;
    const std::string tenant = StreamTenant(stream);
    const std::string& id = InvoiceOf(*event);
    const std::string state_key = "s/" + std::string(stream) + "/" + id;
    b::State s;
    b::Invoice before;
    const bool issued = std::holds_alternative<b::InvoiceIssued>(*event);
    if (auto bytes = m.Get(state_key)) {
      if (auto ok = codec::DecodeSnapshot(*bytes, s); !ok) return std::unexpected("kept state: " + ok.error().message);
      before = s.invoices[id];
    } else if (!issued) {
      return std::unexpected("an event of invoice '" + id + "' before its issue");
    }
    b::Apply(s, *event);
    s.payments.clear();
    s.credit_notes.clear();
    m.Put(state_key, codec::EncodeSnapshot(s));
    const b::Invoice& inv = s.invoices[id];
    const std::string issued_at_key = "issued/" + tenant + "/" + id;
    std::int64_t issued_at = e.timestamp_ms;
    if (issued) m.Put(issued_at_key, std::to_string(e.timestamp_ms));
    else if (auto t = m.Get(issued_at_key)) issued_at = std::stoll(*t);
    Json lines = Json::array();
    for (const auto& l : inv.lines) lines.push_back({{"kind", l.kind}, {"description", l.description}, {"amount", l.amount}});
    const std::string status = InvoiceStatus(inv);
    m.Put("inv/" + tenant + "/" + id, Json{{"id", id},
                                          {"tenant", tenant},
                                          {"currency", inv.currency},
                                          {"period_start", inv.period_start},
                                          {"period_end", inv.period_end},
                                          {"lines", std::move(lines)},
                                          {"total", inv.total},
                                          {"paid", inv.paid},
                                          {"credited", inv.credited},
                                          {"balance", inv.outstanding()},
                                          {"status", status},
                                          {"due_at", inv.due_at},
                                          {"issued_at", issued_at},
                                          {"partner_share", inv.partner_share},
                                          {"platform_share", inv.platform_share},
                                          {"updated_at", e.timestamp_ms}}
                                         .dump());
    const std::string old_status = issued ? std::string() : InvoiceStatus(before);
    if (old_status != status) {
      if (!old_status.empty()) m.Delete("i/status/" + tenant + "/" + old_status + "/" + id);
      m.Put("i/status/" + tenant + "/" + status + "/" + id, "");
    }
    // The partner's statement for the invoice's month: the tenant's row and the month's totals.
    const auto colon = tenant.find(':');
    if (colon == std::string::npos) return {};
    const std::string partner = tenant.substr(0, colon), period = Month(inv.period_start);
    const std::int64_t billed = issued ? inv.total : 0, partner_share = issued ? inv.partner_share : 0,
                       platform_share = issued ? inv.platform_share : 0, paid = inv.paid - before.paid,
                       credited = inv.credited - before.credited;
    if (billed == 0 && paid == 0 && credited == 0 && !issued) return {};
    auto add = [&](Json& j) {
      j["invoices"] = j.value("invoices", 0) + (issued ? 1 : 0);
      j["billed"] = j.value("billed", std::int64_t{0}) + billed;
      j["partner_share"] = j.value("partner_share", std::int64_t{0}) + partner_share;
      j["platform_share"] = j.value("platform_share", std::int64_t{0}) + platform_share;
      j["paid"] = j.value("paid", std::int64_t{0}) + paid;
      j["credited"] = j.value("credited", std::int64_t{0}) + credited;
    };
    const std::string row_key = "st/" + partner + "/" + period + "/" + tenant;
    Json row = Json::object();
    const auto old_row = m.Get(row_key);
    if (old_row) row = Json::parse(*old_row, nullptr, false);
    if (!row.is_object()) return std::unexpected("kept statement row is not JSON");
    row["tenant"] = tenant;
    row["currency"] = inv.currency;
    add(row);
    m.Put(row_key, row.dump());
    const std::string totals_key = "sum/" + partner + "/" + period;
    Json totals = Json::object();
    if (auto old = m.Get(totals_key)) totals = Json::parse(*old, nullptr, false);
    if (!totals.is_object()) return std::unexpected("kept statement totals are not JSON");
    Json& by_currency = totals[inv.currency];
    if (!by_currency.is_object()) by_currency = Json::object();
    if (!old_row) by_currency["tenants"] = by_currency.value("tenants", 0) + 1;  // its first row this month
    add(by_currency);
    m.Put(totals_key, totals.dump());
    return {};
  }
};

}  // namespace

std::string Month(std::int64_t epoch_ms) {
  using namespace std::chrono;
  const year_month_day ymd{floor<days>(sys_time<milliseconds>(milliseconds(epoch_ms)))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()));
  return buf;
}

std::shared_ptr<const Projection> BillingLedger() { return std::make_shared<Billing>(); }

}  // namespace keel::projections
