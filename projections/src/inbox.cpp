// The inbox read model (read_models.hpp): a tenant's routed integration exceptions (failures and
// sync-latency breaches, in the inbox of the role the workflow rules routed them to; the integration's
// recovery resolves its open ones) and its support tickets, open and resolved.
#include <nlohmann/json.hpp>

#include "codec/codec.hpp"
#include "domain/tenant.hpp"
#include "entity_fold.hpp"
#include "projections/read_models.hpp"

namespace keel::projections {
namespace {

using Json = nlohmann::json;
namespace t = domain::tenant;

std::string IntegrationName(t::Integration i) { return i == t::Integration::kEdi ? "edi" : "marketplace"; }

class Inbox final : public Projection {
 public:
  std::string_view name() const override { return "inbox"; }
  std::uint32_t version() const override { return 2; }  // 2: a reopened ticket keeps its first opening
  bool Wants(const eventstore::EventView& e) const override {
    return StreamKind(e.stream) == "tenant" &&
           (e.type == "TicketOpened" || e.type == "TicketResolved" || e.type == "IntegrationFailed" ||
            e.type == "SyncLatencyBreached" || e.type == "IntegrationRecovered");
  }

  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    auto event = codec::DecodeTenant(e.type, e.schema_version, e.payload);
    if (!event) return std::unexpected("undecodable " + std::string(e.type) + ": " + event.error().message);
    const std::string_view stream = e.stream;
    const std::string tenant(stream.substr(2, stream.find('/', 2) - 2));
    const std::string id = Padded(static_cast<std::int64_t>(e.position));
    auto raise = [&](const std::string& kind, t::Integration integration, const std::string& detail,
                     const std::string& role, std::int64_t at) {
      m.Put("x/" + tenant + "/" + id, Json{{"id", id},
                                          {"kind", kind},
                                          {"integration", IntegrationName(integration)},
                                          {"detail", detail},
                                          {"routed_to", role},
                                          {"status", "open"},
                                          {"raised_at", at},
                                          {"resolved_at", nullptr},
                                          {"position", e.position}}
                                         .dump());
      m.Put("i/open/" + tenant + "/" + id, "");
      // What the integration's recovery resolves.
      const std::string open_key = "open/" + tenant + "/" + IntegrationName(integration);
      Json open = Json::array();
      if (auto kept = m.Get(open_key)) open = Json::parse(*kept, nullptr, false);
      if (!open.is_array()) open = Json::array();
      open.push_back(id);
      m.Put(open_key, open.dump());
    };
    if (const auto* failed = std::get_if<t::IntegrationFailed>(&*event)) {
      raise("failure", failed->integration, failed->detail, failed->routed_to, failed->at);
    } else if (const auto* slow = std::get_if<t::SyncLatencyBreached>(&*event)) {
      raise("latency_breach", slow->integration,
            IntegrationName(slow->integration) + " sync took " + std::to_string(slow->latency_ms) + " ms", slow->routed_to,
            slow->at);
    } else if (const auto* recovered = std::get_if<t::IntegrationRecovered>(&*event)) {
      const std::string open_key = "open/" + tenant + "/" + IntegrationName(recovered->integration);
      auto kept = m.Get(open_key);
      if (!kept) return {};
      for (const auto& open_id : Json::parse(*kept, nullptr, false)) {
        const std::string row_key = "x/" + tenant + "/" + open_id.get<std::string>();
        auto row = m.Get(row_key);
        if (!row) continue;
        Json j = Json::parse(*row, nullptr, false);
        j["status"] = "resolved";
        j["resolved_at"] = recovered->at;
        m.Put(row_key, j.dump());
        m.Delete("i/open/" + tenant + "/" + open_id.get<std::string>());
      }
      m.Delete(open_key);
    } else if (const auto* opened = std::get_if<t::TicketOpened>(&*event)) {
      // A resolved ticket's id opened again is that ticket reopened: its first opening and how many
      // times it was opened stay with it.
      const std::string row_key = "k/" + tenant + "/" + opened->ticket;
      std::int64_t first_opened_at = opened->at, times_opened = 1;
      if (auto kept = m.Get(row_key)) {
        const Json before = Json::parse(*kept, nullptr, false);
        if (before.is_object()) {
          first_opened_at = before.value("first_opened_at", before.value("opened_at", opened->at));
          times_opened = before.value("times_opened", std::int64_t{1}) + 1;
        }
      }
      m.Put(row_key, Json{{"id", opened->ticket},
                          {"subject", opened->subject},
                          {"severity", opened->severity},
                          {"status", "open"},
                          {"opened_at", opened->at},
                          {"first_opened_at", first_opened_at},
                          {"times_opened", times_opened},
                          {"resolved_at", nullptr}}
                         .dump());
      m.Put("i/ticket_open/" + tenant + "/" + opened->ticket, "");
    } else if (const auto* resolved = std::get_if<t::TicketResolved>(&*event)) {
      const std::string row_key = "k/" + tenant + "/" + resolved->ticket;
      auto row = m.Get(row_key);
      if (!row) return std::unexpected("ticket '" + resolved->ticket + "' resolved before it was opened");
      Json j = Json::parse(*row, nullptr, false);
      j["status"] = "resolved";
      j["resolved_at"] = resolved->at;
      m.Put(row_key, j.dump());
      m.Delete("i/ticket_open/" + tenant + "/" + resolved->ticket);
    }
    return {};
  }
};

}  // namespace

std::shared_ptr<const Projection> ExceptionInbox() { return std::make_shared<Inbox>(); }

}  // namespace keel::projections
