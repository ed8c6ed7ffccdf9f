// Pages of a read model (see query.hpp).
#include "projections/query.hpp"

namespace keel::projections {

std::string EncodeCursor(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(key.size() * 2);
  for (unsigned char c : key) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::optional<std::string> DecodeCursor(std::string_view cursor, std::string_view prefix) {
  if (cursor.size() % 2 != 0 || cursor.size() > 2048) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string key;
  for (std::size_t i = 0; i < cursor.size(); i += 2) {
    const int hi = nibble(cursor[i]), lo = nibble(cursor[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    key.push_back(static_cast<char>(hi * 16 + lo));
  }
  if (!key.starts_with(prefix) || key.size() == prefix.size()) return std::nullopt;
  return key;
}

eventstore::Result<Page> ReadPage(const eventstore::EventStore& store, const PageRequest& r) {
  Page page;
  std::string after;
  if (!r.cursor.empty()) {
    auto key = DecodeCursor(r.cursor, r.prefix);
    if (!key) return std::unexpected(eventstore::Error{eventstore::Errc::kInvalidArgument, "not a cursor of this listing"});
    after = std::move(*key);
  }
  std::size_t examined = 0;
  std::string last;
  bool more = false;
  std::optional<eventstore::Error> failed;
  auto scanned = store.ReadModelScan(
      r.model, r.prefix,
      [&](std::string_view key, std::string_view value) {
        if (!r.until.empty() && key >= r.until) return false;  // past the range: the end
        if (page.rows.size() >= r.limit || examined >= r.max_examined) {
          more = true;
          return false;
        }
        ++examined;
        last = std::string(key);
        std::string text(value);
        if (r.rows_at) {
          const auto slash = key.rfind('/');
          auto row = store.ReadModelGet(r.model, *r.rows_at + std::string(key.substr(slash + 1)));
          if (!row) {
            failed = row.error();
            return false;
          }
          if (!*row) return true;  // the index ran ahead of its row: not served yet
          text = std::move(**row);
        }
        auto json = nlohmann::json::parse(text, nullptr, false);
        if (json.is_discarded()) return true;
        if (!r.keep || r.keep(json)) {
          page.rows.push_back(std::move(json));
          page.keys.push_back(last);
        }
        return true;
      },
      after);
  if (!scanned) return std::unexpected(scanned.error());
  if (failed) return std::unexpected(*failed);
  if (more) page.next = EncodeCursor(last);
  return page;
}

}  // namespace keel::projections
