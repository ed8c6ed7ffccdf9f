// The line `keel serve` prints on stderr once the store is open: what recovery found (head, events,
// time to open), what the open-time chain check covered and found, RocksDB info logs removed, and
// whether the store came up read-only for lack of space.
#pragma once

#include <cstdio>
#include <string>

#include "eventstore/store.hpp"

namespace keel::app {

inline std::string StartLine(const std::string& data_dir, const eventstore::EventStore& store) {
  const auto& r = store.open_report();
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1f", r.open_ms);
  std::string line = "event store " + data_dir + " opened in " + ms + " ms: head " + std::to_string(r.head) + " (" +
                     std::to_string(r.head) + " events); verify on open: ";
  if (r.verified_to == 0) {
    line += r.verify == eventstore::VerifyOnOpen::kNone ? "off" : "nothing to check";
  } else {
    line += "positions " + std::to_string(r.verified_from) + ".." + std::to_string(r.verified_to) +
            (r.chain_ok ? " re-hashed, chain intact" : " re-hashed, CHAIN BROKEN");
  }
  if (const auto broken = store.broken_chain()) line += " (first bad position " + std::to_string(broken->bad_position) + ")";
  if (r.removed_old_logs > 0) line += "; removed " + std::to_string(r.removed_old_logs) + " old RocksDB info logs";
  if (r.read_only) line += "; READ-ONLY: no space left to open for writing (writes resume once the disk has room)";
  return line;
}

}  // namespace keel::app
