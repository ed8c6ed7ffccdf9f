// What the tools' tests share: a running node seeded with the demo platform (as `keel serve --demo`),
// the `keel` binary run as a user runs it, and small readers of its answers.
#pragma once

#include <map>
#include <string>

#include "demo.hpp"
#include "gateway_world.hpp"
#include "run_tool.hpp"

namespace keel::test {

// The demo platform on a running node (the data directory is held, as by `keel serve`).
struct DemoWorld {
  GatewayWorld w;
  DemoWorld() {
    REQUIRE(w.node->api().ImportKey(app::kDemoOwnerKey, gateway::Role::kPlatformOwner, "demo owner").has_value());
    REQUIRE(app::SeedDemo(w.node->api(), w.node->runtime()).has_value());
  }
  std::string data() const { return w.dir.str(); }
  // Places an order with the demo owner's key; the answer's status.
  int PlaceOrder(const std::string& tenant, const std::string& id, int qty) {
    auto r = w.Call("POST", "/v1/tenants/" + tenant + "/orders",
                    Json{{"id", id}, {"customer", "cust-1"}, {"currency", "EUR"},
                         {"lines", Json::array({{{"line", 1}, {"sku", "BOLT-M8"}, {"qty", qty}}})}},
                    app::kDemoOwnerKey);
    return r.status;
  }
};

inline ToolRun Keel(std::vector<std::string> args) { return RunTool(KEEL_BINARY, std::move(args)); }

inline Json JsonOut(const ToolRun& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  auto j = Json::parse(r.out, nullptr, false);
  REQUIRE(!j.is_discarded());
  return j;
}

// stream -> "version hash" of `keel state --tenant T --hashes` (optionally as of a position).
inline std::map<std::string, std::string> TenantHashes(const std::string& data, const std::string& tenant,
                                                       const std::string& as_of = {}) {
  std::vector<std::string> args{"state", "--tenant", tenant, "--data", data, "--hashes"};
  if (!as_of.empty()) args.insert(args.end(), {"--as-of", as_of});
  auto run = Keel(args);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  std::map<std::string, std::string> out;
  const Json answer = JsonOut(run);  // kept: a range-for over a temporary's member would dangle
  for (const auto& e : answer["entities"])
    out[e["stream"].get<std::string>()] = std::to_string(e["version"].get<std::uint64_t>()) + " " + e["hash"].get<std::string>();
  return out;
}

}  // namespace keel::test
