// The gateway's own view of an HTTP exchange, free of Beast and CAF so that routing, access control
// and command handling are plain functions that tests call without sockets.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace keel::gateway {

struct Request {
  std::string method;  // upper case: GET, POST, PUT, DELETE, ...
  std::string target;  // path and query, as sent
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string source;  // the client's address and port, for the request log ("" when not over a socket)
  bool admin = false;  // it came on the admin listener (ServerOptions::admin_port)
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, Retry-After, ETag, ...)
  std::string body;
  // False for an answer that must not be stored as an Idempotency-Key's answer (the key turned out to
  // belong to an earlier, different command).
  bool keep_for_key = true;
  // When set, what is stored as the Idempotency-Key's answer instead of `body`: an answer holding a
  // secret shown once (a new API key's token) is kept without it.
  std::optional<std::string> stored_body;
  // A refusal to keep in the audit (besides every 401 and 403): a 404 for what is outside the caller's
  // scope, a refused key operation.
  bool audit = false;
  // What an audited act acted on and the scope it acted in, when the target does not name them (a key
  // issued, rotated or revoked: "key:<id>", the key's partner and tenant).
  std::string audit_subject, audit_partner, audit_tenant;
  std::string audit_issued;  // a key an audited act issued ("key:<id>": a rotation's new key)
};

}  // namespace keel::gateway
