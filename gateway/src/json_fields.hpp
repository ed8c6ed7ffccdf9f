// Field descriptors that map plain structs to and from JSON, with errors that name the field
// ("lines[2].qty: expected an integer"). A type is described once by specializing Describe<T> with a
// tuple of Field{name, member, required}; enums by EnumNames<E>. Reading refuses unknown fields (a typo
// or an attempt to set a server-resolved field is an error, not silently ignored), wrong types,
// out-of-range integers and floats where integers are expected. No Beast, no CAF.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "eventstore/stream_id.hpp"

namespace keel::gateway::json {

using Json = nlohmann::json;

struct FieldError {
  std::string field;    // path of the offending field, e.g. "lines[2].qty" ("" = the body itself)
  std::string message;  // what was wrong
};

template <class T, class M>
struct Field {
  std::string_view name;
  M T::*member;
  bool required;
  bool id = false;  // a string that follows the id rule (IdRuleError)
  std::size_t max = 128;  // an id's longest length (SKUs: 64)
};
template <class T, class M>
constexpr Field<T, M> Req(std::string_view name, M T::*member) { return {name, member, true}; }
template <class T, class M>
constexpr Field<T, M> Opt(std::string_view name, M T::*member) { return {name, member, false}; }
// An id the platform keeps (a receipt's, a transfer's, ...): required, and 1..128 characters of
// A-Z a-z 0-9 . _ : - (the rule of entity ids, eventstore::IsValidId).
template <class T>
constexpr Field<T, std::string> ReqId(std::string_view name, std::string T::*member) { return {name, member, true, true}; }
// The same, optional: "" (or absent) means none; anything else follows the id rule.
template <class T>
constexpr Field<T, std::string> OptId(std::string_view name, std::string T::*member) { return {name, member, false, true}; }
// A SKU: the id rule, at most 64 characters (what the catalog keeps).
inline constexpr std::string_view kSkuRule = "a SKU is 1..64 characters of A-Z a-z 0-9 . _ : -";
template <class T>
constexpr Field<T, std::string> ReqSku(std::string_view name, std::string T::*member) { return {name, member, true, true, 64}; }
template <class T>
constexpr Field<T, std::string> OptSku(std::string_view name, std::string T::*member) { return {name, member, false, true, 64}; }

inline constexpr std::string_view kIdRule = "an id is 1..128 characters of A-Z a-z 0-9 . _ : - (not . or ..)";

template <class T>
struct Describe;  // specialize: static constexpr auto fields = std::make_tuple(Req("id", &T::id), ...);
template <class E>
struct EnumNames;  // specialize: static constexpr std::array<std::pair<E, std::string_view>, N> names{...};

// A type written by its own ToJson / FromJson specialization names the type whose JSON shape it has
// (for the schemas of json_schema.hpp).
template <class T>
struct WrittenAs {
  using type = T;
};

template <class T, class = void>
struct IsDescribed : std::false_type {};
template <class T>
struct IsDescribed<T, std::void_t<decltype(Describe<T>::fields)>> : std::true_type {};
template <class T, class = void>
struct IsNamedEnum : std::false_type {};
template <class T>
struct IsNamedEnum<T, std::void_t<decltype(EnumNames<T>::names)>> : std::true_type {};

template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};
template <class T> struct IsSet : std::false_type {};
template <class T> struct IsSet<std::set<T>> : std::true_type {};
template <class T> struct IsMap : std::false_type {};
template <class K, class V> struct IsMap<std::map<K, V>> : std::true_type {};
template <class K, class V> struct IsMap<std::unordered_map<K, V>> : std::true_type {};
template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};

inline std::string Join(std::string_view path, std::string_view name) {
  if (path.empty()) return std::string(name);
  std::string out(path);
  out += '.';
  out += name;
  return out;
}
inline std::string Index(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

template <class E>
std::string_view EnumName(E value) {
  for (const auto& [v, n] : EnumNames<E>::names)
    if (v == value) return n;
  return "unknown";
}
template <class E>
std::optional<E> ParseEnum(std::string_view name) {
  for (const auto& [v, n] : EnumNames<E>::names)
    if (n == name) return v;
  return std::nullopt;
}

// -- writing --
template <class T>
Json ToJson(const T& value);

template <class K>
std::string KeyString(const K& key) {
  if constexpr (std::is_same_v<K, std::string>) return key;
  else if constexpr (IsNamedEnum<K>::value) return std::string(EnumName(key));
  else return std::to_string(key);
}

template <class T>
Json ToJson(const T& value) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>) {
    return Json(value);
  } else if constexpr (IsNamedEnum<T>::value) {
    return Json(std::string(EnumName(value)));
  } else if constexpr (std::is_integral_v<T>) {
    return Json(value);
  } else if constexpr (IsOptional<T>::value) {
    return value ? ToJson(*value) : Json(nullptr);
  } else if constexpr (IsVector<T>::value || IsSet<T>::value) {
    Json out = Json::array();
    for (const auto& v : value) out.push_back(ToJson(v));
    return out;
  } else if constexpr (IsMap<T>::value) {
    Json out = Json::object();
    for (const auto& [k, v] : value) out[KeyString(k)] = ToJson(v);
    return out;
  } else {
    static_assert(IsDescribed<T>::value, "describe this type with json::Describe<T>");
    Json out = Json::object();
    std::apply([&](const auto&... f) { ((out[std::string(f.name)] = ToJson(value.*(f.member))), ...); },
               Describe<T>::fields);
    return out;
  }
}

// The number of elements in the containers among a described value's own fields (not theirs): a
// cheap measure of how large its JSON will be.
template <class T>
std::size_t Elements(const T& value) {
  static_assert(IsDescribed<T>::value, "describe this type with json::Describe<T>");
  std::size_t n = 0;
  auto count = [&](const auto& member) {
    using M = std::decay_t<decltype(member)>;
    if constexpr (IsVector<M>::value || IsSet<M>::value || IsMap<M>::value) n += member.size();
  };
  std::apply([&](const auto&... f) { (count(value.*(f.member)), ...); }, Describe<T>::fields);
  return n;
}

// -- reading --
template <class T>
std::optional<FieldError> FromJson(const Json& j, T& out, const std::string& path);

template <class K>
std::optional<FieldError> KeyFrom(const std::string& s, K& out, const std::string& path) {
  if constexpr (std::is_same_v<K, std::string>) {
    out = s;
    return std::nullopt;
  } else if constexpr (IsNamedEnum<K>::value) {
    auto v = ParseEnum<K>(s);
    if (!v) return FieldError{path, "unknown key '" + s + "'"};
    out = *v;
    return std::nullopt;
  } else {
    static_assert(std::is_same_v<K, std::string>, "map keys are strings or named enums");
  }
}

template <class T>
std::optional<FieldError> FromJson(const Json& j, T& out, const std::string& path) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) return FieldError{path, "expected a string"};
    out = j.get<std::string>();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) return FieldError{path, "expected true or false"};
    out = j.get<bool>();
  } else if constexpr (IsNamedEnum<T>::value) {
    if (!j.is_string()) return FieldError{path, "expected a string"};
    auto v = ParseEnum<T>(j.get_ref<const std::string&>());
    if (!v) {
      std::string allowed;
      for (const auto& [e, n] : EnumNames<T>::names) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
      return FieldError{path, "expected one of: " + allowed};
    }
    out = *v;
  } else if constexpr (std::is_integral_v<T>) {
    if (!j.is_number_integer()) return FieldError{path, "expected an integer"};
    if (j.is_number_unsigned()) {
      auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return FieldError{path, "integer out of range"};
      out = static_cast<T>(u);
    } else {
      auto s = j.get<std::int64_t>();
      if (s < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
          (s > 0 && static_cast<std::uint64_t>(s) > static_cast<std::uint64_t>(std::numeric_limits<T>::max())))
        return FieldError{path, "integer out of range"};
      out = static_cast<T>(s);
    }
  } else if constexpr (IsOptional<T>::value) {
    if (j.is_null()) {
      out.reset();
      return std::nullopt;
    }
    typename T::value_type v{};
    if (auto e = FromJson(j, v, path)) return e;
    out = std::move(v);
  } else if constexpr (IsVector<T>::value || IsSet<T>::value) {
    if (!j.is_array()) return FieldError{path, "expected an array"};
    out.clear();
    for (std::size_t i = 0; i < j.size(); ++i) {
      typename T::value_type v{};
      if (auto e = FromJson(j[i], v, Index(path, i))) return e;
      if constexpr (IsVector<T>::value) out.push_back(std::move(v));
      else if (!out.insert(std::move(v)).second) return FieldError{Index(path, i), "duplicate value"};
    }
  } else if constexpr (IsMap<T>::value) {
    if (!j.is_object()) return FieldError{path, "expected an object"};
    out.clear();
    for (const auto& [k, v] : j.items()) {
      typename T::key_type key{};
      if (auto e = KeyFrom(k, key, Join(path, k))) return e;
      typename T::mapped_type val{};
      if (auto e = FromJson(v, val, Join(path, k))) return e;
      out.emplace(std::move(key), std::move(val));
    }
  } else {
    static_assert(IsDescribed<T>::value, "describe this type with json::Describe<T>");
    if (!j.is_object()) return FieldError{path, "expected an object"};
    std::optional<FieldError> err;
    for (const auto& [k, v] : j.items()) {
      bool known = std::apply([&](const auto&... f) { return ((f.name == k) || ...); }, Describe<T>::fields);
      if (!known) return FieldError{Join(path, k), "unknown field"};
    }
    std::apply(
        [&](const auto&... f) {
          (
              [&] {
                if (err) return;
                auto it = j.find(std::string(f.name));
                if (it == j.end() || (it->is_null() && !IsOptional<std::decay_t<decltype(out.*(f.member))>>::value)) {
                  if (f.required) err = FieldError{Join(path, f.name), "is required"};
                  return;
                }
                err = FromJson(*it, out.*(f.member), Join(path, f.name));
                if constexpr (std::is_same_v<std::decay_t<decltype(out.*(f.member))>, std::string>) {
                  if (!err && f.id && (f.required || !(out.*(f.member)).empty()) &&
                      (!eventstore::IsValidId(out.*(f.member)) || (out.*(f.member)).size() > f.max))
                    err = FieldError{Join(path, f.name), std::string(f.max < 128 ? kSkuRule : kIdRule)};
                }
              }(),
              ...);
        },
        Describe<T>::fields);
    return err;
  }
  return std::nullopt;
}

// The nesting depth of a JSON text, counted without parsing (brackets outside strings), so that a
// hostile body cannot make the parser or the destructor recurse deeply.
inline std::size_t NestingDepth(std::string_view text) {
  std::size_t depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') max_depth = std::max(max_depth, ++depth);
    else if ((c == '}' || c == ']') && depth > 0) --depth;
  }
  return max_depth;
}

}  // namespace keel::gateway::json
