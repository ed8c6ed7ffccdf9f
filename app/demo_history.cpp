// The demo's history (demo.hpp, DemoTime): `days` days of business, walked day by day with business
// time moved by the seeder, so that the read side and the dashboard have months to show. Six tenants:
// acme-dist grows and upgrades to scale mid-period, and recovers from an EDI outage; harbor-imports
// adds the CRM add-on; vertex-supply's orders fade, a ticket stays open and its invoices go overdue
// (dunning); pixel-shop sells on marketplaces and its connector is failing at the end; delta-parts
// cancels and is terminated at its period's close (churn); lumen-retail's onboarding stalls. Every
// day ends with the billing cycle closing what ended, and invoices paid (vertex's stop being).
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "demo.hpp"
#include "gateway/access.hpp"
#include "in_process_api.hpp"

namespace keel::app {

void SeedCatalogAndWarehouse(InProcessApi& s, const std::string& base, const std::string& name);  // demo.cpp

namespace {

using Json = nlohmann::json;
constexpr std::int64_t kDay = 86'400'000, kHour = 3'600'000;

struct Tenant {
  const char *partner, *reference, *name, *template_id;
  int provisioned, live;  // days from the start; live < 0: never (its onboarding stalls)
  std::string id() const { return gateway::TenantId(partner, reference); }
};

// Orders a tenant places on `day` (after its go-live): each its own curve.
int OrdersOn(const std::string& reference, int day) {
  if (reference == "acme-dist") return 1 + day / 40 + (day % 3 == 0);      // growing
  if (reference == "harbor-imports") return day % 2 == 0 ? 1 : 0;           // steady
  if (reference == "vertex-supply") return day < 100 ? 3 : (day < 120 && day % 5 == 0 ? 1 : 0);  // fading
  if (reference == "pixel-shop") return 1 + (day % 7 >= 5);                 // weekends busier
  if (reference == "delta-parts") return 1;
  return 0;
}

void Stock(InProcessApi& s, const std::string& base, const std::string& receipt) {
  s.Send("POST", base + "/warehouses/main/receipts",
         {{"receipt_id", receipt},
          {"lines", Json::array({{{"sku", "BOLT-M8"}, {"qty", 3000}, {"unit_cost", 700}},
                                 {{"sku", "GEAR-20"}, {"qty", 3000}, {"unit_cost", 210}},
                                 {{"sku", "CTRL-1"}, {"qty", 300}, {"unit_cost", 5100}}})}});
}

void GoLive(InProcessApi& s, const Tenant& t, DemoSummary& summary) {
  const std::string base = "/v1/tenants/" + t.id();
  s.Send("POST", base + "/go-live");
  SeedCatalogAndWarehouse(s, base, t.name);
  Stock(s, base, "opening");
  ++summary.warehouses;
}

// Pays every unpaid invoice of the tenant in full.
void PayAll(InProcessApi& s, const std::string& tenant) {
  const Json billing = s.Send("GET", "/v1/tenants/" + tenant + "/billing");
  if (!billing.is_object() || !billing.contains("state")) return;
  for (const auto& [id, inv] : billing["state"]["invoices"].items()) {
    const std::int64_t left = inv.value("total", std::int64_t{0}) - inv.value("paid", std::int64_t{0}) -
                              inv.value("credited", std::int64_t{0});
    if (left > 0) s.Send("POST", "/v1/tenants/" + tenant + "/invoices/" + id + "/payments", {{"payment_id", "pay-" + id}, {"amount", left}});
  }
}

}  // namespace

void SeedHistory(InProcessApi& s, const DemoTime& time, DemoSummary& summary) {
  const Tenant tenants[] = {
      {"northwind", "acme-dist", "Acme Distribution", "regional-distributor", 0, 8},
      {"northwind", "harbor-imports", "Harbor Imports", "midmarket-importer", 2, 12},
      {"bluepeak", "vertex-supply", "Vertex Supply", "enterprise-distributor", 0, 20},
      {"bluepeak", "pixel-shop", "Pixel Shop", "ecommerce-merchant", 4, 6},
      {"bluepeak", "delta-parts", "Delta Parts", "regional-distributor", 5, 15},
      {"northwind", "lumen-retail", "Lumen Retail", "ecommerce-merchant", 120, -1},
  };
  const std::int64_t start = time.end - std::int64_t{time.days} * kDay;
  int order_number = 2000;
  bool delta_cancelled = false;
  for (int day = 0; day < time.days && s.error.empty(); ++day) {
    const std::int64_t morning = start + day * kDay + 8 * kHour;
    time.set(morning);
    for (const Tenant& t : tenants) {
      const std::string id = t.id(), base = "/v1/tenants/" + id, ref = t.reference;
      if (day == t.provisioned) {
        s.Send("POST", std::string("/v1/partners/") + t.partner + "/tenants", DemoProvisioning(t.reference, t.name, t.template_id));
        s.Send("POST", base + "/onboarding");
        summary.tenants.push_back(id);
      }
      // Milestones one a day from provisioning (a stalled onboarding: its first two only).
      if (day > t.provisioned && (t.live < 0 ? day <= t.provisioned + 2 : day < t.live)) {
        const Json state = s.Send("GET", base);
        if (state.is_object())
          for (const auto& m : state["state"]["milestones"])
            if (!m.value("done", false)) {
              s.Send("POST", base + "/milestones/" + m["id"].get<std::string>() + "/completion");
              break;
            }
      }
      if (day == t.live) {
        const Json state = s.Send("GET", base);  // what is left of its milestones, done on the day
        if (state.is_object())
          for (const auto& m : state["state"]["milestones"])
            if (!m.value("done", false)) s.Send("POST", base + "/milestones/" + m["id"].get<std::string>() + "/completion");
        GoLive(s, t, summary);
      }
      if (t.live < 0 || day < t.live || (ref == "delta-parts" && delta_cancelled && day > 95)) continue;
      if ((day - t.live) % 30 == 29) Stock(s, base, "r-" + std::to_string(day));
      const int orders = OrdersOn(ref, day);
      for (int n = 0; n < orders; ++n) {
        time.set(morning + (n + 1) * kHour);
        const bool first = day == t.live && n == 0;  // the README's example order: ord-1001 of each tenant
        const std::string order = first ? "ord-1001" : "ord-" + std::to_string(++order_number);
        Json lines = Json::array({{{"line", 1}, {"sku", "BOLT-M8"}, {"qty", 5 + (day * 7 + n * 3) % 25}}});
        if ((day + n) % 3 == 0) lines.push_back({{"line", 2}, {"sku", "GEAR-20"}, {"qty", 10 + day % 30}});
        if ((day + n) % 11 == 0) lines.push_back({{"line", 3}, {"sku", "CTRL-1"}, {"qty", 1 + day % 3}});
        s.Send("POST", base + "/orders",
               {{"id", order}, {"customer", "cust-" + std::to_string(1 + (day + n) % 4)}, {"currency", "EUR"},
                {"channel", ref == "pixel-shop" ? "marketplace" : "b2b"}, {"lines", std::move(lines)}});
        ++summary.orders;
      }
      time.set(morning + 6 * kHour);
      // What happens to each, on its days.
      if (ref == "acme-dist" && day == 40) {
        s.Send("POST", base + "/tickets", {{"ticket", "tk-40"}, {"subject", "Pick list sorting"}, {"severity", "low"}});
        s.Send("POST", base + "/tickets/tk-40/assignment", {{"assignee", "dana"}});
        s.Send("POST", base + "/tickets/tk-40/comments", {{"from", "agent"}, {"body", "Sorting by bin is in the pick list settings."}});
      }
      if (ref == "acme-dist" && day == 43) s.Send("POST", base + "/tickets/tk-40/resolution");
      if (ref == "acme-dist" && day == 70) {
        s.Send("POST", base + "/integration-events",
               {{"kind", "failure"}, {"integration", "edi"}, {"detail", "AS2 delivery of 850 purchase orders timed out"}});
        time.set(morning + 9 * kHour);
        s.Send("POST", base + "/integration-events", {{"kind", "recovery"}, {"integration", "edi"}});
      }
      if (ref == "acme-dist" && day == 95) s.Send("PUT", base + "/plan", {{"plan", "scale"}});
      if (ref == "harbor-imports" && day == 60) s.Send("POST", base + "/modules", {{"module", "crm_integration"}});
      if (ref == "vertex-supply" && day == 100)
        s.Send("POST", base + "/tickets", {{"ticket", "tk-100"}, {"subject", "Invoices do not match our PO numbers"}, {"severity", "high"}});
      if (ref == "pixel-shop" && day == 130)
        s.Send("POST", base + "/tickets", {{"ticket", "tk-130"}, {"subject", "Marketplace listing stuck"}, {"severity", "medium"}});
      if (ref == "pixel-shop" && day == time.days - 5)
        s.Send("POST", base + "/integration-events",
               {{"kind", "failure"}, {"integration", "marketplace"}, {"detail", "listing sync refused: token expired"}});
      if (ref == "delta-parts" && day == 80) {
        s.Send("POST", base + "/subscription/cancellation", {{"reason", "consolidating on another ERP"}});
        delta_cancelled = true;
      }
    }
    // The evening: the billing cycle closes what ended; invoices are paid, but vertex's from day 85
    // (dunning reminds it) and a terminated tenant's.
    time.set(morning + 12 * kHour);
    s.Send("POST", "/v1/billing/period-close");
    for (const Tenant& t : tenants) {
      if (day < t.provisioned) continue;
      const std::string ref = t.reference;
      if (ref == "vertex-supply" && day >= 85) {
        if (day % 5 == 0) s.Send("POST", "/v1/tenants/" + t.id() + "/billing/overdue-assessment");
        continue;
      }
      if (ref == "delta-parts" && delta_cancelled) continue;
      PayAll(s, t.id());
    }
  }
  time.set(time.end);
}

}  // namespace keel::app
