// The read models a node runs — the list routes' and analytics — in one place, so that `keel serve` and
// the tools (`keel projections`, `keel stats`) name the same set with the same versions.
#pragma once

#include <memory>
#include <vector>

#include "domain/catalog.hpp"
#include "projections/analytics.hpp"
#include "projections/read_models.hpp"

namespace keel::app {

inline std::vector<std::shared_ptr<const projections::Projection>> ReadModelSet(const domain::ServiceCatalog& catalog) {
  auto set = projections::ReadModels();
  set.push_back(projections::Analytics(catalog));  // keeps its own copy of the catalog
  return set;
}

}  // namespace keel::app
