// Snapshots: states of every aggregate survive encode/decode unchanged; other formats, truncation
// and garbage are refused (the actor then replays the stream instead).
#include <catch2/catch.hpp>

#include <random>

#include "codec/snapshot.hpp"

using namespace keel;
using namespace keel::domain;

namespace {

template <class State, class Event>
State Fold(const std::vector<Event>& events) {
  State s;
  for (const auto& e : events) s = Evolve(std::move(s), e);
  return s;
}

}  // namespace

TEST_CASE("aggregate states survive a snapshot round trip", "[codec][snapshot]") {
  using namespace warehouse;
  auto w = Fold<warehouse::State, warehouse::Event>(
      {WarehouseCreated{"w1", "acme", "Main", "EUR", true, true, 1},
       StockReceived{"r1", {{"SERUM", 5, 100, "L1", 99}, {"WIDGET", 3, 10, "", 0}}, 2},
       StockReserved{"o1", 1, "SERUM", 2, 3}, ReservationConsumed{"o1", 1, "SERUM", 2, {{"L1", 99, 2}}, 4},
       ReplenishmentRuleSet{"WIDGET", 5, 10, 1, 5}, ReplenishmentRequested{"WIDGET", 7, 3, 6}});
  warehouse::State w2;
  REQUIRE(codec::DecodeSnapshot(codec::EncodeSnapshot(w), w2));
  w.ledger = {};  // not in a snapshot (the store keeps it by id)
  CHECK(w2 == w);

  auto o = Fold<order::State, order::Event>(
      {order::OrderPlaced{"o1", "acme", "c", "EUR", order::Channel::kEdi, {{1, "W", 2, 5, 10}}, 10, false, 1, ""},
       order::OrderAllocated{{{1, "w1", 2}}, {}, {}, 2}, order::OrderPicked{3}, order::OrderShipped{"w1", "", {{1, 2}}, 4, {}},
       order::OrderDelivered{5}, order::ReturnRequested{"r1", {{1, 1}}, 5, 6}});
  order::State o2;
  REQUIRE(codec::DecodeSnapshot(codec::EncodeSnapshot(o), o2));
  CHECK(o2 == o);

  tenant::State t;
  t.status = tenant::Status::kActive;
  t.modules = {Module::kEdi, Module::kInventory};
  t.pending_downgrade = tenant::PlanDowngradeScheduled{"growth", "starter", 1, {Module::kEdi}, {1, 2, 3}, 9, 8};
  t.open_tickets = {{"T-1", "high"}};
  t.failing = {tenant::Integration::kMarketplace};
  t.suspended_by = tenant::ImposedBy::kDunning;
  t.plan_changes_blocked_by = tenant::ImposedBy::kDunning;
  t.opening_plan = "starter";
  t.extensions["p1:edi"] = tenant::InstalledExtension{"1.2.0", ExtensionKind::kCrmConnector, "k1", "d1", 7, "moved"};
  t.template_steps = {tenant::TemplateStep{1, 2, Limits{3, 100, 5}, Limits{5, 200, 9}, {Module::kLotTracking}, {"lot_setup"}}};
  t.tickets["T1"] = tenant::TicketWork{"high", "p2", "waiting_on_customer", "dana", "implementation", 3, 10, 20, 15, 40, 30, true, false};
  tenant::State t2;
  REQUIRE(codec::DecodeSnapshot(codec::EncodeSnapshot(t), t2));
  CHECK(t2 == t);

  partner::State p;
  p.registered = true;
  p.prices = PriceList{"EUR", {{"W", "", {{1, 5}, {10, 4}}, 0, 0}}};
  partner::State p2;
  REQUIRE(codec::DecodeSnapshot(codec::EncodeSnapshot(p), p2));
  CHECK(p2 == p);

  catalog::State c;
  c.items["W"] = catalog::Item{"W", "Widget", "pcs", "hardware", 5, false, "S"};
  c.suppliers["S"] = catalog::Supplier{"S", "Sup"};
  c.contracts["c1"] = catalog::CustomerContract{"EUR", {{"c1", "W", 450, 1, 2}, {"c1", "W", 400, 2, 0}}};
  catalog::State c2;
  REQUIRE(codec::DecodeSnapshot(codec::EncodeSnapshot(c), c2));
  CHECK(c2 == c);

  billing::State b;
  b.invoices["I"] = billing::Invoice{100, 50, 10, 1, 2, true, {7, 21}, "EUR", 3, {{"plan", "plan growth", 100}}, 20, 80};
  b.payments = {{"P", billing::PaymentSeen{"I", 50}}};
  billing::State b2;
  REQUIRE(codec::DecodeSnapshot(codec::EncodeSnapshot(b), b2));
  CHECK(b2 == b);

  auto x = Fold<extension::State, extension::Event>(
      {extension::ExtensionVersionSubmitted{"p1:edi", "p1",
                                            {"1.0.0", "EDI", "d", ExtensionKind::kEdiConnector, {Module::kEdi},
                                             {"OrderShipped"}, {"open_ticket"}, {"orders:read"}, R"({"type":"object"})"},
                                            "key:a", 1},
       extension::ExtensionReviewStarted{"1.0.0", "key:o", 2},
       extension::ExtensionVersionRejected{"1.0.0", "key:o", {"too broad", "no docs"}, 3}});
  REQUIRE(x.versions.size() == 1);
  extension::State x2;
  REQUIRE(codec::DecodeSnapshot(codec::EncodeSnapshot(x), x2));
  CHECK(x2 == x);

  auto r = Fold<rollout::State, rollout::Event>(
      {rollout::RolloutStarted{"regional", 2, 60'000, {{"canary", 0, {{"p1:a", "p1", 1}}}, {"100%", 100, {{"p2:b", "p2", 1}}}}, "key:o", 1},
       rollout::WaveStarted{2, 0, 1}, rollout::TenantMoveRecorded{2, "p1:a", rollout::Move::kUpgraded, "", 2},
       rollout::RolloutFailureRecorded{2, "p1:a", "ticket", 3}, rollout::RolloutPaused{2, "key:o", "look", 4}});
  REQUIRE(r.rollouts.size() == 1);
  REQUIRE(r.rollouts[0].members.size() == 2);
  rollout::State r2;
  REQUIRE(codec::DecodeSnapshot(codec::EncodeSnapshot(r), r2));
  CHECK(r2 == r);
}

TEST_CASE("snapshots of another format, truncated or garbage are refused", "[codec][snapshot]") {
  order::State o;
  o.id = "o1";
  const std::string bytes = codec::EncodeSnapshot(o);
  warehouse::State w;
  CHECK_FALSE(codec::DecodeSnapshot(bytes, w));  // an order snapshot is not a warehouse snapshot
  order::State back;
  for (std::size_t n = 0; n < bytes.size(); ++n) CHECK_FALSE(codec::DecodeSnapshot(bytes.substr(0, n), back));
  CHECK_FALSE(codec::DecodeSnapshot(bytes + "x", back));
  std::mt19937 rng(3);
  for (int i = 0; i < 2000; ++i) {
    std::string junk = bytes;
    junk[rng() % junk.size()] = static_cast<char>(rng());
    (void)codec::DecodeSnapshot(junk, back);  // a value either way; never a crash or a huge allocation
  }
  CHECK(back.id.size() < 1000);
}

TEST_CASE("a warehouse's snapshot holds no ledger, and each ledger entry encodes and decodes alone", "[codec][snapshot][ledger]") {
  using namespace warehouse;
  State a;
  a = Evolve(std::move(a), WarehouseCreated{"w1", "acme", "Main", "EUR", false, true, 1});
  for (int i = 0; i < 200; ++i) a = Evolve(std::move(a), StockReceived{"r" + std::to_string(i), {{"WIDGET", 1, 10, "", 0}}, 2});
  a = Evolve(std::move(a), LandedCostAllocated{"r7", AllocationMethod::kValue, {{0, "WIDGET", 5}}, 3, "a1", {{"freight", 5}}});
  a = Evolve(std::move(a), StockReserved{"o1", 1, "WIDGET", 2, 3});
  a = Evolve(std::move(a), ReservationConsumed{"o1", 1, "WIDGET", 2, {}, 4, 10});
  a = Evolve(std::move(a), TransferredOut{"t1", "w2", "WIDGET", 1, 10, {}, 5});
  a = Evolve(std::move(a), TransferredIn{"t2", "w2", "WIDGET", 1, 10, {}, 5});
  a = Evolve(std::move(a), PurchaseRequested{"p1", "WIDGET", 3, "short", 6});
  REQUIRE(a.ledger.receipts.size() == 200);
  // The snapshot: the hot state only, so its size does not grow with receipts.
  State c;
  REQUIRE(codec::DecodeSnapshot(codec::EncodeSnapshot(a), c));
  CHECK(c.ledger.empty());
  State without = a;
  without.ledger = {};
  CHECK(c == without);
  CHECK(codec::EncodeSnapshot(a).size() < 200);
  // Every entry, one by one, back into an empty ledger: the same ledger.
  Ledger rebuilt;
  const auto keys = LedgerKeys(a.ledger);
  CHECK(keys.size() == 200 + 4);
  for (const auto& key : keys) {
    auto bytes = codec::EncodeLedgerEntry(a.ledger, key);
    REQUIRE(bytes);
    REQUIRE(codec::DecodeLedgerEntry(key, *bytes, rebuilt));
  }
  CHECK(rebuilt == a.ledger);
  CHECK(rebuilt.receipts.at("r7").splits.at(static_cast<std::size_t>(AllocationMethod::kValue)).total == 5);
  // Absent entries, unknown keys and foreign bytes are told apart.
  CHECK_FALSE(codec::EncodeLedgerEntry(a.ledger, ReceiptKey("nope")));
  CHECK_FALSE(codec::DecodeLedgerEntry("x:1", "", rebuilt));
  CHECK_FALSE(codec::DecodeLedgerEntry(ReceiptKey("r1"), codec::EncodeSnapshot(a), rebuilt));
  CHECK_FALSE(codec::DecodeLedgerEntry(ReceiptKey("r1"), *codec::EncodeLedgerEntry(a.ledger, ShippedKey("o1", 1)), rebuilt));
}
