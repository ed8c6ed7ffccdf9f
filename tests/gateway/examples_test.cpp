// The API document's examples, run as a client would run them: against the demo platform (the data
// `keel serve --demo` seeds), every command route's documented example, in the order of its
// `x-keel-example-step`, is accepted (2xx) or refused for the business reason its
// `x-keel-example-outcome` states (never 400); the example follows the documented request schema; and
// the example minus each required field is 400 naming that field, with nothing written.
#include <algorithm>

#include "demo.hpp"
#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::Json;
using keel::test::kOwnerKey;
using keel::test::OpenApiCheck;
using keel::test::ProblemType;

namespace {

struct Example {
  int step = 0;
  std::string method, path, id;
  const Json* op = nullptr;
};

std::vector<Example> Examples(const Json& doc) {
  std::vector<Example> out;
  for (const auto& [path, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items())
      if (op.is_object() && op.contains("x-keel-example-step"))
        out.push_back({op["x-keel-example-step"].get<int>(), method, path, op["operationId"], &op});
  std::sort(out.begin(), out.end(), [](const Example& a, const Example& b) { return a.step < b.step; });
  return out;
}

// The path with its parameters' examples; a parameter the operation's x-keel-example-params-from
// names takes its value from an earlier answer.
std::string Fill(const Example& e, const std::map<std::string, std::string>& learnt) {
  std::string path = e.path;
  for (const auto& p : (*e.op).value("parameters", Json::array())) {
    if (!p.is_object() || p.value("in", "") != "path") continue;
    REQUIRE(p.contains("example"));
    std::string value = p["example"].is_string() ? p["example"].get<std::string>() : p["example"].dump();
    // A value only an earlier answer knows ("create_key: ..."): taken from that answer.
    const Json from = (*e.op).value("x-keel-example-params-from", Json::object());
    if (from.contains(p["name"])) {
      const std::string source = from[p["name"]].get<std::string>();
      auto it = learnt.find(source.substr(0, source.find(':')));
      INFO(e.id << ": " << source);
      REQUIRE(it != learnt.end());
      value = it->second;
    }
    const std::string name = "{" + p["name"].get<std::string>() + "}";
    path.replace(path.find(name), name.size(), value);
  }
  INFO(e.id << " " << path);
  REQUIRE(path.find('{') == std::string::npos);
  return path;
}

}  // namespace

TEST_CASE("every command route's documented example works on the demo platform, and each required field is required",
          "[gateway][e2e][openapi][examples]") {
  keel::test::WorldOptions options;
  options.simulated_admin_clock = true;
  GatewayWorld w(options);
  REQUIRE(w.node->api().ImportKey(keel::app::kDemoOwnerKey, keel::gateway::Role::kPlatformOwner, "demo owner").has_value());
  REQUIRE(keel::app::SeedDemo(w.node->api(), w.node->runtime()).has_value());

  const auto& check = OpenApiCheck::Instance();
  const auto examples = Examples(check.doc());
  // Every command route has one.
  std::set<std::string> with_example;
  for (const auto& e : examples) with_example.insert(e.id);
  for (const auto& [path, ops] : check.doc()["paths"].items())
    for (const auto& [method, op] : ops.items())
      if (method == "post" || method == "put" || method == "delete") {
        INFO(op["operationId"]);
        CHECK(with_example.contains(op["operationId"].get<std::string>()));
      }

  std::map<std::string, std::string> learnt;
  int accepted = 0, refused = 0;
  for (const auto& e : examples) {
    const std::string path = Fill(e, learnt);
    const Json* media = nullptr;
    if (e.op->contains("requestBody")) media = &(*e.op)["requestBody"]["content"]["application/json"];
    const Json body = media != nullptr && media->contains("example") ? (*media)["example"] : Json();
    std::string method = e.method;
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::toupper(c); });

    if (media != nullptr && media->contains("schema")) {
      // The example follows the documented schema...
      std::vector<std::string> errors;
      check.Validate(body.is_null() ? Json::object() : body, (*media)["schema"], "$", errors);
      INFO(e.id << ": " << (errors.empty() ? "" : errors.front()));
      CHECK(errors.empty());
      // ... and without any one required field it is refused, naming the field, and nothing is written.
      for (const auto& field : (*media)["schema"].value("required", Json::array())) {
        Json partial = body;
        partial.erase(field.get<std::string>());
        const auto head = w.head();
        auto r = w.Call(method, path, partial);
        INFO(e.id << " without " << field << " -> " << r.status << " " << r.body);
        CHECK(r.status == 400);
        CHECK(Json::parse(r.body, nullptr, false).value("field", "") == field.get<std::string>());
        CHECK(w.KeyEventsSince(head).empty());  // (process managers may append meanwhile)
      }
    }

    auto r = w.Call(method, path, body);
    INFO("step " << e.step << " " << e.id << " " << method << " " << path << " " << body.dump() << " -> " << r.status << " "
                 << r.body);
    CHECK(r.status != 400);
    CHECK(r.status < 500);
    if (e.op->contains("x-keel-example-outcome")) {
      // A refusal the document explains ("422: ..."): exactly that status.
      CHECK(std::to_string(r.status) == (*e.op)["x-keel-example-outcome"].get<std::string>().substr(0, 3));
      ++refused;
    } else {
      CHECK(r.status / 100 == 2);
      ++accepted;
    }
    const Json reply = Json::parse(r.body, nullptr, false);
    if (e.id == "create_key" && reply.contains("id")) learnt["create_key"] = reply["id"];
    if (e.id == "advance_clock") {
      const Json billing = w.CallJson("GET", "/v1/tenants/northwind:acme-dist/billing", nullptr, kOwnerKey, 200);
      if (!billing["state"]["invoices"].empty()) learnt["get_billing"] = billing["state"]["invoices"].begin().key();
    }
  }
  CHECK(accepted >= 50);  // most examples go through; the others' refusals are documented
  CHECK(refused <= 7);  // each documented: one example per operation cannot reach every state (e.g. a rejection needs a version under review, the approval example took it)
}
