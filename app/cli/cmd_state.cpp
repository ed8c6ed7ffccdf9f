// `keel state <stream> [--as-of <position|time>]`: an aggregate's state at that moment, folded from its
// events by the domain (actors/as_of.hpp), with its version, last position and state hash.
// `keel state --tenant T [--as-of …]`: every aggregate of one tenant at one position (a time means the
// tenant's last event stamped at or before it), consistent with each other. --hashes prints only the
// hashes, to compare two stores (after a restore or an import).
#include <iostream>

#include "actors/as_of.hpp"
#include "commands.hpp"
#include "gateway/event_json.hpp"
#include "tool.hpp"

namespace keel::app::cli {
namespace {

struct StateArgs {
  std::string data, stream, tenant, as_of;
  bool hashes = false, pretty = false;
};

// With the state, or (--hashes) only what two stores holding the same history agree on: stream,
// version and hash, so that the output of two stores can be compared as it is.
nlohmann::json Entity(const std::string& stream, const actors::PastState& p, bool with_state) {
  if (!with_state) return {{"stream", stream}, {"version", p.version}, {"hash", actors::StateHash(p.state)}};
  return {{"stream", stream}, {"version", p.version}, {"position", p.position}, {"at", p.at_ms},
          {"time", IsoTime(p.at_ms)}, {"hash", actors::StateHash(p.state)}, {"state", gateway::StateJson(p.state)}};
}

int State(const StateArgs& a) {
  if (a.stream.empty() && a.tenant.empty())
    return std::cerr << "keel state: name a stream (t/<tenant>/<kind>/<id>) or --tenant T\n", kUsage;
  if (!a.stream.empty() && !a.tenant.empty())
    return std::cerr << "keel state: a stream or --tenant T, not both\n", kUsage;
  actors::AsOf when;
  auto store = OpenForRead(a.data);
  if (!store) return std::cerr << "keel state: " << store.error() << "\n", kUsage;
  const std::uint64_t head = (*store)->HeadPosition();
  when.position = head;
  if (!a.as_of.empty()) {
    auto parsed = actors::ParseAsOf(a.as_of);
    if (!parsed) return std::cerr << "keel state: --as-of: " << parsed.error() << "\n", kUsage;
    if (parsed->by_position && parsed->position > head)
      return std::cerr << "keel state: --as-of: position " << parsed->position << " is past the head (" << head << ")\n", kUsage;
    when = *parsed;
  }
  const int indent = a.pretty ? 2 : -1;
  if (!a.stream.empty()) {
    auto key = actors::KeyOfStream(a.stream);
    if (!key) return std::cerr << "keel state: '" << a.stream << "' is not an entity's stream (t/<tenant>/<kind>/<id>)\n", kUsage;
    auto past = actors::StateAsOf(**store, *key, when);
    if (!past) {
      if (past.error().code == eventstore::Errc::kNotFound && a.as_of.empty())
        return std::cerr << "keel state: no stream " << a.stream << " in " << a.data << "\n", kUsage;
      if (past.error().code == eventstore::Errc::kNotFound)
        return std::cerr << "keel state: " << a.stream << " had no event by then\n", kUsage;
      std::cerr << "keel state: " << past.error().ToString() << "\n";
      return past.error().code == eventstore::Errc::kCorruption ? kCheckFailed : kUsage;
    }
    auto j = Entity(a.stream, *past, !a.hashes);
    std::cout << j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kOk;
  }
  // One tenant at one position.
  std::uint64_t position = when.position;
  if (!when.by_position) {
    auto at = actors::TenantPositionAt(**store, a.tenant, when.time_ms);
    if (!at) return std::cerr << "keel state: " << at.error().ToString() << "\n", kUsage;
    position = *at;
  }
  auto streams = (*store)->ListStreams("t/" + a.tenant + "/");
  if (!streams) return std::cerr << "keel state: " << streams.error().ToString() << "\n", kUsage;
  if (streams->empty()) return std::cerr << "keel state: no tenant '" << a.tenant << "' in " << a.data << "\n", kUsage;
  nlohmann::json entities = nlohmann::json::array();
  for (const auto& s : *streams) {
    if (Interrupted()) return kInterrupted;
    auto key = actors::KeyOfStream(s.stream);
    if (!key || s.first_position > position) continue;
    auto past = actors::StateAsOf(**store, *key, actors::AsOf{true, position, 0});
    if (!past) {
      if (past.error().code == eventstore::Errc::kNotFound) continue;
      std::cerr << "keel state: " << past.error().ToString() << "\n";
      return past.error().code == eventstore::Errc::kCorruption ? kCheckFailed : kUsage;
    }
    entities.push_back(Entity(s.stream, *past, !a.hashes));
  }
  if (a.hashes && !a.pretty) {
    // One aggregate per line, so that `diff` of two stores names the aggregates that differ.
    std::cout << "{\"tenant\":" << nlohmann::json(a.tenant).dump() << ",\"entities\":[\n";
    for (std::size_t i = 0; i < entities.size(); ++i)
      std::cout << entities[i].dump() << (i + 1 < entities.size() ? ",\n" : "\n");
    std::cout << "]}\n";
    return kOk;
  }
  nlohmann::json out{{"tenant", a.tenant}, {"entities", std::move(entities)}};
  if (!a.hashes) out["position"] = position, out["head"] = head;
  std::cout << out.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return kOk;
}

}  // namespace

void AddState(CLI::App& app, Outcome& out) {
  auto args = std::make_shared<StateArgs>();
  auto* cmd = app.add_subcommand("state", "An aggregate's state (or a whole tenant's) at a position or time");
  cmd->add_option("stream", args->stream, "The aggregate's stream, t/<tenant>/<kind>/<id>");
  cmd->add_option("--tenant", args->tenant, "Every aggregate of this tenant, at one position");
  cmd->add_option("--data", args->data, "The data directory (read-only; a server may be running on it)")->required();
  cmd->add_option("--as-of", args->as_of,
                  "A log position (1234), an RFC 3339 time (2026-11-01T12:00:00Z) or a day (its end, UTC); default: now");
  cmd->add_flag("--hashes", args->hashes,
                "Only stream, version and state hash: two stores with the same history print the same (diff them)");
  cmd->add_flag("--pretty", args->pretty, "Indented JSON");
  cmd->callback([args, &out] { out.code = State(*args); });
}

}  // namespace keel::app::cli
