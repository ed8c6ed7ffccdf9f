// Stock rules end to end over HTTP (issue 13): a failed warehouse create leaves no trace on the
// tenant, expired lots are refused at receipt and never shipped, transfers between currencies are
// refused, a return is restocked only into a warehouse that exists (and only then refunded) at the
// cost it left with, and landed costs arriving apart are each applied once.
#include <thread>

#include "gateway_world.hpp"

using keel::test::GatewayWorld;
using keel::test::HttpReply;
using keel::test::Json;
using keel::test::kOwnerKey;

namespace {

constexpr std::int64_t kDay = 86'400'000;

std::string TypeOf(const HttpReply& r) {
  auto j = Json::parse(r.body, nullptr, false);
  if (j.is_discarded() || !j.contains("type")) return "(no problem: " + r.body + ")";
  return j["type"].get<std::string>().substr(std::string("https://keel.dev/problems/").size());
}

void Expect(const HttpReply& r, int status, const std::string& type) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == status);
  CHECK(TypeOf(r) == type);
}

// An active midmarket-importer tenant t1 (lot tracking, landed cost, returns; 8 warehouses) with
// BOLT and the lot-tracked SERUM in its catalog, and warehouse w1 (EUR).
void Seed(GatewayWorld& w) {
  w.CallJson("POST", "/v1/partners", {{"id", "p1"}, {"name", "P1"}}, kOwnerKey, 201);
  w.CallJson("POST", "/v1/partners/p1/certification", nullptr, kOwnerKey, 200);
  w.CallJson("POST", "/v1/partners/p1/tenants", {{"reference", "t1"}, {"name", "T1"}, {"template_id", "midmarket-importer"}},
             kOwnerKey, 201);
  w.CallJson("POST", "/v1/tenants/p1:t1/onboarding", nullptr, kOwnerKey, 200);
  const Json tenant = w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, kOwnerKey, 200);
  for (const auto& m : tenant["state"]["milestones"])
    w.CallJson("POST", "/v1/tenants/p1:t1/milestones/" + m["id"].get<std::string>() + "/completion", nullptr, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/go-live", nullptr, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/catalog/imports",
             {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}},
                                    {{"row", 2}, {"item", {{"sku", "SERUM"}, {"name", "Serum"}, {"unit", "ml"}, {"category", "pharma"},
                                                          {"lot_tracked", true}}}}})}},
             kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w1"}, {"name", "Main"}, {"currency", "EUR"}}, kOwnerKey, 201);
}

std::size_t WarehouseCount(GatewayWorld& w) {
  return w.CallJson("GET", "/v1/tenants/p1:t1", nullptr, kOwnerKey, 200)["state"]["warehouses"].size();
}

Json Stock(GatewayWorld& w, const std::string& wh, const std::string& sku) {
  return w.CallJson("GET", "/v1/tenants/p1:t1/warehouses/" + wh, nullptr, kOwnerKey, 200)["state"]["stock"][sku];
}

Json WaitOrder(GatewayWorld& w, const std::string& order, const std::function<bool(const Json&)>& pred) {
  Json last;
  for (int i = 0; i < 400; ++i) {
    last = w.CallJson("GET", "/v1/tenants/p1:t1/orders/" + order)["state"];
    if (pred(last)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  INFO(last.dump());
  FAIL("the order never reached the expected state");
  return last;
}

// Places an order for `qty` BOLT, waits for fulfilment, ships it from w1 and delivers it.
void ShipBolts(GatewayWorld& w, const std::string& order, int qty) {
  w.CallJson("POST", "/v1/tenants/p1:t1/orders",
             {{"id", order}, {"customer", "c1"}, {"currency", "EUR"},
              {"lines", Json::array({{{"line", 1}, {"sku", "BOLT"}, {"qty", qty}, {"unit_price", 900}}})}},
             kOwnerKey, 201);
  WaitOrder(w, order, [](const Json& s) { return s["status"] == "reserved"; });
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/" + order + "/pick", nullptr, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/" + order + "/shipments", {{"warehouse", "w1"}, {"tracking", "T"}}, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/" + order + "/delivery", nullptr, kOwnerKey, 200);
}

}  // namespace

TEST_CASE("a warehouse create that fails leaves the tenant's warehouse count as it was", "[gateway][e2e][stock]") {
  GatewayWorld w;
  Seed(w);
  REQUIRE(WarehouseCount(w) == 1);
  Expect(w.Call("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w2"}, {"currency", "EUR"}}), 400, "invalid_field");
  CHECK(WarehouseCount(w) == 1);
  auto bad_id = w.Call("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w#2"}, {"name", "Hash"}, {"currency", "EUR"}});
  Expect(bad_id, 400, "invalid_field");
  CHECK(Json::parse(bad_id.body)["field"] == "id");
  CHECK(WarehouseCount(w) == 1);
  Expect(w.Call("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w1"}, {"name", "Again"}, {"currency", "EUR"}}), 422,
         "already_exists");
  CHECK(WarehouseCount(w) == 1);
  // The limit (8) counts only warehouses that exist: seven more fit, the ninth does not.
  for (int i = 2; i <= 8; ++i)
    w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w" + std::to_string(i)}, {"name", "W"}, {"currency", "EUR"}}, kOwnerKey, 201);
  Expect(w.Call("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w9"}, {"name", "W"}, {"currency", "EUR"}}), 422, "limit_exceeded");
  CHECK(WarehouseCount(w) == 8);
  Expect(w.Call("GET", "/v1/tenants/p1:t1/warehouses/w9"), 404, "not_found");
}

TEST_CASE("an expired lot is refused at receipt, never shipped, listed, and scrapped by adjustment",
          "[gateway][e2e][stock]") {
  GatewayWorld w;
  Seed(w);
  const std::string base = "/v1/tenants/p1:t1/warehouses/w1";
  Expect(w.Call("POST", base + "/receipts",
                {{"receipt_id", "r0"}, {"lines", Json::array({{{"sku", "SERUM"}, {"qty", 5}, {"unit_cost", 100}, {"lot", "GONE"},
                                                               {"expiry", keel::test::kStart - kDay}}})}}),
         422, "lot_expired");
  w.CallJson("POST", base + "/receipts",
             {{"receipt_id", "r1"},
              {"lines", Json::array({{{"sku", "SERUM"}, {"qty", 5}, {"unit_cost", 100}, {"lot", "OLD"}, {"expiry", keel::test::kStart + kDay}},
                                     {{"sku", "SERUM"}, {"qty", 3}, {"unit_cost", 100}, {"lot", "NEW"}, {"expiry", keel::test::kStart + 60 * kDay}}})}},
             kOwnerKey, 200);
  w.clock.Advance(2 * kDay);  // OLD has expired
  auto expired = w.CallJson("GET", base + "/expired-lots", nullptr, kOwnerKey, 200);
  REQUIRE(expired["lots"].size() == 1);
  CHECK(expired["lots"][0]["lot"] == "OLD");
  CHECK(expired["lots"][0]["qty"] == 5);
  // An order for 4 cannot be served from the 3 unexpired: nothing of OLD is reserved for it.
  w.CallJson("POST", "/v1/tenants/p1:t1/orders",
             {{"id", "o1"}, {"customer", "c1"}, {"currency", "EUR"},
              {"lines", Json::array({{{"line", 1}, {"sku", "SERUM"}, {"qty", 4}, {"unit_price", 900}}})}},
             kOwnerKey, 201);
  auto order = WaitOrder(w, "o1", [](const Json& s) { return s["status"] != "placed"; });
  // Fulfilment plans with unexpired stock only: the 3 fresh units are reserved, 1 waits.
  CHECK(order["status"] == "backordered");
  CHECK(order["lines"]["1"]["allocated"] == 3);
  CHECK(Stock(w, "w1", "SERUM")["reserved"] == 3);
  // A transfer of expired stock is refused too.
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w2"}, {"name", "East"}, {"currency", "EUR"}}, kOwnerKey, 201);
  Expect(w.Call("POST", base + "/transfers", {{"transfer_id", "x1"}, {"to_warehouse", "w2"}, {"sku", "SERUM"}, {"qty", 4}}), 422,
         "insufficient_stock");
  // Scrapped by an adjustment, it is no longer listed.
  w.CallJson("POST", base + "/adjustments", {{"sku", "SERUM"}, {"delta", -5}, {"reason", "scrap: expired"}, {"lot", "OLD"}}, kOwnerKey, 200);
  CHECK(w.CallJson("GET", base + "/expired-lots", nullptr, kOwnerKey, 200)["lots"].empty());
  CHECK(Stock(w, "w1", "SERUM")["on_hand"] == 3);
}

TEST_CASE("a transfer between warehouses of different currencies is refused currency_mismatch",
          "[gateway][e2e][stock]") {
  GatewayWorld w;
  Seed(w);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "us"}, {"name", "US"}, {"currency", "USD"}}, kOwnerKey, 201);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses", {{"id", "w2"}, {"name", "East"}, {"currency", "EUR"}}, kOwnerKey, 201);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
             {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 10}, {"unit_cost", 400}}})}}, kOwnerKey, 200);
  Expect(w.Call("POST", "/v1/tenants/p1:t1/warehouses/w1/transfers", {{"transfer_id", "x1"}, {"to_warehouse", "us"}, {"sku", "BOLT"}, {"qty", 4}}),
         422, "currency_mismatch");
  CHECK(Stock(w, "w1", "BOLT")["on_hand"] == 10);
  CHECK(Stock(w, "us", "BOLT").is_null());
  Expect(w.Call("POST", "/v1/tenants/p1:t1/warehouses/w1/transfers", {{"transfer_id", "x1"}, {"to_warehouse", "nowhere"}, {"sku", "BOLT"}, {"qty", 4}}),
         404, "not_found");
  Expect(w.Call("POST", "/v1/tenants/p1:t1/warehouses/w1/transfers", {{"transfer_id", "x1"}, {"sku", "BOLT"}, {"qty", 4}}), 400,
         "invalid_field");
  // Same currency: both sides in one append (consecutive log positions), cost carried.
  auto moved = w.CallJson("POST", "/v1/tenants/p1:t1/warehouses/w1/transfers",
                          {{"transfer_id", "x2"}, {"to_warehouse", "w2"}, {"sku", "BOLT"}, {"qty", 4}}, kOwnerKey, 200);
  CHECK(moved["in"]["position"].get<std::uint64_t>() == moved["out"]["position"].get<std::uint64_t>() + 1);
  CHECK(Stock(w, "w1", "BOLT")["on_hand"] == 6);
  CHECK(Stock(w, "w2", "BOLT")["on_hand"] == 4);
  CHECK(Stock(w, "w2", "BOLT")["value"] == 1600);
  // The same transfer again is a retry; the same id with another quantity or target is a conflict.
  CHECK(w.CallJson("POST", "/v1/tenants/p1:t1/warehouses/w1/transfers",
                   {{"transfer_id", "x2"}, {"to_warehouse", "w2"}, {"sku", "BOLT"}, {"qty", 4}}, kOwnerKey, 200)["out"]["events"].empty());
  Expect(w.Call("POST", "/v1/tenants/p1:t1/warehouses/w1/transfers", {{"transfer_id", "x2"}, {"to_warehouse", "w2"}, {"sku", "BOLT"}, {"qty", 3}}),
         409, "id_reused");
  Expect(w.Call("POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
                {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 11}, {"unit_cost", 400}}})}}),
         409, "id_reused");
  CHECK(Stock(w, "w1", "BOLT")["on_hand"] == 6);
}

TEST_CASE("a return restocks only a warehouse that exists, at the cost it left with, and only then is refunded",
          "[gateway][e2e][stock][returns]") {
  GatewayWorld w;
  Seed(w);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
             {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 4}, {"unit_cost", 400}}})}}, kOwnerKey, 200);
  ShipBolts(w, "o1", 4);  // all of it: w1 has nothing left to average over
  // Consumption is the fulfilment manager's step after the shipment.
  for (int i = 0; i < 400 && Stock(w, "w1", "BOLT")["on_hand"] != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(Stock(w, "w1", "BOLT")["on_hand"] == 0);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/returns", {{"rma", "rma1"}, {"lines", Json::array({{{"line", 1}, {"qty", 3}}})}}, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/returns/rma1/authorization", nullptr, kOwnerKey, 200);

  Expect(w.Call("POST", "/v1/tenants/p1:t1/orders/o1/returns/rma1/receipt", {{"disposition", "restock"}, {"warehouse", "ghost"}}), 404,
         "not_found");
  Expect(w.Call("POST", "/v1/tenants/p1:t1/orders/o1/returns/rma1/receipt", {{"disposition", "restock"}}), 400, "invalid_field");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a refund would have come by now
  CHECK(w.CallJson("GET", "/v1/tenants/p1:t1/orders/o1")["state"]["returns"]["rma1"]["status"] == "authorized");

  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/returns/rma1/receipt", {{"disposition", "restock"}, {"warehouse", "w1"}}, kOwnerKey, 200);
  CHECK(Stock(w, "w1", "BOLT")["on_hand"] == 3);
  CHECK(Stock(w, "w1", "BOLT")["value"] == 1200);  // 3 at 400, not at 0
  WaitOrder(w, "o1", [](const Json& s) { return s["returns"]["rma1"]["status"] == "refunded"; });
}

TEST_CASE("a lot-tracked return needs a lot it shipped in", "[gateway][e2e][stock][returns]") {
  GatewayWorld w;
  Seed(w);
  w.CallJson("POST", "/v1/tenants/p1:t1/warehouses/w1/receipts",
             {{"receipt_id", "r1"},
              {"lines", Json::array({{{"sku", "SERUM"}, {"qty", 2}, {"unit_cost", 100}, {"lot", "A"}, {"expiry", keel::test::kStart + 30 * kDay}},
                                     {{"sku", "SERUM"}, {"qty", 2}, {"unit_cost", 300}, {"lot", "B"}, {"expiry", keel::test::kStart + 60 * kDay}}})}},
             kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders",
             {{"id", "o1"}, {"customer", "c1"}, {"currency", "EUR"},
              {"lines", Json::array({{{"line", 1}, {"sku", "SERUM"}, {"qty", 3}, {"unit_price", 900}}})}},
             kOwnerKey, 201);
  WaitOrder(w, "o1", [](const Json& s) { return s["status"] == "reserved"; });
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/pick", nullptr, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/shipments", {{"warehouse", "w1"}, {"tracking", "T"}}, kOwnerKey, 200);
  // Shipped first-expiry-first: A (2) and B (1); consumption is the fulfilment manager's step.
  for (int i = 0; i < 400 && Stock(w, "w1", "SERUM")["on_hand"] != 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(Stock(w, "w1", "SERUM")["on_hand"] == 1);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/delivery", nullptr, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/returns", {{"rma", "rma1"}, {"lines", Json::array({{{"line", 1}, {"qty", 1}}})}}, kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t1/orders/o1/returns/rma1/authorization", nullptr, kOwnerKey, 200);
  const std::string receipt = "/v1/tenants/p1:t1/orders/o1/returns/rma1/receipt";
  Expect(w.Call("POST", receipt, {{"disposition", "restock"}, {"warehouse", "w1"}}), 422, "invalid_argument");  // A or B?
  Expect(w.Call("POST", receipt, {{"disposition", "restock"}, {"warehouse", "w1"}, {"lots", Json::array({{{"line", 1}, {"lot", "Z"}}})}}),
         422, "invalid_argument");
  Expect(w.Call("POST", receipt, {{"disposition", "restock"}, {"warehouse", "w1"}, {"lots", Json::array({{{"line", 1}, {"lot", ""}}})}}),
         400, "invalid_field");
  w.CallJson("POST", receipt, {{"disposition", "restock"}, {"warehouse", "w1"}, {"lots", Json::array({{{"line", 1}, {"lot", "A"}}})}},
             kOwnerKey, 200);
  auto serum = Stock(w, "w1", "SERUM");
  CHECK(serum["on_hand"] == 2);
  CHECK(serum["lots"]["A"]["qty"] == 1);
  CHECK(serum["lots"]["A"]["expiry"] == keel::test::kStart + 30 * kDay);
}

TEST_CASE("landed costs arriving apart are each applied once, split as one amount", "[gateway][e2e][stock][landed]") {
  GatewayWorld w;
  Seed(w);
  const std::string base = "/v1/tenants/p1:t1/warehouses/w1";
  w.CallJson("POST", base + "/receipts",
             {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 1}, {"unit_cost", 10}},
                                                           {{"sku", "BOLT"}, {"qty", 2}, {"unit_cost", 10}}})}},
             kOwnerKey, 200);
  auto landed = [&](const std::string& id, const std::string& kind, int amount) {
    return w.Call("POST", base + "/receipts/r1/landed-costs",
                  {{"allocation_id", id}, {"charges", Json::array({{{"kind", kind}, {"amount", amount}}})}, {"method", "quantity"}});
  };
  auto freight = landed("freight-1", "freight", 100);
  REQUIRE(freight.status == 200);
  auto duty = landed("duty-1", "duty", 200);
  REQUIRE(duty.status == 200);
  auto lines = Json::parse(duty.body)["events"][0]["data"]["allocations"];
  CHECK(lines[0]["amount"] == 67);  // with freight's 33: 100 of 300 on the first line
  CHECK(lines[1]["amount"] == 133);
  CHECK(Stock(w, "w1", "BOLT")["value"] == 30 + 300);
  auto again = landed("duty-1", "duty", 200);  // the same allocation again: nothing changes
  CHECK(again.status == 200);
  CHECK(Json::parse(again.body)["events"].empty());
  CHECK(Stock(w, "w1", "BOLT")["value"] == 30 + 300);
  Expect(landed("duty-1", "duty", 250), 409, "id_reused");
  Expect(w.Call("POST", base + "/receipts/r1/landed-costs", {{"charges", Json::array({{{"kind", "duty"}, {"amount", 1}}})}}), 400,
         "invalid_field");
}

TEST_CASE("a receipt is remembered by id for good and read back with its landed cost, outside the warehouse's state",
          "[gateway][e2e][stock][ledger]") {
  GatewayWorld w;
  Seed(w);
  const std::string base = "/v1/tenants/p1:t1/warehouses/w1";
  const Json lines = Json::array({{{"sku", "BOLT"}, {"qty", 1}, {"unit_cost", 10}}, {{"sku", "BOLT"}, {"qty", 3}, {"unit_cost", 10}}});
  w.CallJson("POST", base + "/receipts", {{"receipt_id", "r1"}, {"lines", lines}}, kOwnerKey, 200);
  for (int i = 0; i < 20; ++i)
    w.CallJson("POST", base + "/receipts", {{"receipt_id", "bulk-" + std::to_string(i)}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 1}, {"unit_cost", 10}}})}},
               kOwnerKey, 200);
  w.CallJson("POST", base + "/receipts/r1/landed-costs",
             {{"allocation_id", "freight-1"}, {"charges", Json::array({{{"kind", "freight"}, {"amount", 40}}})}, {"method", "quantity"}},
             kOwnerKey, 200);
  // The same receipt again (another request, no Idempotency-Key): nothing happens; other lines: 409.
  const auto head = w.head();
  auto again = w.CallJson("POST", base + "/receipts", {{"receipt_id", "r1"}, {"lines", lines}}, kOwnerKey, 200);
  CHECK(again["events"].empty());
  Expect(w.Call("POST", base + "/receipts", {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 2}, {"unit_cost", 10}}})}}),
         409, "id_reused");
  CHECK(w.head() == head);
  CHECK(Stock(w, "w1", "BOLT")["on_hand"] == 4 + 20);

  auto receipt = w.CallJson("GET", base + "/receipts/r1", nullptr, kOwnerKey, 200);
  CHECK(receipt["receipt_id"] == "r1");
  REQUIRE(receipt["lines"].size() == 2);
  CHECK(receipt["lines"][0]["qty"] == 1);
  CHECK(receipt["lines"][0]["landed_cost"] == 10);  // 40 by quantity over 1 and 3
  CHECK(receipt["lines"][1]["landed_cost"] == 30);
  CHECK(receipt["landed"] == true);
  CHECK(receipt["allocation_ids"] == Json::array({"freight-1"}));
  CHECK(w.CallJson("GET", base + "/receipts/bulk-7", nullptr, kOwnerKey, 200)["landed"] == false);
  Expect(w.Call("GET", base + "/receipts/nope"), 404, "not_found");
  Expect(w.Call("GET", "/v1/tenants/p1:t1/warehouses/w9/receipts/r1"), 404, "not_found");
  // Ids the warehouse keeps follow the id rule: anything else is 400 naming the field, and nothing happens.
  auto bad_id = [&](const std::string& path, const Json& body, const std::string& field) {
    auto r = w.Call("POST", path, body);
    INFO(path << " " << body.dump() << " -> " << r.status << " " << r.body);
    CHECK(r.status == 400);
    CHECK(ProblemType(r) == "invalid_field");
    CHECK(Json::parse(r.body, nullptr, false)["field"] == field);
    CHECK(r.body.find("t/p1:t1/") == std::string::npos);  // no stream id in a problem
  };
  const Json one = Json::array({{{"sku", "BOLT"}, {"qty", 1}, {"unit_cost", 10}}});
  for (const std::string& id : {std::string("r/slash"), std::string(" "), std::string("r 1"), std::string("r\u00e9"),
                                std::string(129, 'r'), std::string(600, 'r'), std::string("")}) {
    bad_id(base + "/receipts", {{"receipt_id", id}, {"lines", one}}, "receipt_id");
  }
  bad_id(base + "/receipts/r1/landed-costs",
         {{"allocation_id", "a/b"}, {"charges", Json::array({{{"kind", "freight"}, {"amount", 1}}})}}, "allocation_id");
  bad_id(base + "/transfers", {{"transfer_id", "t 1"}, {"to_warehouse", "w2"}, {"sku", "BOLT"}, {"qty", 1}}, "transfer_id");
  bad_id(base + "/purchase-requests", {{"request_id", std::string(200, 'p')}, {"sku", "BOLT"}, {"qty", 1}}, "request_id");
  CHECK(w.head() == head);
  Expect(w.Call("GET", base + "/receipts/r%2Fslash"), 404, "not_found");
  Expect(w.Call("GET", base + "/receipts/" + std::string(129, 'r')), 400, "invalid_field");

  // The warehouse's state holds stock, open reservations and rules: not its 21 receipts.
  auto state = w.CallJson("GET", base, nullptr, kOwnerKey, 200)["state"];
  CHECK_FALSE(state.contains("receipts"));
  CHECK(state.contains("stock"));
}

TEST_CASE("a plan change reaches warehouses created before it: landed cost follows the tenant's modules now",
          "[gateway][e2e][stock][landed]") {
  GatewayWorld w;
  w.LiveTenant("p1", "p1:t9");  // regional-distributor on growth: no landed_cost
  const std::string base = "/v1/tenants/p1:t9/warehouses/w1";
  w.CallJson("POST", "/v1/tenants/p1:t9/catalog/imports",
             {{"rows", Json::array({{{"row", 1}, {"item", {{"sku", "BOLT"}, {"name", "Bolt"}, {"unit", "box"}, {"category", "hardware"}}}}})}},
             kOwnerKey, 200);
  w.CallJson("POST", "/v1/tenants/p1:t9/warehouses", {{"id", "w1"}, {"name", "Main"}, {"currency", "EUR"}}, kOwnerKey, 201);
  w.CallJson("POST", base + "/receipts", {{"receipt_id", "r1"}, {"lines", Json::array({{{"sku", "BOLT"}, {"qty", 4}, {"unit_cost", 10}}})}},
             kOwnerKey, 200);
  auto landed = [&](const std::string& id) {
    return w.Call("POST", base + "/receipts/r1/landed-costs",
                  {{"allocation_id", id}, {"charges", Json::array({{{"kind", "freight"}, {"amount", 8}}})}, {"method", "quantity"}});
  };
  Expect(landed("f1"), 422, "module_not_entitled");
  auto upgraded = w.CallJson("PUT", "/v1/tenants/p1:t9/plan", {{"plan", "scale"}}, kOwnerKey, 200);
  INFO(upgraded.dump());
  REQUIRE(w.CallJson("GET", "/v1/tenants/p1:t9", nullptr, kOwnerKey, 200)["state"]["modules"].dump().find("landed_cost") != std::string::npos);
  auto applied = landed("f1");  // the warehouse was created before the upgrade: the tenant's modules decide
  INFO(applied.body);
  CHECK(applied.status == 200);
  CHECK(w.CallJson("GET", base, nullptr, kOwnerKey, 200)["state"]["stock"]["BOLT"]["value"] == 40 + 8);
  w.CallJson("DELETE", "/v1/tenants/p1:t9/modules/landed_cost", nullptr, kOwnerKey, 200);
  Expect(landed("f2"), 422, "module_not_entitled");  // and a module taken away stops at once
}
