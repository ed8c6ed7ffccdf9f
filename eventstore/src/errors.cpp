// Names and rendering of event-store error values.
#include "eventstore/errors.hpp"

namespace keel::eventstore {

std::string_view ErrcName(Errc code) {
  switch (code) {
    case Errc::kVersionConflict: return "version_conflict";
    case Errc::kIdempotencyConflict: return "idempotency_conflict";
    case Errc::kInvalidArgument: return "invalid_argument";
    case Errc::kNotFound: return "not_found";
    case Errc::kCorruption: return "corruption";
    case Errc::kIo: return "io";
    case Errc::kFailStopped: return "fail_stopped";
    case Errc::kClosed: return "closed";
    case Errc::kUnavailable: return "unavailable";
    case Errc::kInUse: return "in_use";
  }
  return "unknown";
}

std::string Error::ToString() const {
  std::string s{ErrcName(code)};
  s += ": ";
  s += message;
  if (!stream.empty()) s += " (stream " + stream + ")";
  if (code == Errc::kVersionConflict) s += " (actual version " + std::to_string(actual_version) + ")";
  if (code == Errc::kCorruption && position != 0) s += " (position " + std::to_string(position) + ")";
  return s;
}

}  // namespace keel::eventstore
