// Events as the tools print them (see event_line.hpp).
#include "event_line.hpp"

#include <cstdio>

#include "gateway/event_json.hpp"
#include "tool.hpp"

namespace keel::app::cli {

eventstore::EventView ViewOf(const eventstore::RecordedEvent& e) {
  return eventstore::EventView{e.position,  e.version,        e.stream,       e.type,
                               e.schema_version, e.tenant,    e.timestamp_ms, e.principal,
                               e.correlation_id, e.causation_id, e.idempotency_key, e.payload,
                               e.hash,        e.prev_hash};
}

nlohmann::json EventJson(const eventstore::EventView& e, bool with_raw_payload) {
  nlohmann::json j{{"position", e.position},
                   {"stream", std::string(e.stream)},
                   {"version", e.version},
                   {"type", std::string(e.type)},
                   {"schema_version", e.schema_version},
                   {"tenant", std::string(e.tenant)},
                   {"at", e.timestamp_ms},
                   {"time", IsoTime(e.timestamp_ms)},
                   {"principal", std::string(e.principal)},
                   {"correlation_id", std::string(e.correlation_id)},
                   {"causation_id", std::string(e.causation_id)},
                   {"idempotency_key", std::string(e.idempotency_key)},
                   {"hash", Hex(e.hash)},
                   {"prev_hash", Hex(e.prev_hash)},
                   {"data", gateway::EventDataJson(e.stream, e.type, e.schema_version, e.payload)}};
  if (with_raw_payload) j["payload"] = Base64(e.payload);
  return j;
}

std::string TableHeader() {
  char line[256];
  std::snprintf(line, sizeof line, "%10s  %-24s  %-44s %6s  %-28s  %s", "POSITION", "TIME", "STREAM", "VER", "TYPE",
                "PRINCIPAL");
  return line;
}

std::string TableRow(const eventstore::EventView& e) {
  std::string stream(e.stream);
  if (stream.size() > 44) stream = stream.substr(0, 41) + "...";
  char line[512];
  std::snprintf(line, sizeof line, "%10llu  %-24s  %-44s %6llu  %-28.*s  %.*s", static_cast<unsigned long long>(e.position),
                IsoTime(e.timestamp_ms).c_str(), stream.c_str(), static_cast<unsigned long long>(e.version),
                int(e.type.size()), e.type.data(), int(e.principal.size()), e.principal.data());
  return line;
}

}  // namespace keel::app::cli
