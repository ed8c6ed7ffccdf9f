// Shared support of the operator tools (see tool.hpp).
#include "tool.hpp"

#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "config/loader.hpp"
#include "read_model_set.hpp"

namespace keel::app::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void OnInterrupt(int) { interrupted.store(true); }

std::string Explain(const eventstore::Error& e, const std::string& dir) {
  switch (e.code) {
    case eventstore::Errc::kNotFound: return dir + ": no Keel data directory here (" + e.message + ")";
    case eventstore::Errc::kInvalidArgument: return e.message;
    case eventstore::Errc::kInUse: return e.message;
    default: return dir + ": " + e.ToString();
  }
}

eventstore::Options ToolOptions() {
  eventstore::Options o;
  o.create_if_missing = false;
  o.verify_on_open = eventstore::VerifyOnOpen::kNone;  // the tools verify when asked, and report
  o.allow_broken_chain = true;
  return o;
}

}  // namespace

ToolStore::ToolStore(std::unique_ptr<eventstore::EventStore> store, std::string scratch)
    : store_(std::move(store)), scratch_(std::move(scratch)) {}

ToolStore::~ToolStore() {
  store_.reset();
  if (!scratch_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
  }
}

std::expected<ToolStore, std::string> OpenForRead(const std::string& dir) {
  char scratch[] = "/tmp/keel-reader-XXXXXX";
  if (::mkdtemp(scratch) == nullptr) return std::unexpected(std::string("cannot make a scratch directory in /tmp"));
  auto options = ToolOptions();
  options.access = eventstore::Access::kSecondary;
  options.secondary_dir = scratch;
  auto store = eventstore::EventStore::Open(dir, options);
  if (!store) {
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
    return std::unexpected(Explain(store.error(), dir));
  }
  return ToolStore(std::move(*store), scratch);
}

std::expected<ToolStore, std::string> OpenForWrite(const std::string& dir, bool create) {
  auto options = ToolOptions();
  std::error_code ec;
  const bool has_store = std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec);
  if (create && !has_store) {
    if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec))
      return std::unexpected(dir + " holds files but no Keel store: give a new or empty directory");
    options.create_if_missing = true;
  }
  auto store = eventstore::EventStore::Open(dir, options);
  if (!store) return std::unexpected(Explain(store.error(), dir));
  return ToolStore(std::move(*store), "");
}

std::expected<std::vector<std::shared_ptr<const projections::Projection>>, std::string> LoadReadModels(
    const std::string& config_dir) {
  auto catalog = config::LoadCatalog((config_dir.empty() ? config::DefaultDataDir() : config_dir) + "/plans.json");
  if (!catalog) return std::unexpected("configuration: " + catalog.error());
  return ReadModelSet(*catalog);
}

void CatchInterrupts() {
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGHUP, &action, nullptr);
  // A reader that goes away (`keel log | head`): writes fail instead of killing the process, and the
  // tools stop as if interrupted, removing what they made.
  std::signal(SIGPIPE, SIG_IGN);
}

bool OutputGone() {
  if (std::cout.good()) return false;
  interrupted.store(true);
  return true;
}

bool Interrupted() { return interrupted.load(); }

Meter::Meter(std::string what, std::string unit, bool quiet)
    : what_(std::move(what)), unit_(std::move(unit)), quiet_(quiet), tty_(::isatty(STDERR_FILENO) == 1),
      started_(std::chrono::steady_clock::now()), drawn_(started_) {}

double Meter::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

bool Meter::operator()(std::uint64_t done, std::uint64_t total) {
  const auto now = std::chrono::steady_clock::now();
  const auto every = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(2000);
  if (!quiet_ && now - drawn_ >= every) {
    drawn_ = now;
    Draw(done, total, false);
  }
  return !Interrupted();
}

void Meter::Finish(std::uint64_t done) { Draw(done, 0, true); }

void Meter::Draw(std::uint64_t done, std::uint64_t total, bool last) {
  if (quiet_) return;
  const double elapsed = std::max(seconds(), 1e-6);
  const double rate = done / elapsed;
  const bool bytes = unit_ == "bytes";
  std::string line = what_ + ": " + Human(double(done), bytes);
  if (total > 0 && !last) {
    const double share = std::min(1.0, double(done) / double(total));
    if (tty_) {
      constexpr int kWidth = 28;
      const int filled = int(share * kWidth);
      line = what_ + " [" + std::string(filled, '=') + (filled < kWidth ? ">" : "") +
             std::string(kWidth - filled - (filled < kWidth ? 1 : 0), ' ') + "] " + Human(double(done), bytes);
    }
    char pct[16];
    std::snprintf(pct, sizeof pct, " %3.0f%%", share * 100);
    line += "/" + Human(double(total), bytes) + pct;
    if (rate > 0) {
      char eta[32];
      std::snprintf(eta, sizeof eta, ", ETA %.0f s", double(total - std::min(total, done)) / rate);
      line += eta;
    }
  }
  line += (bytes ? "" : " " + unit_) + ", " + Human(rate, bytes) + "/s";
  if (last) {
    char took[32];
    std::snprintf(took, sizeof took, " in %.2f s", elapsed);
    line += took;
  }
  if (tty_)
    std::cerr << "\r\033[K" << line << (last ? "\n" : "") << std::flush;
  else
    std::cerr << line << "\n" << std::flush;
}

std::string IsoTime(std::int64_t ms) {
  const auto tp = std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms));
  const auto day = std::chrono::floor<std::chrono::days>(tp);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(tp - day);
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), long(hms.hours().count()), long(hms.minutes().count()), long(hms.seconds().count()),
                long(hms.subseconds().count()));
  return out;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), int(bytes.size()));
  out.resize(std::size_t(n));
  return out;
}

std::expected<std::string, std::string> FromBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::unexpected(std::string("base64 length is not a multiple of 4"));
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), int(text.size()));
  if (n < 0) return std::unexpected(std::string("not base64"));
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(std::size_t(n) - padding);
  return out;
}

std::string Human(double value, bool bytes) {
  const char* units[] = {"", "k", "M", "G", "T"};
  const double step = bytes ? 1024.0 : 1000.0;
  int i = 0;
  while (value >= step && i < 4) value /= step, ++i;
  char out[32];
  if (bytes)
    std::snprintf(out, sizeof out, i == 0 ? "%.0f B" : "%.1f %siB", value, i == 1 ? "K" : units[i]);
  else
    std::snprintf(out, sizeof out, i == 0 ? "%.0f%s" : "%.2f%s", value, units[i]);
  return out;
}

}  // namespace keel::app::cli
