// `keel verify --data DIR [--from P] [--to P] [--json]`: walks the hash chain and every envelope of the
// log (read-only, beside a running server or not) and reports the first altered, missing or
// undecodable event with its position and stream. Exit 1 when one is found.
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "tool.hpp"

namespace keel::app::cli {
namespace {

struct VerifyArgs {
  std::string data;
  std::uint64_t from = 1, to = 0;
  bool json = false, quiet = false;
};

int Verify(const VerifyArgs& a) {
  auto store = OpenForRead(a.data);
  if (!store) {
    // A store whose files are damaged where opening reads them (the log's tail, the format marker)
    // fails the check; anything else is the environment.
    const bool damaged = store.error().find("Corruption") != std::string::npos;
    if (a.json && damaged)
      std::cout << nlohmann::json{{"ok", false}, {"first_bad", {{"reason", store.error()}}}}.dump() << "\n";
    std::cerr << "keel verify: " << (damaged ? "FAILED: the store does not open: " : "") << store.error() << "\n";
    return damaged ? kCheckFailed : kUsage;
  }
  const std::uint64_t head = (*store)->HeadPosition();
  if (a.to != 0 && a.to < a.from) {
    std::cerr << "keel verify: --to " << a.to << " is before --from " << a.from << "\n";
    return kUsage;
  }
  if (a.from > std::max<std::uint64_t>(head, 1) || a.to > head) {
    std::cerr << "keel verify: the log's head is " << head << ": --from and --to name positions 1.." << head << "\n";
    return kUsage;
  }
  Meter meter("verify", "events", a.quiet || a.json);
  auto report = (*store)->Verify(a.from, a.to, std::ref(meter));
  if (!report) {
    std::cerr << "keel verify: " << report.error().ToString() << "\n";
    return kUsage;
  }
  meter.Finish(report->checked);
  const double seconds = meter.seconds();
  if (a.json) {
    nlohmann::json j{{"ok", report->ok && !report->stopped},
                     {"from", report->from},
                     {"to", report->to},
                     {"head", head},
                     {"checked", report->checked},
                     {"seconds", seconds},
                     {"events_per_s", seconds > 0 ? report->checked / seconds : 0.0},
                     {"interrupted", report->stopped}};
    if (!report->ok) j["first_bad"] = {{"position", report->bad_position}, {"stream", report->stream}, {"reason", report->reason}};
    std::cout << j.dump() << "\n";
  } else if (report->stopped) {
    std::cout << "interrupted: positions " << report->from << ".." << report->from + report->checked - 1
              << " check out; the rest was not checked\n";
  } else if (report->ok) {
    std::cout << "ok: " << report->checked << " events, positions " << report->from << ".." << report->to
              << " (head " << head << "): every hash, link and envelope checks out\n";
  } else if (report->bad_position == 0) {
    std::cout << "FAILED: " << report->reason << "\n";
  } else {
    std::cout << "FAILED at position " << report->bad_position
              << (report->stream.empty() ? "" : " (stream " + report->stream + ")") << ": " << report->reason << "\n"
              << "  " << report->checked << " events before it check out\n";
  }
  if (report->stopped) return kInterrupted;
  return report->ok ? kOk : kCheckFailed;
}

}  // namespace

void AddVerify(CLI::App& app, Outcome& out) {
  auto args = std::make_shared<VerifyArgs>();
  auto* cmd = app.add_subcommand("verify", "Walk the log's hash chain and envelopes; report the first bad event (exit 1)");
  cmd->add_option("--data", args->data, "The data directory (read-only; a server may be running on it)")->required();
  cmd->add_option("--from", args->from, "First position to check (default 1)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{INT64_MAX}));
  cmd->add_option("--to", args->to, "Last position to check (default: the head)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{INT64_MAX}));
  cmd->add_flag("--json", args->json, "One JSON object on stdout");
  cmd->add_flag("--quiet,-q", args->quiet, "No progress on stderr");
  cmd->callback([args, &out] { out.code = Verify(*args); });
}

}  // namespace keel::app::cli
