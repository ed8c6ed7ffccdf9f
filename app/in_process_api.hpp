// Requests to the API in-process, as a key-holder would send them over HTTP but without a socket:
// the demo seeder and the benchmarks' set-up use it. The first refusal (status >= 400) is kept in
// `error` and every later request is skipped, so a set-up script reads straight through.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "actors/runtime.hpp"
#include "gateway/api.hpp"

namespace keel::app {

struct InProcessApi {
  gateway::Api& api;
  actors::Client client;
  std::string key;    // the caller's API key
  std::string error;  // the first refusal: "METHOD path -> status: body"
  std::string source = "in-process";  // the request log's source and request ids: in-process-1, -2, ...
  std::uint64_t sent = 0;

  nlohmann::json Send(const std::string& method, const std::string& path, const nlohmann::json& body = nlohmann::json::object()) {
    if (!error.empty()) return nullptr;
    gateway::Request req;
    req.method = method;
    req.target = path;
    req.headers["authorization"] = "Bearer " + key;
    req.headers["content-type"] = "application/json";
    req.headers["x-request-id"] = source + "-" + std::to_string(++sent);
    req.source = source;
    req.body = body.dump();
    auto r = api.Handle(req, client);
    if (r.status >= 400) {
      error = method + " " + path + " -> " + std::to_string(r.status) + ": " + r.body.substr(0, 500);
      return nullptr;
    }
    return nlohmann::json::parse(r.body, nullptr, false);
  }
};

// A demo tenant's provisioning body. The online merchants stay on the first version of their template:
// its version 2 is there for the platform owner to try a staged rollout with (POST /v1/rollouts).
inline nlohmann::json DemoProvisioning(const std::string& reference, const std::string& name, const std::string& template_id) {
  nlohmann::json body{{"reference", reference}, {"name", name}, {"template_id", template_id}};
  if (template_id == "ecommerce-merchant") body["template_version"] = 1;
  return body;
}

}  // namespace keel::app
