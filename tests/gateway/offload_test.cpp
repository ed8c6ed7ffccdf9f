// Reads of large states are rendered off the CAF worker: `Api::TryHandleAsync` hands the rendering of
// a state with `kOffloadElements` or more entries to its `offload` hook (the server's worker pool) and
// renders small ones where the answer arrives; both give the same answer, also over real sockets,
// where the server's hook is counted in /metrics.
#include <future>
#include <thread>

#include "gateway/api.hpp"
#include "gateway_world.hpp"

using keel::gateway::Api;
using keel::gateway::Request;
using keel::gateway::Response;
using keel::test::GatewayWorld;
using keel::test::Json;

namespace {

constexpr std::size_t kItems = Api::kOffloadElements + 200;

// A partner and tenant t1 with a catalog of `kItems` items (one import).
void BigCatalog(GatewayWorld& w) {
  w.CallJson("POST", "/v1/partners", {{"id", "p1"}, {"name", "Partner One"}}, keel::test::kOwnerKey, 201);
  w.CallJson("POST", "/v1/partners/p1/certification", Json::object(), keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t1"}, {"name", "Tenant"}, {"template_id", "enterprise-distributor"}},
             keel::test::kOwnerKey, 201);
  Json rows = Json::array();
  for (std::size_t i = 0; i < kItems; ++i) {
    rows.push_back({{"row", i + 1},
                    {"item", {{"sku", "SKU-" + std::to_string(i)}, {"name", "Item"}, {"unit", "each"}, {"category", "parts"}}}});
  }
  w.CallJson("POST", "/v1/tenants/p1:t1/catalog/imports", {{"rows", rows}}, keel::test::kOwnerKey, 200);
}

// A series' value from /metrics (0 before its first sample).
double Metric(GatewayWorld& w, const std::string& series) {
  const auto metrics = w.Call("GET", "/metrics").body;
  const std::string name = "\n" + series + " ";
  const auto at = metrics.find(name);
  return at == std::string::npos ? 0.0 : std::stod(metrics.substr(at + name.size()));
}
double Offloaded(GatewayWorld& w) { return Metric(w, "keel_http_reads_offloaded_total"); }

struct Answer {
  bool handled = false;
  int offloaded = 0;
  Response response;
};

// One GET through TryHandleAsync, with an offload hook that counts and runs the job on its own thread.
Answer AsyncGet(Api& api, const std::string& path) {
  Request req;
  req.method = "GET";
  req.target = path;
  req.headers["authorization"] = std::string("Bearer ") + keel::test::kOwnerKey;
  std::promise<Response> done;
  std::atomic<int> offloaded{0};
  std::vector<std::thread> helpers;
  std::mutex mu;
  struct JoinAll {  // also when a REQUIRE below throws: a joinable thread must not be destroyed
    std::vector<std::thread>& threads;
    std::mutex& mu;
    ~JoinAll() {
      std::lock_guard lock(mu);
      for (auto& t : threads)
        if (t.joinable()) t.join();
    }
  } join_all{helpers, mu};
  Answer a;
  a.handled = api.TryHandleAsync(
      req, [&](Response r) { done.set_value(std::move(r)); },
      [&](std::function<void()> job) {
        ++offloaded;
        std::lock_guard lock(mu);
        helpers.emplace_back(std::move(job));
      });
  if (a.handled) {
    auto f = done.get_future();
    REQUIRE(f.wait_for(std::chrono::seconds(20)) == std::future_status::ready);
    a.response = f.get();
  }
  a.offloaded = offloaded.load();
  return a;
}

}  // namespace

TEST_CASE("a read of a large state is rendered through the offload hook, a small one is not", "[gateway][e2e]") {
  GatewayWorld w;
  BigCatalog(w);
  // Over HTTP first: the tenant is cached afterwards, so the asynchronous path can serve t1.
  auto over_http = w.CallJson("GET", "/v1/tenants/p1:t1/catalog", nullptr, keel::test::kOwnerKey, 200);
  CHECK(over_http["state"]["items"].size() == kItems);
  // Again, with the tenant surely cached: the server's own asynchronous path, through its pool.
  const double offloaded_before = Offloaded(w);
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1/catalog", nullptr, keel::test::kOwnerKey, 200) == over_http);
  CHECK(Offloaded(w) == offloaded_before + 1);
  // Each answer is counted once under its route and status, however it was rendered.
  CHECK(Metric(w, "keel_http_requests_total{route=\"get_catalog\",status=\"200\"}") == 2);

  auto big = AsyncGet(w.node->api(), "/v1/tenants/p1:t1/catalog");
  REQUIRE(big.handled);
  CHECK(big.offloaded == 1);
  REQUIRE(big.response.status == 200);
  const auto body = Json::parse(big.response.body);
  CHECK(body["state"]["items"].size() == kItems);
  CHECK(body["state"]["items"]["SKU-7"]["name"] == "Item");
  CHECK(body == over_http);

  auto small = AsyncGet(w.node->api(), "/v1/tenants/p1:t1");
  REQUIRE(small.handled);
  CHECK(small.offloaded == 0);
  CHECK(small.response.status == 200);
  CHECK(Json::parse(small.response.body)["state"]["partner"] == "p1");

  auto missing = AsyncGet(w.node->api(), "/v1/tenants/p1:t1/warehouses/nope");
  REQUIRE(missing.handled);
  CHECK(missing.offloaded == 0);
  CHECK(missing.response.status == 404);
}
