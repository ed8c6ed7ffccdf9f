// The service catalog and segment templates: the shipped files are valid, and every kind of bad
// file is refused with an error that names the file and the field.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "config/loader.hpp"

using namespace keel::config;
using namespace keel::domain;

namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kDir = KEEL_TEST_CONFIG_DIR;

ServiceCatalog Catalog() { return LoadCatalog(kDir + "/plans.json").value(); }

// The regional-distributor v1 file with one edit applied as text.
std::string Edited(const std::string& from, const std::string& to) {
  std::string text = Read(kDir + "/templates/regional-distributor.v1.json");
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("the shipped plans and all four segment templates load", "[config]") {
  auto catalog = LoadCatalog(kDir + "/plans.json");
  REQUIRE(catalog);
  CHECK(catalog->plans.size() == 4);
  CHECK(catalog->FindPlan("growth")->Allows(Module::kEdi));
  CHECK_FALSE(catalog->FindPlan("starter")->Allows(Module::kEdi));
  auto registry = LoadTemplates(kDir + "/templates", *catalog);
  if (!registry) FAIL(registry.error());
  for (const char* id : {"regional-distributor", "midmarket-importer", "enterprise-distributor", "ecommerce-merchant"}) {
    INFO(id);
    CHECK(registry->Latest(id) != nullptr);
  }
  CHECK(registry->Latest("regional-distributor")->version == 2);
  CHECK(registry->Find("regional-distributor", 1)->modules.contains(Module::kEdi));
  CHECK(registry->Find("midmarket-importer", 1)->lot_traceability_required);
  CHECK(registry->Find("ecommerce-merchant", 1)->workflow.backorder_shortfalls == false);
  CHECK(registry->Latest("ecommerce-merchant")->version == 2);
  CHECK(registry->Find("ecommerce-merchant", 2)->workflow.return_window_days == 45);
  CHECK(registry->Find("nope", 1) == nullptr);
  // Support targets per tier and priority, and where breaches go.
  CHECK(catalog->support_sla.at(ServiceTier::kStandard).at(TicketPriority::kP2) == SlaTarget{480, 4320});
  CHECK(catalog->support_sla.at(ServiceTier::kEnterprise).at(TicketPriority::kP1) == SlaTarget{15, 240});
  CHECK(registry->Find("regional-distributor", 1)->workflow.exception_routing.at("sla_breach") == "partner_support");
  CHECK(registry->Find("enterprise-distributor", 1)->workflow.exception_routing.at("sla_breach") == "implementation");
}

TEST_CASE("an invalid template file is refused with a clear error", "[config]") {
  const auto catalog = Catalog();
  auto error = [&](const std::string& text) {
    auto t = ParseTemplate(text, "t.json", catalog);
    REQUIRE_FALSE(t);
    CHECK(t.error().rfind("t.json: ", 0) == 0);
    return t.error();
  };
  CHECK_THAT(error("{ not json"), Catch::Contains("not valid JSON"));
  CHECK_THAT(error(Edited("\"plan\": \"growth\"", "\"plan\": \"platinum\"")), Catch::Contains("unknown plan 'platinum'"));
  CHECK_THAT(error(Edited("\"edi\"]", "\"teleport\"]")), Catch::Contains("unknown module 'teleport'"));
  CHECK_THAT(error(Edited("\"return_window_days\": 30", "\"return_window_days\": \"thirty\"")),
             Catch::Contains("workflow.return_window_days: expected an integer"));
  CHECK_THAT(error(Edited("\"version\": 1", "\"version\": 0")), Catch::Contains("version: must be at least 1"));
  CHECK_THAT(error(Edited("\"shortfall\": \"backorder\"", "\"shortfall\": \"shrug\"")), Catch::Contains("workflow.shortfall"));
  CHECK_THAT(error(Edited("\"edi_failure\": \"implementation\", ", "")), Catch::Contains("exception routing for edi_failure"));
  CHECK_THAT(error(Edited("\"currency\": \"EUR\"", "\"currency\": \"USD\"")), Catch::Contains("currency differs"));
  CHECK_THAT(error(Edited("\"warehouses\": 3", "\"warehouses\": 30")), Catch::Contains("limits exceed plan"));
  CHECK_THAT(error(Edited("\"days_overdue\": 21", "\"days_overdue\": 5")), Catch::Contains("dunning steps must ascend"));
  CHECK_THAT(error(Edited("\"id\": \"training\"", "\"id\": \"item_import\"")), Catch::Contains("milestone ids must be unique"));
  CHECK_THAT(error(Edited("\"modules\": [\"inventory\", ", "\"modules\": [")), Catch::Contains("inventory module is always on"));
  CHECK_THAT(error("{}"), Catch::Contains("id: missing"));
}

TEST_CASE("an invalid plans file is refused with a clear error", "[config]") {
  CHECK_THAT(ParseCatalog("[]", "p.json").error(), Catch::Contains("p.json"));
  std::string text = Read(kDir + "/plans.json");
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    return t.replace(t.find(from), from.size(), to);
  };
  CHECK_THAT(ParseCatalog(edit("\"currency\": \"EUR\"", "\"currency\": \"euro\""), "p.json").error(),
             Catch::Contains("ISO 4217"));
  CHECK_THAT(ParseCatalog(edit("\"id\": \"growth\"", "\"id\": \"starter\""), "p.json").error(),
             Catch::Contains("'starter' is defined twice"));
  CHECK_THAT(ParseCatalog(edit("\"rank\": 2", "\"rank\": -2"), "p.json").error(), Catch::Contains("rank"));
  // Support targets: a tier, a priority, minutes, and a first response due no later than the resolution.
  const std::string p1 = "\"first_response_minutes\": 240, \"resolution_minutes\": 2880";
  CHECK_THAT(ParseCatalog(edit("\"premium\": {\n      \"p1\"", "\"gold\": {\n      \"p1\""), "p.json").error(),
             Catch::Contains("support_sla.gold: not a support tier"));
  CHECK_THAT(ParseCatalog(edit("\"p4\": { \"first_response_minutes\": 2880", "\"p5\": { \"first_response_minutes\": 2880"), "p.json").error(),
             Catch::Contains("support_sla.standard.p5: not a priority"));
  CHECK_THAT(ParseCatalog(edit(p1, "\"first_response_minutes\": -5, \"resolution_minutes\": 2880"), "p.json").error(),
             Catch::Contains("support_sla.standard.p1.first_response_minutes: must be at least 0"));
  CHECK_THAT(ParseCatalog(edit(p1, "\"first_response_minutes\": 3000, \"resolution_minutes\": 2880"), "p.json").error(),
             Catch::Contains("support_sla.standard.p1: the first response cannot be due after the resolution"));
  CHECK_THAT(ParseCatalog(edit(p1, "\"resolution_minutes\": 2880"), "p.json").error(),
             Catch::Contains("support_sla.standard.p1.first_response_minutes: missing"));
  CHECK_THAT(ParseCatalog(edit("\"support_sla\": {", "\"support_sla\": [], \"x\": {"), "p.json").error(),
             Catch::Contains("support_sla: expected an object"));
  CHECK_FALSE(LoadCatalog(kDir + "/missing.json"));
}

TEST_CASE("analytics rules: the shipped file loads and a bad key or value or weight set is refused naming it", "[config][analytics]") {
  auto shipped = LoadAnalyticsRules(kDir + "/analytics.json");
  REQUIRE(shipped.has_value());
  CHECK(shipped->weights.order_trend == 25);
  CHECK(shipped->stages.adoption_bps == 6000);
  auto partial = ParseAnalyticsRules(R"({"risk_weights": {"dunning": 40}})", "a.json");
  REQUIRE(partial.has_value());
  CHECK(partial->weights.dunning == 40);
  CHECK(partial->weights.order_trend == 25);  // left out: the default
  CHECK(ParseAnalyticsRules(R"({"risk_weights": {"dunnig": 4}})", "a.json").error() ==
        "a.json: risk_weights.dunnig: unknown setting");
  CHECK(ParseAnalyticsRules(R"({"risk_weights": {"dunning": "4"}})", "a.json").error() ==
        "a.json: risk_weights.dunning: expected an integer");
  CHECK(ParseAnalyticsRules(R"({"weights": {}})", "a.json").error() == "a.json: weights: unknown section");
  CHECK(ParseAnalyticsRules("[1]", "a.json").error() == "a.json: expected a JSON object");
  CHECK(ParseAnalyticsRules(R"({"risk_weights": {"order_trend": 0, "module_adoption": 0, "open_tickets": 0,
      "ticket_age": 0, "integration_failures": 0, "renewal_proximity": 0, "overdue_invoices": 0, "dunning": 0}})",
                            "a.json").error() == "a.json: risk weights: at least one must be above 0");
  CHECK(LoadAnalyticsRules("/nonexistent/analytics.json").error() == "/nonexistent/analytics.json: cannot be read");
}
