// What every list route shares (see list_support.hpp).
#include "list_support.hpp"

#include <atomic>
#include <charconv>

namespace keel::gateway {

using json::Json;

namespace {
constexpr std::chrono::milliseconds kMaxWait{2000};
}  // namespace


std::optional<std::uint64_t> Number(const std::string& text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// The common parameters, and every other one among `allowed`.
std::expected<ListParams, Response> Params(const Call& c, const std::set<std::string>& allowed) {
  ListParams p;
  for (const auto& [name, value] : c.match.query) {
    if (name == "limit") {
      auto n = Number(value);
      if (!n || *n < 1 || *n > 500) return std::unexpected(BadField({"limit", "expected a number from 1 to 500"}));
      p.limit = *n;
    } else if (name == "cursor") {
      if (value.empty()) return std::unexpected(BadField({"cursor", "empty: leave it out for the first page"}));
      p.cursor = value;
    } else if (name == "min_position") {
      auto n = Number(value);
      if (!n) return std::unexpected(BadField({"min_position", "expected a log position (an integer >= 0)"}));
      p.min_position = *n;
    } else if (!allowed.contains(name)) {
      return std::unexpected(BadField({name, "unknown query parameter"}));
    } else if (value.empty()) {
      return std::unexpected(BadField({name, "an empty filter: leave the parameter out for none"}));
    }
  }
  return p;
}

Response ReadModelUnreadable(std::string_view name) {
  return Problem(503, "unavailable", "The service is unavailable", "the " + std::string(name) + " read model could not be read");
}

Response OutsideScope(std::string what) {
  Response r = NotFound(std::move(what));
  r.audit = true;
  return r;
}

std::string Query(const Call& c, const std::string& name) {
  auto it = c.match.query.find(name);
  return it == c.match.query.end() ? std::string() : it->second;
}

// Requests waiting for a read model at once (each holds a worker): beyond it, 503 at once, so that
// waits cannot take the workers every other request needs.
namespace {
constexpr int kMaxWaiters = 4;
std::atomic<int> waiters{0};

Response Behind(std::string_view name, std::uint64_t position) {
  Response r = Problem(503, "projection_behind", "Read model behind",
                       "the " + std::string(name) + " read model has not reached position " + std::to_string(position) +
                           " yet; retry shortly");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace

// The read model `name`'s key space once it has folded `min_position` (bounded wait), and its figures.
std::expected<std::pair<std::string, Json>, Response> ReadModel(Call& c, std::string_view name, std::uint64_t min_position) {
  if (c.ctx.projections == nullptr)
    return std::unexpected(Problem(503, "unavailable", "The service is unavailable", "the read models are not running"));
  if (min_position > 0 && !c.ctx.projections->WaitFor(name, min_position, std::chrono::milliseconds(0))) {
    // A position the log has not reached was never a command's: no wait makes it come.
    if (min_position > c.ctx.store.HeadPosition())
      return std::unexpected(BadField({"min_position", "beyond the log's last position: pass the position a command answered"}));
    if (waiters.fetch_add(1) >= kMaxWaiters) {
      waiters.fetch_sub(1);
      return std::unexpected(Behind(name, min_position));
    }
    const bool reached = c.ctx.projections->WaitFor(name, min_position, kMaxWait);
    waiters.fetch_sub(1);
    if (!reached) return std::unexpected(Behind(name, min_position));
  }
  auto status = c.ctx.projections->Status(name);
  std::string model = c.ctx.projections->ActiveModel(name);
  if (!status || model.empty())
    return std::unexpected(Problem(503, "unavailable", "The service is unavailable", "no such read model"));
  return std::pair{std::move(model), Json{{"name", status->name},
                                          {"position", status->position},
                                          {"lag_events", status->lag_events},
                                          {"lag_ms", status->lag_ms}}};
}

Response Listing(Call& c, projections::PageRequest request, const Json& projection,
                 const std::function<Json(Json)>& shape) {
  if (!request.cursor.empty() && !projections::DecodeCursor(request.cursor, request.prefix))
    return BadField({"cursor", "not a cursor of this listing (pass next_cursor from the previous page)"});
  auto page = projections::ReadPage(c.ctx.store, request);
  if (!page) return Problem(503, "unavailable", "The service is unavailable", "the read model could not be read");
  Json items = Json::array();
  for (auto& row : page->rows) items.push_back(shape ? shape(std::move(row)) : std::move(row));
  return JsonResponse(200, {{"items", std::move(items)},
                            {"next_cursor", page->next.empty() ? Json(nullptr) : Json(page->next)},
                            {"projection", projection}});
}

std::expected<Opened, Response> Open(Call& c, std::string_view name, const ListParams& p) {
  auto model = ReadModel(c, name, p.min_position);
  if (!model) return std::unexpected(model.error());
  Opened o;
  o.request.model = std::move(model->first);
  o.request.limit = p.limit;
  o.request.cursor = p.cursor;
  o.figures = std::move(model->second);
  return o;
}


std::string Listed(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace keel::gateway
