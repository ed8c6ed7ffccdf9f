// When an entity writes its next state snapshot. Two conditions, both needed:
// - at least `every` events since the last snapshot (RuntimeConfig::snapshot_every, per kind);
// - amortization: the events since the last snapshot hold at least `tail_ratio` times that
//   snapshot's bytes (RuntimeConfig::snapshot_tail_ratio).
// Without the second, an entity whose state keeps growing (a warehouse's receipts) writes a snapshot
// of its whole state every `every` events: quadratic in its history. With it, the snapshot bytes
// written stay at most 1/tail_ratio times the event bytes written, and an activation replays at most
// `every` events or a tail of about tail_ratio times the snapshot's own size, whichever is more.
#pragma once

#include <cstdint>

namespace keel::actors {

struct SnapshotProgress {
  std::uint64_t events = 0;          // events applied since the last snapshot (or since the start)
  std::uint64_t event_bytes = 0;     // their encoded payload bytes
  std::uint64_t snapshot_bytes = 0;  // the size of the last snapshot; 0 when there is none
};

constexpr bool SnapshotDue(const SnapshotProgress& p, std::uint64_t every, double tail_ratio) {
  if (every == 0 || p.events < every) return false;
  if (tail_ratio <= 0) return true;
  return static_cast<double>(p.event_bytes) >= tail_ratio * static_cast<double>(p.snapshot_bytes);
}

}  // namespace keel::actors
