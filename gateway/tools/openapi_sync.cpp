// keel-openapi-sync FILE: puts the generated schemas (gateway/openapi_schema.hpp) into the OpenAPI
// document FILE in place, keeping its descriptions and examples. Exit 0 written (or already in sync),
// 2 on a usage or file error.
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "gateway/openapi_schema.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: keel-openapi-sync gateway/openapi.json\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream text;
  text << in.rdbuf();
  auto doc = nlohmann::ordered_json::parse(text.str(), nullptr, false);
  if (!in || doc.is_discarded()) {
    std::cerr << argv[1] << ": not a readable JSON document\n";
    return 2;
  }
  const auto synced = keel::gateway::SyncOpenApi(doc);
  if (synced == doc) {
    std::cout << argv[1] << ": in sync\n";
    return 0;
  }
  std::ofstream out(argv[1], std::ios::trunc);
  out << synced.dump(2) << "\n";
  if (!out) {
    std::cerr << argv[1] << ": cannot write\n";
    return 2;
  }
  std::cout << argv[1] << ": schemas written\n";
  return 0;
}
