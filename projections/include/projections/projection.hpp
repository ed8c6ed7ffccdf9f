// A projection: a pure fold of the log into a keyed read model. Apply sees one event and the model
// as committed plus this batch's changes (Model), and writes rows and index keys through it; the
// runner (runner.hpp) commits a batch's changes with its checkpoint in one atomic write. Rows are
// JSON text. No CAF, no Beast: domain, codec and the event store only.
#pragma once

#include <any>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "eventstore/types.hpp"

namespace keel::projections {

// The read model as Apply sees it: its committed rows under this batch's changes.
class Model {
 public:
  virtual ~Model() = default;
  virtual std::optional<std::string> Get(std::string_view key) = 0;
  virtual void Put(std::string key, std::string value) = 0;
  virtual void Delete(std::string key) = 0;
  // Typed state a projection may keep for the length of one batch (sums it writes once per batch in
  // Projection::Flush instead of once per event); null where the model keeps none (then write at
  // once). Not undone when Apply then refuses the event: touch it only after every check has passed.
  virtual std::any* Scratch() { return nullptr; }
};

class Projection {
 public:
  virtual ~Projection() = default;
  virtual std::string_view name() const = 0;
  // A new version is folded from position 1 into a fresh key space while the old one serves, then
  // takes over (Projections::Start).
  virtual std::uint32_t version() const = 0;
  // Whether the projection folds this event at all (by stream kind or type): a cheap filter.
  virtual bool Wants(const eventstore::EventView& e) const = 0;
  // Folds the event. An error parks it (with every later event of its stream, to keep their order)
  // and the projection goes on with the others.
  virtual std::expected<void, std::string> Apply(const eventstore::EventView& e, Model& model) const = 0;
  // Called before a batch is committed (and before a row is served from it): writes what Apply kept
  // in the batch's Scratch into the model.
  virtual void Flush(Model&) const {}
};

}  // namespace keel::projections
