// Demo data (see demo.hpp), sent as API requests by the platform owner.
#include "demo.hpp"

#include "gateway/access.hpp"
#include "in_process_api.hpp"

#include <nlohmann/json.hpp>

namespace keel::app {
namespace {
using Json = nlohmann::json;

struct DemoTenant {
  const char *partner, *reference, *name, *template_id;  // the tenant's id is "<partner>:<reference>"
};

}  // namespace

// The history variant's tenants and their months (demo_history.cpp).
void SeedHistory(InProcessApi& s, const DemoTime& time, DemoSummary& summary);
void SeedCatalogAndWarehouse(InProcessApi& s, const std::string& base, const std::string& name);

// The demo tenant's suppliers, three catalogued items and its "main" warehouse (no stock yet).
void SeedCatalogAndWarehouse(InProcessApi& s, const std::string& base, const std::string& name) {
  s.Send("POST", base + "/catalog/suppliers",
         {{"suppliers", Json::array({{{"id", "sup-1"}, {"name", "Rhine Components"}}, {{"id", "sup-2"}, {"name", "Baltic Metal"}}})}});
  s.Send("POST", base + "/catalog/imports",
         {{"rows", Json::array({
                       {{"row", 1}, {"item", {{"sku", "BOLT-M8"}, {"name", "Bolt M8"}, {"unit", "box"}, {"category", "hardware"}, {"weight_grams", 900}, {"supplier", "sup-2"}}}},
                       {{"row", 2}, {"item", {{"sku", "GEAR-20"}, {"name", "Gear 20T"}, {"unit", "each"}, {"category", "parts"}, {"weight_grams", 120}, {"supplier", "sup-1"}}}},
                       {{"row", 3}, {"item", {{"sku", "CTRL-1"}, {"name", "Controller"}, {"unit", "each"}, {"category", "electronics"}, {"weight_grams", 450}, {"supplier", "sup-1"}}}},
                   })}});
  s.Send("POST", base + "/warehouses", {{"id", "main"}, {"name", name + " main"}, {"currency", "EUR"}});
}

// A tenant from each segment template, live at once, with stock and one order each.
static void SeedCompact(InProcessApi& s, DemoSummary& summary) {
  const DemoTenant tenants[] = {
      {"northwind", "acme-dist", "Acme Distribution", "regional-distributor"},
      {"northwind", "harbor-imports", "Harbor Imports", "midmarket-importer"},
      {"bluepeak", "vertex-supply", "Vertex Supply", "enterprise-distributor"},
      {"bluepeak", "pixel-shop", "Pixel Shop", "ecommerce-merchant"},
  };
  for (const auto& t : tenants) {
    const std::string id = gateway::TenantId(t.partner, t.reference);
    const std::string base = "/v1/tenants/" + id;
    s.Send("POST", std::string("/v1/partners/") + t.partner + "/tenants", DemoProvisioning(t.reference, t.name, t.template_id));
    s.Send("POST", base + "/onboarding");
    Json tenant = s.Send("GET", base);
    if (tenant.is_object())
      for (const auto& m : tenant["state"]["milestones"]) s.Send("POST", base + "/milestones/" + m["id"].get<std::string>() + "/completion");
    s.Send("POST", base + "/go-live");
    SeedCatalogAndWarehouse(s, base, t.name);
    s.Send("POST", base + "/warehouses/main/receipts",
           {{"receipt_id", "opening"},
            {"lines", Json::array({{{"sku", "BOLT-M8"}, {"qty", 500}, {"unit_cost", 700}},
                                   {{"sku", "GEAR-20"}, {"qty", 800}, {"unit_cost", 210}},
                                   {{"sku", "CTRL-1"}, {"qty", 60}, {"unit_cost", 5100}}})}});
    ++summary.warehouses;
    s.Send("POST", base + "/orders",
           {{"id", "ord-1001"}, {"customer", "cust-1"}, {"currency", "EUR"},
            {"lines", Json::array({{{"line", 1}, {"sku", "BOLT-M8"}, {"qty", 20}}, {{"line", 2}, {"sku", "GEAR-20"}, {"qty", 40}}})}});
    ++summary.orders;
    summary.tenants.push_back(id);
  }
}

std::expected<DemoSummary, std::string> SeedDemo(gateway::Api& api, actors::Runtime& runtime, const DemoTime* time) {
  InProcessApi s{api, actors::Client(runtime), kDemoOwnerKey, {}, "demo-seed"};
  if (time) time->set(time->end - std::int64_t{time->days} * 86'400'000);
  DemoSummary summary;
  struct P {
    const char *id, *name, *colour, *domain;
  };
  for (const P& p : {P{"northwind", "Northwind Partners", "#0b5394", "erp.northwind.example"},
                     P{"bluepeak", "Blue Peak Solutions", "#38761d", "erp.bluepeak.example"}}) {
    const std::string base = std::string("/v1/partners/") + p.id;
    s.Send("POST", "/v1/partners", {{"id", p.id}, {"name", p.name}});
    s.Send("PUT", base + "/branding",
           {{"branding",
             {{"display_name", p.name}, {"logo_url", std::string("https://") + p.domain + "/logo.svg"},
              {"primary_colour", p.colour}, {"secondary_colour", "#ffffff"},
              {"support_email", std::string("support@") + p.domain}, {"custom_domain", p.domain}}}});
    s.Send("POST", base + "/certification");
    s.Send("PUT", base + "/level", {{"level", "gold"}});
    s.Send("PUT", base + "/price-list",
           {{"prices",
             {{"currency", "EUR"},
              {"entries",
               Json::array({{{"category", "hardware"}, {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", 1250}},
                                                                                {{"min_qty", 100}, {"unit_price", 1100}}})}},
                            {{"category", "parts"}, {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", 480}}})}},
                            {{"category", "electronics"}, {"breaks", Json::array({{{"min_qty", 1}, {"unit_price", 8900}}})}}})}}}});
    summary.partners.push_back(p.id);
  }

  if (time) SeedHistory(s, *time, summary);
  else SeedCompact(s, summary);
  if (!s.error.empty()) return std::unexpected(s.error);
  // The partner admin's demo key.
  auto imported = api.ImportKey(kDemoPartnerKey, gateway::Role::kPartnerAdmin, "demo partner admin", "northwind");
  if (!imported) return std::unexpected(imported.error());
  return summary;
}

}  // namespace keel::app
