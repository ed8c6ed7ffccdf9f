// The projection engine and the list read models over a real store: exact rows for hand-built event
// sequences, a stop in the middle of the log then a restart equal to a full rebuild, a poison event
// parked (its stream's later events with it, other streams going on) then retried or skipped,
// pages over a boundary while rows arrive, and an online rebuild that swaps in while appends go on.
#include <atomic>
#include <chrono>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "codec/codec.hpp"
#include "projections/projections.hpp"
#include "projections/query.hpp"
#include "projections/read_models.hpp"
#include "child_process.hpp"
#include "projection_support.hpp"
#include "test_support.hpp"

namespace es = keel::eventstore;
namespace pj = keel::projections;
namespace t = keel::domain::tenant;
namespace o = keel::domain::order;
using Json = nlohmann::json;

using keel::test::Append;
using keel::test::TryAppend;
using keel::test::Dump;
using keel::test::Has;
using keel::test::kT0;
using keel::test::Row;

namespace {

std::string TenantStream(const std::string& id) { return "t/" + id + "/tenant/" + id; }
std::string OrderStream(const std::string& tenant, const std::string& id) { return "t/" + tenant + "/order/" + id; }

t::TenantProvisioned Provisioned(const std::string& id, const std::string& partner, const std::string& plan = "growth") {
  t::TenantProvisioned p;
  p.id = id;
  p.partner = partner;
  p.name = "Tenant " + id;
  p.template_id = "regional-distributor";
  p.template_version = 1;
  p.plan = plan;
  p.modules = {keel::domain::Module::kInventory};
  p.at = kT0;
  return p;
}

// A projection that folds as another one does, but holds every Apply while its gate is shut: lets a
// test look at a rebuild that cannot have finished yet, however slow or fast the machine.
class Gated final : public pj::Projection {
 public:
  explicit Gated(std::shared_ptr<const pj::Projection> inner) : inner_(std::move(inner)) {}
  void Shut() { open_ = false; }
  void Open() { open_ = true; }
  std::string_view name() const override { return inner_->name(); }
  std::uint32_t version() const override { return inner_->version(); }
  bool Wants(const es::EventView& e) const override { return inner_->Wants(e); }
  std::expected<void, std::string> Apply(const es::EventView& e, pj::Model& model) const override {
    while (!open_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return inner_->Apply(e, model);
  }
  void Flush(pj::Model& model) const override { inner_->Flush(model); }

 private:
  std::shared_ptr<const pj::Projection> inner_;
  mutable std::atomic<bool> open_ = true;
};

o::OrderPlaced Placed(const std::string& tenant, const std::string& id, const std::string& customer, std::int64_t qty) {
  o::OrderPlaced p;
  p.id = id;
  p.tenant = tenant;
  p.customer = customer;
  p.currency = "EUR";
  p.channel = o::Channel::kB2B;
  p.lines = {{1, "BOLT", qty, 100, qty * 100}};
  p.total = qty * 100;
  p.at = kT0;
  p.placed_by = "key:k1";
  return p;
}

// A projection that refuses events of one stream while `refuse` is set (a poison event).
class Picky final : public pj::Projection {
 public:
  explicit Picky(std::atomic<bool>& refuse) : refuse_(refuse) {}
  std::string_view name() const override { return "picky"; }
  std::uint32_t version() const override { return 1; }
  bool Wants(const es::EventView&) const override { return true; }
  std::expected<void, std::string> Apply(const es::EventView& e, pj::Model& m) const override {
    if (refuse_ && e.stream == "t/a/x/bad") return std::unexpected("cannot read this one");
    const std::string key = "n/" + std::string(e.stream);
    const auto n = m.Get(key);
    m.Put(key, std::to_string((n ? std::stoi(*n) : 0) + 1));
    m.Put("last/" + std::string(e.stream), std::to_string(e.position));
    return {};
  }

 private:
  std::atomic<bool>& refuse_;
};

}  // namespace

TEST_CASE("the tenant directory and the order list hold exactly the rows their events make", "[projections]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  Append(*store, TenantStream("p1:acme"), t::Event(Provisioned("p1:acme", "p1")));
  Append(*store, TenantStream("p1:acme"), t::Event(t::OnboardingStarted{kT0 + 1}), kT0 + 1);
  Append(*store, TenantStream("p2:acme"), t::Event(Provisioned("p2:acme", "p2", "scale")));
  Append(*store, OrderStream("p1:acme", "o1"), o::Event(Placed("p1:acme", "o1", "c1", 3)), kT0 + 5);
  Append(*store, OrderStream("p1:acme", "o2"), o::Event(Placed("p1:acme", "o2", "c2", 1)), kT0 + 6);
  o::OrderAllocated allocated;
  allocated.allocations = {{1, "w1", 2, 0}};
  allocated.backordered = {{1, 1}};
  allocated.at = kT0 + 7;
  Append(*store, OrderStream("p1:acme", "o1"), o::Event(allocated), kT0 + 7);
  Append(*store, OrderStream("p1:acme", "o2"), o::Event(o::OrderCancelled{"changed mind", {}, kT0 + 8}), kT0 + 8);

  pj::Projections projections(*store, pj::ReadModels());
  REQUIRE(projections.Start().has_value());
  REQUIRE(projections.WaitFor("tenants", store->HeadPosition(), std::chrono::seconds(5)));
  REQUIRE(projections.WaitFor("orders", store->HeadPosition(), std::chrono::seconds(5)));
  const std::string tenants = projections.ActiveModel("tenants"), orders = projections.ActiveModel("orders");
  CHECK(tenants == "tenants@1");

  CHECK(Row(*store, tenants, "p/p1/p1:acme") == Json{{"id", "p1:acme"}, {"reference", "acme"}, {"partner", "p1"},
                                                      {"name", "Tenant p1:acme"}, {"template_id", "regional-distributor"},
                                                      {"template_version", 1}, {"plan", "growth"}, {"status", "onboarding"},
                                                      {"modules", {"inventory"}}, {"warehouses", 0}, {"open_tickets", 0},
                                                      {"period_orders", 0}, {"updated_at", kT0 + 1}});
  CHECK(Row(*store, tenants, "p/p2/p2:acme")["plan"] == "scale");
  // The status index moved with the status.
  CHECK(Has(*store, tenants, "i/status/p1/onboarding/p1:acme"));
  CHECK_FALSE(Has(*store, tenants, "i/status/p1/provisioning/p1:acme"));

  CHECK(Row(*store, orders, "o/p1:acme/o1") == Json{{"id", "o1"}, {"customer", "c1"}, {"channel", "b2b"},
                                                    {"status", "backordered"}, {"currency", "EUR"}, {"total", 300},
                                                    {"lines", 1}, {"units", 3}, {"backordered", true},
                                                    {"placed_by", "key:k1"}, {"placed_at", kT0 + 5}, {"updated_at", kT0 + 7}});
  const Json o2 = Row(*store, orders, "o/p1:acme/o2");
  CHECK(o2["status"] == "cancelled");
  CHECK(o2["backordered"] == false);
  CHECK(Has(*store, orders, "i/status/p1:acme/cancelled/o2"));
  CHECK_FALSE(Has(*store, orders, "i/status/p1:acme/placed/o2"));
  CHECK(Has(*store, orders, "i/customer/p1:acme/c1/o1"));
  CHECK(Has(*store, orders, "i/placed/p1:acme/" + pj::Padded(kT0 + 6) + "/o2"));

  auto status = projections.Status("orders");
  REQUIRE(status.has_value());
  CHECK(status->position == store->HeadPosition());
  CHECK(status->lag_events == 0);
  CHECK(status->parked == 0);
}

TEST_CASE("a projection stopped in the middle of the log and restarted equals one built in one go", "[projections]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  for (int i = 0; i < 60; ++i) {
    const std::string tenant = "p1:t" + std::to_string(i % 4);
    if (i < 4) Append(*store, TenantStream(tenant), t::Event(Provisioned(tenant, "p1")));
    Append(*store, OrderStream(tenant, "o" + std::to_string(i)), o::Event(Placed(tenant, "o" + std::to_string(i), "c", 1 + i % 3)));
    if (i % 5 == 0)
      Append(*store, OrderStream(tenant, "o" + std::to_string(i)), o::Event(o::OrderCancelled{"x", {}, kT0 + i}), kT0 + i);
  }
  const auto head = store->HeadPosition();
  // Small chunks, stopped part-way at position 33 (each chunk is one atomic commit with its checkpoint).
  {
    pj::Runner partial(*store, pj::OrderList(), "orders-a", {std::chrono::milliseconds(1), 7, 33});
    partial.Start();
    REQUIRE(partial.WaitFor(33, std::chrono::seconds(5)));
    partial.Stop();
    CHECK(partial.position() == 33);
  }
  pj::Runner resumed(*store, pj::OrderList(), "orders-a", {std::chrono::milliseconds(1), 7});
  CHECK(resumed.position() == 33);  // from its checkpoint, not from the start
  resumed.Start();
  REQUIRE(resumed.WaitFor(head, std::chrono::seconds(5)));
  pj::Runner whole(*store, pj::OrderList(), "orders-b", {std::chrono::milliseconds(1), 100'000});
  whole.Start();
  REQUIRE(whole.WaitFor(head, std::chrono::seconds(5)));
  const auto a = Dump(*store, "orders-a"), b = Dump(*store, "orders-b");
  CHECK(a.size() > 60);
  CHECK(a == b);
}

TEST_CASE("a poison event is parked with its stream's later events, the others go on, and a retry folds them in order",
          "[projections]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  std::atomic<bool> refuse{true};
  pj::Runner runner(*store, std::make_shared<Picky>(refuse), "picky@1", {std::chrono::milliseconds(1), 100});
  auto raw = [&](const std::string& stream) {
    REQUIRE(store->Append(stream, es::ExpectedVersion::Any(), {{"E", 1, "x"}}).has_value());
    return store->HeadPosition();
  };
  raw("t/a/x/good");
  const auto bad1 = raw("t/a/x/bad");
  raw("t/a/x/good");
  const auto bad2 = raw("t/a/x/bad");
  runner.Start();
  REQUIRE(runner.WaitFor(store->HeadPosition(), std::chrono::seconds(5)));
  CHECK(store->ReadModelGet("picky@1", "n/t/a/x/good")->value() == "2");  // the others went on
  CHECK_FALSE(store->ReadModelGet("picky@1", "n/t/a/x/bad")->has_value());
  auto parked = runner.ListParked();
  REQUIRE(parked.size() == 2);
  CHECK(parked[0].position == bad1);
  CHECK(parked[0].error == "cannot read this one");
  CHECK(parked[1].position == bad2);
  CHECK(parked[1].error == "waits for an earlier parked event of its stream");
  // Still refused: nothing moves.
  CHECK(runner.Retry(bad1).value() == 2);
  // The cause is fixed: a retry folds both, in order.
  refuse = false;
  CHECK(runner.Retry(bad1).value() == 0);
  CHECK(runner.ListParked().empty());
  CHECK(store->ReadModelGet("picky@1", "n/t/a/x/bad")->value() == "2");
  CHECK(store->ReadModelGet("picky@1", "last/t/a/x/bad")->value() == std::to_string(bad2));
  // Later events of that stream are folded live again.
  raw("t/a/x/bad");
  REQUIRE(runner.WaitFor(store->HeadPosition(), std::chrono::seconds(5)));
  CHECK(store->ReadModelGet("picky@1", "n/t/a/x/bad")->value() == "3");
  // A skipped one is dropped; its stream's next parked event stays parked until retried.
  refuse = true;
  const auto bad3 = raw("t/a/x/bad");
  const auto bad4 = raw("t/a/x/bad");
  REQUIRE(runner.WaitFor(store->HeadPosition(), std::chrono::seconds(5)));
  CHECK(runner.Skip(bad3).value());
  CHECK(runner.ListParked().size() == 1);
  refuse = false;
  CHECK(runner.Retry(bad4).value() == 0);
  CHECK(store->ReadModelGet("picky@1", "n/t/a/x/bad")->value() == "4");  // bad3 never folded
}

TEST_CASE("pages go on from their cursor while rows arrive: none lost, none repeated", "[projections]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  es::ReadModelBatch b;
  b.model = "m";
  for (int i = 0; i < 25; ++i) b.puts.emplace_back("o/t1/" + pj::Padded(i * 10), Json{{"n", i * 10}}.dump());
  b.puts.emplace_back("o/t2/x", Json{{"n", -1}}.dump());  // another tenant's row: never in t1's pages
  REQUIRE(store->CommitReadModel(b).has_value());
  pj::PageRequest r;
  r.model = "m";
  r.prefix = "o/t1/";
  r.limit = 10;
  auto first = pj::ReadPage(*store, r);
  REQUIRE(first.has_value());
  REQUIRE(first->rows.size() == 10);
  REQUIRE_FALSE(first->next.empty());
  // Rows arrive before and after the cursor.
  es::ReadModelBatch more;
  more.model = "m";
  more.puts.emplace_back("o/t1/" + pj::Padded(5), Json{{"n", 5}}.dump());     // behind the cursor
  more.puts.emplace_back("o/t1/" + pj::Padded(245), Json{{"n", 245}}.dump()); // ahead of it
  REQUIRE(store->CommitReadModel(more).has_value());
  std::vector<int> seen;
  for (const auto& row : first->rows) seen.push_back(row["n"]);
  r.cursor = first->next;
  while (true) {
    auto page = pj::ReadPage(*store, r);
    REQUIRE(page.has_value());
    for (const auto& row : page->rows) seen.push_back(row["n"]);
    if (page->next.empty()) break;
    r.cursor = page->next;
  }
  std::vector<int> expected;
  for (int i = 0; i < 25; ++i) expected.push_back(i * 10);
  expected.push_back(245);
  CHECK(seen == expected);  // every row present at the start once, the new one ahead too, t2's never
  // A cursor of another listing (or not hex) is refused.
  r.cursor = pj::EncodeCursor("o/t2/x");
  CHECK_FALSE(pj::ReadPage(*store, r).has_value());
  r.cursor = "zz";
  CHECK_FALSE(pj::ReadPage(*store, r).has_value());
  // Through an index: filtered by the key, rows read where they are.
  es::ReadModelBatch idx;
  idx.model = "m";
  idx.puts.emplace_back("i/even/t1/" + pj::Padded(20), "");
  idx.puts.emplace_back("i/even/t1/" + pj::Padded(40), "");
  REQUIRE(store->CommitReadModel(idx).has_value());
  pj::PageRequest by_index;
  by_index.model = "m";
  by_index.prefix = "i/even/t1/";
  by_index.rows_at = "o/t1/";
  auto even = pj::ReadPage(*store, by_index);
  REQUIRE(even.has_value());
  REQUIRE(even->rows.size() == 2);
  CHECK(even->rows[1]["n"] == 40);
}

TEST_CASE("a rebuild folds a new generation beside the serving one and swaps in when caught up", "[projections]") {
  es::test::TempDir dir;
  auto store = es::test::OpenOrDie(dir.str());
  for (int i = 0; i < 200; ++i) Append(*store, OrderStream("p1:t", "o" + std::to_string(i)), o::Event(Placed("p1:t", "o" + std::to_string(i), "c", 1)));
  auto gated = std::make_shared<Gated>(pj::OrderList());
  pj::Projections projections(*store, {gated}, {std::chrono::milliseconds(1), 16});
  REQUIRE(projections.Start().has_value());
  REQUIRE(projections.WaitFor("orders", store->HeadPosition(), std::chrono::seconds(5)));
  const auto before = Dump(*store, "orders@1");
  // Folding held: the rebuild is under way when looked at (a CI run once saw it finish before the
  // first look), serving the old generation and saying where it stands.
  struct Reopen {
    Gated& gate;
    ~Reopen() { gate.Open(); }  // before `projections` joins its runners, should a REQUIRE fail
  } reopen{*gated};
  gated->Shut();
  REQUIRE(projections.Rebuild("orders"));
  CHECK_FALSE(projections.Rebuild("orders"));  // one at a time
  for (int i = 0; i < 5; ++i) {
    const auto status = projections.Status("orders");
    REQUIRE(status.has_value());
    CHECK(status->rebuilding_generation == std::optional<std::uint64_t>(2));
    CHECK(status->rebuild_position <= status->head);
    CHECK(status->rebuild_progress >= 0.0);
    CHECK(status->rebuild_progress < 1.0);
    CHECK(projections.ActiveModel("orders") == "orders@1");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  gated->Open();
  // Commands go on meanwhile; the old generation keeps serving.
  for (int i = 200; i < 260; ++i) Append(*store, OrderStream("p1:t", "o" + std::to_string(i)), o::Event(Placed("p1:t", "o" + std::to_string(i), "c", 1)));
  // Its status, read while both runners fold and the log grows, stays coherent: a share of the log in
  // [0, 1], no negative ETA, no position past the head it reports (a CI run once read the head first).
  std::atomic<bool> writing = true;
  std::atomic<int> failed_appends = 0;
  std::thread writer([&] {
    for (int i = 260; i < 400 && writing; ++i)
      if (!TryAppend(*store, OrderStream("p1:t", "o" + std::to_string(i)), o::Event(Placed("p1:t", "o" + std::to_string(i), "c", 1)))) ++failed_appends;
  });
  for (int i = 0; i < 2000 && projections.ActiveModel("orders") != "orders@2"; ++i) {
    const auto status = projections.Status("orders");
    REQUIRE(status.has_value());
    CHECK(status->position <= status->head);
    if (status->rebuilding_generation) {
      CHECK(status->rebuild_position <= status->head);
      CHECK(status->rebuild_progress >= 0.0);
      CHECK(status->rebuild_progress <= 1.0);
      CHECK(status->rebuild_eta_s >= 0.0);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  writing = false;
  writer.join();
  CHECK(failed_appends == 0);
  CHECK(projections.ActiveModel("orders") == "orders@2");
  REQUIRE(projections.WaitFor("orders", store->HeadPosition(), std::chrono::seconds(5)));
  CHECK(Dump(*store, "orders@2").size() > before.size());
  // The old key space is cleared.
  for (int i = 0; i < 200 && !Dump(*store, "orders@1").empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(Dump(*store, "orders@1").empty());
  // A restart serves generation 2.
  projections.Stop();
  pj::Projections again(*store, {pj::OrderList()});
  REQUIRE(again.Start().has_value());
  CHECK(again.ActiveModel("orders") == "orders@2");
}

TEST_CASE("a read model killed in the middle of the log and restarted equals one built in one go", "[projections][crash]") {
  es::test::TempDir dir;
  std::uint64_t head = 0;
  {
    auto store = es::test::OpenOrDie(dir.str());
    for (int i = 0; i < 400; ++i) {
      const std::string tenant = "p1:t" + std::to_string(i % 3), id = "o" + std::to_string(i);
      Append(*store, OrderStream(tenant, id), o::Event(Placed(tenant, id, "c" + std::to_string(i % 5), 1 + i % 4)));
      if (i % 3 == 0) Append(*store, OrderStream(tenant, id), o::Event(o::OrderCancelled{"x", {}, kT0 + i}), kT0 + i);
    }
    head = store->HeadPosition();
  }
  // SIGKILL while it folds, somewhere past a third of the log (chunks of 5, each committed whole).
  const std::uint64_t killed_at = keel::test::KillDriverPastAThird({dir.str()}, head);
  auto store = es::test::OpenOrDie(dir.str());
  pj::Runner resumed(*store, pj::OrderList(), "orders-crash", {std::chrono::milliseconds(1), 5});
  CHECK(resumed.position() >= killed_at);  // every committed chunk kept its checkpoint
  CHECK(resumed.position() < head);
  resumed.Start();
  REQUIRE(resumed.WaitFor(head, std::chrono::seconds(10)));
  pj::Runner whole(*store, pj::OrderList(), "orders-whole", {std::chrono::milliseconds(1), 100'000});
  whole.Start();
  REQUIRE(whole.WaitFor(head, std::chrono::seconds(10)));
  CHECK(Dump(*store, "orders-crash") == Dump(*store, "orders-whole"));
}
