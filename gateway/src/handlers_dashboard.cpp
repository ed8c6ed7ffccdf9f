// GET /dashboard and /dashboard/{file}: the analytics dashboard's static files, served as they are in
// the repository (gateway/dashboard; ApiOptions::dashboard_dir) — no build step — and Chart.js from
// Debian's libjs-chart.js (ApiOptions::chart_js). Public: the page holds no data; it asks for a key
// and calls the API with it. Only the files listed here are served; each is read once and kept.
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "call.hpp"

namespace keel::gateway {
namespace {

struct StaticFile {
  std::string content_type, body;
};

std::expected<StaticFile, Response> Load(const std::string& path, const std::string& type) {
  static std::mutex mu;
  static std::map<std::string, StaticFile> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(path); it != cache.end()) return it->second;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::unexpected(Problem(503, "unavailable", "The service is unavailable",
                                   "the dashboard file " + path + " is not installed"));
  std::ostringstream text;
  text << in.rdbuf();
  return cache[path] = StaticFile{type, text.str()};
}

Response Serve(Call& c, const std::string& file) {
  static const std::map<std::string, std::string, std::less<>> kTypes{
      {"index.html", "text/html; charset=utf-8"},
      {"dashboard.js", "text/javascript; charset=utf-8"},
      {"dashboard.css", "text/css; charset=utf-8"},
      {"chart.js", "text/javascript; charset=utf-8"}};
  auto type = kTypes.find(file);
  if (type == kTypes.end()) return NotFound("no dashboard file '" + file + "'");
  const std::string path = file == "chart.js" ? c.ctx.chart_js : c.ctx.dashboard_dir + "/" + file;
  auto loaded = Load(path, type->second);
  if (!loaded) return loaded.error();
  Response r;
  r.content_type = loaded->content_type;
  r.body = loaded->body;
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

Response Index(Call& c) { return Serve(c, "index.html"); }
Response File(Call& c) { return Serve(c, c.Param("file")); }

}  // namespace

void AddDashboardHandlers(HandlerTable& t) {
  t["dashboard"] = Index;
  t["dashboard_file"] = File;
}

}  // namespace keel::gateway
