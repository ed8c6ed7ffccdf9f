// When an entity writes its next state snapshot:
// - never before `every` events since the last snapshot (RuntimeConfig::snapshot_every, per kind);
// - then once those events' payloads hold at least `tail_ratio` times the last snapshot's bytes
//   (RuntimeConfig::snapshot_tail_ratio; 0, negative or not a number: at once);
// - and in any case after `max_tail` events (RuntimeConfig::snapshot_max_tail; 0: no cap).
// Without the ratio, an entity whose state keeps growing (a warehouse's receipts) rewrites its whole
// state every `every` events: quadratic in its history. With it, the snapshot bytes written stay
// within 1/tail_ratio times the event bytes (plus one snapshot), up to states so large that the cap
// decides. The cap bounds what an activation replays after its snapshot: at most max(every,
// max_tail) events, whether or not the state still grows.
#pragma once

#include <cstdint>

namespace keel::actors {

struct SnapshotProgress {
  std::uint64_t events = 0;          // events applied since the last snapshot (or since the start)
  std::uint64_t event_bytes = 0;     // their encoded payload bytes
  std::uint64_t snapshot_bytes = 0;  // the size of the last snapshot; 0 when there is none
};

constexpr bool SnapshotDue(const SnapshotProgress& p, std::uint64_t every, double tail_ratio, std::uint64_t max_tail) {
  if (every == 0 || p.events < every) return false;
  if (!(tail_ratio > 0 && tail_ratio < 1e9)) return true;  // off (or not a usable number)
  if (max_tail != 0 && p.events >= max_tail) return true;
  return static_cast<double>(p.event_bytes) >= tail_ratio * static_cast<double>(p.snapshot_bytes);
}

}  // namespace keel::actors
