// Tests of the config_schema validator (gateway/src/config_schema.hpp), configurations: every refusal
// of a tenant's config with the exact path it names, the formats, and a realistic EDI connector schema
// with good and bad configs.
#include "config_schema_support.hpp"

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
