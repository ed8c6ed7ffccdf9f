// Folding an entity's events in a read model with the domain's own Apply: the entity's state is kept
// in the model ("s/<stream>", the codec's snapshot bytes), so a read model derives its rows from the
// same state the entity has, never from a second reading of the events.
#pragma once

#include <expected>
#include <string>
#include <utility>

#include "codec/codec.hpp"
#include "codec/snapshot.hpp"
#include "eventstore/types.hpp"
#include "projections/projection.hpp"

namespace keel::projections {

template <class State>
struct Folded {
  State before, after;
  bool created = false;  // the entity had no state before this event
};

// Decodes `e` with `decode`, applies it with `apply` to the entity's kept state, keeps the new state.
template <class State, class DecodeFn, class ApplyFn>
std::expected<Folded<State>, std::string> FoldEntity(const eventstore::EventView& e, Model& model, DecodeFn decode,
                                                     ApplyFn apply) {
  const std::string key = "s/" + std::string(e.stream);
  Folded<State> f;
  if (auto bytes = model.Get(key)) {
    if (auto ok = codec::DecodeSnapshot(*bytes, f.before); !ok) return std::unexpected("kept state: " + ok.error().message);
  } else {
    f.created = true;
  }
  auto event = decode(e.type, e.schema_version, e.payload);
  if (!event) return std::unexpected("undecodable " + std::string(e.type) + ": " + event.error().message);
  f.after = f.before;
  apply(f.after, *event);
  model.Put(key, codec::EncodeSnapshot(f.after));
  return f;
}

// The tenant segment of a stream id t/<tenant>/... (what the projections folding tenant streams key by).
inline std::string StreamTenant(std::string_view stream) {
  if (!stream.starts_with("t/")) return {};
  return std::string(stream.substr(2, stream.find('/', 2) - 2));
}

// The kind segment of a stream id t/<tenant>/<kind>/<id> ("" when it is none).
inline std::string_view StreamKind(std::string_view stream) {
  if (!stream.starts_with("t/")) return {};
  const auto a = stream.find('/', 2);
  if (a == std::string_view::npos) return {};
  const auto b = stream.find('/', a + 1);
  return b == std::string_view::npos ? std::string_view{} : stream.substr(a + 1, b - a - 1);
}

}  // namespace keel::projections
