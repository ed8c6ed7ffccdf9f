// Snapshots (latest per stream), checkpoints, and read-model batches committed atomically with
// their checkpoint.
#include <catch2/catch.hpp>

#include "test_support.hpp"

using namespace keel::eventstore;
using namespace keel::eventstore::test;

TEST_CASE("a stream keeps only its newest snapshot", "[eventstore][snapshot]") {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.str());
    CHECK_FALSE(store->LoadSnapshot("t/acme/order/1").value());
    REQUIRE(store->SaveSnapshot("t/acme/order/1", {10, "state@10"}));
    REQUIRE(store->SaveSnapshot("t/acme/order/1", {20, "state@20"}));
    REQUIRE(store->SaveSnapshot("t/acme/order/1", {15, "late writer"}));  // older: ignored
    REQUIRE(store->SaveSnapshot("t/acme/order/2", {3, std::string("\0bin", 4)}));
  }
  auto store = OpenOrDie(dir.str());
  auto s1 = store->LoadSnapshot("t/acme/order/1").value();
  REQUIRE(s1);
  CHECK(s1->version == 20);
  CHECK(s1->bytes == "state@20");
  CHECK(store->LoadSnapshot("t/acme/order/2").value()->bytes == std::string("\0bin", 4));
  CHECK(store->SaveSnapshot("bad id", {1, "x"}).error().code == Errc::kInvalidArgument);
  CHECK(store->LoadSnapshot("bad id").error().code == Errc::kInvalidArgument);
}

TEST_CASE("checkpoints are named positions that survive a restart", "[eventstore][checkpoint]") {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.str());
    CHECK_FALSE(store->LoadCheckpoint("analytics").value());
    REQUIRE(store->SaveCheckpoint("analytics", 41));
    REQUIRE(store->SaveCheckpoint("analytics", 42));
    REQUIRE(store->SaveCheckpoint("billing", 7));
  }
  auto store = OpenOrDie(dir.str());
  CHECK(store->LoadCheckpoint("analytics").value() == std::optional<std::uint64_t>(42));
  CHECK(store->LoadCheckpoint("billing").value() == std::optional<std::uint64_t>(7));
  CHECK(store->SaveCheckpoint("", 1).error().code == Errc::kInvalidArgument);
}

TEST_CASE("a read-model batch and its checkpoint are written together", "[eventstore][checkpoint]") {
  TempDir dir;
  auto store = OpenOrDie(dir.str());
  REQUIRE(store->CommitReadModel({"gmv", {{"acme", "100"}, {"globex", "50"}}, {}, 10}));
  REQUIRE(store->CommitReadModel({"gmv", {{"acme", "180"}}, {"globex"}, 12}));
  CHECK(store->ReadModelGet("gmv", "acme").value() == std::optional<std::string>("180"));
  CHECK_FALSE(store->ReadModelGet("gmv", "globex").value());
  CHECK(store->LoadCheckpoint("gmv").value() == std::optional<std::uint64_t>(12));
  // Models are separate namespaces.
  REQUIRE(store->CommitReadModel({"gmv2", {{"acme", "1"}}, {}, 1}));
  CHECK(store->ReadModelGet("gmv", "acme").value() == std::optional<std::string>("180"));
  REQUIRE(store->CommitReadModel({"gmv", {{"acme/eu", "1"}, {"acme/us", "2"}, {"acmf", "3"}}, {}, 13}));
  std::vector<std::string> seen;
  CHECK(store->ReadModelScan("gmv", "acme", [&](std::string_view k, std::string_view v) {
    seen.push_back(std::string(k) + "=" + std::string(v));
    return true;
  }).value() == 3);
  CHECK(seen == std::vector<std::string>{"acme=180", "acme/eu=1", "acme/us=2"});
}
