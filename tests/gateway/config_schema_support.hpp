// What the config_schema tests share (config_schema_test.cpp: schemas; config_values_test.cpp:
// configurations): JSON shorthands, a one-property schema, nested and repeated builders, and checks of
// an error's path and text.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "config_schema.hpp"

using namespace keel::gateway::json;


inline Json J(std::string_view text) { return Json::parse(text); }

// A root object schema whose only property "p" is `node`.
inline Json WithProp(const Json& node) {
  Json root = {{"type", "object"}};
  root["properties"]["p"] = node;
  return root;
}
inline std::optional<FieldError> PropError(std::string_view node) { return CheckConfigSchema(WithProp(J(node))); }
// The error of config {"p": value} against WithProp(node).
inline std::optional<FieldError> ValueError(std::string_view node, std::string_view value) {
  Json config = Json::object();
  config["p"] = J(value);
  return CheckConfig(WithProp(J(node)), config);
}


// The first problem is `expr`'s, at `path`, saying `text` (exactly / in part).
#define CHECK_ERROR(expr, path, text)      \
  do {                                     \
    const auto err_ = (expr);              \
    REQUIRE(err_.has_value());             \
    CHECK(err_->field == (path));          \
    CHECK(err_->message == (text));        \
  } while (false)
#define CHECK_ERROR_HAS(expr, path, text)                         \
  do {                                                            \
    const auto err_ = (expr);                                     \
    REQUIRE(err_.has_value());                                    \
    CHECK(err_->field == (path));                                 \
    CHECK_THAT(err_->message, Catch::Contains(std::string(text))); \
  } while (false)

// A root object schema `levels` deep: each level an object whose one property "n" is the next.
inline Json NestedObjects(int levels) {
  Json node = {{"type", "object"}};
  for (int i = 1; i < levels; ++i) {
    Json outer = {{"type", "object"}};
    outer["properties"]["n"] = std::move(node);
    node = std::move(outer);
  }
  return node;
}
inline std::string Repeat(std::string_view part, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += part;
  return out;
}
