// JSON Schemas (OpenAPI 3.1 / draft 2020-12) of described types, derived from the same descriptors
// that read and write them (json_fields.hpp), so the API document's types cannot drift from the code:
//  - Input (a request body): required = the Req fields; an id field carries the id rule's pattern and
//    length; no other field is accepted (additionalProperties: false), as FromJson refuses them.
//  - Output (a state, an event): every field is written (ToJson), so every field is required; an
//    optional value may be null.
// Integers are "integer" (unsigned ones with minimum 0), enums their names, sets unique arrays, maps
// objects whose values follow the mapped type (named-enum keys listed as propertyNames).
#pragma once

#include <string>
#include <type_traits>
#include <variant>

#include "json_fields.hpp"

namespace keel::gateway::json {

enum class Direction { kInput, kOutput };
using Schema = nlohmann::ordered_json;  // properties in the descriptor's order

// The id rule (eventstore::IsValidId) as a pattern: 1..max of [A-Za-z0-9._:-], not "." or "..".
inline std::string IdPattern(std::size_t max) {
  return "^(?!\\.\\.?$)[A-Za-z0-9._:-]{1," + std::to_string(max) + "}$";
}

template <class T>
Schema SchemaOf(Direction d);

namespace schema_detail {

// Adds null to a schema's accepted values (an optional value written as null).
inline Schema Nullable(Schema s) {
  if (s.contains("type")) {
    if (s["type"].is_string()) s["type"] = Schema::array({s["type"], "null"});
    if (s.contains("enum")) s["enum"].push_back(nullptr);
    return s;
  }
  return {{"oneOf", Schema::array({std::move(s), {{"type", "null"}}})}};
}

template <class E>
Schema EnumList() {
  Schema names = Schema::array();
  for (const auto& [v, n] : EnumNames<E>::names) names.push_back(std::string(n));
  return names;
}

// The unit of an integer field, by the platform's naming rules: money is integer minor units of the
// entity's currency, time is Unix epoch milliseconds ("" when the name says neither).
inline std::string_view UnitOf(std::string_view name) {
  static constexpr std::string_view kMoney[] = {"unit_price", "amount", "total", "unit_cost", "value", "paid",
                                                "credited", "outstanding", "partner_share", "platform_share",
                                                "monthly_fee", "landed_cost", "refund", "price"};
  static constexpr std::string_view kTime[] = {"at", "valid_from", "valid_to", "expiry", "period_start", "period_end",
                                               "created_at", "due_at", "delivered_at", "placed_at", "updated_at"};
  for (auto m : kMoney)
    if (name == m) return "minor units of the currency (e.g. cents)";
  for (auto t : kTime)
    if (name == t || (name.size() > 3 && name.ends_with("_at"))) return "Unix epoch milliseconds";
  return {};
}

template <class T, class M>
Schema FieldSchema(const Field<T, M>& f, Direction d) {
  Schema s = SchemaOf<M>(d);
  if (const auto unit = UnitOf(f.name); !unit.empty() && (s.value("type", Schema()) == "integer" ||
                                                          s.value("type", Schema()) == Schema::array({"integer", "null"})))
    s["description"] = std::string(unit);
  if constexpr (std::is_same_v<M, std::string>) {
    if (f.id && d == Direction::kInput) {
      if (f.required) {
        s["pattern"] = IdPattern(f.max);
      } else {  // "" means none
        s["pattern"] = "^$|" + IdPattern(f.max);
      }
      s["maxLength"] = f.max;
    }
  }
  return s;
}

}  // namespace schema_detail

template <class T>
Schema SchemaOf(Direction d) {
  using namespace schema_detail;
  if constexpr (!std::is_same_v<typename WrittenAs<T>::type, T>) {
    return SchemaOf<typename WrittenAs<T>::type>(d);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return {{"type", "string"}};
  } else if constexpr (std::is_same_v<T, bool>) {
    return {{"type", "boolean"}};
  } else if constexpr (IsNamedEnum<T>::value) {
    return {{"type", "string"}, {"enum", EnumList<T>()}};
  } else if constexpr (std::is_integral_v<T>) {
    Schema s{{"type", "integer"}};
    if constexpr (std::is_unsigned_v<T>) s["minimum"] = 0;
    return s;
  } else if constexpr (IsOptional<T>::value) {
    return Nullable(SchemaOf<typename T::value_type>(d));
  } else if constexpr (IsVector<T>::value) {
    return {{"type", "array"}, {"items", SchemaOf<typename T::value_type>(d)}};
  } else if constexpr (IsSet<T>::value) {
    return {{"type", "array"}, {"uniqueItems", true}, {"items", SchemaOf<typename T::value_type>(d)}};
  } else if constexpr (IsMap<T>::value) {
    Schema s{{"type", "object"}, {"additionalProperties", SchemaOf<typename T::mapped_type>(d)}};
    if constexpr (IsNamedEnum<typename T::key_type>::value) s["propertyNames"] = {{"enum", EnumList<typename T::key_type>()}};
    return s;
  } else {
    static_assert(IsDescribed<T>::value, "describe this type with json::Describe<T>");
    Schema properties = Schema::object();
    Schema required = Schema::array();
    std::apply(
        [&](const auto&... f) {
          ((properties[std::string(f.name)] = FieldSchema(f, d),
            (d == Direction::kOutput || f.required) ? required.push_back(std::string(f.name)) : void()),
           ...);
        },
        Describe<T>::fields);
    Schema s{{"type", "object"}, {"additionalProperties", false}, {"properties", std::move(properties)}};
    if (!required.empty()) s["required"] = std::move(required);
    return s;
  }
}

// The schema of a command reply's or a feed's event of variant `Event`: {"type": <name>, "data": {...}}
// for each alternative, the name from `type_name` (the codec's).
template <class Event, class TypeName>
Schema EventSchema(TypeName type_name) {
  Schema one_of = Schema::array();
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((one_of.push_back(
         {{"type", "object"},
          {"additionalProperties", false},
          {"required", Schema::array({"type", "data"})},
          {"properties",
           {{"type", {{"const", std::string(type_name(Event(std::in_place_index<I>)))}}},
            {"data", SchemaOf<std::variant_alternative_t<I, Event>>(Direction::kOutput)}}}})),
     ...);
  }(std::make_index_sequence<std::variant_size_v<Event>>{});
  return {{"oneOf", std::move(one_of)}};
}

}  // namespace keel::gateway::json
