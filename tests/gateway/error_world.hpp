// The world the error tests share: a partner with one live tenant, a catalogued BOLT and a warehouse,
// made through the API (Seed), an order body (kOrder), and the check of a problem answer.
#pragma once

#include "gateway_world.hpp"

namespace keel::test {

inline void ExpectProblem(const HttpReply& r, int status, const std::string& type) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(r.Header("content-type") == "application/problem+json");
  CHECK(ProblemType(r) == type);
  auto j = Json::parse(r.body, nullptr, false);
  CHECK(j.value("status", 0) == status);
}

// A partner with one active tenant and a warehouse, made through the API.
inline void Seed(GatewayWorld& w) {
  w.CallJson("POST", "/v1/partners", {{"id", "p1"}, {"name", "P1"}}, keel::test::kOwnerKey, 201);
  w.CallJson("POST", "/v1/partners/p1/certification", nullptr, keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t1"}, {"name", "T1"}, {"template_id", "regional-distributor"}},
             keel::test::kOwnerKey, 201);
  w.CallJson("POST", "/v1/tenants/p1:t1/onboarding", nullptr, keel::test::kOwnerKey, 200);
  const Json tenant = w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, keel::test::kOwnerKey, 200);
  for (const auto& m : tenant["state"]["milestones"])
    w.CallJson("POST", "/v1/tenants/p1:t1/milestones/" + m["id"].get<std::string>() + "/completion", nullptr, keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/go-live", nullptr, keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/catalog/imports",
             {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}}})}},
             keel::test::kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w1"}, {"name", "Main"}, {"currency", "EUR"}}, keel::test::kOwnerKey, 201);
  // kOrder gives its unit price: that needs advanced_pricing (the owner may override).
  w.CallJson("POST", "/v1/tenants/p1:t1/modules", {{"module", "advanced_pricing"}}, keel::test::kOwnerKey, 200);
}

inline const Json kOrder = {{"id", "o1"}, {"customer", "c1"}, {"currency", "EUR"},
                     {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", 1}, {"unit_price", 100}}})}};


}  // namespace keel::test
