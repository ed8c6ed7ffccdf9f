// Hash-chain verification over a range of the log (used by Verify and at open).
#pragma once

#include <cstdint>

#include "core.hpp"
#include "eventstore/errors.hpp"

namespace keel::eventstore {

// Walks [from, to]: every position present, each value's hash matches its body, each body decodes,
// names its own position and links to the previous event's hash. Reports the first failure with its
// stream. `check_tail`: also that no tenant's index names a position past `to` (a truncated log).
// `progress` (events checked of the range) may stop the walk: the report then says `stopped`.
Result<VerifyReport> VerifyChain(const StoreCore& core, std::uint64_t from, std::uint64_t to,
                                 const Progress& progress = {}, bool check_tail = false);

}  // namespace keel::eventstore
