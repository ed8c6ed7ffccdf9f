// Catalog decider, contract prices: setting, replacing and clearing a customer's list; every
// validation (customer, currency, SKU, price, window, overlapping windows of one SKU, SKU known to
// the catalog); an unchanged list writes nothing; and what an order of that customer is priced by.
#include <catch2/catch.hpp>

#include "decider_support.hpp"
#include "domain/catalog.hpp"
#include "domain/order.hpp"
#include "fixtures.hpp"

using namespace keel::domain;
using namespace keel::domain::catalog;
using keel::domain::test::Accept;
using keel::domain::test::kT0;
using keel::domain::test::Refuse;

namespace {

// A catalog with BOLT and WIDGET.
State Catalogued() {
  State s;
  const auto d = Accept(ImportItems{{{1, {"BOLT", "Bolt", "box", "hardware", 0, false, ""}},
                                     {2, {"WIDGET", "Widget", "box", "hardware", 0, false, ""}}},
                                    false, false, {"box"}, {"hardware"}, kT0},
                        s);
  return Evolve(s, d.at(0));
}

SetContractPrices Set(std::vector<ContractPrice> prices, std::string currency = "EUR", std::string customer = "c1") {
  return SetContractPrices{std::move(customer), std::move(currency), std::move(prices), kT0};
}

ContractPrice Price(std::string sku, std::int64_t unit_price, Timestamp from = 0, Timestamp to = 0) {
  return ContractPrice{"", std::move(sku), unit_price, from, to};
}

State Given(State s, const SetContractPrices& c) {
  for (const auto& e : Accept(c, s)) s = Evolve(std::move(s), e);
  return s;
}

std::string Field(const SetContractPrices& c) {
  auto problem = CheckContractPrices(c);
  return problem ? problem->field : "";
}

}  // namespace

TEST_CASE("a customer's contract prices are set, read back and name the customer", "[domain][catalog][contracts]") {
  const auto events = Accept(Set({Price("BOLT", 9000), Price("WIDGET", 500, kT0, kT0 + kDayMs)}), Catalogued());
  REQUIRE(events.size() == 1);
  const auto& e = std::get<ContractPricesSet>(events[0]);
  CHECK(e.customer == "c1");
  CHECK(e.currency == "EUR");
  CHECK(e.prices == std::vector<ContractPrice>{{"c1", "BOLT", 9000, 0, 0}, {"c1", "WIDGET", 500, kT0, kT0 + kDayMs}});
  const auto s = Evolve(Catalogued(), events[0]);
  CHECK(ContractPricesFor(s, "c1", "EUR") == e.prices);
  CHECK(ContractPricesFor(s, "c2", "EUR").empty());
  CHECK(ContractPricesFor(s, "c1", "USD").empty());  // a contract in EUR does not price a USD order
}

TEST_CASE("setting a customer's contract prices replaces the whole list, and an empty list clears it",
          "[domain][catalog][contracts]") {
  auto s = Given(Catalogued(), Set({Price("BOLT", 9000), Price("WIDGET", 500)}));
  s = Given(s, Set({Price("WIDGET", 450)}, "USD"));
  REQUIRE(s.contracts.at("c1").currency == "USD");
  CHECK(s.contracts.at("c1").prices == std::vector<ContractPrice>{{"c1", "WIDGET", 450, 0, 0}});
  s = Given(s, Set({Price("BOLT", 1)}, "EUR", "c2"));
  s = Given(s, Set({}, ""));
  CHECK_FALSE(s.contracts.contains("c1"));
  CHECK(s.contracts.contains("c2"));  // other customers keep theirs
}

TEST_CASE("setting the contract prices a customer already has, or clearing none, writes nothing",
          "[domain][catalog][contracts]") {
  const auto s = Given(Catalogued(), Set({Price("BOLT", 9000)}));
  CHECK(Accept(Set({Price("BOLT", 9000)}), s).empty());
  CHECK(Accept(Set({Price("BOLT", 9000, 0, 0)}), s).empty());
  CHECK(Accept(Set({}, "", "nobody"), s).empty());
  CHECK(Accept(Set({}, "EUR", "nobody"), s).empty());
  CHECK(Accept(Set({Price("BOLT", 9001)}), s).size() == 1);
}

TEST_CASE("contract prices for a SKU the catalog does not hold are refused unknown_sku", "[domain][catalog][contracts]") {
  auto d = Decide(Command(Set({Price("BOLT", 1), Price("GHOST", 2)})), Catalogued());
  REQUIRE_FALSE(d);
  CHECK(d.error().code == RejectionCode::kUnknownSku);
  CHECK(d.error().message.starts_with("prices[1].sku"));
  CHECK(Refuse(Set({Price("BOLT", 1)}), State{}) == RejectionCode::kUnknownSku);
}

TEST_CASE("contract prices refuse a bad customer, currency, SKU, price or window, naming the field",
          "[domain][catalog][contracts]") {
  const State s = Catalogued();
  struct Case {
    SetContractPrices command;
    std::string field;
  };
  const std::vector<Case> cases{
      {Set({Price("BOLT", 1)}, "EUR", ""), "customer"},
      {Set({Price("BOLT", 1)}, "EUR", std::string(kMaxCustomerId + 1, 'c')), "customer"},
      {Set({Price("BOLT", 1)}, ""), "currency"},
      {Set({Price("BOLT", 1)}, "eur"), "currency"},
      {Set({}, "EURO"), "currency"},
      {Set({Price("", 1)}), "prices[0].sku"},
      {Set({Price(std::string(65, 'S'), 1)}), "prices[0].sku"},
      {Set({Price("BOLT", 1), Price("WIDGET", -1)}), "prices[1].unit_price"},
      {Set({Price("BOLT", 1, -1)}), "prices[0].valid_from"},
      {Set({Price("BOLT", 1, kT0, kT0)}), "prices[0].valid_to"},
      {Set({Price("BOLT", 1, kT0, kT0 - 1)}), "prices[0].valid_to"},
      {Set({Price("BOLT", 1, 0, -5)}), "prices[0].valid_to"},
      {Set({{"c2", "BOLT", 1, 0, 0}}), "prices[0].customer"},
      {Set(std::vector<ContractPrice>(kMaxContractPrices + 1, Price("BOLT", 1))), "prices"},
  };
  for (const auto& c : cases) {
    INFO(c.field);
    CHECK(Field(c.command) == c.field);
    CHECK(Refuse(c.command, s) == RejectionCode::kInvalidArgument);
  }
  CHECK(Field(Set({Price("BOLT", 0)})).empty());  // a free contract price is a price
  CHECK(Field(Set({{"c1", "BOLT", 1, 0, 0}})).empty());
}

TEST_CASE("a SKU may have several contract prices only in windows that do not overlap", "[domain][catalog][contracts]") {
  const Timestamp day = kDayMs;
  CHECK(Field(Set({Price("BOLT", 1), Price("BOLT", 2)})) == "prices[1].sku");
  CHECK(Field(Set({Price("BOLT", 1, kT0), Price("BOLT", 2, 0, kT0 + 1)})) == "prices[1].sku");
  CHECK(Field(Set({Price("BOLT", 2, kT0 + 5 * day, kT0 + 9 * day), Price("WIDGET", 1), Price("BOLT", 1, kT0, kT0 + 6 * day)})) ==
        "prices[2].sku");
  CHECK(Refuse(Set({Price("BOLT", 1), Price("BOLT", 1)}), Catalogued()) == RejectionCode::kInvalidArgument);
  // A price change scheduled: one window ends (exclusive) where the next begins.
  const auto s = Given(Catalogued(), Set({Price("BOLT", 900, 0, kT0 + day), Price("BOLT", 800, kT0 + day)}));
  CHECK(s.contracts.at("c1").prices.size() == 2);
}

TEST_CASE("an order of a customer with a contract is priced by it, whatever the price list's currency",
          "[domain][order][contracts]") {
  const Timestamp day = kDayMs;
  const auto s = Given(Catalogued(), Set({Price("BOLT", 900, 0, kT0 + day), Price("BOLT", 800, kT0 + day)}));
  order::PlaceOrder place{"o1", "acme", "c1", "EUR", order::Channel::kB2B, {{1, "BOLT", 2, {}}, {2, "WIDGET", 1, {}}},
                          {{"BOLT", {"hardware"}}, {"WIDGET", {"hardware"}}}, PriceList{"EUR", {{"", "hardware", {{1, 1000}}, 0, 0}}},
                          ContractPricesFor(s, "c1", "EUR"), 0, kT0, "k1", {}, 0, 0};
  auto placed = std::get<order::OrderPlaced>(Accept(place, order::State{}).at(0));
  CHECK(placed.lines.at(0).unit_price == 900);   // the contract
  CHECK(placed.lines.at(1).unit_price == 1000);  // no contract for WIDGET: the list
  place.at = kT0 + day;
  CHECK(std::get<order::OrderPlaced>(Accept(place, order::State{}).at(0)).lines.at(0).unit_price == 800);

  // A list in another currency (or none) does not stand in the way of a contract price...
  place.lines = {{1, "BOLT", 2, {}}};
  place.price_list = PriceList{"USD", {{"", "hardware", {{1, 1000}}, 0, 0}}};
  CHECK(std::get<order::OrderPlaced>(Accept(place, order::State{}).at(0)).lines.at(0).unit_price == 800);
  place.price_list = PriceList{};
  CHECK(std::get<order::OrderPlaced>(Accept(place, order::State{}).at(0)).lines.at(0).unit_price == 800);
  // ...but a line the contract does not cover still needs a list in the order's currency.
  place.lines = {{1, "WIDGET", 1, {}}};
  CHECK(Refuse(place, order::State{}) == RejectionCode::kCurrencyMismatch);
}
