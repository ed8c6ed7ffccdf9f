// A small, strict validator for the subset of JSON Schema an extension manifest's `config_schema` may
// use, and for a tenant's `config` against it. CheckConfigSchema runs when a partner submits a manifest;
// CheckConfig when a tenant installs the extension. Nothing throws: the first problem is returned as a
// FieldError whose `field` is a path under the given prefix ("config.endpoints[1].url").
//
// The subset (any other keyword is refused, naming its path):
//  - every node: `type` (required; one of object, array, string, integer, number, boolean), `title`,
//    `description` (strings, not used for validation), `default` (must itself satisfy the node).
//  - object: `properties` (name -> schema; names 1..64 of [A-Za-z0-9_-]; at most 64), `required`
//    (unique names, each in `properties`), `additionalProperties` (boolean; default false: unknown keys
//    are refused).
//  - array: `items` (a schema, required), `minItems`, `maxItems`.
//  - string: `minLength`, `maxLength` (in Unicode code points), `enum` (unique strings), `format`
//    ("uri": an absolute http(s) URL with a host; "email").
//  - integer: `minimum`, `maximum`, `enum` (unique integers); number: `minimum`, `maximum`.
//  - boolean: nothing more.
// Keywords must fit the node's type; the root is of type object. Limits: nesting depth 8 (the root is at
// depth 1), 256 schema nodes, 64 properties per object, 256 values per enum.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "json_fields.hpp"

namespace keel::gateway::json {

inline constexpr std::size_t kMaxSchemaDepth = 8;
inline constexpr std::size_t kMaxSchemaNodes = 256;
inline constexpr std::size_t kMaxSchemaProperties = 64;
inline constexpr std::size_t kMaxSchemaEnumValues = 256;

// Empty when `schema` is a schema this validator supports; else the first problem, with `field` a
// path under `prefix` (e.g. "config_schema.properties.port.type").
std::optional<FieldError> CheckConfigSchema(const Json& schema, std::string_view prefix = "config_schema");

// Empty when `config` satisfies `schema` (which passed CheckConfigSchema); else the first problem, with
// `field` a path under `prefix` (e.g. "config.endpoints[1].url", "config.retries"). A schema that did
// not pass CheckConfigSchema gives a FieldError rather than undefined behaviour, but no useful one.
std::optional<FieldError> CheckConfig(const Json& schema, const Json& config, std::string_view prefix = "config");

// The keywords supported (for documentation), "type" first.
std::span<const std::string_view> SupportedKeywords();

}  // namespace keel::gateway::json
