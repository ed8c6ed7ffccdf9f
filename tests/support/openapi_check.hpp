// Checks answers against the API document (gateway/openapi.json) in tests: finds the operation of a
// method and path, the response documented for a status, and validates the body with the subset of
// JSON Schema 2020-12 the document uses ($ref, type, enum, const, properties, required,
// additionalProperties, items, uniqueItems, propertyNames, minimum, maximum, minLength, maxLength,
// pattern, oneOf, anyOf, allOf). Every gateway end-to-end answer goes through it (gateway_world.hpp).
#pragma once

#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keel::test {

class OpenApiCheck {
 public:
  using Json = nlohmann::json;

  static const OpenApiCheck& Instance() {
    static const OpenApiCheck check(KEEL_OPENAPI_PATH);
    return check;
  }

  explicit OpenApiCheck(const std::string& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    doc_ = Json::parse(text.str(), nullptr, false);
  }
  const Json& doc() const { return doc_; }

  // The operation a request reaches: its path template and method's object (null when none).
  struct Operation {
    std::string path;
    const Json* op = nullptr;
    std::map<std::string, std::string> params;
  };
  Operation Find(const std::string& method, const std::string& target) const {
    const std::string path = target.substr(0, target.find('?'));
    const auto segments = Split(path);
    Operation best;
    int best_literals = -1;
    for (const auto& [pattern, ops] : doc_["paths"].items()) {
      const auto parts = Split(pattern);
      if (parts.size() != segments.size()) continue;
      int literals = 0;
      bool ok = true;
      std::map<std::string, std::string> params;
      for (std::size_t i = 0; i < parts.size() && ok; ++i) {
        if (parts[i].size() > 2 && parts[i].front() == '{' && parts[i].back() == '}') {
          if (segments[i].empty()) ok = false;
          params[parts[i].substr(1, parts[i].size() - 2)] = segments[i];
        } else if (parts[i] == segments[i]) {
          ++literals;
        } else {
          ok = false;
        }
      }
      const std::string m = Lower(method);
      if (ok && ops.contains(m) && literals > best_literals) {
        best = Operation{pattern, &ops[m], params};
        best_literals = literals;
      }
    }
    return best;
  }

  // Why the answer does not follow the document ("" when it does). Non-JSON bodies are checked for
  // their documented media type only.
  std::string Check(const std::string& method, const std::string& target, int status, const std::string& content_type,
                    const std::string& body) const {
    const Operation found = Find(method, target);
    const Json* schema = nullptr;
    Json problem_ref = {{"$ref", "#/components/schemas/Problem"}};
    if (found.op == nullptr) {
      // No such route: the router's own problem answers (404, 405, ...).
      if (status < 400) return "no documented operation answers " + method + " " + target;
      schema = &problem_ref;
    } else {
      const Json& responses = (*found.op)["responses"];
      const std::string code = std::to_string(status);
      if (!responses.contains(code)) return "status " + code + " is not documented for " + method + " " + found.path;
      const Json* response = &Resolve(responses[code]);
      if (!response->contains("content")) return body.empty() ? "" : "a body where the document says none";
      const Json& content = (*response)["content"];
      const std::string media = content_type.substr(0, content_type.find(';'));
      if (!content.contains(media)) return "media type '" + media + "' is not documented for " + code;
      if (!content[media].contains("schema")) return "";
      schema = &content[media]["schema"];
    }
    if (content_type.find("json") == std::string::npos) return "";
    const Json value = Json::parse(body, nullptr, false);
    if (value.is_discarded()) return "the body is not JSON";
    std::vector<std::string> errors;
    Validate(value, *schema, "$", errors);
    std::string out;
    for (const auto& e : errors) out += (out.empty() ? "" : "; ") + e;
    return out;
  }

  void Validate(const Json& v, const Json& schema_in, const std::string& at, std::vector<std::string>& errors) const {
    if (errors.size() > 8) return;
    const Json& s = Resolve(schema_in);
    if (s.is_boolean()) {
      if (!s.get<bool>()) errors.push_back(at + ": no value is allowed here");
      return;
    }
    if (s.contains("type") && !TypeMatches(v, s["type"])) {
      errors.push_back(at + ": expected type " + s["type"].dump() + ", got " + v.dump().substr(0, 80));
      return;
    }
    if (s.contains("const") && v != s["const"]) errors.push_back(at + ": expected " + s["const"].dump());
    if (s.contains("enum")) {
      bool any = false;
      for (const auto& e : s["enum"]) any = any || e == v;
      if (!any) errors.push_back(at + ": " + v.dump().substr(0, 60) + " is not one of " + s["enum"].dump());
    }
    if (v.is_number()) {
      if (s.contains("minimum") && v.get<double>() < s["minimum"].get<double>()) errors.push_back(at + ": below the minimum");
      if (s.contains("maximum") && v.get<double>() > s["maximum"].get<double>()) errors.push_back(at + ": above the maximum");
    }
    if (v.is_string()) {
      const auto& str = v.get_ref<const std::string&>();
      if (s.contains("minLength") && str.size() < s["minLength"].get<std::size_t>()) errors.push_back(at + ": too short");
      if (s.contains("maxLength") && str.size() > s["maxLength"].get<std::size_t>()) errors.push_back(at + ": too long");
      if (s.contains("pattern") && !std::regex_search(str, Regex(s["pattern"]))) errors.push_back(at + ": does not match " + s["pattern"].get<std::string>());
    }
    if (v.is_object()) {
      if (s.contains("required"))
        for (const auto& r : s["required"])
          if (!v.contains(r.get<std::string>())) errors.push_back(at + ": '" + r.get<std::string>() + "' is missing");
      for (const auto& [k, sub] : v.items()) {
        if (s.contains("propertyNames")) Validate(Json(k), s["propertyNames"], at + "." + k + "(name)", errors);
        if (s.contains("properties") && s["properties"].contains(k)) {
          Validate(sub, s["properties"][k], at + "." + k, errors);
        } else if (s.contains("additionalProperties")) {
          const Json& extra = s["additionalProperties"];
          if (extra.is_boolean() && !extra.get<bool>()) errors.push_back(at + ": '" + k + "' is not documented");
          else if (extra.is_object()) Validate(sub, extra, at + "." + k, errors);
        }
      }
    }
    if (v.is_array() && s.contains("items"))
      for (std::size_t i = 0; i < v.size(); ++i) Validate(v[i], s["items"], at + "[" + std::to_string(i) + "]", errors);
    if (s.contains("allOf"))
      for (const auto& sub : s["allOf"]) Validate(v, sub, at, errors);
    if (s.contains("anyOf") || s.contains("oneOf")) {
      const bool one = s.contains("oneOf");
      std::size_t matches = 0;
      std::string first_error;
      for (const auto& sub : s[one ? "oneOf" : "anyOf"]) {
        std::vector<std::string> e;
        Validate(v, sub, at, e);
        if (e.empty()) ++matches;
        else if (first_error.empty() || Discriminated(v, sub)) first_error = e.front();
      }
      if (matches == 0) errors.push_back(at + ": matches none of its alternatives (" + first_error + ")");
      else if (one && matches > 1) errors.push_back(at + ": matches more than one alternative");
    }
  }

 private:
  static std::vector<std::string> Split(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 1;
    while (start <= path.size()) {
      const auto end = path.find('/', start);
      out.push_back(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    return out;
  }
  static std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  static bool TypeMatches(const Json& v, const Json& type) {
    if (type.is_array()) {
      for (const auto& t : type)
        if (TypeMatches(v, t)) return true;
      return false;
    }
    const std::string t = type;
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "integer") return v.is_number_integer();
    if (t == "number") return v.is_number();
    if (t == "boolean") return v.is_boolean();
    if (t == "null") return v.is_null();
    return false;
  }
  // An alternative whose "type" const names the value's own type (an event's): its error is the telling one.
  static bool Discriminated(const Json& v, const Json& sub) {
    return v.is_object() && v.contains("type") && sub.contains("properties") && sub["properties"].contains("type") &&
           sub["properties"]["type"].contains("const") && sub["properties"]["type"]["const"] == v["type"];
  }
  const Json& Resolve(const Json& s) const {
    const Json* at = &s;
    while (at->is_object() && at->contains("$ref")) {
      const std::string ref = (*at)["$ref"];
      at = &doc_.at(Json::json_pointer(ref.substr(1)));
    }
    return *at;
  }
  const std::regex& Regex(const Json& pattern) const {
    const std::string p = pattern;
    std::lock_guard lock(regex_mu_);
    auto it = regexes_.find(p);
    if (it == regexes_.end()) it = regexes_.emplace(p, std::regex(p, std::regex::ECMAScript)).first;
    return it->second;
  }

  Json doc_;
  mutable std::mutex regex_mu_;  // answers are checked on the threads that send them
  mutable std::map<std::string, std::regex> regexes_;  // node-based: references stay valid
};

}  // namespace keel::test
