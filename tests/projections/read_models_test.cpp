// The inventory, billing and command-log read models over a real store (the inbox and the support
// figures: support_models_test.cpp): exact rows for
// hand-built event sequences (indexes moving with the values they index), the inventory's per-SKU
// fold equal to the warehouse's whole state over random command sequences, and the statement's shares
// summing to what was billed.
#include <random>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "codec/codec.hpp"
#include "domain/billing.hpp"
#include "domain/partner.hpp"
#include "domain/tenant.hpp"
#include "domain/warehouse.hpp"
#include "projections/projections.hpp"
#include "projections/runner.hpp"
#include "projections/read_models.hpp"
#include "projection_support.hpp"
#include "test_support.hpp"

namespace es = keel::eventstore;
namespace pj = keel::projections;
namespace w = keel::domain::warehouse;
namespace b = keel::domain::billing;
namespace t = keel::domain::tenant;
using Json = nlohmann::json;
using keel::test::Append;
using keel::test::Has;
using keel::test::kT0;
using keel::test::Row;

namespace {

constexpr std::int64_t kDay = 86'400'000;

std::string WarehouseStream(const std::string& tenant, const std::string& id) { return "t/" + tenant + "/warehouse/" + id; }

w::WarehouseCreated Created(const std::string& tenant, const std::string& id, bool lots) {
  return w::WarehouseCreated{id, tenant, "Warehouse " + id, "EUR", lots, false, kT0};
}

// Folds every read model to the log's head; the named model's key space.
std::string Folded(es::EventStore& store, pj::Projections& projections, const std::string& name) {
  REQUIRE(projections.WaitFor(name, store.HeadPosition(), std::chrono::seconds(10)));
  return projections.ActiveModel(name);
}

}  // namespace

TEST_CASE("the inventory holds each SKU across warehouses, its minimum and lots, its indexes moving", "[projections][inventory]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  const std::string t1 = "p1:t", w1 = WarehouseStream(t1, "w1"), w2 = WarehouseStream(t1, "w2");
  Append(*store, w1, w::Event(Created(t1, "w1", false)));
  Append(*store, w2, w::Event(Created(t1, "w2", true)));
  Append(*store, w1, w::Event(w::StockReceived{"r1", {{"SKU-A", 10, 100, "", 0}, {"SKU-B", 5, 50, "", 0}}, kT0}));
  Append(*store, w1, w::Event(w::StockReserved{"o1", 1, "SKU-A", 4, kT0}));
  Append(*store, w1, w::Event(w::ReplenishmentRuleSet{"SKU-A", 8, 20, 1, kT0}));
  Append(*store, w2, w::Event(w::StockReceived{"r2", {{"SKU-A", 6, 120, "L1", kT0 + 10 * kDay}}, kT0}));
  Append(*store, w1, w::Event(w::ReservationConsumed{"o1", 1, "SKU-A", 4, {}, kT0 + 1, 100}), kT0 + 1);
  // Another tenant's stock of the same SKU stays its own.
  Append(*store, WarehouseStream("p1:u", "w1"), w::Event(Created("p1:u", "w1", false)));
  Append(*store, WarehouseStream("p1:u", "w1"), w::Event(w::StockReceived{"r9", {{"SKU-A", 99, 1, "", 0}}, kT0}));

  pj::Projections projections(*store, pj::ReadModels());
  REQUIRE(projections.Start().has_value());
  std::string model = Folded(*store, projections, "inventory");
  const Json lot = {{"lot", "L1"}, {"expiry", kT0 + 10 * kDay}, {"qty", 6}};
  const Json w1_entry = {{"warehouse", "w1"}, {"currency", "EUR"}, {"on_hand", 6},       {"reserved", 0},
                         {"available", 6},    {"value", 600},      {"lot_tracked", false}, {"lots", Json::array()},
                         {"min", 8},          {"max", 20},         {"below_min", true}};
  const Json w2_entry = {{"warehouse", "w2"}, {"currency", "EUR"}, {"on_hand", 6},      {"reserved", 0},
                         {"available", 6},    {"value", 720},      {"lot_tracked", true}, {"lots", {lot}},
                         {"min", nullptr},    {"max", nullptr},    {"below_min", false}};
  CHECK(Row(*store, model, "v/p1:t/SKU-A") == Json{{"sku", "SKU-A"},
                                                    {"on_hand", 12},
                                                    {"reserved", 0},
                                                    {"available", 12},
                                                    {"below_min", true},
                                                    {"warehouses", {w1_entry, w2_entry}},
                                                    {"updated_at", kT0 + 1}});
  CHECK(Row(*store, model, "v/p1:t/SKU-B")["on_hand"] == 5);
  CHECK(Row(*store, model, "v/p1:u/SKU-A")["on_hand"] == 99);
  CHECK(Has(*store, model, "i/warehouse/p1:t/w1/SKU-A"));
  CHECK(Has(*store, model, "i/warehouse/p1:t/w1/SKU-B"));
  CHECK(Has(*store, model, "i/warehouse/p1:t/w2/SKU-A"));
  CHECK_FALSE(Has(*store, model, "i/warehouse/p1:t/w2/SKU-B"));
  CHECK(Has(*store, model, "i/below_min/p1:t/SKU-A"));
  CHECK_FALSE(Has(*store, model, "i/below_min/p1:t/SKU-B"));

  // As the API answers at a time after the lot's expiry: w2 has nothing available, the lot is listed.
  const Json row = Row(*store, model, "v/p1:t/SKU-A");
  const Json later = pj::InventoryItemAt(row, kT0 + 11 * kDay, 30 * kDay, "");
  CHECK(later["available"] == 6);
  CHECK(later["warehouses"][1]["available"] == 0);
  CHECK(later["warehouses"][1]["lots"][0]["expired"] == true);
  REQUIRE(later["expiring_lots"].size() == 1);
  CHECK(later["expiring_lots"][0]["warehouse"] == "w2");
  // Before: all of it, the lot expiring within 30 days but not within 5.
  CHECK(pj::InventoryItemAt(row, kT0, 30 * kDay, "")["available"] == 12);
  CHECK(pj::InventoryItemAt(row, kT0, 5 * kDay, "")["expiring_lots"].empty());
  // One warehouse's figures alone.
  const Json only = pj::InventoryItemAt(row, kT0, 30 * kDay, "w2");
  CHECK(only["on_hand"] == 6);
  CHECK(only["warehouses"].size() == 1);
  CHECK(only["below_min"] == false);

  // A receipt lifts w1 above its minimum: the index entry goes.
  Append(*store, w1, w::Event(w::StockReceived{"r3", {{"SKU-A", 5, 100, "", 0}}, kT0 + 2}), kT0 + 2);
  model = Folded(*store, projections, "inventory");
  CHECK(Row(*store, model, "v/p1:t/SKU-A")["below_min"] == false);
  CHECK_FALSE(Has(*store, model, "i/below_min/p1:t/SKU-A"));
}

TEST_CASE("the inventory's per-SKU fold equals the warehouse's whole state over random commands", "[projections][inventory][property]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  const std::string tenant = "p1:t";
  const std::vector<std::string> skus = {"A", "B", "C", "LOT"};
  w::CatalogView catalog;
  for (const auto& s : skus) catalog[s] = w::ItemFacts{s == "LOT"};
  std::map<std::string, w::State> states;
  auto run = [&](const std::string& id, const w::Command& command) {
    auto decision = w::Decide(command, states[id]);
    if (!decision) return;
    for (const auto& e : *decision) {
      Append(*store, WarehouseStream(tenant, id), e);
      states[id] = w::Evolve(std::move(states[id]), e);
    }
  };
  for (const std::string id : {"w1", "w2", "w3"}) run(id, w::CreateWarehouse{id, tenant, id, "EUR", true, false, kT0});
  std::mt19937 rng(GENERATE(1u, 2u, 3u));
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  for (int i = 0; i < 400; ++i) {
    const std::string id = "w" + std::to_string(1 + pick(3));
    const std::string sku = skus[pick(4)];
    const std::string order = "o" + std::to_string(pick(30));
    const auto line = static_cast<std::uint32_t>(1 + pick(2));
    switch (pick(6)) {
      case 0: {
        w::ReceiptLine l{sku, 1 + pick(10), 100 + pick(50), sku == "LOT" ? "L" + std::to_string(pick(3)) : "",
                         sku == "LOT" ? kT0 + (1 + pick(3)) * kDay : 0};
        run(id, w::ReceiveStock{"r" + std::to_string(i), {l}, catalog, kT0});
        break;
      }
      case 1: run(id, w::ReserveStock{order, line, sku, 1 + pick(5), kT0}); break;
      case 2: run(id, w::ReleaseReservation{order, line, kT0}); break;
      case 3: run(id, w::ConsumeReservation{order, line, kT0}); break;
      case 4: {
        w::AdjustStock a{sku, pick(2) ? 1 + pick(3) : -(1 + pick(3)), "count", "", 0, catalog, kT0, {}};
        if (sku == "LOT") {
          a.lot = "L" + std::to_string(pick(3));
          a.expiry = kT0 + 2 * kDay;
        }
        run(id, a);
        break;
      }
      default: run(id, w::SetReplenishmentRule{sku, 3 + pick(5), 20, 1, catalog, kT0}); break;
    }
  }
  pj::Projections projections(*store, {pj::InventoryAvailability()});
  REQUIRE(projections.Start().has_value());
  const std::string model = Folded(*store, projections, "inventory");
  int compared = 0;
  for (const auto& sku : skus) {
    auto kept = store->ReadModelGet(model, "v/" + tenant + "/" + sku);
    REQUIRE(kept.has_value());
    if (!*kept) continue;
    const Json row = Json::parse(**kept);
    std::int64_t on_hand = 0, reserved = 0;
    for (const auto& entry : row["warehouses"]) {
      const w::State& s = states[entry["warehouse"].get<std::string>()];
      INFO(sku << " in " << entry.dump());
      REQUIRE(s.stock.contains(sku));
      const w::SkuStock& st = s.stock.at(sku);
      CHECK(entry["on_hand"] == st.on_hand);
      CHECK(entry["reserved"] == st.reserved);
      CHECK(entry["value"] == st.value);
      std::int64_t in_lots = 0;
      for (const auto& l : entry["lots"]) {
        REQUIRE(st.lots.contains(l["lot"].get<std::string>()));
        CHECK(st.lots.at(l["lot"].get<std::string>()).qty == l["qty"]);
        in_lots += l["qty"].get<std::int64_t>();
      }
      CHECK(entry["lots"].size() == st.lots.size());
      if (st.lot_tracked) CHECK(in_lots == st.on_hand);
      const auto rule = s.rules.find(sku);
      CHECK(entry["below_min"] == (rule != s.rules.end() && rule->second.min > 0 && st.available() < rule->second.min));
      on_hand += st.on_hand;
      reserved += st.reserved;
      ++compared;
    }
    CHECK(row["on_hand"] == on_hand);
    CHECK(row["reserved"] == reserved);
    // Every warehouse holding the SKU has its entry.
    std::size_t holders = 0;
    for (const auto& [id, s] : states) holders += s.stock.contains(sku) ? 1 : 0;
    CHECK(row["warehouses"].size() == holders);
  }
  CHECK(compared > 6);
}

TEST_CASE("invoices carry their balance and status, and the partner's statement sums exactly", "[projections][billing]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  const std::int64_t nov = 1'793'491'200'000;  // 2026-11-01T00:00:00Z
  auto issue = [&](const std::string& tenant, const std::string& id, std::int64_t total, std::int64_t partner, std::int64_t start) {
    b::InvoiceIssued e;
    e.invoice_id = id;
    e.tenant = tenant;
    e.currency = "EUR";
    e.period_start = start;
    e.period_end = start + 30 * kDay;
    e.lines = {{"plan", "Growth plan", total}};
    e.total = total;
    e.partner_share = partner;
    e.platform_share = total - partner;
    e.due_at = start + 60 * kDay;
    e.at = start + 30 * kDay;
    Append(*store, "t/" + tenant + "/billing/" + tenant, b::Event(e), e.at);
  };
  issue("p1:t", "inv-1", 10'000, 2'000, nov);
  issue("p1:u", "inv-2", 5'001, 1'000, nov);
  issue("p2:x", "inv-3", 7'000, 700, nov);
  issue("p1:t", "inv-0", 9'000, 1'800, nov - 31 * kDay);  // October's
  Append(*store, "t/p1:t/billing/p1:t", b::Event(b::PaymentRecorded{"inv-1", "pay-1", 4'000, nov + 40 * kDay}));
  Append(*store, "t/p1:t/billing/p1:t", b::Event(b::CreditNoteIssued{"inv-1", "cn-1", "goodwill", 1'000, nov + 41 * kDay}));
  Append(*store, "t/p1:t/billing/p1:t", b::Event(b::InvoiceOverdue{"inv-1", 5'000, nov + 61 * kDay}));
  Append(*store, "t/p1:u/billing/p1:u", b::Event(b::PaymentRecorded{"inv-2", "pay-2", 5'001, nov + 40 * kDay}));

  pj::Projections projections(*store, pj::ReadModels());
  REQUIRE(projections.Start().has_value());
  const std::string model = Folded(*store, projections, "billing");
  const Json inv1 = Row(*store, model, "inv/p1:t/inv-1");
  CHECK(inv1 == Json{{"id", "inv-1"},
                     {"tenant", "p1:t"},
                     {"currency", "EUR"},
                     {"period_start", nov},
                     {"period_end", nov + 30 * kDay},
                     {"lines", {{{"kind", "plan"}, {"description", "Growth plan"}, {"amount", 10'000}}}},
                     {"total", 10'000},
                     {"paid", 4'000},
                     {"credited", 1'000},
                     {"balance", 5'000},
                     {"status", "overdue"},
                     {"due_at", nov + 60 * kDay},
                     {"issued_at", nov + 30 * kDay},
                     {"partner_share", 2'000},
                     {"platform_share", 8'000},
                     {"updated_at", kT0}});
  CHECK(Has(*store, model, "i/status/p1:t/overdue/inv-1"));
  CHECK_FALSE(Has(*store, model, "i/status/p1:t/open/inv-1"));
  CHECK(Row(*store, model, "inv/p1:u/inv-2")["status"] == "settled");
  CHECK(Has(*store, model, "i/status/p1:u/settled/inv-2"));
  CHECK(Row(*store, model, "inv/p1:t/inv-0")["status"] == "open");

  CHECK(Row(*store, model, "st/p1/2026-11/p1:t") == Json{{"tenant", "p1:t"},  {"currency", "EUR"},  {"invoices", 1},
                                                          {"billed", 10'000}, {"partner_share", 2'000}, {"platform_share", 8'000},
                                                          {"paid", 4'000},    {"credited", 1'000}});
  const Json totals = Row(*store, model, "sum/p1/2026-11");
  CHECK(totals == Json{{"EUR", {{"tenants", 2}, {"invoices", 2}, {"billed", 15'001}, {"partner_share", 3'000},
                                {"platform_share", 12'001}, {"paid", 9'001}, {"credited", 1'000}}}});
  CHECK(totals["EUR"]["partner_share"].get<std::int64_t>() + totals["EUR"]["platform_share"].get<std::int64_t>() ==
        totals["EUR"]["billed"].get<std::int64_t>());
  CHECK(Row(*store, model, "sum/p1/2026-10")["EUR"]["billed"] == 9'000);
  CHECK(Row(*store, model, "sum/p2/2026-11")["EUR"]["billed"] == 7'000);
  CHECK(pj::Month(nov) == "2026-11");
  CHECK(pj::Month(nov - 1) == "2026-10");
}

TEST_CASE("the command log holds one row per command with its events, indexed by tenant, partner and principal",
          "[projections][audit]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  auto append = [&](const std::string& stream, std::vector<t::Event> events, const std::string& principal, const std::string& request,
                    std::int64_t at) {
    std::vector<es::EventData> data;
    for (const auto& e : events) {
      auto encoded = keel::codec::Encode(e);
      data.push_back({encoded.type, encoded.schema_version, encoded.payload});
    }
    REQUIRE(store->Append(stream, es::ExpectedVersion::Any(), std::move(data), es::Metadata{at, principal, request, "http:open_ticket"})
                .has_value());
  };
  const std::string s = "t/p1:t/tenant/p1:t";
  append(s, {t::TicketOpened{"T1", "a", "high", kT0}, t::TicketOpened{"T2", "b", "low", kT0}}, "key:k1", "req-1", kT0 + 10);
  append(s, {t::TicketResolved{"T1", kT0}}, "key:k1", "req-2", kT0 + 11);
  append(s, {t::TicketResolved{"T2", kT0}}, "", "", kT0 + 12);  // no principal: not a command of anyone's
  append("t/p2:x/tenant/p2:x", {t::TicketOpened{"T9", "c", "low", kT0}}, "process:billing", "", kT0 + 13);
  // A partner's own record: the partner's, no tenant's.
  {
    auto encoded = keel::codec::Encode(keel::domain::partner::Event(keel::domain::partner::PartnerCertified{"owner", kT0}));
    REQUIRE(store->Append("t/_platform/partner/p1", es::ExpectedVersion::Any(), {{encoded.type, encoded.schema_version, encoded.payload}},
                          es::Metadata{kT0 + 14, "key:owner", "req-9", "http:certify_partner"})
                .has_value());
  }

  pj::Projections projections(*store, pj::ReadModels());
  REQUIRE(projections.Start().has_value());
  const std::string model = Folded(*store, projections, "commands");
  const std::string first = pj::Padded(1);
  CHECK(Row(*store, model, "a/" + first) ==
        Json{{"at", kT0 + 10},
             {"result", "accepted"},
             {"principal", "key:k1"},
             {"route", "open_ticket"},
             {"cause", nullptr},
             {"tenant", "p1:t"},
             {"partner", "p1"},
             {"target", s},
             {"request_id", "req-1"},
             {"position", 1},
             {"events", {{{"type", "TicketOpened"}, {"stream", s}, {"position", 1}}, {{"type", "TicketOpened"}, {"stream", s}, {"position", 2}}}}});
  CHECK(Row(*store, model, "a/" + pj::Padded(3))["events"].size() == 1);
  // An event appended without a principal is the system's.
  const Json system = Row(*store, model, "a/" + pj::Padded(4));
  CHECK(system["principal"] == "system");
  CHECK(Has(*store, model, "i/principal/system/" + pj::Padded(4)));
  CHECK(Has(*store, model, "i/tenant/p1:t/" + first));
  CHECK(Has(*store, model, "i/partner/p1/" + first));
  CHECK(Has(*store, model, "i/principal/key:k1/" + first));
  CHECK(Has(*store, model, "i/principal/process:billing/" + pj::Padded(5)));
  CHECK_FALSE(Has(*store, model, "a/" + pj::Padded(2)));
  const Json certified = Row(*store, model, "a/" + pj::Padded(6));
  CHECK(certified["tenant"].is_null());
  CHECK(certified["partner"] == "p1");
  CHECK(certified["route"] == "certify_partner");
  CHECK(Has(*store, model, "i/partner/p1/" + pj::Padded(6)));
  // A process's command names its cause, not a route.
  {
    auto encoded = keel::codec::Encode(t::Event(t::TicketResolved{"T9", kT0}));
    REQUIRE(store->Append("t/p2:x/tenant/p2:x", es::ExpectedVersion::Any(), {{encoded.type, encoded.schema_version, encoded.payload}},
                          es::Metadata{kT0 + 15, "process:returns", "order:o1", "position:3"})
                .has_value());
  }
  REQUIRE(projections.WaitFor("commands", store->HeadPosition(), std::chrono::seconds(10)));
  const Json process = Row(*store, model, "a/" + pj::Padded(7));
  CHECK(process["route"].is_null());
  CHECK(process["cause"] == "order:o1");
  CHECK(process["request_id"].is_null());
}

TEST_CASE("the billing read model killed in the middle of the log and restarted equals one built in one go",
          "[projections][billing][crash]") {
  const std::string mode = GENERATE(std::string("chunks"), std::string("bulk"));
  INFO(mode);
  // Statements add amounts: a chunk folded twice after the crash would show in their sums.
  es::test::TempDir dir;
  std::uint64_t head = 0;
  {
    auto store = es::test::OpenOrDie(dir.str());
    for (int i = 0; i < 150; ++i) {
      const std::string tenant = "p" + std::to_string(i % 2) + ":t" + std::to_string(i % 5), id = "inv-" + std::to_string(i);
      const std::string stream = "t/" + tenant + "/billing/" + tenant;
      b::InvoiceIssued e;
      e.invoice_id = id;
      e.tenant = tenant;
      e.currency = "EUR";
      e.period_start = kT0 + (i % 3) * 31 * kDay;
      e.period_end = e.period_start + 30 * kDay;
      e.lines = {{"plan", "plan", 1'000 + i}};
      e.total = 1'000 + i;
      e.partner_share = (1'000 + i) / 5;
      e.platform_share = e.total - e.partner_share;
      Append(*store, stream, b::Event(e));
      Append(*store, stream, b::Event(b::PaymentRecorded{id, "pay-" + std::to_string(i), 100 + i, kT0}));
    }
    head = store->HeadPosition();
  }
  const std::uint64_t killed_at = keel::test::KillDriverPastAThird({dir.str(), "billing", mode}, head);
  auto store = es::test::OpenOrDie(dir.str());
  pj::Runner resumed(*store, pj::BillingLedger(), "billing-crash", {std::chrono::milliseconds(1), 5});
  CHECK(resumed.position() >= killed_at);
  CHECK(resumed.position() < head);
  resumed.Start();
  REQUIRE(resumed.WaitFor(head, std::chrono::seconds(10)));
  pj::Runner whole(*store, pj::BillingLedger(), "billing-whole", {std::chrono::milliseconds(1), 100'000});
  whole.Start();
  REQUIRE(whole.WaitFor(head, std::chrono::seconds(10)));
  CHECK(keel::test::Dump(*store, "billing-crash") == keel::test::Dump(*store, "billing-whole"));
}

TEST_CASE("every read model caught up in bulk (ingested files) equals the same folded chunk by chunk", "[projections][bulk]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  // A mixed log: orders placed and cancelled (index moves and deletes), stock, invoices, tickets.
  for (int i = 0; i < 300; ++i) {
    const std::string tenant = "p1:t" + std::to_string(i % 3);
    if (i < 3) {
      Append(*store, "t/" + tenant + "/warehouse/w1", w::Event(Created(tenant, "w1", false)), kT0, "key:k1");
      Append(*store, "t/" + tenant + "/tenant/" + tenant, t::Event(t::TicketOpened{"T" + std::to_string(i), "s", "low", kT0}), kT0,
             "key:k1");
    }
    Append(*store, "t/" + tenant + "/warehouse/w1",
           w::Event(w::StockReceived{"r" + std::to_string(i), {{"SKU-" + std::to_string(i % 7), 1 + i % 5, 100, "", 0}}, kT0}), kT0 + i,
           "key:k1");
    if (i % 4 == 0)
      Append(*store, "t/" + tenant + "/warehouse/w1", w::Event(w::StockReserved{"o" + std::to_string(i), 1, "SKU-" + std::to_string(i % 7), 1, kT0}),
             kT0 + i, "process:fulfilment");
  }
  const auto head = store->HeadPosition();
  for (const auto& projection : pj::ReadModels()) {
    const std::string name(projection->name());
    INFO(name);
    pj::RunnerOptions bulk_options{std::chrono::milliseconds(1), 16};
    bulk_options.bulk_behind = 1;
    bulk_options.bulk_budget = 2'000;  // an ingestion every few hundred events
    pj::Runner bulk(*store, projection, name + "-bulk", bulk_options);
    bulk.Start();
    REQUIRE(bulk.WaitFor(head, std::chrono::seconds(10)));
    pj::RunnerOptions chunk_options{std::chrono::milliseconds(1), 16};
    chunk_options.bulk_behind = 0;
    pj::Runner chunked(*store, projection, name + "-chunked", chunk_options);
    chunked.Start();
    REQUIRE(chunked.WaitFor(head, std::chrono::seconds(10)));
    bulk.Stop();
    chunked.Stop();
    CHECK(keel::test::Dump(*store, name + "-bulk") == keel::test::Dump(*store, name + "-chunked"));
    CHECK(store->LoadCheckpoint(name + "-bulk").value() == head);
  }
  // Caught up, a runner goes on chunk by chunk, from where the ingested checkpoint left it.
  pj::RunnerOptions options{std::chrono::milliseconds(1), 16};
  options.bulk_behind = 1;
  options.bulk_budget = 2'000;
  pj::Runner inventory(*store, pj::InventoryAvailability(), "inventory-bulk", options);
  CHECK(inventory.position() == head);
  inventory.Start();
  Append(*store, "t/p1:t0/warehouse/w1", w::Event(w::StockReceived{"late", {{"SKU-0", 1000, 100, "", 0}}, kT0}));
  REQUIRE(inventory.WaitFor(head + 1, std::chrono::seconds(10)));
  CHECK(Row(*store, "inventory-bulk", "v/p1:t0/SKU-0")["on_hand"].get<std::int64_t>() > 1000);
}
