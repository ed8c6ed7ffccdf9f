// The OpenAPI 3.1 document of the HTTP API (gateway/openapi.json, embedded at build time).
#pragma once

#include <string_view>

namespace keel::gateway {
std::string_view OpenApiDocument();
}
