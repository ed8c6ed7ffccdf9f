// The accepted-commands read model (read_models.hpp): one row per command the log holds — the events
// one decision appended together (same principal, request id and cause, at consecutive positions) —
// with who sent it (a key, a process, or "system" for an event appended without a principal), through
// which route (a request's operation) or for what cause (a process's), on what, and when. Refused and denied requests never reach
// the log; the gateway records those (its "audit" model) and GET /v1/audit merges the two.
#include <nlohmann/json.hpp>

#include "entity_fold.hpp"
#include "projections/read_models.hpp"

namespace keel::projections {
namespace {

using Json = nlohmann::json;

class Commands final : public Projection {
 public:
  std::string_view name() const override { return "commands"; }
  std::uint32_t version() const override { return 4; }
  bool Wants(const eventstore::EventView&) const override { return true; }

  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    const std::string_view stream = e.stream;
    std::string tenant(e.tenant);
    if (tenant.empty()) tenant = StreamTenant(stream);
    std::string partner;
    if (const auto colon = tenant.find(':'); colon != std::string::npos) partner = tenant.substr(0, colon);
    // The platform's own streams (partners, "t/_platform/partner/<id>"): no tenant; a partner's own.
    if (tenant.starts_with('_')) {
      tenant.clear();
      if (StreamKind(stream) == "partner") partner = std::string(stream.substr(stream.rfind('/') + 1));
    }
    // An event appended without a principal: the system's own (the clock-driven cycles of old).
    const std::string principal = e.principal.empty() ? std::string("system") : std::string(e.principal);
    // The same command as the event before it: extend its row.
    const std::string same = principal + "\n" + std::string(e.correlation_id) + "\n" +
                             std::string(e.causation_id) + "\n" + std::to_string(e.timestamp_ms);
    if (auto last = m.Get("last")) {
      const Json l = Json::parse(*last, nullptr, false);
      if (l.is_object() && l.value("position", std::uint64_t{0}) + 1 == e.position && l.value("same", "") == same) {
        if (auto row = m.Get(l["key"].get<std::string>())) {
          Json j = Json::parse(*row, nullptr, false);
          j["events"].push_back({{"type", e.type}, {"stream", e.stream}, {"position", e.position}});
          m.Put(l["key"].get<std::string>(), j.dump());
          m.Put("last", Json{{"position", e.position}, {"same", same}, {"key", l["key"]}}.dump());
          return {};
        }
      }
    }
    // In log order: a command accepted later never sorts before one already listed.
    const std::string suffix = Padded(static_cast<std::int64_t>(e.position));
    // The operation a request ran ("http:<operationId>"), or what a process acted on.
    const std::string_view cause = e.causation_id;
    const bool by_request = cause.starts_with("http:");
    const Json route = by_request ? Json(std::string(cause.substr(5))) : Json(nullptr);
    // A process names what it acted on in the correlation ("order:<id>", "tenant:<id>"), its step in
    // the causation; the former is the cause an auditor reads.
    const std::string_view process_cause = !e.correlation_id.empty() ? e.correlation_id : cause;
    const std::string key = "a/" + suffix;
    m.Put(key, Json{{"at", e.timestamp_ms},
                    {"result", "accepted"},
                    {"principal", principal},
                    {"route", route},
                    {"cause", by_request ? Json(nullptr) : Json(std::string(process_cause))},
                    {"tenant", tenant.empty() ? Json(nullptr) : Json(tenant)},
                    {"partner", partner.empty() ? Json(nullptr) : Json(partner)},
                    {"target", e.stream},
                    {"request_id", by_request ? Json(std::string(e.correlation_id)) : Json(nullptr)},
                    {"position", e.position},
                    {"events", Json::array({{{"type", e.type}, {"stream", e.stream}, {"position", e.position}}})}}
                   .dump());
    if (!tenant.empty()) m.Put("i/tenant/" + tenant + "/" + suffix, "");
    if (!partner.empty()) m.Put("i/partner/" + partner + "/" + suffix, "");
    m.Put("i/principal/" + principal + "/" + suffix, "");
    m.Put("last", Json{{"position", e.position}, {"same", same}, {"key", key}}.dump());
    return {};
  }
};

}  // namespace

std::shared_ptr<const Projection> CommandLog() { return std::make_shared<Commands>(); }

}  // namespace keel::projections
