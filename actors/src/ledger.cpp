// The warehouse's ledger in the store (see ledger.hpp).
#include "ledger.hpp"

#include "codec/snapshot.hpp"
#include "context.hpp"

namespace keel::actors {

namespace w = domain::warehouse;

eventstore::Result<void> FillLedger(const eventstore::EventStore& store, const std::string& stream,
                                    const std::vector<std::string>& keys, w::Ledger& into) {
  for (const auto& key : keys) {
    auto found = store.LookupRecord(stream, key);
    if (!found) return std::unexpected(found.error());
    if (!*found) continue;
    if (auto ok = codec::DecodeLedgerEntry(key, **found, into); !ok) {
      return std::unexpected(eventstore::Error{eventstore::Errc::kCorruption,
                                               "ledger entry " + key + ": " + ok.error().message, stream});
    }
  }
  return {};
}

std::vector<eventstore::StreamRecord> LedgerRecords(const std::string& stream, std::uint64_t version_before,
                                                    w::Ledger before, const std::vector<w::Event>& events) {
  std::vector<std::string> touched;
  for (const auto& e : events) {
    w::ApplyLedger(before, e);
    for (auto& key : w::LedgerKeys(e)) touched.push_back(std::move(key));
  }
  std::vector<eventstore::StreamRecord> records;
  if (version_before == 0) records.push_back({stream, std::string(kLedgerMark), "1"});
  for (const auto& key : touched) {
    bool written = false;
    for (const auto& r : records) written = written || r.key == key;
    if (written) continue;  // two events on one entry: its final value once
    if (auto bytes = codec::EncodeLedgerEntry(before, key)) records.push_back({stream, key, std::move(*bytes)});
  }
  return records;
}

eventstore::Result<std::vector<eventstore::StreamRecord>> LookUpAndRecord(const eventstore::EventStore& store,
                                                                          const std::string& stream,
                                                                          std::uint64_t version_before,
                                                                          const std::vector<w::Event>& events) {
  std::vector<std::string> keys;
  for (const auto& e : events) {
    for (auto& key : w::LedgerKeys(e)) keys.push_back(std::move(key));
  }
  w::Ledger before;
  if (auto filled = FillLedger(store, stream, keys, before); !filled) return std::unexpected(filled.error());
  return LedgerRecords(stream, version_before, std::move(before), events);
}

std::vector<eventstore::StreamRecord> BackfillRecords(const std::string& stream, const w::Ledger& ledger) {
  std::vector<eventstore::StreamRecord> records;
  for (const auto& key : w::LedgerKeys(ledger)) {
    if (auto bytes = codec::EncodeLedgerEntry(ledger, key)) records.push_back({stream, key, std::move(*bytes)});
  }
  records.push_back({stream, std::string(kLedgerMark), "1"});
  return records;
}

eventstore::Result<bool> LedgerMarked(const eventstore::EventStore& store, const std::string& stream) {
  auto found = store.LookupRecord(stream, kLedgerMark);
  if (!found) return std::unexpected(found.error());
  return found->has_value();
}

std::expected<Snapshot, Failure> Client::WithLedger(const EntityKey& key, Snapshot snapshot,
                                                    const std::vector<std::string>& ledger_keys) {
  if (key.kind != Kind::kWarehouse || ledger_keys.empty() || !snapshot.state) return snapshot;
  auto copy = std::make_shared<AnyState>(*snapshot.state);
  auto& state = std::get<w::State>(*copy);
  if (auto filled = FillLedger(*ContextOf(impl_->rt).store, StreamOf(key), ledger_keys, state.ledger); !filled)
    return std::unexpected(StoreFailure(filled.error()));
  return Snapshot{std::move(copy), snapshot.version};
}

}  // namespace keel::actors
