// Handlers of the catalog and warehouse routes: suppliers and item imports, warehouse creation
// (counted against the tenant's limit first), receipts, landed costs, adjustments, transfers between
// the tenant's warehouses, replenishment rules, purchase requests, and reading stock. What the catalog
// says about each SKU and what the tenant is entitled to come from their aggregates.
#include "actors/process_managers.hpp"
#include "call.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {
namespace w = domain::warehouse;
namespace cat = domain::catalog;

// Units of measure and item categories the platform knows (catalog imports are checked against them).
const std::set<std::string> kUnits{"each", "pair", "pack", "box", "case", "pallet", "kg", "g", "l", "ml", "m"};
const std::set<std::string> kCategories{"general",  "electronics", "apparel",  "food",      "beverage", "hardware",
                                        "chemicals", "pharma",     "furniture", "parts",    "packaging", "consumables"};

actors::EntityKey Warehouse(const Call& c) { return actors::WarehouseKey(c.Param("tenant"), c.Param("warehouse")); }
actors::EntityKey Catalog(const Call& c) { return actors::CatalogKey(c.Param("tenant")); }

bool Entitled(const domain::tenant::State& t, domain::Module m) { return t.modules.contains(m); }

Response GetCatalog(Call& c) {
  auto snap = c.client->Get(Catalog(c));
  if (!snap) return Problem(503, "unavailable", "The service is unavailable", "the catalog did not answer");
  return StateResponse(Catalog(c), *snap);  // an empty catalog is still the tenant's catalog
}


Response ImportItems(Call& c) {
  auto cmd = ParseBody<cat::ImportItems>(c);
  if (!cmd) return cmd.error();
  auto tenant = LoadState<domain::tenant::State>(c, actors::TenantKey(c.Param("tenant")));
  if (!tenant) return tenant.error();
  cmd->lot_tracking_entitled = Entitled(*tenant, domain::Module::kLotTracking);
  cmd->units = kUnits;
  cmd->categories = kCategories;
  cmd->at = c.now;
  return Run(c, Catalog(c), cat::Command(std::move(*cmd)));
}

Response CreateWarehouse(Call& c) {
  auto cmd = ParseBody<w::CreateWarehouse>(c);
  if (!cmd) return cmd.error();
  if (cmd->id.empty() || cmd->id.find('/') != std::string::npos) return BadField({"id", "a warehouse id is non-empty and has no '/'"});
  if (!domain::IsValidCurrency(cmd->currency)) return BadField({"currency", "expected an ISO 4217 code such as EUR"});
  auto tenant = LoadState<domain::tenant::State>(c, actors::TenantKey(c.Param("tenant")));
  if (!tenant) return tenant.error();
  const auto key = actors::WarehouseKey(c.Param("tenant"), cmd->id);
  if (auto existing = c.client->Get(key); existing && existing->version > 0)
    return Unprocessable("already_exists", "warehouse '" + cmd->id + "' already exists");
  // Counted against the tenant's limit first; registering the same warehouse twice is a no-op.
  actors::CommandMeta meta = c.meta;
  if (!meta.idempotency_key.empty()) meta.idempotency_key += ":register";
  meta.expected_version.reset();
  auto registered = c.client->Execute(actors::TenantKey(c.Param("tenant")),
                                     domain::tenant::Command(domain::tenant::RegisterWarehouse{cmd->id, c.now}), meta);
  if (!registered) return FailureResponse(registered.error());
  cmd->tenant = c.Param("tenant");
  cmd->lot_tracking = Entitled(*tenant, domain::Module::kLotTracking);
  cmd->landed_cost = Entitled(*tenant, domain::Module::kLandedCost);
  cmd->at = c.now;
  return Run(c, key, w::Command(std::move(*cmd)), 201);
}

Response GetWarehouse(Call& c) {
  auto snap = Load(c, Warehouse(c));
  if (!snap) return snap.error();
  return StateResponse(Warehouse(c), *snap);
}

std::vector<std::string> Skus(const std::vector<w::ReceiptLine>& lines) {
  std::vector<std::string> skus;
  for (const auto& l : lines) skus.push_back(l.sku);
  return skus;
}

Response ReceiveStock(Call& c) {
  auto cmd = ParseBody<w::ReceiveStock>(c);
  if (!cmd) return cmd.error();
  cmd->catalog = actors::CatalogFacts(*c.client, c.Param("tenant"), Skus(cmd->lines));
  cmd->at = c.now;
  return Run(c, Warehouse(c), w::Command(std::move(*cmd)));
}

std::expected<Prepared, Response> BuildLandedCost(Call& c) {
  if (auto in = FromPath(c, "receipt", "receipt_id"); !in) return std::unexpected(in.error());
  return BuildCommand<w::Command, w::AllocateLandedCost, Warehouse>(c);
}

Response AdjustStock(Call& c) {
  auto cmd = ParseBody<w::AdjustStock>(c);
  if (!cmd) return cmd.error();
  cmd->catalog = actors::CatalogFacts(*c.client, c.Param("tenant"), {cmd->sku});
  cmd->at = c.now;
  return Run(c, Warehouse(c), w::Command(std::move(*cmd)));
}

// Out of this warehouse, then into the target with the lots and cost that left; the target must exist
// first so that stock never leaves for nowhere.
Response TransferStock(Call& c) {
  auto out = ParseBody<w::TransferOut>(c);
  if (!out) return out.error();
  const std::string tenant = c.Param("tenant");
  if (out->to_warehouse == c.Param("warehouse")) return BadField({"to_warehouse", "must differ from the source warehouse"});
  const auto target = actors::WarehouseKey(tenant, out->to_warehouse);
  if (auto existing = c.client->Get(target); !existing || existing->version == 0)
    return NotFound("warehouse '" + out->to_warehouse + "' does not exist");
  out->to_tenant = tenant;
  out->at = c.now;
  actors::CommandMeta meta = c.meta;
  const std::string base_key = meta.idempotency_key;
  if (!base_key.empty()) meta.idempotency_key = base_key + ":out";
  auto sent = c.client->Execute(Warehouse(c), w::Command(*out), meta);
  c.ctx.metrics.Command("transfer_stock", sent.has_value());
  if (!sent) return FailureResponse(sent.error());
  const w::TransferredOut* left = nullptr;
  for (const auto& ev : std::get<std::vector<w::Event>>(sent->events))
    if (const auto* t = std::get_if<w::TransferredOut>(&ev)) left = t;
  if (left == nullptr) return JsonResponse(200, {{"out", OutcomeJson(Warehouse(c), *sent)}, {"in", nullptr}});
  w::TransferIn in{out->transfer_id, c.Param("warehouse"), tenant, left->sku, left->qty, left->unit_cost, left->lots,
                   actors::CatalogFacts(*c.client, tenant, {left->sku}), c.now};
  meta.idempotency_key = base_key.empty() ? std::string() : base_key + ":in";
  meta.expected_version.reset();
  auto received = c.client->Execute(target, w::Command(std::move(in)), meta);
  if (!received) return FailureResponse(received.error());
  return JsonResponse(200, {{"out", OutcomeJson(Warehouse(c), *sent)}, {"in", OutcomeJson(target, *received)}});
}

Response SetReplenishmentRule(Call& c) {
  if (auto in = FromPath(c, "sku", "sku"); !in) return in.error();
  auto cmd = ParseBody<w::SetReplenishmentRule>(c);
  if (!cmd) return cmd.error();
  cmd->catalog = actors::CatalogFacts(*c.client, c.Param("tenant"), {cmd->sku});
  cmd->at = c.now;
  return Run(c, Warehouse(c), w::Command(std::move(*cmd)));
}


}  // namespace

void AddWarehouseHandlers(HandlerTable& t, AsyncTable& a) {
  t["get_catalog"] = GetCatalog;
  a["get_catalog"] = AsyncRoute{nullptr, Catalog, false};
  Simple<cat::Command, cat::RegisterSuppliers, Catalog>(t, a, "register_suppliers");
  t["import_items"] = ImportItems;
  t["create_warehouse"] = CreateWarehouse;
  t["get_warehouse"] = GetWarehouse;
  a["get_warehouse"].read = Warehouse;
  t["receive_stock"] = ReceiveStock;
  Both(t, a, "allocate_landed_cost", RunBuilt<BuildLandedCost>, BuildLandedCost);
  t["adjust_stock"] = AdjustStock;
  t["transfer_stock"] = TransferStock;
  t["set_replenishment_rule"] = SetReplenishmentRule;
  Simple<w::Command, w::RequestPurchase, Warehouse>(t, a, "request_purchase");
}

}  // namespace keel::gateway
