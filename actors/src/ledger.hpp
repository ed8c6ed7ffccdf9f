// The warehouse's ledger in the store (DESIGN.md §4, "ids a decision needs forever"): each entry of
// domain::warehouse::Ledger is a record of the stream, written in the same append as the events that
// made it, so the actor's state and its snapshots hold only what is open and a command's cost does not
// grow with history. Before a decision the actor looks up the entries the command names; an append
// carries the entries its events touch. A mark record says a stream's ledger is complete in the
// store; a stream written before records existed lacks it and is backfilled once from its own events.
// Holds no business rule (the domain says which keys a command reads and an event writes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/entity.hpp"
#include "domain/warehouse.hpp"
#include "eventstore/store.hpp"

namespace keel::actors {

template <Kind K>
inline constexpr bool kHasLedger = K == Kind::kWarehouse;

// The record key of the mark; the ledger entries' keys never start with '!'.
inline constexpr std::string_view kLedgerMark = "!ledger";

// Adds the entries `keys` names that the store holds to `into` (an entry not found is left as it is).
eventstore::Result<void> FillLedger(const eventstore::EventStore& store, const std::string& stream,
                                    const std::vector<std::string>& keys, domain::warehouse::Ledger& into);

// The records an append of `events` writes: every entry they touch, folded into `before` (which holds
// those entries as they were), and the mark when the stream is new (`version_before` 0).
std::vector<eventstore::StreamRecord> LedgerRecords(const std::string& stream, std::uint64_t version_before,
                                                    domain::warehouse::Ledger before,
                                                    const std::vector<domain::warehouse::Event>& events);

// The same for a caller that has not looked the touched entries up (a joint append).
eventstore::Result<std::vector<eventstore::StreamRecord>> LookUpAndRecord(
    const eventstore::EventStore& store, const std::string& stream, std::uint64_t version_before,
    const std::vector<domain::warehouse::Event>& events);

// Every entry of a whole ledger and the mark: the one-time backfill of a stream.
std::vector<eventstore::StreamRecord> BackfillRecords(const std::string& stream, const domain::warehouse::Ledger& ledger);

// Whether the stream's ledger is in the store (its mark is there).
eventstore::Result<bool> LedgerMarked(const eventstore::EventStore& store, const std::string& stream);

}  // namespace keel::actors
