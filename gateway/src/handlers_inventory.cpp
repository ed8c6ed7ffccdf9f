// GET /v1/tenants/{tenant}/inventory?sku=&warehouse=&below_min=&expiring_within_days=: stock per SKU
// across the tenant's warehouses from the inventory read model (projections/read_models.hpp), sorted by
// SKU; each item's available is as the domain plans with it at the business clock's now (expired lots
// excluded), with the lots expiring within the horizon (default 30 days, expired ones included).
// With warehouse=, each item holds that warehouse alone (index "i/warehouse/..."); below_min=true
// reads the SKUs below a replenishment minimum somewhere (index "i/below_min/...").
#include "list_support.hpp"
#include "projections/read_models.hpp"

namespace keel::gateway {
namespace {

using json::Json;
constexpr std::int64_t kDayMs = 86'400'000;

Response ListInventory(Call& c) {
  auto p = Params(c, {"sku", "warehouse", "below_min", "expiring_within_days"});
  if (!p) return p.error();
  const std::string sku = Query(c, "sku"), warehouse = Query(c, "warehouse"), below = Query(c, "below_min");
  if (!sku.empty() && !eventstore::IsValidId(sku)) return BadField({"sku", std::string(json::kIdRule)});
  if (!warehouse.empty() && !eventstore::IsValidId(warehouse)) return BadField({"warehouse", std::string(json::kIdRule)});
  if (!below.empty() && below != "true" && below != "false") return BadField({"below_min", "expected true or false"});
  std::int64_t horizon_days = 30;
  if (auto v = Query(c, "expiring_within_days"); !v.empty()) {
    auto n = Number(v);
    if (!n || *n > 3650) return BadField({"expiring_within_days", "expected a number of days from 0 to 3650"});
    horizon_days = static_cast<std::int64_t>(*n);
  }
  auto opened = Open(c, "inventory", *p);
  if (!opened) return opened.error();
  const std::string tenant = c.Param("tenant");
  projections::PageRequest& r = opened->request;
  const std::string rows = "v/" + tenant + "/";
  if (!sku.empty()) {
    r.prefix = rows + sku;
    r.until = r.prefix + '\x01';  // the SKU's own row sorts first under the prefix: only it
  } else if (!warehouse.empty()) {
    r.prefix = "i/warehouse/" + tenant + "/" + warehouse + "/";
    r.rows_at = rows;
  } else if (below == "true") {
    r.prefix = "i/below_min/" + tenant + "/";
    r.rows_at = rows;
  } else {
    r.prefix = rows;
  }
  r.keep = [sku, warehouse, below](const Json& row) {
    if (!sku.empty() && row.value("sku", "") != sku) return false;
    bool held = warehouse.empty(), is_below = row.value("below_min", false);
    if (!warehouse.empty())
      for (const auto& entry : row.value("warehouses", Json::array()))
        if (entry.value("warehouse", "") == warehouse) {
          held = true;
          is_below = entry.value("below_min", false);
        }
    return held && (below.empty() || is_below == (below == "true"));
  };
  const std::int64_t now = c.ctx.clock.NowMs();
  return Listing(c, std::move(r), opened->figures, [now, horizon_days, warehouse](Json row) {
    return projections::InventoryItemAt(row, now, horizon_days * kDayMs, warehouse);
  });
}

}  // namespace

void AddInventoryHandlers(HandlerTable& t) { t["list_inventory"] = ListInventory; }

}  // namespace keel::gateway
