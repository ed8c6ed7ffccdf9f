// The gateway's reference data (gateway/src/reference_data.hpp) over a real store and real actors:
// tenant facts caught up by applying new events, read again when too far behind; partner and catalog
// snapshots served while their stream has not moved; bounded by LRU; safe under concurrent use.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "actors/runtime.hpp"
#include "config/loader.hpp"
#include "lru_map.hpp"
#include "reference_data.hpp"
#include "test_support.hpp"

namespace {

using keel::gateway::LruMap;
using keel::gateway::ReferenceData;
using keel::gateway::ReferenceError;
namespace actors = keel::actors;
namespace domain = keel::domain;
namespace t = keel::domain::tenant;

constexpr domain::Timestamp kT0 = 1'767'225'600'000;

struct World {
  explicit World(ReferenceData::Options options = {})
      : catalog(keel::config::LoadCatalog(keel::config::DefaultDataDir() + "/plans.json").value()),
        templates(keel::config::LoadTemplates(keel::config::DefaultDataDir() + "/templates", catalog).value()),
        reference(*store, catalog, templates, options) {}

  void Must(const actors::EntityKey& key, actors::AnyCommand command) {
    auto reply = client.Execute(key, std::move(command));
    INFO((reply ? std::string() : reply.error().message + reply.error().rejection.message));
    REQUIRE(reply.has_value());
  }
  void Partner(const std::string& id) {
    Must(actors::PartnerKey(id), domain::partner::RegisterPartner{id, "Partner " + id, kT0});
    Must(actors::PartnerKey(id), domain::partner::CertifyPartner{"test", kT0});
  }
  void Tenant(const std::string& id, const std::string& partner = "p1") {
    const auto* segment = templates.Find("regional-distributor", 1);
    REQUIRE(segment != nullptr);
    Must(actors::TenantKey(id), t::ProvisionTenant{id, partner, "Tenant " + id, *segment, *catalog.FindPlan(segment->plan),
                                                   domain::Environment::kProduction, true, true, kT0});
    Must(actors::TenantKey(id), t::StartOnboarding{kT0});
  }
  void Usage(const std::string& tenant, int times) {
    for (int i = 0; i < times; ++i) Must(actors::TenantKey(tenant), t::RecordUsage{0, 1, kT0});
  }
  t::State ActorState(const std::string& tenant) {
    auto snap = client.Get(actors::TenantKey(tenant));
    REQUIRE(snap.has_value());
    return snap->As<t::State>();
  }

  keel::eventstore::test::TempDir dir;
  std::unique_ptr<keel::eventstore::EventStore> store = keel::eventstore::test::OpenOrDie(dir.str());
  actors::Runtime runtime{*store};
  actors::Client client{runtime};
  domain::ServiceCatalog catalog;
  keel::config::TemplateRegistry templates;
  ReferenceData reference;
};

domain::PriceList Prices(std::int64_t unit_price) {
  return domain::PriceList{"EUR", {domain::PriceEntry{"", "hardware", {{1, unit_price}}, 0, 0}}};
}

}  // namespace

TEST_CASE("tenant facts are read from the actor once, then caught up by applying only the new events",
          "[gateway][reference]") {
  World w;
  w.Partner("p1");
  w.Tenant("p1:t1");
  auto first = w.reference.Tenant("p1:t1", &w.client);
  REQUIRE(first.has_value());
  CHECK((*first)->exists());
  CHECK((*first)->segment == w.templates.Find("regional-distributor", 1));
  CHECK((*first)->plan == w.catalog.FindPlan("growth"));
  CHECK(w.reference.stats().reloads == 1);

  w.Usage("p1:t1", 3);
  w.Must(actors::TenantKey("p1:t1"), t::SuspendTenant{"fraud check", kT0});
  // No client: the io thread's call, which must not wait for an actor, is answered all the same.
  auto caught = w.reference.Tenant("p1:t1", nullptr);
  REQUIRE(caught.has_value());
  CHECK((*caught)->version == (*first)->version + 4);
  CHECK((*caught)->state.status == t::Status::kSuspended);
  CHECK((*caught)->state == w.ActorState("p1:t1"));
  CHECK((*first)->state.status != t::Status::kSuspended);  // what a reader held is never changed under it
  const auto stats = w.reference.stats();
  CHECK(stats.catch_ups == 1);
  CHECK(stats.reloads == 1);

  auto again = w.reference.Tenant("p1:t1", nullptr);
  REQUIRE(again.has_value());
  CHECK(again->get() == caught->get());  // the stream has not moved: the same facts
  CHECK(w.reference.stats().hits == stats.hits + 1);
}

TEST_CASE("tenant facts more than 64 events behind are read again from the actor", "[gateway][reference]") {
  World w;
  w.Partner("p1");
  w.Tenant("p1:t1");
  REQUIRE(w.reference.Tenant("p1:t1", &w.client).has_value());

  w.Usage("p1:t1", 64);  // exactly the limit: still caught up from the log
  auto caught = w.reference.Tenant("p1:t1", nullptr);
  REQUIRE(caught.has_value());
  CHECK((*caught)->state.period_api_calls == 64);
  CHECK(w.reference.stats().catch_ups == 1);

  w.Usage("p1:t1", 65);
  auto behind = w.reference.Tenant("p1:t1", nullptr);
  REQUIRE_FALSE(behind.has_value());
  CHECK(behind.error().kind == ReferenceError::Kind::kWouldWait);
  auto reloaded = w.reference.Tenant("p1:t1", &w.client);
  REQUIRE(reloaded.has_value());
  CHECK((*reloaded)->state.period_api_calls == 129);
  CHECK((*reloaded)->state == w.ActorState("p1:t1"));
  CHECK(w.reference.stats().reloads == 2);
  CHECK(w.reference.stats().catch_ups == 1);
}

TEST_CASE("an unknown tenant, partner or catalog is answered from the log without an actor", "[gateway][reference]") {
  World w;
  auto tenant = w.reference.Tenant("nobody", nullptr);
  REQUIRE(tenant.has_value());
  CHECK_FALSE((*tenant)->exists());
  auto odd = w.reference.Tenant("no/such tenant", nullptr);  // not even a stream name
  REQUIRE(odd.has_value());
  CHECK_FALSE((*odd)->exists());
  auto partner = w.reference.Partner("nobody", nullptr);
  REQUIRE(partner.has_value());
  CHECK(partner->version == 0);
  CHECK(partner->As<domain::partner::State>().prices.entries.empty());
  auto catalog = w.reference.Catalog("nobody", nullptr);
  REQUIRE(catalog.has_value());
  CHECK(catalog->version == 0);
  CHECK(catalog->As<domain::catalog::State>().items.empty());
  CHECK(w.reference.stats().reloads == 0);
}

TEST_CASE("partner and catalog snapshots are served while their stream has not moved and read again when it has",
          "[gateway][reference]") {
  World w;
  w.Partner("p1");
  w.Tenant("p1:t1");
  w.Must(actors::PartnerKey("p1"), domain::partner::SetPriceList{Prices(1000), kT0});
  w.Must(actors::CatalogKey("p1:t1"), domain::catalog::ImportItems{{{1, {"BOLT", "Bolt", "box", "hardware", 10, false, ""}}},
                                                                 true, false, {"box"}, {"hardware"}, kT0});

  auto partner = w.reference.Partner("p1", &w.client);
  auto catalog = w.reference.Catalog("p1:t1", &w.client);
  REQUIRE(partner.has_value());
  REQUIRE(catalog.has_value());
  CHECK(w.reference.stats().reloads == 2);
  // Hits: answered without waiting, from the same state.
  auto partner_hit = w.reference.Partner("p1", nullptr);
  auto catalog_hit = w.reference.Catalog("p1:t1", nullptr);
  REQUIRE(partner_hit.has_value());
  REQUIRE(catalog_hit.has_value());
  CHECK(partner_hit->state == partner->state);
  CHECK(catalog_hit->state == catalog->state);
  CHECK(w.reference.stats().hits == 2);
  CHECK(w.reference.stats().reloads == 2);

  // Misses: the streams moved, only the actor knows the new state.
  w.Must(actors::PartnerKey("p1"), domain::partner::SetPriceList{Prices(1200), kT0});
  w.Must(actors::CatalogKey("p1:t1"), domain::catalog::ImportItems{{{1, {"NUT", "Nut", "box", "hardware", 10, false, ""}}},
                                                                 true, false, {"box"}, {"hardware"}, kT0});
  auto partner_miss = w.reference.Partner("p1", nullptr);
  REQUIRE_FALSE(partner_miss.has_value());
  CHECK(partner_miss.error().kind == ReferenceError::Kind::kWouldWait);
  auto partner_new = w.reference.Partner("p1", &w.client);
  auto catalog_new = w.reference.Catalog("p1:t1", &w.client);
  REQUIRE(partner_new.has_value());
  REQUIRE(catalog_new.has_value());
  CHECK(partner_new->version == partner->version + 1);
  CHECK(partner_new->As<domain::partner::State>().prices == Prices(1200));
  CHECK(catalog_new->As<domain::catalog::State>().items.contains("NUT"));
  CHECK(w.reference.stats().reloads == 4);
}

TEST_CASE("the least recently used entry is forgotten beyond the capacity", "[gateway][reference]") {
  SECTION("the map") {
    LruMap<std::string, int> map(2);
    map.Put("a", 1);
    map.Put("b", 2);
    CHECK(map.Get("a") == 1);  // now b is the least recently used
    map.Put("c", 3);
    CHECK(map.size() == 2);
    CHECK(map.evictions() == 1);
    CHECK_FALSE(map.Get("b").has_value());
    CHECK(map.Get("a") == 1);
    CHECK(map.Get("c") == 3);
    map.Put("c", 2, [](int there) { return there > 2; });  // the newer one there stays
    CHECK(map.Get("c") == 3);
    map.Put("c", 5, [](int there) { return there > 5; });
    CHECK(map.Get("c") == 5);
  }
  SECTION("tenant facts") {
    ReferenceData::Options small;
    small.tenants = 2;
    World w(small);
    w.Partner("p1");
    for (const char* id : {"p1:t1", "p2:t2", "p1:t3"}) {
      w.Tenant(id);
      REQUIRE(w.reference.Tenant(id, &w.client).has_value());
    }
    CHECK(w.reference.stats().evictions == 1);
    auto forgotten = w.reference.Tenant("p1:t1", nullptr);
    REQUIRE_FALSE(forgotten.has_value());
    CHECK(forgotten.error().kind == ReferenceError::Kind::kWouldWait);
    CHECK(w.reference.Tenant("p1:t3", nullptr).has_value());
    CHECK(w.reference.Tenant("p1:t1", &w.client).has_value());  // back, at t2's expense
    CHECK(w.reference.stats().evictions == 2);
    CHECK_FALSE(w.reference.Tenant("p2:t2", nullptr).has_value());
  }
}

TEST_CASE("readers on many threads always see one consistent, current-or-newer tenant while it changes",
          "[gateway][reference]") {
  ReferenceData::Options small;
  small.tenants = 3;  // the readers also evict each other
  World w(small);
  w.Partner("p1");
  const std::vector<std::string> tenants{"p1:t1", "p2:t2", "p1:t3", "p1:t4"};
  for (const auto& id : tenants) w.Tenant(id);
  std::vector<std::uint64_t> base;
  for (const auto& id : tenants) base.push_back(w.client.Get(actors::TenantKey(id))->version);

  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::atomic<std::uint64_t> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 6; ++r) {
    readers.emplace_back([&, r] {
      actors::Client client(w.runtime);
      std::vector<std::uint64_t> seen(tenants.size(), 0);
      for (std::size_t n = 0; !stop.load(); ++n) {
        const std::size_t i = (n + static_cast<std::size_t>(r)) % tenants.size();
        const std::uint64_t floor = w.store->StreamVersion(actors::StreamOf(actors::TenantKey(tenants[i]))).value();
        auto facts = w.reference.Tenant(tenants[i], (n % 3 == 0) ? nullptr : &client);
        if (!facts) {
          if (facts.error().kind != ReferenceError::Kind::kWouldWait) ++bad;
          continue;
        }
        // Each usage event adds one API call: the state must be exactly the one of its version, at
        // least as new as the stream was before the call, and never older than one seen before.
        const auto& f = **facts;
        if (f.version < floor || f.version < seen[i]) ++bad;
        if (f.state.period_api_calls != static_cast<std::int64_t>(f.version - base[i])) ++bad;
        seen[i] = f.version;
        ++reads;
      }
    });
  }
  for (int round = 0; round < 40; ++round) {
    for (const auto& id : tenants) w.Usage(id, round % 10 == 9 ? 70 : 1);  // now and then too far behind
  }
  stop = true;
  for (auto& th : readers) th.join();
  CHECK(bad == 0);
  CHECK(reads > 0);
  const auto stats = w.reference.stats();  // every path was taken
  CHECK(stats.hits > 0);
  CHECK(stats.catch_ups > 0);
  CHECK(stats.reloads > tenants.size());
  CHECK(stats.evictions > 0);
  UNSCOPED_INFO("reads " << reads << ", hits " << stats.hits << ", catch-ups " << stats.catch_ups << ", reloads "
                         << stats.reloads << ", evictions " << stats.evictions);
  for (const auto& id : tenants) {
    auto facts = w.reference.Tenant(id, &w.client);
    REQUIRE(facts.has_value());
    CHECK((*facts)->state == w.ActorState(id));
  }
}
