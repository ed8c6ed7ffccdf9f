// Event-store errors as values: a stable code, a message, and the facts a caller needs to react
// (the stream and its actual version on a conflict, the position on corruption).
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace keel::eventstore {

enum class Errc : std::uint8_t {
  kVersionConflict,      // expected version did not match; actual_version says what it is
  kIdempotencyConflict,  // the key was used before with a different request
  kInvalidArgument,      // malformed stream id, empty append, oversized event, ...
  kNotFound,             // no snapshot / checkpoint / read-model value under that name
  kCorruption,           // stored bytes do not decode or the hash chain is broken; position says where
  kIo,                   // RocksDB reported an I/O failure; the store is now fail-stopped
  kFailStopped,          // an earlier write failed; the store refuses every append until reopened
  kClosed,               // the store is shutting down
  kUnavailable,          // writes refused for now (a full disk); they resume on their own once there is room
  kInUse,                // the data directory is held by another open store (a running server)
};

std::string_view ErrcName(Errc code);

struct Error {
  Errc code;
  std::string message = {};
  std::string stream = {};          // the stream concerned, when there is one
  std::uint64_t actual_version = 0;  // kVersionConflict: the stream's current version
  std::uint64_t position = 0;        // kCorruption: the first bad position

  std::string ToString() const;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> MakeError(Errc code, std::string message, std::string stream = {}) {
  return std::unexpected(Error{code, std::move(message), std::move(stream)});
}

}  // namespace keel::eventstore
