// The inbox read model (read_models.hpp): a tenant's routed exceptions (integration failures,
// sync-latency breaches and support SLA breaches, in the inbox of the role the workflow rules routed
// them to; the integration's recovery resolves its open ones, a ticket's resolution its breaches) and
// its support tickets, open and resolved: priority, due times, assignee, working status, breaches, a
// history of what happened to each (capped at its last 200 entries) and its comments (rows of their own).
#include <algorithm>

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

constexpr std::size_t kHistory = 200;

// Adds an entry to a ticket row's history, keeping its last kHistory.
void Note(Json& row, Json entry) {
  Json& h = row["history"];
  if (!h.is_array()) h = Json::array();
  h.push_back(std::move(entry));
  if (h.size() > kHistory) h.erase(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(h.size() - kHistory));
}

// Changes a ticket's row (a ticket opened before rows kept its work has none of the newer fields).
template <class F>
std::expected<void, std::string> Touch(Model& m, const std::string& tenant, const std::string& ticket, F&& change) {
  const std::string row_key = "k/" + tenant + "/" + ticket;
  auto row = m.Get(row_key);
  if (!row) return std::unexpected("ticket '" + ticket + "' changed before it was opened");
  Json j = Json::parse(*row, nullptr, false);
  if (!j.is_object()) return std::unexpected("ticket '" + ticket + "': its row is unreadable");
  if (!j["breaches"].is_array()) j["breaches"] = Json::array();
  if (!j["comments"].is_number_integer()) j["comments"] = 0;
  change(j);
  m.Put(row_key, j.dump());
  return {};
}

class Inbox final : public Projection {
 public:
  std::string_view name() const override { return "inbox"; }
  // 2: a reopened ticket keeps its first opening; 3: ticket work (priority, due times, assignee,
  // status, waiting_since, history, comments with their opening) and SLA breaches as exceptions
  std::uint32_t version() const override { return 3; }
  bool Wants(const eventstore::EventView& e) const override {
    return StreamKind(e.stream) == "tenant" &&
           (e.type == "TicketOpened" || e.type == "TicketResolved" || e.type == "IntegrationFailed" ||
            e.type == "SyncLatencyBreached" || e.type == "IntegrationRecovered" || e.type == "TicketAssigned" ||
            e.type == "TicketCommented" || e.type == "TicketStatusChanged" || e.type == "TicketSlaBreached");
  }

  std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& m) const override {
    auto event = codec::DecodeTenant(e.type, e.schema_version, e.payload);
    if (!event) return std::unexpected("undecodable " + std::string(e.type) + ": " + event.error().message);
    const std::string tenant = StreamTenant(e.stream);
    const std::string id = Padded(static_cast<std::int64_t>(e.position));
    // `source`: the integration (edi, marketplace) or the ticket ("ticket:<id>") whose recovery or
    // resolution resolves the exception.
    auto raise = [&](const std::string& kind, const std::string& source, const std::string& detail,
                     const std::string& role, std::int64_t at) {
      Json row{{"id", id},
               {"kind", kind},
               {"integration", nullptr},
               {"detail", detail},
               {"routed_to", role},
               {"status", "open"},
               {"raised_at", at},
               {"resolved_at", nullptr},
               {"position", e.position}};
      if (source.starts_with("ticket:")) row["ticket"] = source.substr(7);
      else row["integration"] = source;
      m.Put("x/" + tenant + "/" + id, row.dump());
      m.Put("i/open/" + tenant + "/" + id, "");
      const std::string open_key = "open/" + tenant + "/" + source;
      Json open = Json::array();
      if (auto kept = m.Get(open_key)) open = Json::parse(*kept, nullptr, false);
      if (!open.is_array()) open = Json::array();
      open.push_back(id);
      m.Put(open_key, open.dump());
    };
    auto resolve = [&](const std::string& source, std::int64_t at) {
      const std::string open_key = "open/" + tenant + "/" + source;
      auto kept = m.Get(open_key);
      if (!kept) return;
      for (const auto& open_id : Json::parse(*kept, nullptr, false)) {
        const std::string row_key = "x/" + tenant + "/" + open_id.get<std::string>();
        auto row = m.Get(row_key);
        if (!row) continue;
        Json j = Json::parse(*row, nullptr, false);
        j["status"] = "resolved";
        j["resolved_at"] = at;
        m.Put(row_key, j.dump());
        m.Delete("i/open/" + tenant + "/" + open_id.get<std::string>());
      }
      m.Delete(open_key);
    };
    if (const auto* failed = std::get_if<t::IntegrationFailed>(&*event)) {
      raise("failure", IntegrationName(failed->integration), failed->detail, failed->routed_to, failed->at);
    } else if (const auto* slow = std::get_if<t::SyncLatencyBreached>(&*event)) {
      raise("latency_breach", IntegrationName(slow->integration),
            IntegrationName(slow->integration) + " sync took " + std::to_string(slow->latency_ms) + " ms", slow->routed_to,
            slow->at);
    } else if (const auto* recovered = std::get_if<t::IntegrationRecovered>(&*event)) {
      resolve(IntegrationName(recovered->integration), recovered->at);
    } else if (const auto* breach = std::get_if<t::TicketSlaBreached>(&*event)) {
      raise("sla_breach", "ticket:" + breach->ticket,
            "ticket " + breach->ticket + " missed its " + breach->target + " target (" + breach->priority + ")",
            breach->routed_to, breach->at);
      return Touch(m, tenant, breach->ticket, [&](Json& j) {
        j["breaches"].push_back({{"target", breach->target}, {"due", breach->due}, {"at", breach->at}});
        Note(j, {{"at", breach->at}, {"event", "sla_breached"}, {"target", breach->target}});
      });
    } else if (const auto* assigned = std::get_if<t::TicketAssigned>(&*event)) {
      return Touch(m, tenant, assigned->ticket, [&](Json& j) {
        j["assignee"] = assigned->assignee;
        Note(j, {{"at", assigned->at}, {"event", "assigned"}, {"assignee", assigned->assignee}});
      });
    } else if (const auto* changed = std::get_if<t::TicketStatusChanged>(&*event)) {
      return Touch(m, tenant, changed->ticket, [&](Json& j) {
        j["status"] = changed->to;
        j["resolution_due"] = changed->resolution_due > 0 ? Json(changed->resolution_due) : Json(nullptr);
        // While waiting on the customer the resolution clock stands: resolution_due moves on by the
        // wait when it ends.
        j["waiting_since"] = changed->to == "waiting_on_customer" ? Json(changed->at) : Json(nullptr);
        Json entry{{"at", changed->at}, {"event", "status_changed"}, {"from", changed->from}, {"to", changed->to}};
        if (!changed->reason.empty()) entry["reason"] = changed->reason;
        Note(j, std::move(entry));
      });
    } else if (const auto* commented = std::get_if<t::TicketCommented>(&*event)) {
      std::int64_t opening = 1;
      if (auto kept = m.Get("k/" + tenant + "/" + commented->ticket)) {
        const Json row = Json::parse(*kept, nullptr, false);
        if (row.is_object() && row["times_opened"].is_number_integer()) opening = row["times_opened"].get<std::int64_t>();
      }
      m.Put("c/" + tenant + "/" + commented->ticket + "/" + id, Json{{"comment", commented->comment},
                                                                      {"opening", opening},
                                                                      {"author", commented->author},
                                                                      {"from", commented->from},
                                                                      {"body", commented->body},
                                                                      {"internal", commented->internal},
                                                                      {"at", commented->at}}
                                                                     .dump());
      return Touch(m, tenant, commented->ticket, [&](Json& j) {
        j["comments"] = j.value("comments", std::int64_t{0}) + 1;
        if (!commented->internal) j["public_comments"] = (j["public_comments"].is_number_integer() ? j["public_comments"].get<std::int64_t>() : 0) + 1;
        if (commented->first_response) j["responded_at"] = commented->at;
        Note(j, {{"at", commented->at}, {"event", "commented"}, {"from", commented->from}, {"internal", commented->internal}});
      });
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
      Json history = Json::array();
      if (auto kept = m.Get(row_key)) {
        const Json before = Json::parse(*kept, nullptr, false);
        if (before.is_object() && before.contains("history")) history = before["history"];
      }
      Json row{{"id", opened->ticket},
               {"subject", opened->subject},
               {"severity", opened->severity},
               {"priority", opened->priority.empty() ? Json(nullptr) : Json(opened->priority)},
               {"risk_band", opened->risk_band.empty() ? Json(nullptr) : Json(opened->risk_band)},
               {"status", "open"},
               {"assignee", nullptr},
               {"opened_at", opened->at},
               {"first_opened_at", first_opened_at},
               {"times_opened", times_opened},
               {"first_response_due", opened->first_response_due > 0 ? Json(opened->first_response_due) : Json(nullptr)},
               {"responded_at", nullptr},
               {"resolution_due", opened->resolution_due > 0 ? Json(opened->resolution_due) : Json(nullptr)},
               {"resolved_at", nullptr},
               {"waiting_since", nullptr},
               {"breaches", Json::array()},
               {"comments", 0},
               {"public_comments", 0},  // the customer's side sees this as `comments` (gateway)
               {"history", std::move(history)}};
      Note(row, {{"at", opened->at}, {"event", times_opened > 1 ? "reopened" : "opened"}, {"severity", opened->severity}});
      m.Put(row_key, row.dump());
      m.Put("i/ticket_open/" + tenant + "/" + opened->ticket, "");
    } else if (const auto* resolved = std::get_if<t::TicketResolved>(&*event)) {
      const std::string row_key = "k/" + tenant + "/" + resolved->ticket;
      auto row = m.Get(row_key);
      if (!row) return std::unexpected("ticket '" + resolved->ticket + "' resolved before it was opened");
      Json j = Json::parse(*row, nullptr, false);
      if (!j.is_object()) return std::unexpected("ticket '" + resolved->ticket + "': its row is unreadable");
      // Resolved out of a wait on the customer: its due time moves on by the wait, as a reply would have.
      if (j["waiting_since"].is_number_integer() && j["resolution_due"].is_number_integer())
        j["resolution_due"] = j["resolution_due"].get<std::int64_t>() +
                              std::max<std::int64_t>(0, resolved->at - j["waiting_since"].get<std::int64_t>());
      j["status"] = "resolved";
      j["resolved_at"] = resolved->at;
      if (j.contains("waiting_since")) j["waiting_since"] = nullptr;
      if (j.contains("history")) Note(j, {{"at", resolved->at}, {"event", "resolved"}});
      m.Put(row_key, j.dump());
      m.Delete("i/ticket_open/" + tenant + "/" + resolved->ticket);
      resolve("ticket:" + resolved->ticket, resolved->at);
    }
    return {};
  }
};

}  // namespace

std::shared_ptr<const Projection> ExceptionInbox() { return std::make_shared<Inbox>(); }

}  // namespace keel::projections
