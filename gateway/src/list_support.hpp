// What every list route shares (list_support.cpp): the common parameters (limit, cursor,
// min_position) with every other one checked against the route's own, the bounded wait for a read
// model to reach a position, and a page answered as {"items", "next_cursor", "projection"}.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "call.hpp"
#include "projections/query.hpp"

namespace keel::gateway {

struct ListParams {
  std::size_t limit = 50;
  std::string cursor;
  std::uint64_t min_position = 0;
};

// A non-negative decimal integer, all of `text`.
std::optional<std::uint64_t> Number(const std::string& text);
// The common parameters, and every other one among `allowed` (an unknown or empty one: 400).
std::expected<ListParams, Response> Params(const Call& c, const std::set<std::string>& allowed);
// 503: the read model `name` could not be read.
Response ReadModelUnreadable(std::string_view name);
// 404 for a partner or tenant outside the caller's scope (as a missing one), kept in the audit.
Response OutsideScope(std::string what);

// A query parameter's value ("" when absent).
std::string Query(const Call& c, const std::string& name);
// "a, b, c".
std::string Listed(const std::set<std::string>& names);

// The read model `name`'s key space once it has folded `min_position` (bounded wait), and its figures
// for the answer's "projection".
std::expected<std::pair<std::string, json::Json>, Response> ReadModel(Call& c, std::string_view name,
                                                                      std::uint64_t min_position);

// A page request on read model `name` (once it has folded min_position), with the common parameters.
struct Opened {
  projections::PageRequest request;
  json::Json figures;
};
std::expected<Opened, Response> Open(Call& c, std::string_view name, const ListParams& p);

// Reads the page and answers it; `shape` (when set) turns each row into the item the route answers.
Response Listing(Call& c, projections::PageRequest request, const json::Json& projection,
                 const std::function<json::Json(json::Json)>& shape = {});

}  // namespace keel::gateway
