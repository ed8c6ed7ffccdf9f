// Tests of the config_schema validator (gateway/src/config_schema.hpp): every supported keyword, every
// refusal of a schema and of a config with the exact path it names, the limits, and a realistic EDI
// connector schema with good and bad tenant configs.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "config_schema.hpp"

using namespace keel::gateway::json;

namespace {

Json J(std::string_view text) { return Json::parse(text); }

// A root object schema whose only property "p" is `node`.
Json WithProp(const Json& node) {
  Json root = {{"type", "object"}};
  root["properties"]["p"] = node;
  return root;
}
std::optional<FieldError> PropError(std::string_view node) { return CheckConfigSchema(WithProp(J(node))); }
// The error of config {"p": value} against WithProp(node).
std::optional<FieldError> ValueError(std::string_view node, std::string_view value) {
  Json config = Json::object();
  config["p"] = J(value);
  return CheckConfig(WithProp(J(node)), config);
}

}  // namespace

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

TEST_CASE("the supported keywords are listed with type first", "[gateway][config_schema]") {
  const auto keywords = SupportedKeywords();
  REQUIRE(keywords.size() == 16);
  CHECK(keywords.front() == "type");
  for (std::string_view k : {"title", "description", "default", "properties", "required", "additionalProperties", "items",
                             "minItems", "maxItems", "minLength", "maxLength", "enum", "format", "minimum", "maximum"})
    CHECK(std::find(keywords.begin(), keywords.end(), k) != keywords.end());
  CHECK(std::find(keywords.begin(), keywords.end(), "pattern") == keywords.end());
}

TEST_CASE("a schema using every keyword is accepted", "[gateway][config_schema]") {
  const Json schema = J(R"({
    "type": "object", "title": "All", "description": "every keyword", "additionalProperties": false,
    "required": ["s"], "default": {"s": "abc"},
    "properties": {
      "s": {"type": "string", "minLength": 1, "maxLength": 5, "enum": ["abc", "de"], "default": "de"},
      "u": {"type": "string", "format": "uri"},
      "e": {"type": "string", "format": "email", "title": "mail"},
      "i": {"type": "integer", "minimum": -3, "maximum": 3, "enum": [-3, 0, 3], "default": 0},
      "n": {"type": "number", "minimum": 0.5, "maximum": 2.5, "default": 1},
      "b": {"type": "boolean", "default": true, "description": "flag"},
      "a": {"type": "array", "items": {"type": "integer"}, "minItems": 0, "maxItems": 2, "default": [1, 2]},
      "o": {"type": "object", "additionalProperties": true, "properties": {}}
    }})");
  CHECK_FALSE(CheckConfigSchema(schema).has_value());
  CHECK_FALSE(CheckConfigSchema(J(R"({"type": "object"})")).has_value());
  CHECK_FALSE(CheckConfig(schema, J(R"({"s": "de", "u": "https://x.example/a", "e": "a@b.co", "i": 3, "n": 2.5,
                                        "b": false, "a": [], "o": {"anything": [1, {"x": null}]}})")).has_value());
}

TEST_CASE("the root schema must be an object of type object", "[gateway][config_schema]") {
  CHECK_ERROR(CheckConfigSchema(J("[]")), "config_schema", "expected a schema (an object)");
  CHECK_ERROR(CheckConfigSchema(J(R"("object")")), "config_schema", "expected a schema (an object)");
  CHECK_ERROR(CheckConfigSchema(J("{}")), "config_schema.type", "required");
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "string"})")), "config_schema.type", "the root schema must be of type object");
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "array", "items": {"type": "string"}})")), "config_schema.type",
              "the root schema must be of type object");
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "string"})"), "manifest.config_schema"), "manifest.config_schema.type",
              "the root schema must be of type object");
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "string"})"), ""), "type", "the root schema must be of type object");
}

TEST_CASE("every schema node needs one known type", "[gateway][config_schema]") {
  CHECK_ERROR(PropError(R"({"title": "no type"})"), "config_schema.properties.p.type", "required");
  const std::string types = "must be one of: object, array, string, integer, number, boolean";
  CHECK_ERROR(PropError(R"({"type": "null"})"), "config_schema.properties.p.type", types);
  CHECK_ERROR(PropError(R"({"type": ["string", "null"]})"), "config_schema.properties.p.type", types);
  CHECK_ERROR(PropError(R"({"type": "String"})"), "config_schema.properties.p.type", types);
  CHECK_ERROR(PropError(R"({"type": 1})"), "config_schema.properties.p.type", types);
  CHECK_ERROR(PropError("[]"), "config_schema.properties.p", "expected a schema (an object)");
  CHECK_ERROR(PropError("true"), "config_schema.properties.p", "expected a schema (an object)");
}

TEST_CASE("unsupported keywords are refused by path", "[gateway][config_schema]") {
  CHECK_ERROR_HAS(PropError(R"({"type": "string", "pattern": "^a"})"), "config_schema.properties.p.pattern",
                  "unsupported keyword 'pattern' (supported: type, title, description, default, properties,");
  CHECK_ERROR_HAS(CheckConfigSchema(J(R"({"$schema": "x", "type": "object"})")), "config_schema.$schema",
                  "unsupported keyword '$schema'");
  CHECK_ERROR_HAS(PropError(R"({"type": "array", "items": {"type": "string", "oneOf": []}})"),
                  "config_schema.properties.p.items.oneOf", "unsupported keyword 'oneOf'");
  CHECK_ERROR_HAS(PropError(R"({"type": "integer", "exclusiveMinimum": 0})"), "config_schema.properties.p.exclusiveMinimum",
                  "unsupported keyword");
  CHECK_ERROR_HAS(PropError(R"({"type": "object", "patternProperties": {}})"), "config_schema.properties.p.patternProperties",
                  "unsupported keyword");
  // Checked before the type, so a typo is named even when the type is missing too.
  CHECK_ERROR_HAS(PropError(R"({"tpye": "string"})"), "config_schema.properties.p.tpye", "unsupported keyword 'tpye'");
}

TEST_CASE("keywords must fit the type of their node", "[gateway][config_schema]") {
  CHECK_ERROR(PropError(R"({"type": "integer", "minLength": 1})"), "config_schema.properties.p.minLength",
              "keyword 'minLength' does not apply to type integer");
  CHECK_ERROR(PropError(R"({"type": "string", "minimum": 1})"), "config_schema.properties.p.minimum",
              "keyword 'minimum' does not apply to type string");
  CHECK_ERROR(PropError(R"({"type": "object", "items": {"type": "string"}})"), "config_schema.properties.p.items",
              "keyword 'items' does not apply to type object");
  CHECK_ERROR(PropError(R"({"type": "array", "items": {"type": "string"}, "properties": {}})"),
              "config_schema.properties.p.properties", "keyword 'properties' does not apply to type array");
  CHECK_ERROR(PropError(R"({"type": "number", "enum": [1]})"), "config_schema.properties.p.enum",
              "keyword 'enum' does not apply to type number");
  CHECK_ERROR(PropError(R"({"type": "integer", "format": "uri"})"), "config_schema.properties.p.format",
              "keyword 'format' does not apply to type integer");
  CHECK_ERROR(PropError(R"({"type": "string", "additionalProperties": true})"), "config_schema.properties.p.additionalProperties",
              "keyword 'additionalProperties' does not apply to type string");
  CHECK_ERROR(PropError(R"({"type": "string", "maxItems": 1})"), "config_schema.properties.p.maxItems",
              "keyword 'maxItems' does not apply to type string");
  CHECK_ERROR(PropError(R"({"type": "boolean", "enum": [true]})"), "config_schema.properties.p.enum",
              "keyword 'enum' does not apply to type boolean");
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "object", "minimum": 0})")), "config_schema.minimum",
              "keyword 'minimum' does not apply to type object");
}

TEST_CASE("title and description must be strings", "[gateway][config_schema]") {
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "object", "title": 5})")), "config_schema.title", "expected a string");
  CHECK_ERROR(PropError(R"({"type": "boolean", "description": ["x"]})"), "config_schema.properties.p.description",
              "expected a string");
  CHECK_FALSE(PropError(R"({"type": "boolean", "title": "", "description": "a flag"})").has_value());
}

TEST_CASE("object schema keywords are checked", "[gateway][config_schema]") {
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "object", "properties": []})")), "config_schema.properties", "expected an object");
  const std::string rule = "a property name is 1..64 characters of A-Z a-z 0-9 _ -";
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "object", "properties": {"a b": {"type": "string"}}})")),
              "config_schema.properties.a b", rule);
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "object", "properties": {"a.b": {"type": "string"}}})")),
              "config_schema.properties.a.b", rule);
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "object", "properties": {"": {"type": "string"}}})")), "config_schema.properties.",
              rule);
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "object", "properties": {"é": {"type": "string"}}})")), "config_schema.properties.é",
              rule);
  Json names = {{"type", "object"}};
  names["properties"][std::string(64, 'a')] = {{"type", "string"}};
  names["properties"]["Az09_-"] = {{"type", "string"}};
  CHECK_FALSE(CheckConfigSchema(names).has_value());
  names["properties"][std::string(65, 'b')] = {{"type", "string"}};
  CHECK_ERROR(CheckConfigSchema(names), "config_schema.properties." + std::string(65, 'b'), rule);

  Json many = {{"type", "object"}};
  for (int i = 0; i < 64; ++i) many["properties"]["p" + std::to_string(100 + i)] = {{"type", "boolean"}};
  CHECK_FALSE(CheckConfigSchema(many).has_value());
  many["properties"]["p999"] = {{"type", "boolean"}};
  CHECK_ERROR(CheckConfigSchema(many), "config_schema.properties", "at most 64 properties");

  const auto with_required = [](std::string_view required) {
    return CheckConfigSchema(J(R"({"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
                                   "required": )" + std::string(required) + "}"));
  };
  CHECK_FALSE(with_required(R"(["a", "b"])").has_value());
  CHECK_FALSE(with_required("[]").has_value());
  CHECK_ERROR(with_required(R"("a")"), "config_schema.required", "expected an array");
  CHECK_ERROR(with_required(R"(["a", 1])"), "config_schema.required[1]", "expected a string");
  CHECK_ERROR(with_required(R"(["a", "c"])"), "config_schema.required[1]", "'c' is not in properties");
  CHECK_ERROR(with_required(R"(["b", "a", "b"])"), "config_schema.required[2]", "duplicate value");
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "object", "required": ["a"]})")), "config_schema.required[0]",
              "'a' is not in properties");

  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "object", "additionalProperties": "no"})")), "config_schema.additionalProperties",
              "expected true or false");
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "object", "additionalProperties": {"type": "string"}})")),
              "config_schema.additionalProperties", "expected true or false");
  CHECK_FALSE(CheckConfigSchema(J(R"({"type": "object", "additionalProperties": true})")).has_value());
}

TEST_CASE("array schema keywords are checked", "[gateway][config_schema]") {
  CHECK_ERROR(PropError(R"({"type": "array"})"), "config_schema.properties.p.items", "required");
  CHECK_ERROR(PropError(R"({"type": "array", "items": [{"type": "string"}]})"), "config_schema.properties.p.items",
              "expected a schema (an object)");
  CHECK_ERROR(PropError(R"({"type": "array", "items": {"type": "string", "minItems": 1}})"),
              "config_schema.properties.p.items.minItems", "keyword 'minItems' does not apply to type string");
  const std::string nonneg = "expected a non-negative integer";
  CHECK_ERROR(PropError(R"({"type": "array", "items": {"type": "string"}, "minItems": -1})"), "config_schema.properties.p.minItems", nonneg);
  CHECK_ERROR(PropError(R"({"type": "array", "items": {"type": "string"}, "minItems": 1.5})"), "config_schema.properties.p.minItems", nonneg);
  CHECK_ERROR(PropError(R"({"type": "array", "items": {"type": "string"}, "maxItems": 2.0})"), "config_schema.properties.p.maxItems", nonneg);
  CHECK_ERROR(PropError(R"({"type": "array", "items": {"type": "string"}, "maxItems": "2"})"), "config_schema.properties.p.maxItems", nonneg);
  CHECK_ERROR(PropError(R"({"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 2})"),
              "config_schema.properties.p.maxItems", "must not be less than minItems");
  CHECK_FALSE(PropError(R"({"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2})").has_value());
}

TEST_CASE("string schema keywords are checked", "[gateway][config_schema]") {
  const std::string nonneg = "expected a non-negative integer";
  CHECK_ERROR(PropError(R"({"type": "string", "minLength": -1})"), "config_schema.properties.p.minLength", nonneg);
  CHECK_ERROR(PropError(R"({"type": "string", "maxLength": 2.0})"), "config_schema.properties.p.maxLength", nonneg);
  CHECK_ERROR(PropError(R"({"type": "string", "maxLength": null})"), "config_schema.properties.p.maxLength", nonneg);
  CHECK_ERROR(PropError(R"({"type": "string", "minLength": 4, "maxLength": 3})"), "config_schema.properties.p.maxLength",
              "must not be less than minLength");
  CHECK_FALSE(PropError(R"({"type": "string", "minLength": 0, "maxLength": 0})").has_value());

  CHECK_ERROR(PropError(R"({"type": "string", "enum": []})"), "config_schema.properties.p.enum", "expected a non-empty array");
  CHECK_ERROR(PropError(R"({"type": "string", "enum": "a"})"), "config_schema.properties.p.enum", "expected a non-empty array");
  CHECK_ERROR(PropError(R"({"type": "string", "enum": ["a", 1]})"), "config_schema.properties.p.enum[1]", "expected a string");
  CHECK_ERROR(PropError(R"({"type": "string", "enum": ["a", "b", "a"]})"), "config_schema.properties.p.enum[2]", "duplicate value");
  Json big = {{"type", "string"}, {"enum", Json::array()}};
  for (int i = 0; i < 256; ++i) big["enum"].push_back("v" + std::to_string(i));
  CHECK_FALSE(CheckConfigSchema(WithProp(big)).has_value());
  big["enum"].push_back("v256");
  CHECK_ERROR(CheckConfigSchema(WithProp(big)), "config_schema.properties.p.enum", "at most 256 values");

  CHECK_ERROR(PropError(R"({"type": "string", "format": "date-time"})"), "config_schema.properties.p.format",
              "must be one of: uri, email");
  CHECK_ERROR(PropError(R"({"type": "string", "format": 1})"), "config_schema.properties.p.format", "must be one of: uri, email");
}

TEST_CASE("integer and number schema keywords are checked", "[gateway][config_schema]") {
  CHECK_ERROR(PropError(R"({"type": "integer", "minimum": "0"})"), "config_schema.properties.p.minimum", "expected a number");
  CHECK_ERROR(PropError(R"({"type": "number", "maximum": true})"), "config_schema.properties.p.maximum", "expected a number");
  CHECK_ERROR(PropError(R"({"type": "integer", "minimum": 5, "maximum": 4})"), "config_schema.properties.p.maximum",
              "must not be less than minimum");
  CHECK_ERROR(PropError(R"({"type": "number", "minimum": 0.5, "maximum": 0.25})"), "config_schema.properties.p.maximum",
              "must not be less than minimum");
  CHECK_FALSE(PropError(R"({"type": "number", "minimum": -1.5, "maximum": -1.5})").has_value());
  CHECK_FALSE(PropError(R"({"type": "integer", "minimum": -10, "maximum": 18446744073709551615})").has_value());

  CHECK_ERROR(PropError(R"({"type": "integer", "enum": [1, 1.5]})"), "config_schema.properties.p.enum[1]", "expected an integer");
  CHECK_ERROR(PropError(R"({"type": "integer", "enum": [1, 2.0]})"), "config_schema.properties.p.enum[1]", "expected an integer");
  CHECK_ERROR(PropError(R"({"type": "integer", "enum": [1, "2"]})"), "config_schema.properties.p.enum[1]", "expected an integer");
  CHECK_ERROR(PropError(R"({"type": "integer", "enum": [-1, 2, -1]})"), "config_schema.properties.p.enum[2]", "duplicate value");
  CHECK_ERROR(PropError(R"({"type": "integer", "enum": []})"), "config_schema.properties.p.enum", "expected a non-empty array");
  // A signed and an unsigned 7 are the same value.
  Json mixed = {{"type", "integer"}, {"enum", Json::array({Json(std::int64_t{7}), Json(std::uint64_t{7})})}};
  CHECK_ERROR(CheckConfigSchema(WithProp(mixed)), "config_schema.properties.p.enum[1]", "duplicate value");
}

TEST_CASE("default values must satisfy their node", "[gateway][config_schema]") {
  CHECK_ERROR(PropError(R"({"type": "string", "maxLength": 3, "default": "abcd"})"), "config_schema.properties.p.default",
              "must be at most 3 characters long");
  CHECK_ERROR(PropError(R"({"type": "integer", "default": 1.5})"), "config_schema.properties.p.default", "expected an integer");
  CHECK_ERROR(PropError(R"({"type": "integer", "maximum": 10, "default": 11})"), "config_schema.properties.p.default",
              "must be at most 10");
  CHECK_ERROR(PropError(R"({"type": "string", "enum": ["a", "b"], "default": "c"})"), "config_schema.properties.p.default",
              "must be one of: a, b");
  CHECK_ERROR(PropError(R"({"type": "string", "format": "uri", "default": "ftp://x.example"})"),
              "config_schema.properties.p.default", "must be an absolute http(s) URL");
  CHECK_ERROR(PropError(R"({"type": "boolean", "default": "true"})"), "config_schema.properties.p.default", "expected true or false");
  CHECK_ERROR(PropError(R"({"type": "boolean", "default": null})"), "config_schema.properties.p.default", "expected true or false");
  CHECK_ERROR(PropError(R"({"type": "array", "items": {"type": "string"}, "default": ["a", 2]})"),
              "config_schema.properties.p.default[1]", "expected a string");
  CHECK_ERROR(PropError(R"({"type": "object", "properties": {"x": {"type": "integer"}}, "default": {"y": 1}})"),
              "config_schema.properties.p.default.y", "unknown field");
  CHECK_ERROR(PropError(R"({"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"], "default": {}})"),
              "config_schema.properties.p.default.x", "required");
  CHECK_ERROR(CheckConfigSchema(J(R"({"type": "object", "properties": {"n": {"type": "number"}}, "default": {"n": "1"}})")),
              "config_schema.default.n", "expected a number");
  CHECK_FALSE(PropError(R"({"type": "object", "properties": {"x": {"type": "integer"}}, "default": {"x": 2}})").has_value());
}

namespace {
// A root object schema `levels` deep: each level an object whose one property "n" is the next.
Json NestedObjects(int levels) {
  Json node = {{"type", "object"}};
  for (int i = 1; i < levels; ++i) {
    Json outer = {{"type", "object"}};
    outer["properties"]["n"] = std::move(node);
    node = std::move(outer);
  }
  return node;
}
std::string Repeat(std::string_view part, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += part;
  return out;
}
}  // namespace

TEST_CASE("schema nesting is limited to 8 levels", "[gateway][config_schema]") {
  CHECK_FALSE(CheckConfigSchema(NestedObjects(8)).has_value());
  CHECK_ERROR(CheckConfigSchema(NestedObjects(9)), "config_schema" + Repeat(".properties.n", 8),
              "the schema is nested too deeply (at most 8 levels)");
  // Array items count as levels too: p is at level 2, its items at 3 and so on (6 arrays put the string at 8).
  auto arrays = [](int wraps) {
    Json node = {{"type", "string"}};
    for (int i = 0; i < wraps; ++i) node = Json{{"type", "array"}, {"items", node}};
    return WithProp(node);
  };
  CHECK_FALSE(CheckConfigSchema(arrays(6)).has_value());
  CHECK_ERROR(CheckConfigSchema(arrays(7)), "config_schema.properties.p" + Repeat(".items", 7),
              "the schema is nested too deeply (at most 8 levels)");
  // A config as deep as the deepest schema is accepted.
  Json config = Json::object();
  for (int i = 1; i < 8; ++i) config = Json{{"n", config}};
  CHECK_FALSE(CheckConfig(NestedObjects(8), config).has_value());
}

TEST_CASE("a schema is limited to 256 nodes", "[gateway][config_schema]") {
  // The root, 64 objects of 3 booleans but the last of 2: 1 + 64 + 191 = 256 nodes.
  Json schema = {{"type", "object"}};
  for (int i = 0; i < 64; ++i) {
    Json child = {{"type", "object"}};
    for (const char* name : {"a", "b", "c"}) child["properties"][name] = {{"type", "boolean"}};
    schema["properties"]["p" + std::to_string(100 + i)] = std::move(child);
  }
  schema["properties"]["p163"]["properties"].erase("c");
  CHECK_FALSE(CheckConfigSchema(schema).has_value());
  schema["properties"]["p163"]["properties"]["c"] = {{"type", "boolean"}};
  CHECK_ERROR(CheckConfigSchema(schema), "config_schema.properties.p163.properties.c",
              "the schema has too many nodes (at most 256)");
}

TEST_CASE("config values of the wrong type are refused", "[gateway][config_schema]") {
  CHECK_ERROR(CheckConfig(J(R"({"type": "object"})"), J("[]")), "config", "expected an object");
  CHECK_ERROR(CheckConfig(J(R"({"type": "object"})"), J("null")), "config", "expected an object");
  CHECK_ERROR(ValueError(R"({"type": "object"})", R"("x")"), "config.p", "expected an object");
  CHECK_ERROR(ValueError(R"({"type": "array", "items": {"type": "string"}})", R"({})"), "config.p", "expected an array");
  CHECK_ERROR(ValueError(R"({"type": "string"})", "1"), "config.p", "expected a string");
  CHECK_ERROR(ValueError(R"({"type": "string"})", "null"), "config.p", "expected a string");
  CHECK_ERROR(ValueError(R"({"type": "integer"})", "1.5"), "config.p", "expected an integer");
  CHECK_ERROR(ValueError(R"({"type": "integer"})", "2.0"), "config.p", "expected an integer");
  CHECK_ERROR(ValueError(R"({"type": "integer"})", R"("3")"), "config.p", "expected an integer");
  CHECK_ERROR(ValueError(R"({"type": "integer"})", "true"), "config.p", "expected an integer");
  CHECK_ERROR(ValueError(R"({"type": "number"})", R"("1.5")"), "config.p", "expected a number");
  CHECK_ERROR(ValueError(R"({"type": "boolean"})", "0"), "config.p", "expected true or false");
  CHECK_FALSE(ValueError(R"({"type": "integer"})", "-7").has_value());
  CHECK_FALSE(ValueError(R"({"type": "integer"})", "18446744073709551615").has_value());
  for (const char* n : {"1", "-1.5", "2.0", "1e3"}) CHECK_FALSE(ValueError(R"({"type": "number"})", n).has_value());
  CHECK_FALSE(ValueError(R"({"type": "boolean"})", "false").has_value());
}

TEST_CASE("required and unknown config fields are named", "[gateway][config_schema]") {
  const Json schema = J(R"({"type": "object", "required": ["name"],
    "properties": {"name": {"type": "string"}, "note": {"type": "string"},
                   "db": {"type": "object", "required": ["host"], "properties": {"host": {"type": "string"}}},
                   "labels": {"type": "object", "additionalProperties": true}}})");
  REQUIRE_FALSE(CheckConfigSchema(schema).has_value());
  CHECK_FALSE(CheckConfig(schema, J(R"({"name": "a"})")).has_value());
  CHECK_ERROR(CheckConfig(schema, J(R"({})")), "config.name", "required");
  CHECK_ERROR(CheckConfig(schema, J(R"({"name": "a", "extra": 1})")), "config.extra", "unknown field");
  CHECK_ERROR(CheckConfig(schema, J(R"({"name": "a", "db": {}})")), "config.db.host", "required");
  CHECK_ERROR(CheckConfig(schema, J(R"({"name": "a", "db": {"host": "h", "port": 1}})")), "config.db.port", "unknown field");
  CHECK_FALSE(CheckConfig(schema, J(R"({"name": "a", "labels": {"any": "thing", "n": 1}})")).has_value());
  // additionalProperties false says what the default says.
  CHECK_ERROR(CheckConfig(J(R"({"type": "object", "additionalProperties": false})"), J(R"({"x": 1})")), "config.x", "unknown field");
  CHECK_ERROR(CheckConfig(schema, J(R"({"name": "a", "note": null})")), "config.note", "expected a string");
}

TEST_CASE("config arrays are checked item by item", "[gateway][config_schema]") {
  const std::string node = R"({"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3})";
  CHECK_FALSE(ValueError(node, R"(["a", "b", "c"])").has_value());
  CHECK_ERROR(ValueError(node, "[]"), "config.p", "must have at least 1 items");
  CHECK_ERROR(ValueError(node, R"(["a", "b", "c", "d"])"), "config.p", "must have at most 3 items");
  CHECK_ERROR(ValueError(node, R"(["a", "b", 3])"), "config.p[2]", "expected a string");
  const std::string objects =
      R"({"type": "array", "items": {"type": "object", "required": ["url"], "properties": {"url": {"type": "string", "format": "uri"}}}})";
  CHECK_ERROR(ValueError(objects, R"([{"url": "https://a.example"}, {"url": "a.example"}])"), "config.p[1].url",
              "must be an absolute http(s) URL");
  CHECK_ERROR(ValueError(objects, R"([{"url": "https://a.example"}, {}])"), "config.p[1].url", "required");
}

TEST_CASE("config strings are checked in code points", "[gateway][config_schema]") {
  const std::string node = R"({"type": "string", "minLength": 2, "maxLength": 5})";
  CHECK_FALSE(ValueError(node, R"("héllo")").has_value());          // 5 code points in 6 bytes
  CHECK_FALSE(ValueError(node, R"("日本")").has_value());           // 2 code points in 6 bytes
  CHECK_FALSE(ValueError(node, R"("\ud83d\ude00!")").has_value());  // an emoji (4 bytes) and '!'
  CHECK_ERROR(ValueError(node, R"("日")"), "config.p", "must be at least 2 characters long");
  CHECK_ERROR(ValueError(node, R"("héllo!")"), "config.p", "must be at most 5 characters long");
  const std::string choice = R"({"type": "string", "enum": ["test", "production"]})";
  CHECK_FALSE(ValueError(choice, R"("test")").has_value());
  CHECK_ERROR(ValueError(choice, R"("Test")"), "config.p", "must be one of: test, production");
}

TEST_CASE("config numbers are checked against bounds and enums", "[gateway][config_schema]") {
  const std::string retries = R"({"type": "integer", "minimum": 0, "maximum": 10})";
  for (const char* v : {"0", "5", "10"}) CHECK_FALSE(ValueError(retries, v).has_value());
  CHECK_ERROR(ValueError(retries, "-1"), "config.p", "must be at least 0");
  CHECK_ERROR(ValueError(retries, "11"), "config.p", "must be at most 10");
  const std::string ratio = R"({"type": "number", "minimum": 0.5, "maximum": 2.5})";
  CHECK_FALSE(ValueError(ratio, "0.5").has_value());
  CHECK_FALSE(ValueError(ratio, "2").has_value());
  CHECK_ERROR(ValueError(ratio, "0.49"), "config.p", "must be at least 0.5");
  CHECK_ERROR(ValueError(ratio, "3"), "config.p", "must be at most 2.5");
  CHECK_ERROR(ValueError(R"({"type": "integer", "minimum": 0.5})", "0"), "config.p", "must be at least 0.5");
  // Integers beyond a double's 53 bits are compared exactly.
  const std::string big = R"({"type": "integer", "maximum": 9007199254740993})";
  CHECK_FALSE(ValueError(big, "9007199254740993").has_value());
  CHECK_ERROR(ValueError(big, "9007199254740994"), "config.p", "must be at most 9007199254740993");
  CHECK_ERROR(ValueError(R"({"type": "integer", "minimum": -9223372036854775807})", "-9223372036854775808"), "config.p",
              "must be at least -9223372036854775807");
  const std::string levels = R"({"type": "integer", "enum": [1, 2, 3]})";
  CHECK_FALSE(ValueError(levels, "2").has_value());
  CHECK_ERROR(ValueError(levels, "4"), "config.p", "must be one of: 1, 2, 3");
}

TEST_CASE("the uri format takes absolute http and https URLs with a host", "[gateway][config_schema]") {
  const std::string node = R"({"type": "string", "format": "uri"})";
  for (const char* ok : {"https://edi.example.com/as2", "http://localhost:8080/in?x=1#top", "HTTPS://Example.COM",
                         "https://[::1]:443/", "http://10.0.0.1", "https://a-b.example?q", "https://x.example:65535"}) {
    INFO(ok);
    CHECK_FALSE(ValueError(node, Json(ok).dump()).has_value());
  }
  for (const char* bad : {"ftp://example.com", "https://", "https:///path", "//example.com", "example.com", "mailto:a@b.co",
                          "https://exa mple.com", "https://user:pw@example.com", "https://example.com:0",
                          "https://example.com:65536", "https://example.com:", "https://example.com:8a", "https://.example.com",
                          "https://exa..mple.com", "https://exämple.com", "https://[]/", "https://[::1", "https://[::g]/",
                          "https://ex_ample.com", "https://example.com/\tx", ""}) {
    INFO(bad);
    CHECK_ERROR(ValueError(node, Json(bad).dump()), "config.p", "must be an absolute http(s) URL");
  }
}

TEST_CASE("the email format takes something at something dot something", "[gateway][config_schema]") {
  const std::string node = R"({"type": "string", "format": "email"})";
  for (const char* ok : {"ops@partner.example", "a.b+c@x.co", "x@sub.domain.example"}) {
    INFO(ok);
    CHECK_FALSE(ValueError(node, Json(ok).dump()).has_value());
  }
  for (const char* bad : {"plain", "a@b", "@b.co", "a@.b", "a@b.", "a b@c.de", "a@b c.de", "a@@b.co", "a@b@c.de", "a@b..co", ""}) {
    INFO(bad);
    CHECK_ERROR(ValueError(node, Json(bad).dump()), "config.p", "must be an email address");
  }
}

TEST_CASE("config paths start at the given prefix", "[gateway][config_schema]") {
  const Json schema = J(R"({"type": "object", "properties": {"retries": {"type": "integer"}}})");
  CHECK_ERROR(CheckConfig(schema, J(R"({"retries": "x"})"), "install.config"), "install.config.retries", "expected an integer");
  CHECK_ERROR(CheckConfig(schema, J(R"({"retries": "x"})"), ""), "retries", "expected an integer");
  CHECK_ERROR(CheckConfig(schema, J("1"), "install.config"), "install.config", "expected an object");
}

TEST_CASE("CheckConfig refuses an unchecked schema without throwing", "[gateway][config_schema]") {
  CHECK_ERROR(CheckConfig(J("[]"), J("{}")), "config", "the schema is invalid");
  CHECK_ERROR(CheckConfig(J(R"({"title": "x"})"), J("{}")), "config", "the schema is invalid");
  CHECK_ERROR(CheckConfig(J(R"({"type": "object", "properties": {"a": {"type": "array"}}})"), J(R"({"a": [1]})")), "config.a",
              "the schema is invalid");
  CHECK_ERROR(CheckConfig(J(R"({"type": "object", "properties": {"a": 5}})"), J(R"({"a": 1})")), "config.a", "the schema is invalid");
  // Deeper than the limit: refused at the ninth level rather than followed.
  Json config = Json::object();
  for (int i = 1; i < 9; ++i) config = Json{{"n", config}};
  CHECK_ERROR(CheckConfig(NestedObjects(9), config), "config" + Repeat(".n", 8), "the schema is invalid");
  CHECK_NOTHROW(CheckConfig(J(R"({"type": "string", "enum": 3, "minLength": "x", "format": [1]})"), J(R"("s")")));
}

namespace {
const char* const kEdiSchema = R"({
  "type": "object",
  "title": "EDI connector",
  "description": "Sends and receives X12 / EDIFACT documents over AS2.",
  "required": ["endpoint", "partner_id", "mode"],
  "properties": {
    "endpoint": {"type": "string", "format": "uri", "description": "the partner's AS2 endpoint"},
    "partner_id": {"type": "string", "minLength": 1, "maxLength": 35, "title": "Partner id"},
    "retries": {"type": "integer", "minimum": 0, "maximum": 10, "default": 3},
    "mode": {"type": "string", "enum": ["test", "production"], "default": "test"},
    "tags": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 32}, "maxItems": 10, "default": []},
    "contact": {"type": "string", "format": "email"},
    "timeout_s": {"type": "number", "minimum": 0.5, "maximum": 120},
    "acknowledge": {"type": "boolean", "default": true},
    "fallback_endpoints": {"type": "array", "maxItems": 3, "items": {
      "type": "object", "required": ["url"],
      "properties": {"url": {"type": "string", "format": "uri"}, "priority": {"type": "integer", "minimum": 1}}}}
  }
})";
const char* const kEdiConfig = R"({
  "endpoint": "https://as2.partner.example/inbound",
  "partner_id": "ACME-EDI-001",
  "retries": 5,
  "mode": "production",
  "tags": ["x12", "850"],
  "contact": "edi@acme.example",
  "timeout_s": 30.5,
  "acknowledge": false,
  "fallback_endpoints": [{"url": "https://as2-b.partner.example/in", "priority": 1}, {"url": "http://10.1.2.3:8080/as2"}]
})";
// The EDI config with `patch` merged in (a null removes the member).
std::optional<FieldError> EdiError(std::string_view patch) {
  Json config = J(kEdiConfig);
  config.merge_patch(J(patch));
  return CheckConfig(J(kEdiSchema), config);
}
}  // namespace

TEST_CASE("an EDI connector schema is accepted with a good config and refuses bad ones", "[gateway][config_schema]") {
  REQUIRE_FALSE(CheckConfigSchema(J(kEdiSchema)).has_value());
  CHECK_FALSE(CheckConfig(J(kEdiSchema), J(kEdiConfig)).has_value());
  CHECK_FALSE(CheckConfig(J(kEdiSchema), J(R"({"endpoint": "https://a.example", "partner_id": "P", "mode": "test"})")).has_value());

  CHECK_ERROR(EdiError(R"({"endpoint": "ftp://as2.partner.example"})"), "config.endpoint", "must be an absolute http(s) URL");
  CHECK_ERROR(EdiError(R"({"endpoint": null})"), "config.endpoint", "required");
  CHECK_ERROR(EdiError(R"({"partner_id": null})"), "config.partner_id", "required");
  CHECK_ERROR(EdiError(R"({"partner_id": ""})"), "config.partner_id", "must be at least 1 characters long");
  CHECK_ERROR(EdiError(R"({"partner_id": 42})"), "config.partner_id", "expected a string");
  CHECK_ERROR(EdiError(R"({"retries": 11})"), "config.retries", "must be at most 10");
  CHECK_ERROR(EdiError(R"({"retries": -1})"), "config.retries", "must be at least 0");
  CHECK_ERROR(EdiError(R"({"retries": 2.5})"), "config.retries", "expected an integer");
  CHECK_ERROR(EdiError(R"({"retries": "3"})"), "config.retries", "expected an integer");
  CHECK_ERROR(EdiError(R"({"mode": "staging"})"), "config.mode", "must be one of: test, production");
  CHECK_ERROR(EdiError(R"({"tags": ["x12", 850]})"), "config.tags[1]", "expected a string");
  CHECK_ERROR(EdiError(R"({"tags": [""]})"), "config.tags[0]", "must be at least 1 characters long");
  CHECK_ERROR(EdiError(R"({"tags": "x12"})"), "config.tags", "expected an array");
  CHECK_ERROR(EdiError(R"({"contact": "edi at acme"})"), "config.contact", "must be an email address");
  CHECK_ERROR(EdiError(R"({"timeout_s": 0})"), "config.timeout_s", "must be at least 0.5");
  CHECK_ERROR(EdiError(R"({"acknowledge": "yes"})"), "config.acknowledge", "expected true or false");
  CHECK_ERROR(EdiError(R"({"password": "hunter2"})"), "config.password", "unknown field");
  CHECK_ERROR(EdiError(R"({"fallback_endpoints": [{"url": "https://a.example"}, {"priority": 2}]})"),
              "config.fallback_endpoints[1].url", "required");
  CHECK_ERROR(EdiError(R"({"fallback_endpoints": [{"url": "https://a.example", "priority": 0}]})"),
              "config.fallback_endpoints[0].priority", "must be at least 1");
  CHECK_ERROR(EdiError(R"({"fallback_endpoints": [{"url": "https://a.example", "weight": 1}]})"),
              "config.fallback_endpoints[0].weight", "unknown field");
  CHECK_ERROR(CheckConfig(J(kEdiSchema), J("[]")), "config", "expected an object");
}
