// What the operator tools share: opening a data directory (read-only beside a running server, or for
// writing when none holds it), Ctrl-C, a progress meter on stderr, and small formatting helpers.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "eventstore/store.hpp"
#include "projections/projection.hpp"

namespace keel::app::cli {

// An open store, and the scratch directory of a read-only (secondary) open, removed on close.
class ToolStore {
 public:
  ToolStore(std::unique_ptr<eventstore::EventStore> store, std::string scratch);
  ToolStore(ToolStore&&) = default;
  ~ToolStore();
  eventstore::EventStore& operator*() const { return *store_; }
  eventstore::EventStore* operator->() const { return store_.get(); }

 private:
  std::unique_ptr<eventstore::EventStore> store_;
  std::string scratch_;
};

// Reads `dir` without taking its lock or writing to it (RocksDB's secondary instance): works whether a
// server runs on it or not. An error names the problem: no store there, not a Keel store, ...
std::expected<ToolStore, std::string> OpenForRead(const std::string& dir);
// Opens `dir` for writing (no server may hold it). `create`: a missing or empty directory becomes a
// new store; a directory with other things in it is refused, untouched.
std::expected<ToolStore, std::string> OpenForWrite(const std::string& dir, bool create = false);

// The node's read models (app/read_model_set.hpp) with the catalog from `config_dir` ("" = the
// repository's config/data); an error names the file that did not load.
std::expected<std::vector<std::shared_ptr<const projections::Projection>>, std::string> LoadReadModels(
    const std::string& config_dir);

// Ctrl-C: the first SIGINT / SIGTERM sets a flag that long work checks between steps.
void CatchInterrupts();
bool Interrupted();
// stdout failed (its reader went away): marks the run interrupted and says so.
bool OutputGone();

// Progress of long work on stderr: a bar with rate and ETA on a terminal, a plain line every few
// seconds otherwise, nothing when `quiet`. Its call operator is an eventstore::Progress (false once
// interrupted).
class Meter {
 public:
  Meter(std::string what, std::string unit, bool quiet = false);
  bool operator()(std::uint64_t done, std::uint64_t total);
  void Finish(std::uint64_t done);  // the last line: how many, how fast
  double seconds() const;

 private:
  void Draw(std::uint64_t done, std::uint64_t total, bool last);
  std::string what_, unit_;
  bool quiet_, tty_;
  std::chrono::steady_clock::time_point started_, drawn_;
};

// Unix ms as RFC 3339 UTC with milliseconds.
std::string IsoTime(std::int64_t ms);
// Bytes as hexadecimal / base64.
std::string Hex(std::string_view bytes);
std::string Base64(std::string_view bytes);
std::expected<std::string, std::string> FromBase64(std::string_view text);
// A count with its unit, 1.2M / 3.4 MiB style.
std::string Human(double value, bool bytes = false);

}  // namespace keel::app::cli
