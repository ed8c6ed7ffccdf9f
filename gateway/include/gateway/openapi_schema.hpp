// The OpenAPI document's generated parts (route_schemas.cpp): request bodies, command replies and
// read answers as JSON Schemas derived from the same descriptors that parse and render them.
// `keel-openapi-sync` writes them into gateway/openapi.json; a test checks the file is in sync.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keel::gateway {

// `doc` with every generated schema in place; the document's descriptions, examples, titles and
// formats are kept where the generated structure has the same property; key order is kept.
nlohmann::ordered_json SyncOpenApi(nlohmann::ordered_json doc);
// The operationIds whose schemas are generated.
std::vector<std::string> RoutesWithSchemas();

}  // namespace keel::gateway
