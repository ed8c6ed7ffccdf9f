// The list read models (see read_models.hpp): tenants by partner and orders by tenant, their rows
// derived from the entity's own state (entity_fold.hpp) after every event, their indexes moved when
// the indexed value changes.
#include "projections/read_models.hpp"

#include <charconv>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "domain/order.hpp"
#include "domain/partner.hpp"
#include "domain/warehouse.hpp"
#include "domain/tenant.hpp"
#include "entity_fold.hpp"

namespace keel::projections {
namespace {

using Json = nlohmann::json;

// Status names as the API writes them: snake_case ("awaiting approval" -> "awaiting_approval").
template <class S>
std::string Snake(S status) {
  std::string name(StatusName(status));
  for (auto& c : name)
    if (c == ' ') c = '_';
  return name;
}

// Moves an index entry from `old_key` to `new_key` (either may be "": none).
void Reindex(Model& m, const std::string& old_key, const std::string& new_key) {
  if (old_key == new_key) return;
  if (!old_key.empty()) m.Delete(old_key);
  if (!new_key.empty()) m.Put(new_key, "");
}

class Tenants final : public Projection {
 public:
  std::string_view name() const override { return "tenants"; }
  std::uint32_t version() const override { return 1; }
  bool Wants(const eventstore::EventView& e) const override { return StreamKind(e.stream) == "tenant"; }
  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    namespace t = domain::tenant;
    auto f = FoldEntity<t::State>(e, m, codec::DecodeTenant, [](t::State& s, const t::Event& ev) { t::Apply(s, ev); });
    if (!f) return std::unexpected(f.error());
    const t::State& s = f->after;
    if (s.partner.empty() || s.id.empty()) return std::unexpected("a tenant event before its provisioning");
    const std::string prefix = s.partner + ":";
    Json modules = Json::array();
    for (const auto m : s.modules) modules.push_back(std::string(domain::ModuleName(m)));
    Json row{{"id", s.id},
             {"reference", s.id.starts_with(prefix) ? s.id.substr(prefix.size()) : s.id},
             {"partner", s.partner},
             {"name", s.name},
             {"template_id", s.template_id},
             {"template_version", s.template_version},
             {"plan", s.plan},
             {"status", Snake(s.status)},
             {"modules", modules},
             {"warehouses", s.warehouses.size()},
             {"open_tickets", s.open_tickets.size()},
             {"period_orders", s.period_orders},
             {"updated_at", e.timestamp_ms}};
    m.Put("p/" + s.partner + "/" + s.id, row.dump());
    auto index = [&](const t::State& st) {
      return st.id.empty() ? std::string() : "i/status/" + st.partner + "/" + Snake(st.status) + "/" + st.id;
    };
    Reindex(m, f->created ? std::string() : index(f->before), index(s));
    return {};
  }
};

// The placement time a kept order row holds (rendered by Orders below as "placed_at":<digits>),
// without parsing the whole row; `otherwise` when it has none.
std::int64_t PlacedAt(std::string_view row, std::int64_t otherwise) {
  constexpr std::string_view kField = "\"placed_at\":";
  const auto at = row.find(kField);
  if (at == std::string_view::npos) return otherwise;
  std::int64_t v = 0;
  const char* begin = row.data() + at + kField.size();
  auto [end, ec] = std::from_chars(begin, row.data() + row.size(), v);
  return ec == std::errc() && end != begin ? v : otherwise;
}

class Orders final : public Projection {
 public:
  std::string_view name() const override { return "orders"; }
  std::uint32_t version() const override { return 1; }
  bool Wants(const eventstore::EventView& e) const override { return StreamKind(e.stream) == "order"; }
  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    namespace o = domain::order;
    auto f = FoldEntity<o::State>(e, m, codec::DecodeOrder, [](o::State& s, const o::Event& ev) { o::Apply(s, ev); });
    if (!f) return std::unexpected(f.error());
    const o::State& s = f->after;
    if (s.id.empty() || s.tenant.empty()) return std::unexpected("an order event before its placement");
    const std::string row_key = "o/" + s.tenant + "/" + s.id;
    std::int64_t placed_at = e.timestamp_ms;
    if (!f->created) {
      if (auto old = m.Get(row_key)) placed_at = PlacedAt(*old, e.timestamp_ms);
    }
    std::int64_t units = 0;
    bool backordered = s.status == o::Status::kBackordered;
    for (const auto& [n, line] : s.lines) {
      units += line.qty - line.cancelled;
      // Waiting for stock: a line not yet allocated in full while the order is past approval.
      if (line.open() > 0 && s.status != o::Status::kAwaitingApproval && s.status != o::Status::kCancelled &&
          s.status != o::Status::kRejected && s.status != o::Status::kPlaced)
        backordered = true;
    }
    Json row{{"id", s.id},
             {"customer", s.customer},
             {"channel", std::string(o::ChannelName(s.channel))},
             {"status", Snake(s.status)},
             {"currency", s.currency},
             {"total", s.total},
             {"lines", s.lines.size()},
             {"units", units},
             {"backordered", backordered},
             {"placed_by", s.placed_by},
             {"placed_at", placed_at},
             {"updated_at", e.timestamp_ms}};
    m.Put(row_key, row.dump());
    auto status_key = [&](const o::State& st) {
      return st.id.empty() ? std::string() : "i/status/" + st.tenant + "/" + Snake(st.status) + "/" + st.id;
    };
    Reindex(m, f->created ? std::string() : status_key(f->before), status_key(s));
    if (f->created) {
      m.Put("i/customer/" + s.tenant + "/" + s.customer + "/" + s.id, "");
      m.Put("i/placed/" + s.tenant + "/" + Padded(placed_at) + "/" + s.id, "");
    }
    return {};
  }
};

class Partners final : public Projection {
 public:
  std::string_view name() const override { return "partners"; }
  std::uint32_t version() const override { return 1; }
  bool Wants(const eventstore::EventView& e) const override { return StreamKind(e.stream) == "partner"; }
  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    namespace p = domain::partner;
    auto f = FoldEntity<p::State>(e, m, codec::DecodePartner, [](p::State& s, const p::Event& ev) { p::Apply(s, ev); });
    if (!f) return std::unexpected(f.error());
    const p::State& s = f->after;
    if (s.id.empty()) return std::unexpected("a partner event before its registration");
    m.Put("p/" + s.id, Json{{"id", s.id},
                            {"name", s.name},
                            {"display_name", s.branding.display_name},
                            {"level", std::string(p::LevelName(s.level))},
                            {"certified", s.certified},
                            {"suspended", s.suspended},
                            {"partner_bps", s.partner_bps},
                            {"updated_at", e.timestamp_ms}}
                           .dump());
    return {};
  }
};

// A warehouse's directory row comes from its creation alone (its stock is the inventory's business).
class Warehouses final : public Projection {
 public:
  std::string_view name() const override { return "warehouses"; }
  std::uint32_t version() const override { return 1; }
  bool Wants(const eventstore::EventView& e) const override {
    return e.type == "WarehouseCreated" && StreamKind(e.stream) == "warehouse";
  }
  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    namespace w = domain::warehouse;
    auto event = codec::DecodeWarehouse(e.type, e.schema_version, e.payload);
    if (!event) return std::unexpected("undecodable " + std::string(e.type) + ": " + event.error().message);
    const auto* created = std::get_if<w::WarehouseCreated>(&*event);
    if (created == nullptr || created->id.empty() || created->tenant.empty()) return std::unexpected("a warehouse without an id");
    m.Put("w/" + created->tenant + "/" + created->id, Json{{"id", created->id},
                                                            {"name", created->name},
                                                            {"currency", created->currency},
                                                            {"lot_tracking", created->lot_tracking},
                                                            {"landed_cost", created->landed_cost},
                                                            {"created_at", e.timestamp_ms}}
                                                          .dump());
    return {};
  }
};

}  // namespace

std::string Padded(std::int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(n < 0 ? 0 : n));
  return buf;
}

std::shared_ptr<const Projection> TenantDirectory() { return std::make_shared<Tenants>(); }
std::shared_ptr<const Projection> OrderList() { return std::make_shared<Orders>(); }
std::shared_ptr<const Projection> PartnerDirectory() { return std::make_shared<Partners>(); }
std::shared_ptr<const Projection> WarehouseDirectory() { return std::make_shared<Warehouses>(); }
std::vector<std::shared_ptr<const Projection>> ReadModels() {
  return {PartnerDirectory(), TenantDirectory(),       WarehouseDirectory(), OrderList(),
          InventoryAvailability(), BillingLedger(), ExceptionInbox(),    CommandLog(), RolloutProgressModel(),
          SupportModel()};
}

}  // namespace keel::projections
