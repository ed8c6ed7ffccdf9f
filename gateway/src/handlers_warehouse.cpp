// Handlers of the catalog and warehouse routes: suppliers and item imports, warehouse creation
// (the warehouse and its count on the tenant in one atomic append), receipts, landed costs,
// adjustments, transfers between the tenant's warehouses (both sides in one atomic append),
// replenishment rules, purchase requests, and reading stock and expired lots. What the catalog says
// about each SKU and what the tenant is entitled to come from the reference data (reference_data.hpp).
#include "eventstore/stream_id.hpp"
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

bool Entitled(const TenantFacts& t, domain::Module m) { return t.state.modules.contains(m); }

// What the tenant's catalog says about `skus` (lot tracking), from the reference data.
std::expected<w::CatalogView, Response> CatalogFacts(Call& c, const std::vector<std::string>& skus) {
  auto snap = CatalogOf(c);
  if (!snap) return std::unexpected(snap.error());
  const auto& catalog = snap->As<cat::State>();
  w::CatalogView view;
  for (const auto& sku : skus) {
    if (auto it = catalog.items.find(sku); it != catalog.items.end()) view[sku] = {it->second.lot_tracked};
  }
  return view;
}

Response GetCatalog(Call& c) {
  if (auto past = AsOfState(c, Catalog(c))) return *past;
  auto snap = c.client->Get(Catalog(c));
  if (!snap) return Problem(503, "unavailable", "The service is unavailable", "the catalog did not answer");
  return StateResponse(Catalog(c), *snap);  // an empty catalog is still the tenant's catalog
}


Response ImportItems(Call& c) {
  auto cmd = ParseBody<cat::ImportItems>(c);
  if (!cmd) return cmd.error();
  auto tenant = TenantOf(c);
  if (!tenant) return tenant.error();
  cmd->lot_tracking_entitled = Entitled(**tenant, domain::Module::kLotTracking);
  cmd->units = kUnits;
  cmd->categories = kCategories;
  cmd->at = c.now;
  return Run(c, Catalog(c), cat::Command(std::move(*cmd)));
}

// The warehouse and its registration on the tenant (which counts it against the plan's limit) are
// decided together and appended atomically: a create that fails leaves no trace on the tenant.
Response CreateWarehouse(Call& c) {
  auto cmd = ParseBody<w::CreateWarehouse>(c);
  if (!cmd) return cmd.error();
  const std::string tenant_id = c.Param("tenant");
  const auto key = actors::WarehouseKey(tenant_id, cmd->id);
  if (auto bad = BadId(key, "id")) return *bad;
  if (cmd->name.empty()) return BadField({"name", "a warehouse needs a name"});
  if (!domain::IsValidCurrency(cmd->currency)) return BadField({"currency", "expected an ISO 4217 code such as EUR"});
  auto tenant = TenantOf(c);
  if (!tenant) return tenant.error();
  cmd->tenant = tenant_id;
  cmd->lot_tracking = Entitled(**tenant, domain::Module::kLotTracking);
  cmd->landed_cost = Entitled(**tenant, domain::Module::kLandedCost);
  cmd->at = c.now;
  const w::CreateWarehouse create = *cmd;
  auto decide = [&](const std::vector<actors::Snapshot>& states) -> actors::JointDecision {
    auto made = w::Decide(create, states[1].As<w::State>());
    if (!made) return std::unexpected(made.error());
    auto registered = domain::tenant::Decide(domain::tenant::RegisterWarehouse{create.id, create.at},
                                             states[0].As<domain::tenant::State>());
    if (!registered) return std::unexpected(registered.error());
    return std::vector<actors::AnyEvents>{std::move(*registered), std::move(*made)};
  };
  actors::CommandMeta meta = c.meta;
  meta.expected_version.reset();  // If-Match names the warehouse, which is new
  auto reply = c.client->ExecuteJoint({actors::TenantKey(tenant_id), key}, decide, meta);
  c.ctx.metrics.Command("create_warehouse", reply.has_value());
  if (!reply) return FailureResponse(reply.error());
  Response r = JsonResponse(201, OutcomeJson(key, reply->at(1)));
  r.headers.emplace_back("ETag", "\"" + std::to_string(reply->at(1).version) + "\"");
  return r;
}

Response GetWarehouse(Call& c) {
  if (auto past = AsOfState(c, Warehouse(c))) return *past;
  auto snap = Load(c, Warehouse(c));
  if (!snap) return snap.error();
  return StateResponse(Warehouse(c), *snap);
}

// One receipt as the warehouse remembers it (its ledger, kept by id in the store rather than in the
// warehouse's state): its lines and the landed cost allocated to each line so far.
Response GetReceipt(Call& c) {
  auto snap = Load(c, Warehouse(c));
  if (!snap) return snap.error();
  const std::string id = c.Param("receipt");
  if (!eventstore::IsValidId(id)) return NotFound("receipt '" + id + "' does not exist in warehouse '" + c.Param("warehouse") + "'");
  auto with = c.client->WithLedger(Warehouse(c), std::move(*snap), {w::ReceiptKey(id)});
  if (!with) return FailureResponse(with.error());
  const auto& receipts = with->As<w::State>().ledger.receipts;
  auto it = receipts.find(id);
  if (it == receipts.end()) return NotFound("receipt '" + id + "' does not exist in warehouse '" + c.Param("warehouse") + "'");
  const w::Receipt& r = it->second;
  std::vector<std::int64_t> landed(r.lines.size(), 0);
  for (const auto& split : r.splits) {
    for (std::size_t i = 0; i < split.per_line.size() && i < landed.size(); ++i) landed[i] += split.per_line[i];
  }
  json::Json lines = json::Json::array();
  for (std::size_t i = 0; i < r.lines.size(); ++i) {
    json::Json line = json::ToJson(r.lines[i]);
    line["landed_cost"] = landed[i];
    lines.push_back(std::move(line));
  }
  json::Json allocations = json::Json::array();
  for (const auto& [allocation, content] : r.allocations) allocations.push_back(allocation);
  return JsonResponse(200, {{"warehouse", c.Param("warehouse")}, {"receipt_id", id}, {"lines", lines},
                            {"landed", r.landed}, {"allocation_ids", allocations}});
}

// Lots on hand whose expiry has passed (by the server's clock): they are never shipped, reserved or
// transferred; an adjustment scraps them.
Response GetExpiredLots(Call& c) {
  auto snap = Load(c, Warehouse(c));
  if (!snap) return snap.error();
  json::Json lots = json::Json::array();
  for (const auto& [sku, expired] : w::ExpiredLots(snap->As<w::State>(), c.now)) {
    for (const auto& lot : expired) lots.push_back({{"sku", sku}, {"lot", lot.lot}, {"expiry", lot.expiry}, {"qty", lot.qty}});
  }
  return JsonResponse(200, {{"warehouse", c.Param("warehouse")}, {"at", c.now}, {"lots", lots}});
}

std::vector<std::string> Skus(const std::vector<w::ReceiptLine>& lines) {
  std::vector<std::string> skus;
  for (const auto& l : lines) skus.push_back(l.sku);
  return skus;
}

// The tenant's entitlements now (its modules), for commands whose rules depend on them.
std::expected<w::Entitlements, Response> EntitlementsNow(Call& c) {
  auto tenant = TenantOf(c);
  if (!tenant) return std::unexpected(tenant.error());
  return w::Entitlements{Entitled(**tenant, domain::Module::kLotTracking), Entitled(**tenant, domain::Module::kLandedCost)};
}

Response ReceiveStock(Call& c) {
  auto cmd = ParseBody<w::ReceiveStock>(c);
  if (!cmd) return cmd.error();
  auto entitled = EntitlementsNow(c);
  if (!entitled) return entitled.error();
  cmd->entitlements = *entitled;
  auto facts = CatalogFacts(c, Skus(cmd->lines));
  if (!facts) return facts.error();
  cmd->catalog = std::move(*facts);
  cmd->at = c.now;
  return Run(c, Warehouse(c), w::Command(std::move(*cmd)));
}

std::expected<Prepared, Response> BuildLandedCost(Call& c) {
  if (auto in = FromPath(c, "receipt", "receipt_id"); !in) return std::unexpected(in.error());
  auto cmd = ParseBody<w::AllocateLandedCost>(c);
  if (!cmd) return std::unexpected(cmd.error());
  if (!c.tenant) return std::unexpected(Problem(503, "unavailable", "The service is unavailable", "the tenant's facts are not at hand"));
  cmd->entitlements.landed_cost = Entitled(*c.tenant, domain::Module::kLandedCost);
  cmd->at = c.now;
  return Prepared{Warehouse(c), w::Command(std::move(*cmd)), 200};
}

Response AdjustStock(Call& c) {
  auto cmd = ParseBody<w::AdjustStock>(c);
  if (!cmd) return cmd.error();
  auto entitled = EntitlementsNow(c);
  if (!entitled) return entitled.error();
  cmd->entitlements = *entitled;
  auto facts = CatalogFacts(c, {cmd->sku});
  if (!facts) return facts.error();
  cmd->catalog = std::move(*facts);
  cmd->at = c.now;
  return Run(c, Warehouse(c), w::Command(std::move(*cmd)));
}

// Out of this warehouse and into the target, with the lots and cost that left, in ONE atomic append
// of both streams (actors::TransferStock): no crash leaves stock in neither warehouse.
Response TransferStock(Call& c) {
  auto out = ParseBody<w::TransferOut>(c);
  if (!out) return out.error();
  const std::string tenant = c.Param("tenant");
  if (out->to_warehouse == c.Param("warehouse")) return BadField({"to_warehouse", "must differ from the source warehouse"});
  if (out->to_warehouse.empty()) return BadField({"to_warehouse", "names the target warehouse"});
  const auto target = actors::WarehouseKey(tenant, out->to_warehouse);
  if (auto existing = c.client->Get(target); !existing || existing->version == 0)
    return NotFound("warehouse '" + out->to_warehouse + "' does not exist");
  auto facts = CatalogFacts(c, {out->sku});
  if (!facts) return facts.error();
  w::Transfer transfer{out->transfer_id, out->sku, out->qty, std::move(*facts), c.now};
  auto reply = actors::TransferStock(*c.client, tenant, c.Param("warehouse"), out->to_warehouse, transfer, c.meta);
  c.ctx.metrics.Command("transfer_stock", reply.has_value());
  if (!reply) return FailureResponse(reply.error());
  return JsonResponse(200, {{"out", OutcomeJson(Warehouse(c), reply->at(0))}, {"in", OutcomeJson(target, reply->at(1))}});
}

Response SetReplenishmentRule(Call& c) {
  if (auto in = FromPath(c, "sku", "sku"); !in) return in.error();
  auto cmd = ParseBody<w::SetReplenishmentRule>(c);
  if (!cmd) return cmd.error();
  auto facts = CatalogFacts(c, {cmd->sku});
  if (!facts) return facts.error();
  cmd->catalog = std::move(*facts);
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
  t["get_expired_lots"] = GetExpiredLots;
  t["get_receipt"] = GetReceipt;
  t["receive_stock"] = ReceiveStock;
  Both(t, a, "allocate_landed_cost", RunBuilt<BuildLandedCost>, BuildLandedCost);
  t["adjust_stock"] = AdjustStock;
  t["transfer_stock"] = TransferStock;
  t["set_replenishment_rule"] = SetReplenishmentRule;
  Simple<w::Command, w::RequestPurchase, Warehouse>(t, a, "request_purchase");
}

}  // namespace keel::gateway
