// keel-bench tooling: the operator tools on one log (a platform of tenants with 10-line orders, and
// one large tenant), in the same run as their baselines:
//  - verify_events_per_s: EventStore::Verify over the whole log (what `keel verify` runs), and
//    verify_vs_scan_ratio against a zero-copy ScanAll of the same log (target: >= 1M events/s);
//  - export_events_per_s / import_events_per_s: `keel export` of the large tenant to a file and
//    `keel import` of that file into a new store, run in-process through the CLI's own entry point;
//  - backup_vs_copy_ratio: `EventStore::Backup` (BackupEngine, checksummed, synced) MB/s against
//    copying the same data directory file by file with an fsync each, MB/s.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "bench_util.hpp"
#include "cli/commands.hpp"
#include "codec/codec.hpp"
#include "eventstore/store.hpp"

namespace keel::bench {
namespace {

namespace o = domain::order;
namespace t = domain::tenant;

template <class E>
eventstore::EventData Data(const E& e) {
  auto encoded = codec::Encode(e);
  return {encoded.type, encoded.schema_version, encoded.payload};
}

void FillTenant(eventstore::EventStore& store, const std::string& tenant, int orders, std::mt19937_64& rng) {
  t::TenantProvisioned p;
  p.id = tenant;
  p.partner = "p1";
  p.template_id = "regional-distributor";
  p.template_version = 1;
  p.plan = "growth";
  p.modules = {domain::Module::kInventory};
  p.limits = {5, 25'000, 50};
  (void)store.Append("t/" + tenant + "/tenant/" + tenant, eventstore::ExpectedVersion::Any(), {Data(t::Event(p))});
  std::vector<eventstore::StreamAppend> batch;
  for (int k = 0; k < orders; ++k) {
    o::OrderPlaced placed;
    placed.id = "o" + std::to_string(k);
    placed.tenant = tenant;
    placed.customer = "c" + std::to_string(k % 7);
    placed.currency = "EUR";
    for (std::uint32_t line = 1; line <= 10; ++line) placed.lines.push_back({line, "SKU-" + std::to_string(rng() % 1000), 2, 150, 300});
    placed.total = 3000;
    eventstore::AppendRequest r;
    r.streams.push_back({"t/" + tenant + "/order/o" + std::to_string(k), eventstore::ExpectedVersion::NoStream(), {Data(o::Event(placed))}});
    if (k % 4 == 0) r.streams.back().events.push_back(Data(o::Event(o::OrderCancelled{"bench", {}, 0})));
    r.metadata.principal = "key:bench";
    r.metadata.timestamp_ms = 1'767'225'600'000 + k * 1000;
    store.AppendAsync(std::move(r), [](eventstore::Result<eventstore::AppendResult>) {});
  }
}

std::uint64_t DirBytes(const std::string& dir) {
  std::uint64_t bytes = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) bytes += e.file_size();
  return bytes;
}

// Copies every file of `from` into `to`, each fsynced: the baseline a backup is measured against.
void CopySynced(const std::string& from, const std::string& to) {
  std::filesystem::create_directories(to);
  for (const auto& e : std::filesystem::directory_iterator(from)) {
    if (!e.is_regular_file() || e.path().filename() == "LOCK") continue;
    const auto target = std::filesystem::path(to) / e.path().filename();
    std::filesystem::copy_file(e.path(), target, std::filesystem::copy_options::overwrite_existing);
    const int fd = ::open(target.c_str(), O_RDONLY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }
}

int Cli(std::vector<std::string> args) {
  std::vector<char*> argv;
  static std::string name = "keel";
  argv.push_back(name.data());
  for (auto& a : args) argv.push_back(a.data());
  return app::cli::Run(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

int RunToolingSuite(const Settings& settings) {
  const bool quick = settings.round_seconds < 0.1;
  const int tenants = quick ? 5 : 100, orders_each = quick ? 100 : 1500, big_orders = quick ? 500 : 60'000;
  ScratchDir dir("tooling");
  const std::string data = dir.str() + "/data";
  std::uint64_t head = 0;
  {
    eventstore::Options options;
    options.durability = eventstore::Durability::kBuffered;  // a fill
    auto store = eventstore::EventStore::Open(data, options);
    if (!store) return std::fprintf(stderr, "tooling bench: %s\n", store.error().ToString().c_str()), 1;
    std::mt19937_64 rng(19);
    for (int i = 0; i < tenants; ++i) FillTenant(**store, "p1:t" + std::to_string(i), orders_each, rng);
    FillTenant(**store, "p1:big", big_orders, rng);
    (void)(*store)->Append("t/p1:big/tenant/p1:big", eventstore::ExpectedVersion::Any(), {Data(t::Event(t::OnboardingStarted{}))});
    head = (*store)->HeadPosition();
  }  // closed: memtables flushed, the files a backup copies are the table files
  auto store = eventstore::EventStore::Open(data);
  if (!store) return std::fprintf(stderr, "tooling bench: %s\n", store.error().ToString().c_str()), 1;
  Figure("tooling_log_events", static_cast<double>(head), "events");

  std::vector<double> verify, scan, exports, imports, backups, copies;
  std::uint64_t big_events = 0;
  for (int round = 0; round < std::max(1, settings.rounds / 2); ++round) {
    if (settings.Selected("verify")) {
      auto start = std::chrono::steady_clock::now();
      auto report = (*store)->Verify();
      const double s = SecondsSince(start);
      if (!report || !report->ok) return std::fprintf(stderr, "tooling bench: the log does not verify\n"), 1;
      verify.push_back(static_cast<double>(report->checked) / s);
      start = std::chrono::steady_clock::now();
      std::uint64_t bytes = 0;
      auto n = (*store)->ScanAll(1, SIZE_MAX, [&](const eventstore::EventView& e) {
        bytes += e.payload.size();
        return true;
      });
      scan.push_back(static_cast<double>(n.value_or(0)) / SecondsSince(start));
    }
    if (settings.Selected("export") || settings.Selected("import")) {
      const std::string file = dir.str() + "/big.jsonl", target = dir.str() + "/imported";
      std::filesystem::remove_all(target);
      auto start = std::chrono::steady_clock::now();
      if (Cli({"export", "--data", data, "--tenant", "p1:big", "--to", file, "--quiet"}) != 0)
        return std::fprintf(stderr, "tooling bench: export failed\n"), 1;
      const double exported = SecondsSince(start);
      big_events = (*store)->ListStreams("t/p1:big/").value().size();
      std::uint64_t events = 0;
      for (const auto& s : (*store)->ListStreams("t/p1:big/").value()) events += s.version;
      big_events = events;
      exports.push_back(static_cast<double>(events) / exported);
      start = std::chrono::steady_clock::now();
      if (Cli({"import", file, "--data", target, "--quiet"}) != 0) return std::fprintf(stderr, "tooling bench: import failed\n"), 1;
      imports.push_back(static_cast<double>(events) / SecondsSince(start));
    }
    if (settings.Selected("backup")) {
      const std::string backup = dir.str() + "/backup-" + std::to_string(round), copy = dir.str() + "/copy-" + std::to_string(round);
      auto start = std::chrono::steady_clock::now();
      auto info = (*store)->Backup(backup);
      if (!info) return std::fprintf(stderr, "tooling bench: backup: %s\n", info.error().ToString().c_str()), 1;
      backups.push_back(static_cast<double>(info->bytes) / SecondsSince(start) / 1e6);
      const std::uint64_t bytes = DirBytes(data);
      start = std::chrono::steady_clock::now();
      CopySynced(data, copy);
      copies.push_back(static_cast<double>(bytes) / SecondsSince(start) / 1e6);
      std::filesystem::remove_all(backup);
      std::filesystem::remove_all(copy);
    }
  }
  if (!verify.empty()) {
    Figure("verify_events_per_s", Median(verify), "events/s");
    Figure("verify_scan_events_per_s", Median(scan), "events/s");
    Ratio("verify_vs_scan_ratio", Median(verify) / Median(scan));
  }
  if (!exports.empty()) {
    Figure("export_tenant_events", static_cast<double>(big_events), "events");
    Figure("export_events_per_s", Median(exports), "events/s");
    Figure("import_events_per_s", Median(imports), "events/s");
  }
  if (!backups.empty()) {
    std::printf("backup_mb_per_s: %.1f MB/s\ncopy_mb_per_s: %.1f MB/s\n", Median(backups), Median(copies));
    Ratio("backup_vs_copy_ratio", Median(backups) / Median(copies));
  }
  return 0;
}

}  // namespace keel::bench
