// `keel serve [--data DIR] [--listen HOST:PORT] [--demo] [--config DIR] [--idempotency-retention-hours N]
// [--audit-retention-days N] [--clock system|simulated] [--clock-start MS]`: opens (or creates) the
// event store in DIR, starts the node and serves until SIGTERM or SIGINT, then stops gracefully:
// in-flight commands finish, every acknowledged write is already synced.
#include <sys/stat.h>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include "cli/commands.hpp"
#include "demo.hpp"
#include "node.hpp"
#include "start_line.hpp"

namespace {

// A whole number in [low, high], or nothing (with the reason on stderr).
std::optional<std::int64_t> Bounded(const std::string& flag, const std::string& text, std::int64_t low, std::int64_t high) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || n < low || n > high) {
    std::cerr << flag << ": expected a whole number from " << low << " to " << high << ", got '" << text << "'\n";
    return std::nullopt;
  }
  return n;
}

int Usage(std::ostream& to = std::cerr) {
  to << "usage: keel serve [--data DIR] [--listen HOST:PORT] [--demo] [--config DIR]\n"
               "  --data DIR          event store directory (default ./data, created if missing)\n"
               "  --listen HOST:PORT  address to serve on (default 127.0.0.1:8080)\n"
               "  --admin-listen HOST:PORT  the admin listener: /metrics, detailed /readyz, /v1/admin/*\n"
               "                      (default 127.0.0.1:0, any free loopback port, printed at start)\n"
               "  --demo              seed a demo platform into an empty data directory\n"
               "  --cors-origin ORIGIN  a browser origin allowed to call the API (repeatable; * for any)\n"
               "  --master-key-file F   the node's master key (default: <data dir>.master-key, created once)\n"
               "  --log-level L       debug|info|warn|error|off: one line per request on stderr (default info;\n"
               "                      answers below 400 are info, 4xx warn, 5xx error)\n"
               "  --log-format F      json|text (default json)\n"
               "  --config DIR        plans.json and templates/ (default: the repository's config/data)\n"
               "  --idempotency-retention-hours N\n"
               "                      keep answers to Idempotency-Key requests N hours (1..8760, default 24)\n"
               "  --audit-retention-days N\n"
               "                      keep records of refused requests N days (1..3650, default 90)\n"
               "  --clock system|simulated\n"
               "                      business time: the system clock (default), or a simulated one that only the\n"
               "                      platform owner moves (POST /v1/admin/clock/advance); rate limits and\n"
               "                      retention keep the wall clock either way\n"
               "  --clock-start MS    where a simulated clock starts, Unix epoch ms (default: now, or the newest\n"
               "                      event's time if later)\n"
               "environment: KEEL_BOOTSTRAP_KEY = the first platform owner's API key (24+ characters, 10+ distinct;\n"
               "             imported once, into a data directory without owner keys)\n"
               "             KEEL_MASTER_KEY = the node's master key as 64 hex digits (instead of the file)\n";
  return 2;
}

}  // namespace

namespace keel::app::cli {

int Serve(int argc, char** argv) {
  for (int i = 2; i < argc; ++i)
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
      Usage(std::cout);
      return 0;
    }
  // The store holds every tenant's business: its files are the server user's only (0600 / 0700).
  ::umask(077);
  keel::app::NodeOptions options;
  bool demo = false;
  keel::gateway::LogOptions log;  // json, info
  bool simulated = false;
  std::optional<std::int64_t> clock_start;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << arg << " needs a value\n";
        std::exit(Usage());
      }
      return argv[++i];
    };
    if (arg == "--data") {
      options.data_dir = value();
    } else if (arg == "--listen") {
      const std::string listen = value();
      const auto colon = listen.rfind(':');
      if (colon == std::string::npos) return Usage();
      options.server.address = listen.substr(0, colon);
      try {
        const int port = std::stoi(listen.substr(colon + 1));
        if (port < 0 || port > 65535) return Usage();
        options.server.port = static_cast<std::uint16_t>(port);
      } catch (...) {
        return Usage();
      }
    } else if (arg == "--admin-listen") {
      const std::string listen = value();
      const auto colon = listen.rfind(':');
      if (colon == std::string::npos) return Usage();
      options.server.admin_address = listen.substr(0, colon);
      const auto port = Bounded(arg, listen.substr(colon + 1), 0, 65535);
      if (!port) return Usage();
      options.server.admin_port = static_cast<std::uint16_t>(*port);
    } else if (arg == "--config") {
      options.config_dir = value();
    } else if (arg == "--idempotency-retention-hours") {
      const auto hours = Bounded(arg, value(), 1, 24 * 365);
      if (!hours) return Usage();
      options.idempotency_retention_ms = *hours * 3600 * 1000;
    } else if (arg == "--audit-retention-days") {
      const auto days = Bounded(arg, value(), 1, 3650);
      if (!days) return Usage();
      options.audit_retention_ms = *days * 24 * 3600 * 1000;
    } else if (arg == "--clock") {
      const std::string mode = value();
      if (mode != "system" && mode != "simulated") {
        std::cerr << "--clock: expected 'system' or 'simulated', got '" << mode << "'\n";
        return Usage();
      }
      simulated = mode == "simulated";
    } else if (arg == "--clock-start") {
      clock_start = Bounded(arg, value(), 0, 253'402'300'799'999);  // up to 9999-12-31
      if (!clock_start) return Usage();
    } else if (arg == "--demo") {
      demo = true;
    } else if (arg == "--cors-origin") {
      const std::string origin = value();
      if (origin != "*" && !(origin.starts_with("http://") || origin.starts_with("https://"))) {
        std::cerr << "--cors-origin: expected an origin such as https://app.example.com, or *\n";
        return Usage();
      }
      options.server.cors_origins.push_back(origin);
    } else if (arg == "--log-level") {
      log.level = value();
    } else if (arg == "--log-format") {
      log.format = value();
    } else if (arg == "--master-key-file") {
      options.master_key_file = value();
    } else {
      std::cerr << "unknown option " << arg << "\n";
      return Usage();
    }
  }
  if (auto bad = keel::gateway::CheckLogOptions(log); !bad.empty()) {
    std::cerr << "--" << bad << "\n";
    return Usage();
  }
  options.request_log = log;
  if (clock_start && !simulated) {
    std::cerr << "--clock-start needs --clock simulated\n";
    return Usage();
  }
  keel::actors::SimulatedClock simulated_clock(clock_start.value_or(keel::actors::SystemClock{}.NowMs()));
  if (simulated) options.simulated_clock = &simulated_clock;
  if (const char* key = std::getenv("KEEL_BOOTSTRAP_KEY"); key && *key) {
    options.bootstrap_key = key;
    if (auto weak = keel::gateway::WeakBootstrapKey(options.bootstrap_key); !weak.empty()) {
      std::cerr << "keel: KEEL_BOOTSTRAP_KEY refused: " << weak << "\n";
      return 2;
    }
  }
  // --demo seeds only a data directory that holds nothing yet: into one with data it imports no key.
  const bool fresh = !std::filesystem::exists(std::filesystem::path(options.data_dir) / "CURRENT");
  // A directory with other things in it (a backup directory, someone's files) is not made a store.
  if (std::error_code ec; fresh && std::filesystem::exists(options.data_dir, ec) && !std::filesystem::is_empty(options.data_dir, ec)) {
    std::cerr << "keel: " << options.data_dir << " holds files but no Keel store: give a data directory, or a new or empty one"
              << (std::filesystem::is_directory(std::filesystem::path(options.data_dir) / "meta", ec)
                      ? " (this looks like a backup: keel restore --from " + options.data_dir + " --data NEW)"
                      : "")
              << "\n";
    return 2;
  }
  if (demo && fresh && options.bootstrap_key.empty()) options.bootstrap_key = keel::app::kDemoOwnerKey;
  // A fresh demo seeds months of history: business time starts that far back, under the seeder's
  // control, and follows the chosen clock again once the history is in.
  keel::actors::ShiftedClock shifted_clock;
  keel::app::DemoTime demo_time;
  if (demo && fresh) {
    demo_time.end = simulated ? simulated_clock.NowMs() : keel::actors::SystemClock{}.NowMs();
    const std::int64_t history_start = demo_time.end - std::int64_t{demo_time.days} * 86'400'000;
    if (simulated) {
      simulated_clock.Set(history_start);
      demo_time.set = [&simulated_clock](std::int64_t at) { simulated_clock.Set(at); };
    } else {
      shifted_clock.SetNow(history_start);
      options.clock = &shifted_clock;
      demo_time.set = [&shifted_clock](std::int64_t at) { shifted_clock.SetNow(at); };
    }
  }
  options.defer_ready = true;  // ready once the demo data (if any) is in

  // Signals are taken by sigwait below, in this thread only: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The store tells when writes stop (a full disk) and when they resume: one line each on stderr.
  options.store.notice = [](const std::string& line) { std::cerr << "keel: " << line << std::endl; };
  // What this start would create (a new data directory, its master key file): removed again if it
  // fails (a listen address it cannot bind, say), so that a failed first start leaves nothing behind.
  std::error_code fs_ec;
  const bool dir_was_there = std::filesystem::exists(options.data_dir, fs_ec);
  std::string key_file = options.master_key_file;
  if (key_file.empty()) {
    key_file = options.data_dir;
    while (key_file.size() > 1 && key_file.back() == '/') key_file.pop_back();
    key_file += ".master-key";
  }
  const bool key_was_there = std::filesystem::exists(key_file, fs_ec);
  auto node = keel::app::Node::Start(options);
  if (!node) {  // the environment: the data directory, the master key, the listen address
    std::cerr << "keel: " << node.error() << "\n";
    if (fresh) {
      if (dir_was_there) {
        for (const auto& entry : std::filesystem::directory_iterator(options.data_dir, fs_ec))
          std::filesystem::remove_all(entry.path(), fs_ec);  // it was empty before
      } else {
        std::filesystem::remove_all(options.data_dir, fs_ec);
      }
      if (!key_was_there) std::filesystem::remove(key_file, fs_ec);
    }
    return 2;
  }
  auto& n = **node;
  std::cerr << "keel: " << keel::app::StartLine(options.data_dir, n.store()) << std::endl;
  for (const auto& notice : n.notices()) std::cerr << "keel: " << notice << std::endl;
  const std::string url = "http://" + options.server.address + ":" + std::to_string(n.port());
  if (n.generated_key()) {
    std::cout << "platform owner API key (shown once, store it now): " << *n.generated_key() << "\n";
  }
  if (demo) {
    // No event yet: a new directory, or one a start stopped before seeding (a failed first start
    // removes what it made).
    // Keys imported before stay as they are (an import never overwrites, a revoked key stays revoked).
    if (n.store().HeadPosition() == 0) {
      if (auto owner = n.api().ImportKey(keel::app::kDemoOwnerKey, keel::gateway::Role::kPlatformOwner, "demo owner"); !owner) {
        std::cerr << "keel: demo key: " << owner.error() << "\n";
        return 1;
      }
      auto seeded = keel::app::SeedDemo(n.api(), n.runtime(), demo_time.set ? &demo_time : nullptr);
      shifted_clock.Follow();
      if (!seeded) {
        std::cerr << "keel: demo seed failed: " << seeded.error() << "\n";
        return 1;
      }
      std::cout << "demo data: " << seeded->partners.size() << " partners, " << seeded->tenants.size() << " tenants, "
                << seeded->warehouses << " warehouses, " << seeded->orders << " orders\n";
      std::cout << "demo platform owner key: " << keel::app::kDemoOwnerKey << "\n"
                << "demo partner admin key (northwind): " << keel::app::kDemoPartnerKey << "\n"
                << "try: curl -H 'Authorization: Bearer " << keel::app::kDemoPartnerKey << "' " << url
                << "/v1/tenants/northwind:acme-dist/orders/ord-1001\n";
    } else {
      // The demo keys are public: they are imported into an empty data directory only, and never again
      // (one revoked there stays revoked).
      std::cout << "demo data: the data directory already has data (" << n.store().HeadPosition()
                << " events); not seeding, and the demo keys are as they were left\n";
    }
  }
  n.MarkReady();
  std::cout << "keel serving on " << url << " (data: " << options.data_dir << "); admin on http://"
            << options.server.admin_address << ":" << n.admin_port();
  if (simulated)
    std::cout << "; business time is simulated, now " << simulated_clock.NowMs()
              << " ms (move it: POST /v1/admin/clock/advance as the platform owner)";
  std::cout << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "keel: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", draining" << std::endl;
  n.Stop();
  std::cout << "keel: stopped" << std::endl;
  return 0;
}

}  // namespace keel::app::cli
