// Stream ids: t/<tenant>/<kind>/<id>. The tenant prefix lets one tenant's events be read, exported
// or erased as a range. Segments are 1..128 characters of [A-Za-z0-9._:-]; the id may also hold '/'.
#pragma once

#include <string>
#include <string_view>

#include "eventstore/errors.hpp"

namespace keel::eventstore {

struct StreamId {
  std::string_view tenant;
  std::string_view kind;
  std::string_view id;
};

// Splits and validates a stream id; the views point into `stream`.
Result<StreamId> ParseStreamId(std::string_view stream);

// Whether `tenant` is a valid tenant segment.
bool IsValidTenant(std::string_view tenant);
// The id rule of every id the API takes: 1..128 characters of [A-Za-z0-9._:-] (no '/'), and not "."
// or ".." (which a client or proxy would resolve as a path).
bool IsValidId(std::string_view id);

std::string MakeStreamId(std::string_view tenant, std::string_view kind, std::string_view id);

}  // namespace keel::eventstore
