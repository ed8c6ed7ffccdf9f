// The config_schema validator (config_schema.hpp): checks that an extension manifest's `config_schema`
// keeps to the supported subset of JSON Schema, and that a tenant's `config` satisfies it. Every JSON
// access is type-checked first, so no nlohmann exception can be thrown; errors are FieldError values.
#include "config_schema.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>

namespace keel::gateway::json {
namespace {

using Error = std::optional<FieldError>;

constexpr std::array<std::string_view, 16> kKeywords{
    "type",     "title",    "description", "default",   "properties", "required", "additionalProperties", "items",
    "minItems", "maxItems", "minLength",   "maxLength", "enum",       "format",   "minimum",              "maximum"};
constexpr std::array<std::string_view, 6> kTypes{"object", "array", "string", "integer", "number", "boolean"};

// Bounds are compared as long double, exact for every int64, uint64 and double.
static_assert(std::numeric_limits<long double>::digits >= 64, "long double must hold a 64-bit integer exactly");

Error Bad(std::string field, std::string message) { return FieldError{std::move(field), std::move(message)}; }

template <std::size_t N>
bool In(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}
std::string List(std::span<const std::string_view> names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}
// A value as text for a message (replacing invalid UTF-8, so that dump cannot throw).
std::string Text(const Json& j) {
  return j.is_string() ? j.get_ref<const std::string&>() : j.dump(-1, ' ', false, Json::error_handler_t::replace);
}
std::string EnumList(const Json& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + Text(v);
  return out;
}

// Whether `keyword` may appear on a node of `type`.
bool Fits(std::string_view type, std::string_view k) {
  if (k == "type" || k == "title" || k == "description" || k == "default") return true;
  if (type == "object") return k == "properties" || k == "required" || k == "additionalProperties";
  if (type == "array") return k == "items" || k == "minItems" || k == "maxItems";
  if (type == "string") return k == "minLength" || k == "maxLength" || k == "enum" || k == "format";
  if (type == "integer") return k == "minimum" || k == "maximum" || k == "enum";
  if (type == "number") return k == "minimum" || k == "maximum";
  return false;
}

const Json* Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}
std::string_view TypeOf(const Json& node) {
  const Json* t = Member(node, "type");
  return t && t->is_string() ? std::string_view(t->get_ref<const std::string&>()) : std::string_view();
}

// A non-negative integer's value.
std::optional<std::uint64_t> Count(const Json& j) {
  if (j.is_number_unsigned()) return j.get<std::uint64_t>();
  if (j.is_number_integer() && j.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(j.get<std::int64_t>());
  return std::nullopt;
}
bool IsFiniteNumber(const Json& j) { return j.is_number() && (!j.is_number_float() || std::isfinite(j.get<double>())); }
long double Value(const Json& j) {
  if (j.is_number_unsigned()) return static_cast<long double>(j.get<std::uint64_t>());
  if (j.is_number_integer()) return static_cast<long double>(j.get<std::int64_t>());
  return j.is_number_float() ? static_cast<long double>(j.get<double>()) : 0.0L;
}

// Code points of a UTF-8 string: the bytes that are not continuation bytes.
std::size_t CodePoints(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool IsPropertyName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// http(s)://host[:port][/path][?query][#fragment], printable ASCII only, no user info; the host a
// dotted name of [A-Za-z0-9-] labels or a bracketed IPv6 address; the port 1..65535.
bool IsUri(std::string_view s) {
  if (s.size() > 2048) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7F) return false;
  auto starts = [&](std::string_view scheme) {
    if (s.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(s[i])) != scheme[i]) return false;
    return true;
  };
  std::size_t start = starts("https://") ? 8 : starts("http://") ? 7 : 0;
  if (start == 0) return false;
  const std::string_view authority = s.substr(start, s.find_first_of("/?#", start) - start);
  if (authority.find('@') != std::string_view::npos) return false;
  std::string_view host = authority, rest;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char c : host.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') return false;
    rest = host.substr(close + 1);
  } else {
    const auto colon = host.find(':');
    if (colon != std::string_view::npos) rest = host.substr(colon), host = host.substr(0, colon);
    if (host.empty() || host.front() == '.' || host.back() == '.' || host.find("..") != std::string_view::npos)
      return false;
    for (char c : host)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  if (rest.empty()) return true;
  const std::string_view port = rest.substr(1);
  if (rest.front() != ':' || port.empty() || port.size() > 5) return false;
  unsigned value = 0;
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value >= 1 && value <= 65535;
}

// local@domain.tld: one '@', a non-empty local part, a domain of non-empty dot-separated labels (at
// least two), no spaces or control characters.
bool IsEmail(std::string_view s) {
  if (s.size() > 254) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7F) return false;
  const auto at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = s.substr(at + 1);
  return domain.find('.') != std::string_view::npos && domain.front() != '.' && domain.back() != '.' &&
         domain.find("..") == std::string_view::npos;
}

// Whether `value` satisfies `node` (a checked schema); defensive about a node that is not one.
Error Validate(const Json& node, const Json& value, const std::string& path, std::size_t depth) {
  if (depth > kMaxSchemaDepth || !node.is_object()) return Bad(path, "the schema is invalid");
  const std::string_view type = TypeOf(node);
  const Json* en = Member(node, "enum");
  const bool listed = !en || !en->is_array() || std::find(en->begin(), en->end(), value) != en->end();
  auto bound = [&](const char* key, auto&& test, std::string_view message, std::string_view unit = "") -> Error {
    const Json* b = Member(node, key);
    if (b && b->is_number() && !test(*b)) return Bad(path, std::string(message) + Text(*b) + std::string(unit));
    return std::nullopt;
  };
  if (type == "object") {
    if (!value.is_object()) return Bad(path, "expected an object");
    static const Json kNone = Json::object();
    const Json* props = Member(node, "properties");
    if (!props || !props->is_object()) props = &kNone;
    const Json* extra = Member(node, "additionalProperties");
    if (!(extra && extra->is_boolean() && extra->get<bool>()))
      for (const auto& [k, v] : value.items())
        if (props->find(k) == props->end()) return Bad(Join(path, k), "unknown field");
    const Json* req = Member(node, "required");
    for (const auto& [name, sub] : props->items()) {
      auto it = value.find(name);
      if (it != value.end()) {
        if (auto e = Validate(sub, *it, Join(path, name), depth + 1)) return e;
      } else if (req && req->is_array() && std::find(req->begin(), req->end(), Json(name)) != req->end()) {
        return Bad(Join(path, name), "required");
      }
    }
    return std::nullopt;
  }
  if (type == "array") {
    if (!value.is_array()) return Bad(path, "expected an array");
    const long double n = static_cast<long double>(value.size());
    if (auto e = bound("minItems", [&](const Json& b) { return n >= Value(b); }, "must have at least ", " items")) return e;
    if (auto e = bound("maxItems", [&](const Json& b) { return n <= Value(b); }, "must have at most ", " items")) return e;
    const Json* items = Member(node, "items");
    if (!items) return Bad(path, "the schema is invalid");
    std::size_t i = 0;
    for (const auto& item : value)
      if (auto e = Validate(*items, item, Index(path, i++), depth + 1)) return e;
    return std::nullopt;
  }
  if (type == "string") {
    if (!value.is_string()) return Bad(path, "expected a string");
    const std::string& s = value.get_ref<const std::string&>();
    const long double n = static_cast<long double>(CodePoints(s));
    if (auto e = bound("minLength", [&](const Json& b) { return n >= Value(b); }, "must be at least ", " characters long"))
      return e;
    if (auto e = bound("maxLength", [&](const Json& b) { return n <= Value(b); }, "must be at most ", " characters long"))
      return e;
    if (!listed) return Bad(path, "must be one of: " + EnumList(*en));
    if (const Json* f = Member(node, "format")) {
      if (*f == "uri" && !IsUri(s)) return Bad(path, "must be an absolute http(s) URL");
      if (*f == "email" && !IsEmail(s)) return Bad(path, "must be an email address");
    }
    return std::nullopt;
  }
  if (type == "integer" || type == "number") {
    if (type == "integer" && !value.is_number_integer()) return Bad(path, "expected an integer");
    if (type == "number" && !IsFiniteNumber(value)) return Bad(path, "expected a number");
    if (!listed) return Bad(path, "must be one of: " + EnumList(*en));
    const long double v = Value(value);
    if (auto e = bound("minimum", [&](const Json& b) { return v >= Value(b); }, "must be at least ")) return e;
    return bound("maximum", [&](const Json& b) { return v <= Value(b); }, "must be at most ");
  }
  if (type == "boolean") return value.is_boolean() ? Error{} : Bad(path, "expected true or false");
  return Bad(path, "the schema is invalid");
}

// min_key <= max_key, both non-negative integers (`counts`) or finite numbers.
Error CheckBounds(const Json& node, const std::string& path, const char* min_key, const char* max_key, bool counts) {
  const Json* lo = Member(node, min_key);
  const Json* hi = Member(node, max_key);
  for (auto [key, j] : {std::pair{min_key, lo}, std::pair{max_key, hi}})
    if (j && (counts ? !Count(*j) : !IsFiniteNumber(*j)))
      return Bad(Join(path, key), counts ? "expected a non-negative integer" : "expected a number");
  if (lo && hi && Value(*hi) < Value(*lo)) return Bad(Join(path, max_key), "must not be less than " + std::string(min_key));
  return std::nullopt;
}

Error CheckEnum(const Json& values, const std::string& path, bool strings) {
  if (!values.is_array() || values.empty()) return Bad(path, "expected a non-empty array");
  if (values.size() > kMaxSchemaEnumValues) return Bad(path, "at most 256 values");
  std::set<std::string> seen;
  std::size_t i = 0;
  for (const auto& v : values) {
    if (strings ? !v.is_string() : !v.is_number_integer())
      return Bad(Index(path, i), strings ? "expected a string" : "expected an integer");
    if (!seen.insert(Text(v)).second) return Bad(Index(path, i), "duplicate value");
    ++i;
  }
  return std::nullopt;
}

struct SchemaChecker {
  std::size_t nodes = 0;

  Error Node(const Json& node, const std::string& path, std::size_t depth) {
    if (!node.is_object()) return Bad(path, "expected a schema (an object)");
    if (depth > kMaxSchemaDepth) return Bad(path, "the schema is nested too deeply (at most 8 levels)");
    if (++nodes > kMaxSchemaNodes) return Bad(path, "the schema has too many nodes (at most 256)");
    for (const auto& [k, v] : node.items())
      if (!In(kKeywords, k)) return Bad(Join(path, k), "unsupported keyword '" + k + "' (supported: " + List(kKeywords) + ")");
    const Json* t = Member(node, "type");
    if (!t) return Bad(Join(path, "type"), "required");
    const std::string_view type = TypeOf(node);
    if (!In(kTypes, type)) return Bad(Join(path, "type"), "must be one of: " + List(kTypes));
    if (depth == 1 && type != "object") return Bad(Join(path, "type"), "the root schema must be of type object");
    for (const auto& [k, v] : node.items())
      if (!Fits(type, k)) return Bad(Join(path, k), "keyword '" + k + "' does not apply to type " + std::string(type));
    for (const char* k : {"title", "description"})
      if (const Json* j = Member(node, k); j && !j->is_string()) return Bad(Join(path, k), "expected a string");
    if (type == "object") {
      const Json* props = Member(node, "properties");
      const std::string at = Join(path, "properties");
      if (props && !props->is_object()) return Bad(at, "expected an object");
      if (props && props->size() > kMaxSchemaProperties) return Bad(at, "at most 64 properties");
      if (props)
        for (const auto& [name, sub] : props->items()) {
          if (!IsPropertyName(name)) return Bad(Join(at, name), "a property name is 1..64 characters of A-Z a-z 0-9 _ -");
          if (auto e = Node(sub, Join(at, name), depth + 1)) return e;
        }
      if (const Json* req = Member(node, "required")) {
        const std::string rat = Join(path, "required");
        if (!req->is_array()) return Bad(rat, "expected an array");
        std::set<std::string> seen;
        std::size_t i = 0;
        for (const auto& v : *req) {
          if (!v.is_string()) return Bad(Index(rat, i), "expected a string");
          const std::string& name = v.get_ref<const std::string&>();
          if (!props || props->find(name) == props->end()) return Bad(Index(rat, i), "'" + name + "' is not in properties");
          if (!seen.insert(name).second) return Bad(Index(rat, i), "duplicate value");
          ++i;
        }
      }
      if (const Json* extra = Member(node, "additionalProperties"); extra && !extra->is_boolean())
        return Bad(Join(path, "additionalProperties"), "expected true or false");
    } else if (type == "array") {
      const Json* items = Member(node, "items");
      if (!items) return Bad(Join(path, "items"), "required");
      if (auto e = Node(*items, Join(path, "items"), depth + 1)) return e;
      if (auto e = CheckBounds(node, path, "minItems", "maxItems", true)) return e;
    } else if (type == "string") {
      if (auto e = CheckBounds(node, path, "minLength", "maxLength", true)) return e;
      if (const Json* en = Member(node, "enum"))
        if (auto e = CheckEnum(*en, Join(path, "enum"), true)) return e;
      if (const Json* f = Member(node, "format"); f && *f != "uri" && *f != "email")
        return Bad(Join(path, "format"), "must be one of: uri, email");
    } else if (type == "integer" || type == "number") {
      if (auto e = CheckBounds(node, path, "minimum", "maximum", false)) return e;
      if (const Json* en = Member(node, "enum"))
        if (auto e = CheckEnum(*en, Join(path, "enum"), false)) return e;
    }
    if (const Json* d = Member(node, "default"))
      if (auto e = Validate(node, *d, Join(path, "default"), depth)) return e;
    return std::nullopt;
  }
};

}  // namespace

std::optional<FieldError> CheckConfigSchema(const Json& schema, std::string_view prefix) {
  SchemaChecker checker;
  return checker.Node(schema, std::string(prefix), 1);
}

std::optional<FieldError> CheckConfig(const Json& schema, const Json& config, std::string_view prefix) {
  return Validate(schema, config, std::string(prefix), 1);
}

std::span<const std::string_view> SupportedKeywords() { return kKeywords; }

}  // namespace keel::gateway::json
