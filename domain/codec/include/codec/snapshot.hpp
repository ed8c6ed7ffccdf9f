// Snapshots: an aggregate's State to and from compact bytes. The bytes start with a format number
// per aggregate; when the state's layout changes the number goes up and older snapshots are refused
// (the caller then replays the stream from the start), so a stale snapshot can never be misread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "codec/codec.hpp"

namespace keel::codec {

std::string EncodeSnapshot(const domain::warehouse::State& state);
std::string EncodeSnapshot(const domain::order::State& state);
std::string EncodeSnapshot(const domain::tenant::State& state);
std::string EncodeSnapshot(const domain::partner::State& state);
std::string EncodeSnapshot(const domain::catalog::State& state);
std::string EncodeSnapshot(const domain::billing::State& state);
std::string EncodeSnapshot(const domain::extension::State& state);
std::string EncodeSnapshot(const domain::rollout::State& state);

// Decodes into `out`; an error for another format, truncated or inconsistent bytes.
Decoded<bool> DecodeSnapshot(std::string_view bytes, domain::warehouse::State& out);
Decoded<bool> DecodeSnapshot(std::string_view bytes, domain::order::State& out);
Decoded<bool> DecodeSnapshot(std::string_view bytes, domain::tenant::State& out);
Decoded<bool> DecodeSnapshot(std::string_view bytes, domain::partner::State& out);
Decoded<bool> DecodeSnapshot(std::string_view bytes, domain::catalog::State& out);
Decoded<bool> DecodeSnapshot(std::string_view bytes, domain::billing::State& out);
Decoded<bool> DecodeSnapshot(std::string_view bytes, domain::extension::State& out);
Decoded<bool> DecodeSnapshot(std::string_view bytes, domain::rollout::State& out);

// One entry of a warehouse's ledger (domain::warehouse::Ledger) by its key ("r:<receipt>", ...), as
// the store keeps it in a stream record. Encode: nullopt when the ledger has no such entry. Decode:
// adds the entry to `out`; an error for an unknown key or bytes of another format.
std::optional<std::string> EncodeLedgerEntry(const domain::warehouse::Ledger& ledger, std::string_view key);
Decoded<bool> DecodeLedgerEntry(std::string_view key, std::string_view bytes, domain::warehouse::Ledger& out);

}  // namespace keel::codec
