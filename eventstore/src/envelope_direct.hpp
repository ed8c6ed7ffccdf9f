// The fast path of envelope decoding: reads an Envelope's fields straight out of its bytes when the
// message has the shape the writer always produces (one segment, a struct root, fields as plain byte
// lists), with every offset bounds-checked and no copy. Anything else — more segments, far pointers,
// a pointer of another kind, a Text without its NUL, an offset outside the message — is declined
// (nullopt), and the caller decodes with Cap'n Proto's reader, which reports real corruption.
// Field offsets come from the compiled schema, so a field added later moves nothing here.
#pragma once

#include <optional>
#include <string_view>

#include "eventstore/types.hpp"

namespace keel::eventstore {

// `value` is a stored log value: sha256[32] || flat message. Needs no alignment.
std::optional<EventView> DecodeEnvelopeDirect(std::string_view value, bool payload_only);

}  // namespace keel::eventstore
