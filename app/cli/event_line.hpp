// One event as the tools print it: a JSON object (envelope, hash and decoded payload; the raw payload
// in base64 too for export) or a line of a readable table.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "eventstore/types.hpp"

namespace keel::app::cli {

// A view of an owned event (valid while `e` lives).
eventstore::EventView ViewOf(const eventstore::RecordedEvent& e);

nlohmann::json EventJson(const eventstore::EventView& e, bool with_raw_payload = false);
std::string TableHeader();
std::string TableRow(const eventstore::EventView& e);

}  // namespace keel::app::cli
