// Appends: positions and versions, optimistic concurrency, atomic multi-stream appends, bad input.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace keel::eventstore;
using namespace keel::eventstore::test;

TEST_CASE("appends get gapless positions and per-stream versions", "[eventstore][append]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  auto a = store->Append("t/acme/order/1", ExpectedVersion::NoStream(), {Ev("OrderPlaced"), Ev("OrderApproved")});
  REQUIRE(a);
  CHECK(a->first_position == 1);
  CHECK(a->last_position == 2);
  REQUIRE(a->streams.size() == 1);
  CHECK(a->streams[0] == StreamResult{"t/acme/order/1", 1, 2, 1, 2});
  CHECK_FALSE(a->duplicate);

  auto b = store->Append("t/acme/order/2", ExpectedVersion::Any(), {Ev("OrderPlaced")});
  REQUIRE(b);
  CHECK(b->streams[0] == StreamResult{"t/acme/order/2", 1, 1, 3, 3});
  auto c = store->Append("t/acme/order/1", ExpectedVersion::Exact(2), {Ev("OrderShipped")});
  REQUIRE(c);
  CHECK(c->streams[0] == StreamResult{"t/acme/order/1", 3, 3, 4, 4});
  CHECK(store->HeadPosition() == 4);
  CHECK(store->StreamVersion("t/acme/order/1").value() == 3);
  CHECK(store->StreamVersion("t/acme/order/9").value() == 0);
}

TEST_CASE("an envelope keeps every field of the append", "[eventstore][append]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  Metadata meta{1'700'000'000'123, "partner:p1/key:k9", "corr-7", "cmd-3"};
  REQUIRE(store->Append("t/acme/order/1", ExpectedVersion::Any(),
                        {EventData{"OrderPlaced", 3, std::string("\0\x01\xffpayload", 10)}}, meta, "idem-1"));
  auto events = store->ReadAll(1).value();
  REQUIRE(events.size() == 1);
  const auto& e = events[0];
  CHECK(e.position == 1);
  CHECK(e.version == 1);
  CHECK(e.stream == "t/acme/order/1");
  CHECK(e.tenant == "acme");
  CHECK(e.type == "OrderPlaced");
  CHECK(e.schema_version == 3);
  CHECK(e.timestamp_ms == 1'700'000'000'123);
  CHECK(e.principal == "partner:p1/key:k9");
  CHECK(e.correlation_id == "corr-7");
  CHECK(e.causation_id == "cmd-3");
  CHECK(e.idempotency_key == "idem-1");
  CHECK(e.payload == std::string("\0\x01\xffpayload", 10));
  CHECK(e.hash.size() == 32);
  CHECK(e.prev_hash == std::string(32, '\0'));
}

TEST_CASE("events without a time are stamped by the store's clock", "[eventstore][append]") {
  TempDir dir;
  Options options;
  options.clock_ms = [] { return std::int64_t{42'000}; };
  auto store = OpenOrDie(dir.str(), options);
  REQUIRE(store->Append("t/acme/order/1", ExpectedVersion::Any(), {Ev("OrderPlaced")}));
  CHECK(store->ReadAll(1).value().at(0).timestamp_ms == 42'000);
}

TEST_CASE("a version mismatch is a conflict naming the actual version", "[eventstore][append]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  REQUIRE(store->Append("t/acme/order/1", ExpectedVersion::NoStream(), {Ev("A"), Ev("B")}));

  auto again = store->Append("t/acme/order/1", ExpectedVersion::NoStream(), {Ev("C")});
  REQUIRE_FALSE(again);
  CHECK(again.error().code == Errc::kVersionConflict);
  CHECK(again.error().actual_version == 2);
  CHECK(again.error().stream == "t/acme/order/1");

  auto stale = store->Append("t/acme/order/1", ExpectedVersion::Exact(1), {Ev("C")});
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == Errc::kVersionConflict);
  CHECK(stale.error().actual_version == 2);

  auto missing = store->Append("t/acme/order/2", ExpectedVersion::Exact(1), {Ev("C")});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().actual_version == 0);
  CHECK(store->HeadPosition() == 2);  // nothing written by the refusals
}

TEST_CASE("a multi-stream append is all or nothing", "[eventstore][append]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  REQUIRE(store->Append("t/acme/warehouse/w1", ExpectedVersion::NoStream(), {Ev("WarehouseCreated")}));

  AppendRequest ok;
  ok.streams = {{"t/acme/order/1", ExpectedVersion::NoStream(), {Ev("OrderPlaced")}},
                {"t/acme/warehouse/w1", ExpectedVersion::Exact(1), {Ev("StockReserved"), Ev("StockReserved")}}};
  auto r = store->Append(ok);
  REQUIRE(r);
  CHECK(r->first_position == 2);
  CHECK(r->last_position == 4);
  CHECK(r->streams[0] == StreamResult{"t/acme/order/1", 1, 1, 2, 2});
  CHECK(r->streams[1] == StreamResult{"t/acme/warehouse/w1", 2, 3, 3, 4});

  AppendRequest conflicting;
  conflicting.streams = {{"t/acme/order/2", ExpectedVersion::NoStream(), {Ev("OrderPlaced")}},
                         {"t/acme/warehouse/w1", ExpectedVersion::Exact(1), {Ev("StockReserved")}}};
  auto c = store->Append(conflicting);
  REQUIRE_FALSE(c);
  CHECK(c.error().code == Errc::kVersionConflict);
  CHECK(c.error().stream == "t/acme/warehouse/w1");
  CHECK(c.error().actual_version == 3);
  CHECK(store->HeadPosition() == 4);
  CHECK(store->StreamVersion("t/acme/order/2").value() == 0);
}

TEST_CASE("bad appends are refused as invalid arguments and write nothing", "[eventstore][append]") {
  TempDir dir;
  Options options;
  options.max_event_bytes = 1024;
  options.max_events_per_append = 5;
  auto store = OpenOrDie(dir.str(), options);
  auto expect_invalid = [&](AppendRequest req) {
    auto r = store->Append(std::move(req));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::kInvalidArgument);
    CHECK_FALSE(r.error().message.empty());
  };
  auto one = [](std::string stream, std::vector<EventData> events) {
    AppendRequest r;
    r.streams.push_back({std::move(stream), ExpectedVersion::Any(), std::move(events)});
    return r;
  };
  SECTION("no stream") { expect_invalid(AppendRequest{}); }
  SECTION("no events") { expect_invalid(one("t/acme/order/1", {})); }
  SECTION("bad stream id") { expect_invalid(one("orders/1", {Ev("A")})); }
  SECTION("empty event type") { expect_invalid(one("t/acme/order/1", {Ev("")})); }
  SECTION("oversized event") { expect_invalid(one("t/acme/order/1", {Ev("A", std::string(2000, 'x'))})); }
  SECTION("too many events") { expect_invalid(one("t/acme/order/1", std::vector<EventData>(6, Ev("A")))); }
  SECTION("negative time") {
    auto r = one("t/acme/order/1", {Ev("A")});
    r.metadata.timestamp_ms = -1;
    expect_invalid(r);
  }
  SECTION("oversized idempotency key") {
    auto r = one("t/acme/order/1", {Ev("A")});
    r.idempotency_key = std::string(2000, 'k');
    expect_invalid(r);
  }
  SECTION("the same stream twice") {
    AppendRequest r;
    r.streams = {{"t/acme/order/1", ExpectedVersion::Any(), {Ev("A")}},
                 {"t/acme/order/1", ExpectedVersion::Any(), {Ev("B")}}};
    expect_invalid(r);
  }
  SECTION("two tenants in one append") {
    AppendRequest r;
    r.streams = {{"t/acme/order/1", ExpectedVersion::Any(), {Ev("A")}},
                 {"t/globex/order/1", ExpectedVersion::Any(), {Ev("B")}}};
    expect_invalid(r);
  }
  CHECK(store->HeadPosition() == 0);
  CHECK(store->ReadAll(1).value().empty());
}

TEST_CASE("two appends expecting the same version in one group commit: the second conflicts",
          "[eventstore][append]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  WriterGate gate(*store);
  std::promise<Result<AppendResult>> first, second;
  auto place = [](std::string payload) {
    AppendRequest r;
    r.streams.push_back({"t/acme/order/1", ExpectedVersion::NoStream(), {Ev("OrderPlaced", std::move(payload))}});
    return r;
  };
  store->AppendAsync(place("a"), [&](Result<AppendResult> r) { first.set_value(std::move(r)); });
  store->AppendAsync(place("b"), [&](Result<AppendResult> r) { second.set_value(std::move(r)); });
  gate.Release();
  auto a = first.get_future().get();
  auto b = second.get_future().get();
  REQUIRE(a);
  REQUIRE_FALSE(b);
  CHECK(b.error().code == Errc::kVersionConflict);
  CHECK(b.error().actual_version == 1);
  CHECK(store->ReadStream("t/acme/order/1", 1).value().size() == 1);
}
