// The analytics projection (analytics.hpp): every event of a tenant adds to its day facts (events,
// modules used, active warehouses); orders, returns, billing, tickets, integrations and MRR movements
// add to the tenant's row and to its segment, tier, partner-segment and partner-tier rows too. The
// tenant's own analytics state ("g/<tenant>", JSON) is kept by analytics_tenant.cpp.
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "analytics_tenant.hpp"
#include "codec/codec.hpp"
#include "domain/analytics.hpp"
#include "entity_fold.hpp"
#include "projections/analytics.hpp"

namespace keel::projections {
namespace {

namespace o = domain::order;
namespace w = domain::warehouse;
using domain::Module;


class AnalyticsFold final : public Projection {
 public:
  explicit AnalyticsFold(domain::ServiceCatalog catalog) : catalog_(std::move(catalog)) {}
  std::string_view name() const override { return "analytics"; }
  std::uint32_t version() const override { return 3; }  // 2: billed revenue on its period's last day; 3: template moves' modules
  bool Wants(const eventstore::EventView& e) const override {
    const auto kind = StreamKind(e.stream);
    return kind == "tenant" || kind == "order" || kind == "billing" || kind == "warehouse" || kind == "catalog";
  }

  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    const std::string_view stream = e.stream;
    const std::string tenant = StreamTenant(stream);
    const std::string_view kind = StreamKind(stream);
    std::string day = Day(e.timestamp_ms);
    Facts own;  // the tenant's row alone
    own.n[kEvents] = 1;
    Facts shared;  // the tenant's row and its groups'
    if (kind == "tenant") {
      auto event = codec::DecodeTenant(e.type, e.schema_version, e.payload);
      if (!event) return std::unexpected("undecodable " + std::string(e.type) + ": " + event.error().message);
      auto changed = FoldTenant(m, tenant, *event, e.timestamp_ms, catalog_, shared, own);
      if (!changed) return std::unexpected(changed.error());
      if (changed->mrr_delta != 0 || changed->tenants_delta != 0)
        MoveHeads(m, changed->groups, changed->mrr_delta, changed->tenants_delta);
    } else if (kind == "billing") {
      auto event = codec::DecodeBilling(e.type, e.schema_version, e.payload);
      if (!event) return std::unexpected("undecodable " + std::string(e.type) + ": " + event.error().message);
      std::int64_t at = e.timestamp_ms;
      if (auto ok = FoldBilling(m, tenant, *event, catalog_, shared, at); !ok) return ok;
      day = Day(at);
    } else if (kind == "order") {
      if (auto ok = Order(e, shared, own); !ok) return ok;
    } else if (kind == "warehouse") {
      if (auto ok = Warehouse(e, own); !ok) return ok;
      const std::string_view rest = stream.substr(stream.find("/warehouse/") + 11);
      m.Put("aw/" + tenant + "/" + day + "/" + std::string(rest), "");
    } else if (e.type == "ContractPricesSet") {
      own.n[kModulesUsed] |= ModuleBit(Module::kAdvancedPricing);
    }
    own.Add(shared);
    AddTo(m, "d/t/" + tenant + "/" + day, own);
    if (Empty(shared)) return {};
    const auto groups = GroupsOf(m, tenant);
    if (!groups) return {};  // events of a tenant not provisioned (yet): its own row only
    for (const std::string& g : groups->Keys()) AddTo(m, "d/" + g + "/" + day, shared);
    return {};
  }

 private:
  static bool Empty(const Facts& f) {
    for (auto v : f.n)
      if (v != 0) return false;
    return f.gmv.empty();
  }

  // Day rows are sums: a batch's additions gather in its scratch, typed, and meet each row once in
  // Flush (a chunk of one day's orders touches a few hundred rows, not five per event).
  using Sums = std::unordered_map<std::string, Facts>;
  static void AddTo(Model& m, std::string key, const Facts& add) {
    if (std::any* scratch = m.Scratch()) {
      if (!scratch->has_value()) scratch->emplace<Sums>();
      if (auto* sums = std::any_cast<Sums>(scratch)) {
        (*sums)[std::move(key)].Add(add);
        return;
      }
    }
    Write(m, std::move(key), add);
  }
  static void Write(Model& m, std::string key, const Facts& add) {
    Facts f;
    if (auto bytes = m.Get(key)) DecodeFacts(*bytes, f);
    f.Add(add);
    m.Put(std::move(key), EncodeFacts(f));
  }

 public:
  void Flush(Model& m) const override {
    std::any* scratch = m.Scratch();
    auto* sums = scratch ? std::any_cast<Sums>(scratch) : nullptr;
    if (!sums) return;
    for (auto& [key, add] : *sums) Write(m, key, add);
    sums->clear();
  }

 private:

  static void MoveHeads(Model& m, const std::vector<std::string>& groups, std::int64_t mrr, std::int64_t tenants) {
    Facts head;
    head.n[kMrr] = mrr;
    head.n[kTenants] = tenants;
    for (const std::string& g : groups) {
      AddTo(m, "d/" + g + "/~", head);
      m.Put("n/" + g, "");  // the group registry: groups listed without reading their days
    }
  }

  static std::expected<void, std::string> Order(const eventstore::EventView& e, Facts& shared, Facts& own) {
    const std::string_view type = e.type;
    const bool decoded_needed = type == "OrderPlaced" || type == "ReturnRequested" || type == "OrderAllocated";
    if (type.starts_with("Return")) own.n[kModulesUsed] |= ModuleBit(Module::kReturns);
    if (type == "OrderApproved" || type == "OrderRejected") own.n[kModulesUsed] |= ModuleBit(Module::kWorkflowAutomation);
    if (type == "OrderCancelled") shared.n[kCancellations] = 1;
    if (!decoded_needed) return {};
    auto event = codec::DecodeOrder(e.type, e.schema_version, e.payload);
    if (!event) return std::unexpected("undecodable " + std::string(e.type) + ": " + event.error().message);
    if (const auto* placed = std::get_if<o::OrderPlaced>(&*event)) {
      shared.n[kOrders] = 1;
      shared.n[kLines] = static_cast<std::int64_t>(placed->lines.size());
      for (const auto& l : placed->lines) shared.n[kUnits] += l.qty;
      shared.AddGmv(placed->currency, placed->total);
      if (placed->channel == o::Channel::kMarketplace) own.n[kModulesUsed] |= ModuleBit(Module::kMarketplaceConnectors);
      if (placed->channel == o::Channel::kEdi) own.n[kModulesUsed] |= ModuleBit(Module::kEdi);
    } else if (const auto* ret = std::get_if<o::ReturnRequested>(&*event)) {
      shared.n[kReturns] = 1;
      for (const auto& l : ret->lines) shared.n[kReturnedUnits] += l.qty;
    } else if (const auto* allocated = std::get_if<o::OrderAllocated>(&*event)) {
      for (const auto& a : allocated->allocations)
        if (a.warehouse != allocated->allocations.front().warehouse) own.n[kModulesUsed] |= ModuleBit(Module::kMultiWarehouse);
    }
    return {};
  }

  static std::expected<void, std::string> Warehouse(const eventstore::EventView& e, Facts& own) {
    const std::string_view type = e.type;
    std::int64_t& used = own.n[kModulesUsed];
    used |= ModuleBit(Module::kInventory);
    if (type == "TransferredOut" || type == "TransferredIn") used |= ModuleBit(Module::kMultiWarehouse);
    if (type == "LandedCostAllocated") used |= ModuleBit(Module::kLandedCost);
    if (type == "StockReturned") used |= ModuleBit(Module::kReturns);
    if (type == "ReplenishmentRequested" || type == "PurchaseRequested") used |= ModuleBit(Module::kWorkflowAutomation);
    if (type != "StockReceived") return {};
    auto event = codec::DecodeWarehouse(e.type, e.schema_version, e.payload);
    if (!event) return std::unexpected("undecodable " + std::string(e.type) + ": " + event.error().message);
    if (const auto* received = std::get_if<w::StockReceived>(&*event))
      for (const auto& l : received->lines)
        if (!l.lot.empty()) used |= ModuleBit(Module::kLotTracking);
    return {};
  }

  domain::ServiceCatalog catalog_;
};

}  // namespace

std::shared_ptr<const Projection> Analytics(const domain::ServiceCatalog& catalog) {
  return std::make_shared<AnalyticsFold>(catalog);
}

}  // namespace keel::projections
