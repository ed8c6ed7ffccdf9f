// Loads the service catalog (plans) and the segment templates from their JSON files into the
// domain's plain values, validating every field. Errors are values naming the file and the field.
#pragma once

#include <expected>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "domain/analytics.hpp"
#include "domain/catalog_data.hpp"

namespace keel::config {

template <class T>
using Loaded = std::expected<T, std::string>;

Loaded<domain::ServiceCatalog> ParseCatalog(std::string_view json, std::string_view source);
Loaded<domain::SegmentTemplate> ParseTemplate(std::string_view json, std::string_view source,
                                              const domain::ServiceCatalog& catalog);

// Every version of every template, by id and version.
class TemplateRegistry {
 public:
  void Add(domain::SegmentTemplate t);
  const domain::SegmentTemplate* Find(const std::string& id, int version) const;
  const domain::SegmentTemplate* Latest(const std::string& id) const;
  std::vector<std::pair<std::string, int>> Keys() const;

 private:
  std::map<std::pair<std::string, int>, domain::SegmentTemplate> templates_;
};

Loaded<domain::ServiceCatalog> LoadCatalog(const std::string& path);
// Reads every *.json in `dir`; fails on the first invalid file, or on a duplicate id + version.
Loaded<TemplateRegistry> LoadTemplates(const std::string& dir, const domain::ServiceCatalog& catalog);

// Renewal-risk weights and scales and lifecycle stage thresholds (analytics.json); keys left out keep
// their defaults.
Loaded<domain::analytics::Rules> ParseAnalyticsRules(std::string_view json, std::string_view source);
Loaded<domain::analytics::Rules> LoadAnalyticsRules(const std::string& path);

// The data directory shipped in the repository (config/data), fixed at build time.
std::string DefaultDataDir();

}  // namespace keel::config
