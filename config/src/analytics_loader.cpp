// JSON -> analytics::Rules (config/data/analytics.json): renewal-risk weights and scales and the
// lifecycle stage thresholds. Every key is optional (the default stays); an unknown key, a value that
// is not an integer, or rules analytics::Validate refuses is an error naming the field.
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/loader.hpp"

namespace keel::config {
namespace {

using nlohmann::json;

struct Field {
  const char* name;
  std::int64_t* target;
};

std::string Read(const json& j, const char* section, std::initializer_list<Field> fields) {
  if (!j.contains(section)) return {};
  const json& s = j.at(section);
  if (!s.is_object()) return std::string(section) + ": expected an object";
  for (const auto& [key, value] : s.items()) {
    const Field* f = nullptr;
    for (const Field& candidate : fields)
      if (key == candidate.name) f = &candidate;
    if (!f) return std::string(section) + "." + key + ": unknown setting";
    if (!value.is_number_integer()) return std::string(section) + "." + key + ": expected an integer";
    *f->target = value.get<std::int64_t>();
  }
  return {};
}

}  // namespace

Loaded<domain::analytics::Rules> ParseAnalyticsRules(std::string_view text, std::string_view source) {
  const json j = json::parse(text, nullptr, false);
  auto fail = [&](const std::string& why) { return std::unexpected(std::string(source) + ": " + why); };
  if (j.is_discarded() || !j.is_object()) return fail("expected a JSON object");
  for (const auto& [key, value] : j.items())
    if (key != "risk_weights" && key != "risk_scales" && key != "stages" && key != "description")
      return fail(key + ": unknown section");
  domain::analytics::Rules r;
  auto& w = r.weights;
  auto& s = r.scales;
  auto& st = r.stages;
  for (const std::string& bad :
       {Read(j, "risk_weights",
             {{"order_trend", &w.order_trend}, {"module_adoption", &w.module_adoption}, {"open_tickets", &w.open_tickets},
              {"ticket_age", &w.ticket_age}, {"integration_failures", &w.integration_failures},
              {"renewal_proximity", &w.renewal_proximity}, {"overdue_invoices", &w.overdue_invoices},
              {"dunning", &w.dunning}}),
        Read(j, "risk_scales",
             {{"open_tickets", &s.open_tickets}, {"ticket_age_days", &s.ticket_age_days},
              {"integration_failures", &s.integration_failures}, {"renewal_window_days", &s.renewal_window_days},
              {"overdue_invoices", &s.overdue_invoices}, {"trend_window_days", &s.trend_window_days}}),
        Read(j, "stages",
             {{"stabilization_days", &st.stabilization_days}, {"adoption_bps", &st.adoption_bps},
              {"expansion_volume_bps", &st.expansion_volume_bps}})})
    if (!bad.empty()) return fail(bad);
  if (auto bad = domain::analytics::Validate(r); !bad.empty()) return fail(bad);
  return r;
}

Loaded<domain::analytics::Rules> LoadAnalyticsRules(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(path + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return ParseAnalyticsRules(text.str(), path);
}

}  // namespace keel::config
