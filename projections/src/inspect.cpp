// Read models inspected from the store alone (see projections.hpp, Inspect): the meta row says the
// active generation and the code version that built it, the checkpoint how far it has folded.
#include <nlohmann/json.hpp>

#include "projections/projections.hpp"

namespace keel::projections {

std::string ModelName(std::string_view name, std::uint64_t generation);

eventstore::Result<std::vector<Inspected>> Inspect(eventstore::EventStore& store,
                                                   const std::vector<std::shared_ptr<const Projection>>& projections) {
  std::vector<Inspected> out;
  const std::uint64_t head = store.HeadPosition();
  for (const auto& p : projections) {
    Inspected i;
    i.status.name = std::string(p->name());
    i.status.version = p->version();
    i.status.head = head;
    auto meta = store.ReadModelGet("projections", p->name());
    if (!meta) return std::unexpected(meta.error());
    if (*meta) {
      const auto j = nlohmann::json::parse(**meta, nullptr, false);
      if (j.is_object()) {
        i.status.generation = j.value("generation", std::uint64_t{0});
        i.stale = j.value("version", 0u) != p->version();
      }
    }
    if (i.status.generation > 0) {
      const std::string model = ModelName(p->name(), i.status.generation);
      auto checkpoint = store.LoadCheckpoint(model);
      if (!checkpoint) return std::unexpected(checkpoint.error());
      i.status.position = checkpoint->value_or(0);
      i.parked = Runner(store, p, model).ListParked();
    }
    i.status.lag_events = head > i.status.position ? head - i.status.position : 0;
    i.status.parked = i.parked.size();
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace keel::projections
