// States in the past: `keel state <stream> --as-of P` and `GET …?as_of=P` give exactly the state the
// entity's actor had at position P (captured while the node ran, then changed by later commands);
// `keel state --tenant` is one consistent position; bad as_of values are 400 naming the field.
#include "actors/as_of.hpp"
#include "gateway/event_json.hpp"
#include "tools_world.hpp"

using keel::test::Json;
using keel::test::Keel;

namespace {

struct Captured {
  std::uint64_t version = 0, position = 0;
  std::string hash;
  Json state;
};

}  // namespace

TEST_CASE("keel state and GET as_of give the state the actor had at that position", "[tools][state]") {
  keel::test::DemoWorld demo;
  auto& w = demo.w;
  const std::string tenant = "northwind:acme-dist";
  const auto key = keel::actors::WarehouseKey(tenant, "main");
  const std::string stream = keel::actors::StreamOf(key);
  keel::actors::Client client(w.node->runtime());
  std::vector<Captured> captured;
  auto capture = [&] {
    auto snap = client.Get(key);
    REQUIRE(snap.has_value());
    Captured c;
    c.version = snap->version;
    c.position = w.node->store().ReadStream(stream, snap->version, 1).value().front().position;
    c.hash = keel::actors::StateHash(*snap->state);
    c.state = keel::gateway::StateJson(*snap->state);
    captured.push_back(std::move(c));
  };
  capture();
  for (int i = 0; i < 4; ++i) {
    REQUIRE(demo.PlaceOrder(tenant, "past-" + std::to_string(i), 5 + i) == 201);
    // Fulfilment reserves the stock moments later: the warehouse moves on.
    for (int tries = 0; tries < 200 && client.Get(key)->version == captured.back().version; ++tries)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    capture();
  }
  REQUIRE(captured.back().version > captured.front().version);

  const std::string base = "/v1/tenants/" + tenant + "/warehouses/main";
  for (const auto& c : captured) {
    INFO("version " << c.version << " at position " << c.position);
    auto run = Keel({"state", stream, "--data", demo.data(), "--as-of", std::to_string(c.position)});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    auto j = keel::test::JsonOut(run);
    CHECK(j["version"] == c.version);
    CHECK(j["hash"] == c.hash);
    CHECK(j["state"] == c.state);
    auto http = w.CallJson("GET", base + "?as_of=" + std::to_string(c.position), nullptr, keel::app::kDemoPartnerKey, 200);
    CHECK(http["version"] == c.version);
    CHECK(http["state"] == c.state);
    CHECK(http["as_of"]["position"] == c.position);
  }
  // As of a time: the entity's last event stamped at or before it (business time).
  auto by_time = w.CallJson("GET", base + "?as_of=2099-01-01", nullptr, keel::app::kDemoOwnerKey, 200);
  CHECK(by_time["state"] == captured.back().state);
  CHECK(w.Call("GET", base + "?as_of=2020-01-01T00:00:00Z", nullptr, keel::app::kDemoOwnerKey).status == 404);
  // A catalog before its first event is its empty state, as now.
  auto catalog = w.CallJson("GET", "/v1/tenants/" + tenant + "/catalog?as_of=1", nullptr, keel::app::kDemoOwnerKey, 200);
  CHECK(catalog["version"] == 0);
  CHECK(catalog["as_of"]["position"].is_null());
  // Bad values name the field; scope is the route's as ever.
  for (const std::string bad : {"0", "yesterday", "2026-13-01", "2026-11-01T25:00:00Z", "2026-11-01T10:00:00", "99999999"}) {
    INFO(bad);
    auto r = w.Call("GET", base + "?as_of=" + bad, nullptr, keel::app::kDemoOwnerKey);
    CHECK(r.status == 400);
    CHECK(keel::test::ProblemType(r) == "invalid_field");
    CHECK(Json::parse(r.body)["field"] == "as_of");
  }
  CHECK(w.Call("GET", "/v1/tenants/bluepeak:pixel-shop/warehouses/main?as_of=5", nullptr, keel::app::kDemoPartnerKey).status == 404);

  // One tenant at one position: every entity as of it, consistent.
  const std::uint64_t middle = captured[2].position;
  auto whole = Keel({"state", "--tenant", tenant, "--data", demo.data(), "--as-of", std::to_string(middle)});
  REQUIRE(whole.exit_code == 0);
  auto tenant_state = keel::test::JsonOut(whole);
  CHECK(tenant_state["position"] == middle);
  bool saw_warehouse = false;
  for (const auto& e : tenant_state["entities"]) {
    CHECK(e["position"].get<std::uint64_t>() <= middle);
    if (e["stream"] == stream) {
      saw_warehouse = true;
      CHECK(e["hash"] == captured[2].hash);
    }
  }
  CHECK(saw_warehouse);
  // Bad arguments: exit 2 with a message.
  auto bad_as_of = Keel({"state", stream, "--data", demo.data(), "--as-of", "soon"});
  CHECK(bad_as_of.exit_code == 2);
  CHECK(bad_as_of.err.find("--as-of") != std::string::npos);
  CHECK(Keel({"state", "t/nope/order/x", "--data", demo.data()}).exit_code == 2);
  CHECK(Keel({"state", "--data", demo.data()}).exit_code == 2);
}
