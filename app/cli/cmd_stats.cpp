// `keel stats --data DIR [--top N] [--json]`: what the log holds — events by type, tenant and stream
// kind, payload bytes, positions and business-time range, bytes per column family on disk, the read
// models' lag, and the largest streams. One scan of the log, read-only beside a running server.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "actors/as_of.hpp"
#include "projections/projections.hpp"
#include "tool.hpp"

namespace keel::app::cli {
namespace {

struct StatsArgs {
  std::string data, config;
  std::size_t top = 10;
  bool json = false, quiet = false;
};

struct Tally {
  std::uint64_t events = 0, bytes = 0;
};

std::string_view KindOf(std::string_view stream) {
  const auto key = actors::KeyOfStream(stream);
  return key ? actors::KindName(key->kind) : "?";
}

nlohmann::json Top(const std::map<std::string, Tally, std::less<>>& m, std::size_t n) {
  std::vector<std::pair<std::string, Tally>> v(m.begin(), m.end());
  std::sort(v.begin(), v.end(), [](const auto& x, const auto& y) { return x.second.events > y.second.events; });
  if (v.size() > n) v.resize(n);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [k, t] : v) out.push_back({{"name", k}, {"events", t.events}, {"payload_bytes", t.bytes}});
  return out;
}

int Stats(const StatsArgs& a) {
  auto store = OpenForRead(a.data);
  if (!store) return std::cerr << "keel stats: " << store.error() << "\n", kUsage;
  const std::uint64_t head = (*store)->HeadPosition();
  std::map<std::string, Tally, std::less<>> by_type, by_tenant, by_kind;
  Tally all;
  std::int64_t first_ms = 0, last_ms = 0;
  Meter meter("stats", "events", a.quiet || a.json);
  auto scanned = (*store)->ScanAll(1, head, [&](const eventstore::EventView& e) {
    auto bump = [&](auto& m, std::string_view key) {
      auto it = m.find(key);
      if (it == m.end()) it = m.emplace(std::string(key), Tally{}).first;
      ++it->second.events;
      it->second.bytes += e.payload.size();
    };
    bump(by_type, e.type);
    bump(by_tenant, e.tenant);
    bump(by_kind, KindOf(e.stream));
    ++all.events;
    all.bytes += e.payload.size();
    if (first_ms == 0 || e.timestamp_ms < first_ms) first_ms = e.timestamp_ms;
    last_ms = std::max(last_ms, e.timestamp_ms);
    return (all.events & 0x3FFF) != 0 || meter(all.events, head);
  });
  if (!scanned) return std::cerr << "keel stats: " << scanned.error().ToString() << "\n", kUsage;
  if (Interrupted()) return kInterrupted;
  meter.Finish(all.events);
  auto streams = (*store)->ListStreams();
  if (!streams) return std::cerr << "keel stats: " << streams.error().ToString() << "\n", kUsage;
  std::sort(streams->begin(), streams->end(), [](const auto& x, const auto& y) { return x.version > y.version; });
  nlohmann::json largest = nlohmann::json::array();
  for (std::size_t i = 0; i < std::min(a.top, streams->size()); ++i)
    largest.push_back({{"stream", (*streams)[i].stream}, {"events", (*streams)[i].version},
                       {"first_position", (*streams)[i].first_position}, {"last_position", (*streams)[i].last_position}});
  nlohmann::json families = nlohmann::json::object();
  if (auto sizes = (*store)->ColumnFamilyBytes(); sizes)
    for (const auto& [name, bytes] : *sizes) families[name] = bytes;
  std::uint64_t wal = 0;  // what is not in table files yet
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(a.data, ec))
    if (f.path().extension() == ".log") wal += f.file_size(ec);
  families["write-ahead log"] = wal;
  nlohmann::json lags = nlohmann::json::array();
  auto list = LoadReadModels(a.config);
  if (!list && !a.config.empty()) return std::cerr << "keel stats: " << list.error() << "\n", kUsage;
  if (!list) std::cerr << "keel stats: no read models shown (" << list.error() << "; --config DIR names plans.json's directory)\n";
  if (list) {
    if (auto inspected = projections::Inspect(**store, *list); inspected)
      for (const auto& i : *inspected)
        lags.push_back({{"name", i.status.name}, {"position", i.status.position}, {"lag_events", i.status.lag_events},
                        {"parked", i.status.parked}});
  }
  const std::size_t tenants = by_tenant.size() - (by_tenant.contains("_platform") ? 1 : 0);  // not the platform's own
  nlohmann::json out{{"head", head},
                     {"events", all.events},
                     {"payload_bytes", all.bytes},
                     {"streams", streams->size()},
                     {"tenants", tenants},
                     {"first_time", first_ms ? IsoTime(first_ms) : ""},
                     {"last_time", last_ms ? IsoTime(last_ms) : ""},
                     {"by_kind", Top(by_kind, SIZE_MAX)},
                     {"by_type", Top(by_type, a.json ? SIZE_MAX : a.top)},
                     {"by_tenant", Top(by_tenant, a.json ? SIZE_MAX : a.top)},
                     {"largest_streams", largest},
                     {"column_family_bytes", families},
                     {"projections", lags}};
  if (a.json) {
    std::cout << out.dump() << "\n";
    return kOk;
  }
  std::cout << "log: " << all.events << " events (head " << head << "), " << Human(double(all.bytes), true) << " of payloads, "
            << streams->size() << " streams, " << tenants << " tenants (and the platform's own streams); business time "
            << out["first_time"].get<std::string>() << " .. " << out["last_time"].get<std::string>() << "\n";
  auto table = [](const char* title, const nlohmann::json& rows) {
    std::cout << "\n" << title << "\n";
    for (const auto& r : rows)
      std::printf("  %-44s %12llu events %12s\n", r.value("name", "").c_str(),
                  static_cast<unsigned long long>(r.value("events", std::uint64_t{0})),
                  Human(r.value("payload_bytes", 0.0), true).c_str());
  };
  table("by stream kind", out["by_kind"]);
  table(("by event type (top " + std::to_string(a.top) + ")").c_str(), out["by_type"]);
  table(("by tenant (top " + std::to_string(a.top) + ")").c_str(), out["by_tenant"]);
  std::cout << "\nlargest streams\n";
  for (const auto& s : largest)
    std::printf("  %-56s %10llu events\n", s.value("stream", "").c_str(), static_cast<unsigned long long>(s.value("events", std::uint64_t{0})));
  std::cout << "\non disk (column families' table files, and the write-ahead log)\n";
  for (const auto& [name, bytes] : families.items()) std::printf("  %-20s %12s\n", name.c_str(), Human(bytes.get<double>(), true).c_str());
  std::cout << "\nread models\n";
  for (const auto& p : lags)
    std::printf("  %-22s position %10llu  lag %8llu  parked %zu\n", p.value("name", "").c_str(),
                static_cast<unsigned long long>(p.value("position", std::uint64_t{0})),
                static_cast<unsigned long long>(p.value("lag_events", std::uint64_t{0})), p.value("parked", std::size_t{0}));
  return kOk;
}

}  // namespace

void AddStats(CLI::App& app, Outcome& out) {
  auto args = std::make_shared<StatsArgs>();
  auto* cmd = app.add_subcommand("stats", "Events by type, tenant and stream kind; bytes; positions; lags; largest streams");
  cmd->add_option("--data", args->data, "The data directory (read-only; a server may be running on it)")->required();
  cmd->add_option("--top", args->top, "How many types, tenants and streams to list (default 10)");
  cmd->add_option("--config", args->config, "plans.json's directory (default: the repository's config/data)");
  cmd->add_flag("--json", args->json, "One JSON object on stdout");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress on stderr");
  cmd->callback([args, &out] { out.code = Stats(*args); });
}

}  // namespace keel::app::cli
