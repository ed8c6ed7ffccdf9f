// Tests of the config_schema validator (gateway/src/config_schema.hpp), schemas: every supported
// keyword, every refusal of a schema with the exact path it names, and the limits. Configurations
// against schemas: config_values_test.cpp.
#include "config_schema_support.hpp"

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
