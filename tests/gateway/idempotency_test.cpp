// The Idempotency-Key store's purge against a real data directory: a slot that a request holds is
// never purged under it, an answer stored again since its expiry entry is kept, and times near the
// limits of int64 do not wrap into "expired".
#include <catch2/catch.hpp>

#include "idempotency.hpp"
#include "test_support.hpp"

using keel::gateway::IdempotencyCache;
using keel::gateway::Response;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;

std::size_t Entries(keel::eventstore::EventStore& store) {
  std::size_t n = 0;
  REQUIRE(store.ReadModelScan("http_idempotency", "", [&](std::string_view, std::string_view) {
    ++n;
    return true;
  }));
  return n;
}

Response Created(std::string body) {
  Response r;
  r.status = 201;
  r.body = std::move(body);
  return r;
}

// A first request with key `slot` at `at`, answered 201 with `body`.
void Answer(IdempotencyCache& cache, const std::string& slot, std::string body, std::int64_t at) {
  REQUIRE(cache.Begin(slot, "f", at).verdict == IdempotencyCache::Verdict::kNew);
  cache.Finish(slot, "f", Created(std::move(body)), at);
}

}  // namespace

TEST_CASE("an Idempotency-Key that a request holds is not purged under it", "[gateway][idempotency]") {
  keel::eventstore::test::TempDir dir;
  auto store = keel::eventstore::test::OpenOrDie(dir.str());
  IdempotencyCache cache(*store, kDay);
  Answer(cache, "k1", "first", 1'000);
  REQUIRE(Entries(*store) == 2);

  // A day later the same key comes back and is being handled when the purge runs.
  const std::int64_t later = 1'000 + kDay + 1;
  REQUIRE(cache.Begin("k1", "f", later).verdict == IdempotencyCache::Verdict::kNew);
  auto purged = cache.PurgeExpired(later);
  REQUIRE(purged.has_value());
  CHECK(*purged == 0);  // held: left for the next purge
  cache.Finish("k1", "f", Created("second"), later);
  // The purge now finds the old entry, sees the fresh answer and keeps it.
  purged = cache.PurgeExpired(later + 1);
  REQUIRE(purged.has_value());
  CHECK(*purged == 0);
  auto replay = cache.Begin("k1", "f", later + 2);
  REQUIRE(replay.verdict == IdempotencyCache::Verdict::kReplay);
  CHECK(replay.response.body == "second");
  CHECK(Entries(*store) == 2);  // the answer and its one current entry

  // A day after the second answer, it goes.
  purged = cache.PurgeExpired(later + kDay + 1);
  REQUIRE(purged.has_value());
  CHECK(*purged == 1);
  CHECK(Entries(*store) == 0);
  CHECK(cache.Begin("k1", "f", later + kDay + 2).verdict == IdempotencyCache::Verdict::kNew);
}

TEST_CASE("an answer kept longer than the retention after it was stored is re-indexed, not orphaned",
          "[gateway][idempotency]") {
  keel::eventstore::test::TempDir dir;
  auto store = keel::eventstore::test::OpenOrDie(dir.str());
  {
    IdempotencyCache short_lived(*store, 1'000);
    Answer(short_lived, "k2", "kept", 0);
  }
  // The retention grew to a day (a restart with another setting): the old entry says "expired at
  // 1,000", the answer is good until a day; the purge keeps it and indexes its real expiry.
  IdempotencyCache cache(*store, kDay);
  auto purged = cache.PurgeExpired(5'000);
  REQUIRE(purged.has_value());
  CHECK(*purged == 0);
  CHECK(Entries(*store) == 2);
  CHECK(cache.Begin("k2", "f", 6'000).verdict == IdempotencyCache::Verdict::kReplay);
  purged = cache.PurgeExpired(kDay + 1);
  REQUIRE(purged.has_value());
  CHECK(*purged == 1);
  CHECK(Entries(*store) == 0);
}

TEST_CASE("a retention near the int64 limit does not wrap into expired", "[gateway][idempotency]") {
  keel::eventstore::test::TempDir dir;
  auto store = keel::eventstore::test::OpenOrDie(dir.str());
  IdempotencyCache forever(*store, INT64_MAX);
  Answer(forever, "k3", "always", 1'000);
  auto purged = forever.PurgeExpired(INT64_MAX - 1);
  REQUIRE(purged.has_value());
  CHECK(*purged == 0);
  CHECK(forever.Begin("k3", "f", INT64_MAX - 1).verdict == IdempotencyCache::Verdict::kReplay);
}

TEST_CASE("answers stored before expiry entries existed are indexed once, then purged like the rest",
          "[gateway][idempotency]") {
  keel::eventstore::test::TempDir dir;
  auto store = keel::eventstore::test::OpenOrDie(dir.str());
  keel::eventstore::ReadModelBatch legacy;  // the layout before expiry entries: the answer alone
  legacy.model = "http_idempotency";
  legacy.puts.emplace_back(std::string("key0") + '\0' + "old",
                           R"({"fingerprint":"f","status":201,"content_type":"application/json","headers":[],"body":"old","at":1000})");
  REQUIRE(store->CommitReadModel(std::move(legacy)));
  IdempotencyCache cache(*store, kDay);
  auto purged = cache.PurgeExpired(2 * kDay);
  REQUIRE(purged.has_value());
  CHECK(*purged == 0);  // unreachable without an entry

  auto indexed = cache.IndexUnindexed();
  REQUIRE(indexed.has_value());
  CHECK(*indexed == 1);
  auto again = cache.IndexUnindexed();
  REQUIRE(again.has_value());
  CHECK(*again == 0);  // once per data directory

  purged = cache.PurgeExpired(2 * kDay);
  REQUIRE(purged.has_value());
  CHECK(*purged == 1);
  CHECK(Entries(*store) == 1);  // only the marker is left
}
