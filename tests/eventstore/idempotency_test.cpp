// Idempotency keys: a retry returns the first result and writes nothing; another request under the
// same key is a conflict; keys are per tenant, survive a restart and expire after the window.
#include <catch2/catch.hpp>

#include <future>

#include "raw_db.hpp"
#include "test_support.hpp"

using namespace keel::eventstore;
using namespace keel::eventstore::test;

namespace {

AppendRequest Place(std::string stream, std::string payload, std::string key) {
  AppendRequest r;
  r.streams.push_back({std::move(stream), ExpectedVersion::NoStream(), {Ev("OrderPlaced", std::move(payload))}});
  r.idempotency_key = std::move(key);
  r.metadata.principal = "tenant-operator:u1";
  return r;
}

// A store clock the test moves by hand, and a ten-minute retention window.
struct SimulatedClock {
  std::shared_ptr<std::atomic<std::int64_t>> now = std::make_shared<std::atomic<std::int64_t>>(1'000'000);
  Options StoreOptions() const {
    Options options;
    options.clock_ms = [now = now] { return now->load(); };
    options.idempotency_retention = std::chrono::minutes(10);
    return options;
  }
  void AdvanceMinutes(int minutes) { *now += minutes * 60'000; }
};

}  // namespace

TEST_CASE("the same key with the same request returns the first result and writes nothing",
          "[eventstore][idempotency]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  auto first = store->Append(Place("t/acme/order/1", "{\"qty\":2}", "k1"));
  REQUIRE(first);
  auto retry_request = Place("t/acme/order/1", "{\"qty\":2}", "k1");
  retry_request.metadata.correlation_id = "another-http-request";  // a retry may change these
  retry_request.metadata.timestamp_ms = 99;
  auto retry = store->Append(retry_request);
  REQUIRE(retry);  // not a version conflict, although the stream now exists
  CHECK(retry->duplicate);
  CHECK(retry->first_position == first->first_position);
  CHECK(retry->last_position == first->last_position);
  CHECK(retry->streams == first->streams);
  CHECK(store->HeadPosition() == 1);
  CHECK(store->ReadAll(1).value().size() == 1);
}

TEST_CASE("the same key with a different request is an idempotency conflict",
          "[eventstore][idempotency]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  REQUIRE(store->Append(Place("t/acme/order/1", "{\"qty\":2}", "k1")));
  auto other_payload = store->Append(Place("t/acme/order/1", "{\"qty\":3}", "k1"));
  REQUIRE_FALSE(other_payload);
  CHECK(other_payload.error().code == Errc::kIdempotencyConflict);
  auto other_stream = store->Append(Place("t/acme/order/2", "{\"qty\":2}", "k1"));
  REQUIRE_FALSE(other_stream);
  CHECK(other_stream.error().code == Errc::kIdempotencyConflict);
  auto other_principal = Place("t/acme/order/1", "{\"qty\":2}", "k1");
  other_principal.metadata.principal = "someone-else";
  CHECK(store->Append(other_principal).error().code == Errc::kIdempotencyConflict);
  CHECK(store->HeadPosition() == 1);
}

TEST_CASE("idempotency keys are scoped to their tenant", "[eventstore][idempotency]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  REQUIRE(store->Append(Place("t/acme/order/1", "x", "k1")));
  auto other = store->Append(Place("t/globex/order/1", "x", "k1"));
  REQUIRE(other);
  CHECK_FALSE(other->duplicate);
  CHECK(other->first_position == 2);
  auto looked_up = store->LookupIdempotency("acme", "k1").value();
  REQUIRE(looked_up);
  CHECK(looked_up->first_position == 1);
  CHECK_FALSE(store->LookupIdempotency("acme", "k2").value());
  CHECK(store->LookupIdempotency("no tenant", "k1").error().code == Errc::kInvalidArgument);
}

TEST_CASE("a caller's command fingerprint decides sameness, at append and at lookup", "[eventstore][idempotency]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  auto first = Place("t/acme/order/1", "{\"qty\":2}", "k1");
  first.fingerprint = "cmd-A";
  REQUIRE(store->Append(first));
  // Different events, same command: a retry decided on newer state is still the first command.
  auto retry = Place("t/acme/order/1", "{\"qty\":2,\"at\":5}", "k1");
  retry.fingerprint = "cmd-A";
  CHECK(store->Append(retry)->duplicate);
  auto other = Place("t/acme/order/1", "{\"qty\":2}", "k1");
  other.fingerprint = "cmd-B";
  CHECK(store->Append(other).error().code == Errc::kIdempotencyConflict);
  CHECK(store->LookupIdempotency("acme", "k1", "cmd-A").value()->first_position == 1);
  CHECK(store->LookupIdempotency("acme", "k1", "cmd-B").error().code == Errc::kIdempotencyConflict);
  CHECK(store->LookupIdempotency("acme", "k1").value()->first_position == 1);  // no fingerprint: no check
  CHECK(store->HeadPosition() == 1);
}

TEST_CASE("remembered keys survive a restart", "[eventstore][idempotency]") {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.str());
    REQUIRE(store->Append(Place("t/acme/order/1", "x", "k1")));
  }
  auto store = OpenOrDie(dir.str());
  auto retry = store->Append(Place("t/acme/order/1", "x", "k1"));
  REQUIRE(retry);
  CHECK(retry->duplicate);
  CHECK(retry->first_position == 1);
  CHECK(store->HeadPosition() == 1);
}

TEST_CASE("a key is forgotten after the retention window", "[eventstore][idempotency]") {
  TempDir dir;
  SimulatedClock clock;
  auto store = OpenOrDie(dir.str(), clock.StoreOptions());
  REQUIRE(store->Append(Place("t/acme/order/1", "x", "k1")));

  clock.AdvanceMinutes(9);  // inside the window: still a duplicate
  CHECK(store->Append(Place("t/acme/order/1", "x", "k1"))->duplicate);

  clock.AdvanceMinutes(2);  // past the window: the key is free again, the request is decided afresh
  CHECK_FALSE(store->LookupIdempotency("acme", "k1").value());
  auto fresh = store->Append(Place("t/acme/order/1", "x", "k1"));
  REQUIRE_FALSE(fresh);  // the stream exists now, so NoStream conflicts: a real new decision
  CHECK(fresh.error().code == Errc::kVersionConflict);
  AppendRequest any = Place("t/acme/order/1", "y", "k1");
  any.streams[0].expected = ExpectedVersion::Any();
  auto reused = store->Append(any);
  REQUIRE(reused);
  CHECK_FALSE(reused->duplicate);
  CHECK(reused->first_position == 2);
}

TEST_CASE("retries of one key queued into the same group commit exactly once",
          "[eventstore][idempotency]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  WriterGate gate(*store);  // position 1 is the gate's event
  constexpr int kRetries = 50;
  std::vector<std::promise<Result<AppendResult>>> promises(kRetries);
  for (int i = 0; i < kRetries; ++i) {
    store->AppendAsync(Place("t/acme/order/1", "x", "k1"),
                       [&promises, i](Result<AppendResult> r) { promises[i].set_value(std::move(r)); });
  }
  gate.Release();
  int originals = 0;
  for (auto& p : promises) {
    auto r = p.get_future().get();
    REQUIRE(r);
    CHECK(r->first_position == 2);
    if (!r->duplicate) ++originals;
  }
  CHECK(originals == 1);
  CHECK(store->HeadPosition() == 2);
}

TEST_CASE("expired keys are purged from disk", "[eventstore][idempotency]") {
  TempDir dir;
  SimulatedClock clock;
  {
    auto store = OpenOrDie(dir.str(), clock.StoreOptions());
    REQUIRE(store->Append(Place("t/acme/order/1", "x", "old")));
    clock.AdvanceMinutes(8);
    REQUIRE(store->Append(Place("t/acme/order/2", "x", "young")));
    clock.AdvanceMinutes(3);  // "old" is 11 minutes old, "young" 3
    REQUIRE(store->PurgeExpiredIdempotencyKeys());
  }
  std::vector<std::string> remaining;
  WithRawColumnFamily(dir.str(), "idempotency", [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator({}, cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) remaining.push_back(it->key().ToString());
  });
  CHECK(remaining == std::vector<std::string>{std::string("acme\0young", 10)});
}
