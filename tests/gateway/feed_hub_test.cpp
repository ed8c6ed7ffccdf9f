// The feed hub over a real event store (no sockets): caught-up feeds share the hub's one thread and
// each sees every event once, in order; a feed from the past reads history on a thread of its own
// and joins the hub with no gap or duplicate while appends continue; a client that falls behind goes
// back to the store and returns, or is ended as a slow consumer after the grace; the catch-up cap;
// a revoked key ends its feed; invoice frames carry the revenue split for partner and platform feeds only.
#include <dirent.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "codec/codec.hpp"
#include "feed_hub.hpp"
#include "test_support.hpp"

using namespace keel::gateway;
using keel::eventstore::test::OpenOrDie;
using keel::eventstore::test::TempDir;

namespace {

std::size_t ThreadCount() {
  std::size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n;
}

// False if an append failed (no Catch2 macro: also called from other threads).
bool TryAppend(keel::eventstore::EventStore& store, int count, const std::string& stream = "t/acme/test/s1") {
  for (int i = 0; i < count; ++i) {
    if (!store.Append(stream, keel::eventstore::ExpectedVersion::Any(), {{"Tick", 1, "payload-" + std::to_string(i)}}))
      return false;
  }
  return true;
}
void AppendEvents(keel::eventstore::EventStore& store, int count, const std::string& stream = "t/acme/test/s1") {
  REQUIRE(TryAppend(store, count, stream));
}

// What one feed's client received: the positions of its frames, and how the feed ended.
struct Client {
  std::mutex mu;
  std::vector<std::uint64_t> positions;
  std::deque<std::shared_ptr<Feed>> untaken;  // frames the client has not taken yet (for slow clients)
  std::optional<FeedEnd> ended;
  bool takes_frames = true;  // false: a client that stopped reading

  FeedSink Sink() {
    FeedSink sink;
    sink.frame = [this](const std::shared_ptr<Feed>& feed, std::string frame) {
      std::lock_guard lock(mu);
      positions.push_back(nlohmann::json::parse(frame)["position"].get<std::uint64_t>());
      if (takes_frames) feed->queued.fetch_sub(1);
      else untaken.push_back(feed);
    };
    sink.end = [this](const std::shared_ptr<Feed>&, FeedEnd why) {
      std::lock_guard lock(mu);
      ended = why;
    };
    return sink;
  }
  // Takes one frame it had left (a slow client reading a little); false when there is none.
  bool TakeOne() {
    std::lock_guard lock(mu);
    if (untaken.empty()) return false;
    untaken.front()->queued.fetch_sub(1);
    untaken.pop_front();
    return true;
  }
  std::optional<FeedEnd> Ended() {
    std::lock_guard lock(mu);
    return ended;
  }
  std::size_t Count() {
    std::lock_guard lock(mu);
    return positions.size();
  }
  std::vector<std::uint64_t> Positions() {
    std::lock_guard lock(mu);
    return positions;
  }
};

template <class Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

std::vector<std::uint64_t> Range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (auto p = first; p <= last; ++p) out.push_back(p);
  return out;
}

const Principal kPlatform{"k-platform", Role::kPlatformOwner, "", "", ""};

struct World {
  TempDir dir;
  std::unique_ptr<keel::eventstore::EventStore> store = OpenOrDie(dir.str());
  FeedFormat format{*store};
  std::atomic<bool> key_active{true};
  std::atomic<int> key_lookups{0};
  std::atomic<std::uint64_t> revocations{0};
  std::unique_ptr<FeedHub> hub;
  // `count_revocations`: the hub looks keys up again only after a revocation (as the server's does).
  explicit World(FeedHubOptions options = {}, bool count_revocations = false) {
    std::function<std::uint64_t()> revoked;
    if (count_revocations) revoked = [this] { return revocations.load(); };
    hub = std::make_unique<FeedHub>(
        *store, format,
        [this](const std::string&) {
          ++key_lookups;
          return key_active.load();
        },
        options, revoked);
  }
  ~World() { hub->Stop(); }
};

}  // namespace

TEST_CASE("caught-up feeds share the hub's one thread and each gets every event once, in order", "[gateway][feed]") {
  std::vector<std::unique_ptr<Client>> clients;  // before the world: they outlive its hub
  World w;
  AppendEvents(*w.store, 5);  // before the feeds: not theirs
  constexpr int kFeeds = 300;  // more than the one-thread-per-feed design allowed (256)
  std::vector<std::shared_ptr<Feed>> feeds;
  const std::size_t threads_before = ThreadCount();
  for (int i = 0; i < kFeeds; ++i) {
    clients.push_back(std::make_unique<Client>());
    auto feed = w.hub->Subscribe(w.store->HeadPosition() + 1, kPlatform, clients.back()->Sink());
    REQUIRE(feed);
    feeds.push_back(feed);
  }
  CHECK(ThreadCount() < threads_before + 10);  // a caught-up feed costs no thread (it used to cost one each)
  CHECK(w.hub->stats().live == kFeeds);
  CHECK(w.hub->stats().catching_up == 0);
  AppendEvents(*w.store, 50);
  for (auto& c : clients) {
    REQUIRE(WaitFor([&] { return c->Count() >= 50; }));
    CHECK(c->Positions() == Range(6, 55));
  }
  for (auto& f : feeds) f->Stop();
  CHECK(w.hub->stats().live == 0);  // a stopped feed leaves the hub at once
  AppendEvents(*w.store, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (auto& c : clients) CHECK(c->Count() == 50);  // nothing after Stop
}

TEST_CASE("a feed from the past reads history on its own thread, then joins the hub with no gap or duplicate",
          "[gateway][feed]") {
  Client history, recent;
  World w;
  AppendEvents(*w.store, 2000);
  std::atomic<bool> appended_all{true};
  std::jthread appender([&] {  // live appends all along the catch-up and the hand-over
    for (int i = 0; i < 400; ++i) {
      if (!TryAppend(*w.store, 1, "t/acme/test/s" + std::to_string(i % 7))) appended_all = false;
      if (i % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  auto from_start = w.hub->Subscribe(1, kPlatform, history.Sink());
  auto from_middle = w.hub->Subscribe(1500, kPlatform, recent.Sink());
  REQUIRE(from_start);
  REQUIRE(from_middle);
  appender.join();
  REQUIRE(appended_all);
  const std::uint64_t head = w.store->HeadPosition();
  REQUIRE(head == 2400);
  REQUIRE(WaitFor([&] { return history.Count() >= head && recent.Count() >= head - 1499; }));
  CHECK(history.Positions() == Range(1, head));
  CHECK(recent.Positions() == Range(1500, head));
  // Both are on the hub now; if a hand-over is still pending, one more event settles it.
  if (!WaitFor([&] { return from_start->live() && from_middle->live(); }, std::chrono::seconds(2))) {
    AppendEvents(*w.store, 1);
    REQUIRE(WaitFor([&] { return from_start->live() && from_middle->live(); }));
  }
  CHECK(w.hub->stats().catching_up == 0);
  AppendEvents(*w.store, 3);
  const std::uint64_t end = w.store->HeadPosition();
  REQUIRE(WaitFor([&] { return history.Count() >= end; }));
  CHECK(history.Positions() == Range(1, end));
  REQUIRE(WaitFor([&] { return recent.Count() >= end - 1499; }));
  CHECK(recent.Positions() == Range(1500, end));
}

TEST_CASE("a client that falls behind goes back to the store, catches up and returns to the hub", "[gateway][feed]") {
  FeedHubOptions options;
  options.queue_limit = 5;
  options.slow_consumer_grace = std::chrono::seconds(10);
  Client slow, fast;
  World w(options);
  slow.takes_frames = false;
  auto slow_feed = w.hub->Subscribe(1, kPlatform, slow.Sink());
  auto fast_feed = w.hub->Subscribe(1, kPlatform, fast.Sink());
  REQUIRE(slow_feed);
  REQUIRE(fast_feed);
  AppendEvents(*w.store, 100);
  REQUIRE(WaitFor([&] { return fast.Count() >= 100; }));
  CHECK(fast.Positions() == Range(1, 100));
  // The slow client holds 5 frames and no more: the rest wait in the store, not in memory.
  REQUIRE(WaitFor([&] { return slow.Count() == 5; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(slow.Count() == 5);
  CHECK(!slow_feed->live());
  // It reads at its own pace and gets everything, in order, once.
  REQUIRE(WaitFor([&] {
    while (slow.TakeOne()) {
    }
    return slow.Count() >= 100;
  }));
  CHECK(slow.Positions() == Range(1, 100));
  while (slow.TakeOne()) {
  }
  {
    std::lock_guard lock(slow.mu);
    slow.takes_frames = true;  // it keeps up from now on
  }
  AppendEvents(*w.store, 2);
  REQUIRE(WaitFor([&] { return slow.Count() >= 102 && slow_feed->live(); }));
  CHECK(slow.Positions() == Range(1, 102));
  CHECK(!slow.Ended());
  CHECK(w.hub->stats().catching_up == 0);
}

TEST_CASE("a client that stops reading is ended as a slow consumer after the grace, the others go on",
          "[gateway][feed]") {
  FeedHubOptions options;
  options.queue_limit = 5;
  options.slow_consumer_grace = std::chrono::milliseconds(200);
  Client stuck, fast;
  World w(options);
  stuck.takes_frames = false;
  auto stuck_feed = w.hub->Subscribe(w.store->HeadPosition() + 1, kPlatform, stuck.Sink());
  auto fast_feed = w.hub->Subscribe(w.store->HeadPosition() + 1, kPlatform, fast.Sink());
  AppendEvents(*w.store, 20);
  REQUIRE(WaitFor([&] { return stuck.Ended().has_value(); }));
  CHECK(*stuck.Ended() == FeedEnd::kSlowConsumer);
  CHECK(stuck.Positions() == Range(1, 5));
  CHECK(stuck_feed->closed());
  REQUIRE(WaitFor([&] { return fast.Count() >= 20; }));
  CHECK(fast.Positions() == Range(1, 20));
  CHECK(w.hub->stats().catching_up == 0);
  AppendEvents(*w.store, 1);
  REQUIRE(WaitFor([&] { return fast.Count() >= 21; }));
  CHECK(stuck.Count() == 5);
}

TEST_CASE("feeds reading history at once are capped, live feeds are not", "[gateway][feed]") {
  FeedHubOptions options;
  options.queue_limit = 1;
  options.slow_consumer_grace = std::chrono::seconds(30);  // they stay on their catch-up threads
  options.max_catching_up = 2;
  Client a, b, c, d;
  World w(options);
  AppendEvents(*w.store, 10);
  a.takes_frames = b.takes_frames = c.takes_frames = false;
  auto fa = w.hub->Subscribe(1, kPlatform, a.Sink());
  auto fb = w.hub->Subscribe(1, kPlatform, b.Sink());
  REQUIRE(fa);
  REQUIRE(fb);
  CHECK(w.hub->stats().catching_up == 2);
  CHECK(w.hub->Subscribe(1, kPlatform, c.Sink()) == nullptr);              // a third would need a thread
  auto fd = w.hub->Subscribe(w.store->HeadPosition() + 1, kPlatform, d.Sink());  // a live one needs none
  CHECK(fd);
  fa->Stop();
  CHECK(w.hub->stats().catching_up == 1);
  CHECK(w.hub->Subscribe(1, kPlatform, c.Sink()) != nullptr);
  w.hub->Stop();
  CHECK(w.hub->stats().catching_up == 0);
  CHECK(w.hub->Subscribe(1, kPlatform, c.Sink()) == nullptr);  // stopped
}

TEST_CASE("a key revoked while its feed is open ends the feed", "[gateway][feed]") {
  Client client;
  World w;
  auto feed = w.hub->Subscribe(w.store->HeadPosition() + 1, kPlatform, client.Sink());
  AppendEvents(*w.store, 3);
  REQUIRE(WaitFor([&] { return client.Count() >= 3; }));
  w.key_active = false;
  AppendEvents(*w.store, 2);
  REQUIRE(WaitFor([&] { return client.Ended().has_value(); }));
  CHECK(*client.Ended() == FeedEnd::kKeyRevoked);
  CHECK(client.Positions() == Range(1, 3));
  CHECK(feed->closed());
}

TEST_CASE("when too many clients are behind at once, the next one to fall behind is ended at once",
          "[gateway][feed]") {
  FeedHubOptions options;
  options.queue_limit = 1;
  options.slow_consumer_grace = std::chrono::seconds(30);  // those with a thread wait for their client
  options.max_catching_up = 1;
  options.max_fallen_behind = 1;  // two waiting threads in all
  Client a, b, c;
  World w(options);
  for (Client* client : {&a, &b, &c}) client->takes_frames = false;
  auto fa = w.hub->Subscribe(w.store->HeadPosition() + 1, kPlatform, a.Sink());
  auto fb = w.hub->Subscribe(w.store->HeadPosition() + 1, kPlatform, b.Sink());
  auto fc = w.hub->Subscribe(w.store->HeadPosition() + 1, kPlatform, c.Sink());
  AppendEvents(*w.store, 2);  // each takes one frame, then falls behind on the second
  REQUIRE(WaitFor([&] { return a.Ended() || b.Ended() || c.Ended(); }, std::chrono::seconds(10)));  // not the 30 s grace
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  int slow = 0;
  for (Client* client : {&a, &b, &c}) slow += client->Ended() == FeedEnd::kSlowConsumer;
  CHECK(slow == 1);
  CHECK(w.hub->stats().catching_up == 2);
  CHECK(w.hub->stats().live == 0);
}

TEST_CASE("with a revocation count, keys are looked up once per feed and again only after a revocation",
          "[gateway][feed]") {
  std::vector<std::unique_ptr<Client>> clients;
  World w({}, /*count_revocations=*/true);
  std::vector<std::shared_ptr<Feed>> feeds;
  for (int i = 0; i < 10; ++i) {
    clients.push_back(std::make_unique<Client>());
    feeds.push_back(w.hub->Subscribe(w.store->HeadPosition() + 1, kPlatform, clients.back()->Sink()));
  }
  AppendEvents(*w.store, 50);
  for (auto& c : clients) REQUIRE(WaitFor([&] { return c->Count() >= 50; }));
  CHECK(w.key_lookups == 10);  // one per feed, not 500
  // Some other key is revoked: each feed looks its own up once more, and goes on.
  w.revocations = 1;
  AppendEvents(*w.store, 5);
  for (auto& c : clients) REQUIRE(WaitFor([&] { return c->Count() >= 55; }));
  CHECK(w.key_lookups == 20);
  // Theirs is revoked: the next event ends every feed, before it is delivered.
  w.key_active = false;
  w.revocations = 2;
  AppendEvents(*w.store, 1);
  for (auto& c : clients) {
    REQUIRE(WaitFor([&] { return c->Ended().has_value(); }));
    CHECK(*c->Ended() == FeedEnd::kKeyRevoked);
    CHECK(c->Count() == 55);
  }
}

// -- the revenue split: for the partner and the platform owner, not for tenant-bound keys --

namespace {

void AppendDomainEvent(keel::eventstore::EventStore& store, const std::string& stream, const keel::codec::EncodedEvent& e) {
  REQUIRE(store.Append(stream, keel::eventstore::ExpectedVersion::Any(), {{e.type, e.schema_version, e.payload}}));
}

keel::domain::billing::InvoiceIssued Invoice() {
  keel::domain::billing::InvoiceIssued e;
  e.invoice_id = "INV-acme-1";
  e.tenant = "acme";
  e.currency = "EUR";
  e.lines = {{"plan", "plan growth (shared)", 89900}};
  e.total = 89900;
  e.partner_share = 17980;
  e.platform_share = 71920;
  return e;
}

}  // namespace

TEST_CASE("invoice frames show the revenue split to partner and platform feeds only, rendered once per audience",
          "[gateway][feed]") {
  namespace d = keel::domain;
  std::vector<std::unique_ptr<Client>> clients;  // before the world: they outlive its hub
  World w;
  d::tenant::TenantProvisioned provisioned;
  provisioned.id = "acme";
  provisioned.partner = "p1";
  provisioned.name = "Acme";
  AppendDomainEvent(*w.store, "t/acme/tenant/acme", keel::codec::Encode(d::tenant::Event(provisioned)));
  const std::vector<Principal> who{kPlatform,
                                   {"k-partner", Role::kPartnerAdmin, "p1", "", ""},
                                   {"k-analyst", Role::kAnalyst, "p1", "", ""},
                                   {"k-operator", Role::kTenantOperator, "p1", "acme", ""},
                                   {"k-operator-2", Role::kTenantOperator, "p1", "acme", ""},
                                   {"k-tenant-analyst", Role::kAnalyst, "p1", "acme", ""}};
  std::vector<std::vector<std::string>> frames(who.size());
  std::mutex mu;
  std::vector<std::shared_ptr<Feed>> feeds;
  for (std::size_t i = 0; i < who.size(); ++i) {
    FeedSink sink;
    sink.frame = [&, i](const std::shared_ptr<Feed>& feed, std::string frame) {
      std::lock_guard lock(mu);
      frames[i].push_back(std::move(frame));
      feed->queued.fetch_sub(1);
    };
    sink.end = [](const std::shared_ptr<Feed>&, FeedEnd) {};
    feeds.push_back(w.hub->Subscribe(w.store->HeadPosition() + 1, who[i], sink));
    REQUIRE(feeds.back());
  }
  const auto renders_before = w.format.renders();
  AppendDomainEvent(*w.store, "t/acme/billing/main", keel::codec::Encode(d::billing::Event(Invoice())));
  AppendDomainEvent(*w.store, "t/acme/billing/main",
                    keel::codec::Encode(d::billing::Event(d::billing::PaymentRecorded{"INV-acme-1", "pay-1", 100, 0})));
  REQUIRE(WaitFor([&] {
    std::lock_guard lock(mu);
    return std::all_of(frames.begin(), frames.end(), [](const auto& f) { return f.size() == 2; });
  }));
  for (auto& f : feeds) f->Stop();
  std::lock_guard lock(mu);
  for (std::size_t i = 0; i < who.size(); ++i) {
    INFO("feed of " << who[i].key_id);
    const auto invoice = nlohmann::json::parse(frames[i][0]);
    CHECK(invoice["event_type"] == "InvoiceIssued");
    CHECK(invoice["data"]["total"] == 89900);
    CHECK(invoice["data"]["lines"].size() == 1);
    const bool tenant_bound = !who[i].tenant.empty();
    CHECK(invoice["data"].contains("partner_share") == !tenant_bound);
    CHECK(invoice["data"].contains("platform_share") == !tenant_bound);
    if (!tenant_bound) CHECK(invoice["data"]["partner_share"] == 17980);
    CHECK(nlohmann::json::parse(frames[i][1])["data"]["amount"] == 100);
  }
  // The invoice was rendered once per audience (2), the payment, the same for all, once.
  CHECK(w.format.renders() - renders_before == 3);
}
