// The inventory read model (read_models.hpp): stock per SKU across a tenant's warehouses. Each
// warehouse event is folded by the domain's own Apply into a partial warehouse state holding only the
// SKUs the event names (kept per warehouse and SKU as snapshot bytes, "s/<stream>/<sku>"), so an event
// costs what it touches, never the whole warehouse; the SKU's row is then rewritten from them.
#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "codec/codec.hpp"
#include "codec/snapshot.hpp"
#include "domain/warehouse.hpp"
#include "entity_fold.hpp"
#include "projections/read_models.hpp"

namespace keel::projections {
namespace {

using Json = nlohmann::json;
namespace w = domain::warehouse;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// The SKUs an event changes (every warehouse event but the creation names its SKUs).
std::set<std::string> SkusOf(const w::Event& event) {
  std::set<std::string> out;
  std::visit(Overloaded{
                 [&](const w::StockReceived& e) { for (const auto& l : e.lines) out.insert(l.sku); },
                 [&](const w::LandedCostAllocated& e) { for (const auto& a : e.allocations) out.insert(a.sku); },
                 [&](const w::StockReturned& e) { for (const auto& l : e.lines) out.insert(l.sku); },
                 [&](const w::WarehouseCreated&) {},
                 [&](const auto& e) { out.insert(e.sku); },
             },
             event);
  return out;
}

// "t/<tenant>/warehouse/<id>" -> tenant, id.
std::pair<std::string, std::string> TenantAndId(std::string_view stream) {
  const auto a = stream.find('/', 2);
  const auto b = stream.rfind('/');
  return {std::string(stream.substr(2, a - 2)), std::string(stream.substr(b + 1))};
}

bool BelowMin(const w::SkuStock& st, const w::Rule* rule) {
  return rule != nullptr && rule->min > 0 && st.available() < rule->min;
}

Json Entry(const std::string& warehouse, const std::string& currency, const w::SkuStock& st, const w::Rule* rule) {
  Json lots = Json::array();
  for (const auto& [id, lot] : st.lots) lots.push_back({{"lot", lot.lot}, {"expiry", lot.expiry}, {"qty", lot.qty}});
  std::sort(lots.begin(), lots.end(), [](const Json& a, const Json& b) {
    return std::pair(a["expiry"].get<std::int64_t>(), a["lot"].get<std::string>()) <
           std::pair(b["expiry"].get<std::int64_t>(), b["lot"].get<std::string>());
  });
  return {{"warehouse", warehouse},
          {"currency", currency},
          {"on_hand", st.on_hand},
          {"reserved", st.reserved},
          {"available", st.available()},
          {"value", st.value},
          {"lot_tracked", st.lot_tracked},
          {"lots", lots},
          {"min", rule ? Json(rule->min) : Json(nullptr)},
          {"max", rule ? Json(rule->max) : Json(nullptr)},
          {"below_min", BelowMin(st, rule)}};
}

class Inventory final : public Projection {
 public:
  std::string_view name() const override { return "inventory"; }
  std::uint32_t version() const override { return 1; }
  bool Wants(const eventstore::EventView& e) const override { return StreamKind(e.stream) == "warehouse"; }

  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    auto event = codec::DecodeWarehouse(e.type, e.schema_version, e.payload);
    if (!event) return std::unexpected("undecodable " + std::string(e.type) + ": " + event.error().message);
    const auto [tenant, warehouse] = TenantAndId(e.stream);
    const std::string head_key = "h/" + std::string(e.stream);
    if (const auto* created = std::get_if<w::WarehouseCreated>(&*event)) {
      m.Put(head_key, created->currency);
      return {};
    }
    const auto currency = m.Get(head_key);
    if (!currency) return std::unexpected("a warehouse event before its creation");
    // The partial state: only the SKUs this event names, each as it was kept.
    const auto skus = SkusOf(*event);
    w::State s;
    s.created = true;
    s.id = warehouse;
    s.tenant = tenant;
    s.currency = *currency;
    for (const auto& sku : skus) {
      auto bytes = m.Get("s/" + std::string(e.stream) + "/" + sku);
      if (!bytes) continue;
      w::State kept;
      if (auto ok = codec::DecodeSnapshot(*bytes, kept); !ok) return std::unexpected("kept state: " + ok.error().message);
      if (auto it = kept.stock.find(sku); it != kept.stock.end()) s.stock[sku] = it->second;
      if (auto it = kept.rules.find(sku); it != kept.rules.end()) s.rules[sku] = it->second;
    }
    w::Apply(s, *event);
    for (const auto& sku : skus) {
      w::State kept;
      kept.created = true;
      const auto& st = s.stock[sku];
      kept.stock[sku] = st;
      const w::Rule* rule = nullptr;
      if (auto it = s.rules.find(sku); it != s.rules.end()) {
        kept.rules[sku] = it->second;
        rule = &it->second;
      }
      m.Put("s/" + std::string(e.stream) + "/" + sku, codec::EncodeSnapshot(kept));
      // The SKU's row across the tenant's warehouses, this warehouse's entry replaced.
      const std::string row_key = "v/" + tenant + "/" + sku;
      Json row = Json::object();
      if (auto old = m.Get(row_key)) row = Json::parse(*old, nullptr, false);
      if (!row.is_object()) return std::unexpected("kept row of " + sku + " is not JSON");
      const bool was_below = row.value("below_min", false);
      Json entries = Json::array();
      bool placed = false, known = false;
      for (auto& entry : row.value("warehouses", Json::array())) {
        if (!placed && entry.value("warehouse", "") >= warehouse) {
          known = entry.value("warehouse", "") == warehouse;
          entries.push_back(Entry(warehouse, *currency, st, rule));
          placed = true;
          if (known) continue;
        }
        entries.push_back(std::move(entry));
      }
      if (!placed) entries.push_back(Entry(warehouse, *currency, st, rule));
      std::int64_t on_hand = 0, reserved = 0;
      bool below = false;
      for (const auto& entry : entries) {
        on_hand += entry["on_hand"].get<std::int64_t>();
        reserved += entry["reserved"].get<std::int64_t>();
        below = below || entry["below_min"].get<bool>();
      }
      m.Put(row_key, Json{{"sku", sku},
                          {"on_hand", on_hand},
                          {"reserved", reserved},
                          {"available", on_hand - reserved},
                          {"below_min", below},
                          {"warehouses", std::move(entries)},
                          {"updated_at", e.timestamp_ms}}
                         .dump());
      if (!known) m.Put("i/warehouse/" + tenant + "/" + warehouse + "/" + sku, "");
      if (below != was_below) {
        const std::string index = "i/below_min/" + tenant + "/" + sku;
        if (below) m.Put(index, "");
        else m.Delete(index);
      }
    }
    return {};
  }
};

}  // namespace

std::shared_ptr<const Projection> InventoryAvailability() { return std::make_shared<Inventory>(); }

nlohmann::json InventoryItemAt(const nlohmann::json& row, std::int64_t now_ms, std::int64_t horizon_ms,
                               const std::string& only_warehouse) {
  Json out{{"sku", row.value("sku", "")}};
  Json warehouses = Json::array(), expiring = Json::array();
  std::int64_t on_hand = 0, reserved = 0, available = 0;
  bool below = false;
  for (const auto& entry : row.value("warehouses", Json::array())) {
    const std::string id = entry.value("warehouse", "");
    if (!only_warehouse.empty() && id != only_warehouse) continue;
    // Available as the domain plans with it: unexpired lots (all stock when not lot-tracked) less
    // what is reserved, never below 0.
    w::SkuStock st;
    st.on_hand = entry.value("on_hand", std::int64_t{0});
    st.reserved = entry.value("reserved", std::int64_t{0});
    st.lot_tracked = entry.value("lot_tracked", false);
    Json lots = Json::array();
    for (const auto& lot : entry.value("lots", Json::array())) {
      const std::int64_t expiry = lot.value("expiry", std::int64_t{0});
      st.lots[lot.value("lot", "")] = w::LotQty{lot.value("lot", ""), expiry, lot.value("qty", std::int64_t{0})};
      Json l = lot;
      l["expired"] = expiry > 0 && expiry <= now_ms;
      if (expiry > 0 && expiry <= now_ms + horizon_ms) {
        Json x = l;
        x["warehouse"] = id;
        expiring.push_back(std::move(x));
      }
      lots.push_back(std::move(l));
    }
    w::State s;
    s.stock["x"] = st;
    const std::int64_t avail = w::AvailableAt(s, "x", now_ms);
    Json e = entry;
    e["available"] = avail;
    e["lots"] = std::move(lots);
    on_hand += st.on_hand;
    reserved += st.reserved;
    available += avail;
    below = below || entry.value("below_min", false);
    warehouses.push_back(std::move(e));
  }
  std::sort(expiring.begin(), expiring.end(), [](const Json& a, const Json& b) {
    return a["expiry"].get<std::int64_t>() < b["expiry"].get<std::int64_t>();
  });
  out["on_hand"] = on_hand;
  out["reserved"] = reserved;
  out["available"] = available;
  out["below_min"] = below;
  out["expiring_lots"] = std::move(expiring);
  out["warehouses"] = std::move(warehouses);
  out["updated_at"] = row.value("updated_at", std::int64_t{0});
  return out;
}

}  // namespace keel::projections
