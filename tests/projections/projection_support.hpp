// Helpers of the projection tests: events appended as the runtime would (encoded by the codec, with a
// timestamp and a principal), and a read model's rows and entries read back.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "codec/codec.hpp"
#include "eventstore/store.hpp"

namespace keel::test {

namespace es = keel::eventstore;
using Json = nlohmann::json;

constexpr std::int64_t kT0 = 1'767'225'600'000;

// Appends without asserting (safe off the test's thread, where Catch2 must not be called).
template <class Event>
bool TryAppend(es::EventStore& store, const std::string& stream, const Event& event, std::int64_t at = kT0,
               const std::string& principal = "") {
  auto encoded = keel::codec::Encode(event);
  es::Metadata meta;
  meta.timestamp_ms = at;
  meta.principal = principal;
  return store.Append(stream, es::ExpectedVersion::Any(), {{encoded.type, encoded.schema_version, encoded.payload}}, meta)
      .has_value();
}

template <class Event>
void Append(es::EventStore& store, const std::string& stream, const Event& event, std::int64_t at = kT0,
            const std::string& principal = "") {
  REQUIRE(TryAppend(store, stream, event, at, principal));
}

// Every entry of a model, in key order: what "equal read models" means.
inline std::vector<std::pair<std::string, std::string>> Dump(const es::EventStore& store, const std::string& model) {
  std::vector<std::pair<std::string, std::string>> out;
  REQUIRE(store.ReadModelScan(model, "", [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  }).has_value());
  return out;
}

inline Json Row(const es::EventStore& store, const std::string& model, const std::string& key) {
  auto v = store.ReadModelGet(model, key);
  REQUIRE(v.has_value());
  REQUIRE(v->has_value());
  return Json::parse(**v);
}

inline bool Has(const es::EventStore& store, const std::string& model, const std::string& key) {
  auto v = store.ReadModelGet(model, key);
  REQUIRE(v.has_value());
  return v->has_value();
}

// Runs the crash driver (crash_driver.cpp) with `args` and SIGKILLs it once it has committed past a
// third of the log's `head`; the last position it reported (committed before the kill).
inline std::uint64_t KillDriverPastAThird(const std::vector<std::string>& args, std::uint64_t head) {
  std::uint64_t killed_at = 0;
  auto run = RunUntilKilled(KEEL_PROJECTIONS_CRASH_DRIVER, args, [&](const std::string& out) {
    const auto at = out.rfind("at ");
    if (at == std::string::npos) return false;
    killed_at = std::stoull(out.substr(at + 3));
    return killed_at > head / 3;
  });
  REQUIRE(run.died_of_sigkill);
  CHECK(killed_at < head);
  return killed_at;
}

}  // namespace keel::test
