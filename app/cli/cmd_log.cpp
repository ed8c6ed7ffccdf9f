// `keel log`: the global log, listed, tailed or followed, filtered by tenant, stream, event type,
// principal, time and position; a readable table or JSON lines (--json).
// `keel stream <stream>`: one stream's events with their envelopes and decoded payloads.
// Both read the data directory without taking it (a server may be running on it); --follow polls what
// the server appends (RocksDB's secondary catch-up) until Ctrl-C.
#include <deque>
#include <iostream>
#include <set>
#include <thread>

#include "actors/as_of.hpp"
#include "commands.hpp"
#include "event_line.hpp"
#include "tool.hpp"

namespace keel::app::cli {
namespace {

struct LogArgs {
  std::string data, tenant, stream, stream_prefix, principal, since, until;
  std::vector<std::string> types;
  std::uint64_t from = 0, to = 0, limit = 0, tail = 0, from_version = 1;  // from 0: not given
  bool follow = false, json = false;
};

// A time bound: RFC 3339 or a day (since: its start; until: its end).
std::expected<std::int64_t, std::string> TimeBound(const std::string& text, bool start) {
  auto when = actors::ParseAsOf(text);
  if (!when || when->by_position) return std::unexpected("expected an RFC 3339 time (2026-11-01T12:00:00Z) or a day (2026-11-01)");
  return start && text.size() == 10 ? when->time_ms - 86'400'000 + 1 : when->time_ms;
}

struct Filter {
  std::string tenant, stream, stream_prefix, principal;
  std::set<std::string, std::less<>> types;
  std::int64_t since = INT64_MIN, until = INT64_MAX;
  bool Admits(const eventstore::EventView& e) const {
    if (!tenant.empty() && e.tenant != tenant) return false;
    if (!stream.empty() && e.stream != stream) return false;
    if (!stream_prefix.empty() && !e.stream.starts_with(stream_prefix)) return false;
    if (!principal.empty() && e.principal != principal) return false;
    if (!types.empty() && !types.contains(e.type)) return false;
    return e.timestamp_ms >= since && e.timestamp_ms <= until;
  }
};

void Print(const eventstore::EventView& e, bool json) {
  if (json)
    std::cout << EventJson(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else
    std::cout << TableRow(e) << "\n";
}

int Log(const LogArgs& a) {
  Filter f{a.tenant, a.stream, a.stream_prefix, a.principal, {a.types.begin(), a.types.end()}};
  if (!a.since.empty()) {
    auto t = TimeBound(a.since, true);
    if (!t) return std::cerr << "keel log: --since: " << t.error() << "\n", kUsage;
    f.since = *t;
  }
  if (!a.until.empty()) {
    auto t = TimeBound(a.until, false);
    if (!t) return std::cerr << "keel log: --until: " << t.error() << "\n", kUsage;
    f.until = *t;
  }
  if (a.to != 0 && a.to < a.from) return std::cerr << "keel log: --to is before --from\n", kUsage;
  if (f.since > f.until) return std::cerr << "keel log: --until is before --since\n", kUsage;
  if (a.follow && f.until != INT64_MAX) return std::cerr << "keel log: --follow runs past the present: it takes no --until\n", kUsage;
  if (a.follow && a.to != 0) return std::cerr << "keel log: --follow runs past the head: it takes no --to\n", kUsage;
  auto store = OpenForRead(a.data);
  if (!store) return std::cerr << "keel log: " << store.error() << "\n", kUsage;

  if (!a.json) std::cout << TableHeader() << "\n";
  // --follow alone (like tail -f) starts with what comes next; --from or --tail say where else.
  std::uint64_t shown = 0, next = a.from != 0 ? a.from : a.follow && a.tail == 0 ? (*store)->HeadPosition() + 1 : 1;
  const std::uint64_t last = a.to == 0 ? (*store)->HeadPosition() : std::min(a.to, (*store)->HeadPosition());
  std::deque<nlohmann::json> tail_json;  // --tail: the last N that match
  std::deque<std::string> tail_rows;
  auto scan = [&](std::uint64_t upto) -> eventstore::Result<std::uint64_t> {
    if (next > upto) return 0;
    return (*store)->ScanAll(next, upto - next + 1, [&](const eventstore::EventView& e) {
      next = e.position + 1;
      if (Interrupted() || OutputGone()) return false;
      if (!f.Admits(e)) return true;
      if (a.tail > 0 && !a.follow) {
        if (a.json) tail_json.push_back(EventJson(e)); else tail_rows.push_back(TableRow(e));
        if (tail_json.size() > a.tail) tail_json.pop_front();
        if (tail_rows.size() > a.tail) tail_rows.pop_front();
        return true;
      }
      Print(e, a.json);
      ++shown;
      return a.limit == 0 || shown < a.limit;
    });
  };
  if (a.follow && a.tail > 0) {
    // Start with the last N that match: find where they begin, then print from there on.
    std::deque<std::uint64_t> positions;
    auto found = (*store)->ScanAll(std::max<std::uint64_t>(a.from, 1), SIZE_MAX, [&](const eventstore::EventView& e) {
      if (f.Admits(e)) positions.push_back(e.position);
      if (positions.size() > a.tail) positions.pop_front();
      return !Interrupted();
    });
    if (!found) return std::cerr << "keel log: " << found.error().ToString() << "\n", kUsage;
    next = positions.empty() ? (*store)->HeadPosition() + 1 : positions.front();
  }
  auto scanned = scan(last);
  if (!scanned) return std::cerr << "keel log: " << scanned.error().ToString() << "\n", kUsage;
  for (const auto& j : tail_json) std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  for (const auto& r : tail_rows) std::cout << r << "\n";
  std::cout << std::flush;
  while (a.follow && !Interrupted() && (a.limit == 0 || shown < a.limit)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto head = (*store)->CatchUp();
    if (!head) return std::cerr << "keel log: " << head.error().ToString() << "\n", kUsage;
    auto more = scan(*head);
    if (!more) return std::cerr << "keel log: " << more.error().ToString() << "\n", kUsage;
    std::cout << std::flush;
  }
  // A reader that went away (`| head`) ends the listing normally.
  return Interrupted() && !a.follow && std::cout.good() ? kInterrupted : kOk;
}

int Stream(const LogArgs& a) {
  auto store = OpenForRead(a.data);
  if (!store) return std::cerr << "keel stream: " << store.error() << "\n", kUsage;
  auto version = (*store)->StreamVersion(a.stream);
  if (!version) return std::cerr << "keel stream: " << version.error().ToString() << "\n", kUsage;
  if (*version == 0) return std::cerr << "keel stream: no stream '" << a.stream << "' in " << a.data << "\n", kUsage;
  if (!a.json) std::cout << TableHeader() << "\n";
  auto scanned = (*store)->ScanStream(a.stream, a.from_version, a.limit == 0 ? SIZE_MAX : a.limit,
                                      [&](const eventstore::EventView& e) {
                                        if (a.json) {
                                          Print(e, true);
                                        } else {
                                          std::cout << TableRow(e) << "\n    "
                                                    << EventJson(e)["data"].dump(-1, ' ', false,
                                                                                 nlohmann::json::error_handler_t::replace)
                                                    << "\n";
                                        }
                                        return !Interrupted() && !OutputGone();
                                      });
  if (!scanned) return std::cerr << "keel stream: " << scanned.error().ToString() << "\n", kUsage;
  return Interrupted() ? kInterrupted : kOk;
}

}  // namespace

void AddLog(CLI::App& app, Outcome& out) {
  auto args = std::make_shared<LogArgs>();
  auto* log = app.add_subcommand("log", "List, tail or follow the global log, filtered");
  log->add_option("--data", args->data, "The data directory (read-only; a server may be running on it)")->required();
  log->add_option("--tenant", args->tenant, "Only this tenant's events (_platform: the partners' streams)");
  log->add_option("--stream", args->stream, "Only this stream (t/<tenant>/<kind>/<id>)");
  log->add_option("--stream-prefix", args->stream_prefix, "Only streams starting so (t/acme/order/)");
  log->add_option("--type", args->types, "Only this event type (repeatable)");
  log->add_option("--principal", args->principal, "Only events sent by this principal");
  log->add_option("--since", args->since, "From this business time (RFC 3339, or a day: from its start)");
  log->add_option("--until", args->until, "Up to this business time (RFC 3339, or a day: to its end)");
  log->add_option("--from", args->from, "From this position (default 1; with --follow: what comes next)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{INT64_MAX}));
  log->add_option("--to", args->to, "Up to this position")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{INT64_MAX}));
  log->add_option("--limit", args->limit, "At most this many events");
  log->add_option("--tail", args->tail, "Only the last N events that match");
  log->add_flag("--follow,-f", args->follow, "Keep printing what is appended, until Ctrl-C (exit 0)");
  log->add_flag("--json", args->json, "JSON lines: envelope, hash and decoded payload");
  log->callback([args, &out] { out.code = Log(*args); });

  auto sargs = std::make_shared<LogArgs>();
  auto* stream = app.add_subcommand("stream", "One stream's events: envelopes and decoded payloads");
  stream->add_option("stream", sargs->stream, "The stream, t/<tenant>/<kind>/<id>")->required();
  stream->add_option("--data", sargs->data, "The data directory (read-only; a server may be running on it)")->required();
  stream->add_option("--from-version", sargs->from_version, "From this version")->check(CLI::Range(std::uint64_t{1}, UINT64_MAX));
  stream->add_option("--limit", sargs->limit, "At most this many events");
  stream->add_flag("--json", sargs->json, "JSON lines");
  stream->callback([sargs, &out] { out.code = Stream(*sargs); });
}

}  // namespace keel::app::cli
