// Stream id parsing: the tenant prefix is mandatory and malformed ids are refused with a reason.
#include <catch2/catch.hpp>

#include "eventstore/stream_id.hpp"

using namespace keel::eventstore;

TEST_CASE("a well-formed stream id splits into tenant and kind and id", "[eventstore][stream_id]") {
  auto id = ParseStreamId("t/acme/order/ORD-1");
  REQUIRE(id);
  CHECK(id->tenant == "acme");
  CHECK(id->kind == "order");
  CHECK(id->id == "ORD-1");
  auto nested = ParseStreamId("t/acme/warehouse/eu/ams-1");
  REQUIRE(nested);
  CHECK(nested->id == "eu/ams-1");
  CHECK(MakeStreamId("acme", "order", "1") == "t/acme/order/1");
}

TEST_CASE("malformed stream ids are invalid arguments", "[eventstore][stream_id]") {
  for (const char* bad : {"", "acme/order/1", "t/", "t/acme", "t/acme/order", "t/acme/order/",
                          "t//order/1", "t/acme//1", "t/ac me/order/1", "t/acme/order/1/",
                          "t/acme/order//1", "t/acme/ord\ner/1"}) {
    INFO(bad);
    auto id = ParseStreamId(bad);
    REQUIRE_FALSE(id);
    CHECK(id.error().code == Errc::kInvalidArgument);
  }
  CHECK_FALSE(ParseStreamId("t/" + std::string(129, 'a') + "/order/1"));
  CHECK_FALSE(ParseStreamId(std::string("t/ac\0me/order/1", 15)));
}
