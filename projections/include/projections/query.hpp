// Pages of a read model for the list routes: rows in key order (a stable sort), read directly under a
// row prefix or through an index prefix, from an opaque cursor (the last key served, hex-encoded), so
// a page costs one seek and the rows it returns whatever the model's size; rows inserted behind the
// cursor meanwhile are not served again, none served is repeated, none present is skipped.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "eventstore/store.hpp"

namespace keel::projections {

struct Page {
  std::vector<nlohmann::json> rows;
  std::vector<std::string> keys;  // each row's key in the listing (the index key under an index prefix)
  std::string next;  // the cursor of the next page; "" when this is the last
};

struct PageRequest {
  std::string model;   // the key space (Projections::ActiveModel)
  std::string prefix;  // rows ("o/<tenant>/") or index entries ("i/status/<tenant>/reserved/")
  // With an index prefix: where the rows are; the row's id is the index key's last segment.
  std::optional<std::string> rows_at;
  std::string cursor;  // "" for the first page
  std::size_t limit = 50;
  std::function<bool(const nlohmann::json& row)> keep;  // a filter the keys cannot answer (null: all)
  std::size_t max_examined = 10'000;  // a filtered page stops after this many entries (with a cursor)
  std::string until;  // "" or a key: the listing ends before it (a range's upper bound)
};

// The page, or why the cursor is not one this listing gave (decode it with DecodeCursor first).
eventstore::Result<Page> ReadPage(const eventstore::EventStore& store, const PageRequest& request);

// The key a cursor stands for; nullopt when it is not hex or not under `prefix`.
std::optional<std::string> DecodeCursor(std::string_view cursor, std::string_view prefix);
std::string EncodeCursor(std::string_view key);

}  // namespace keel::projections
