// The analytics day facts' binary row format (analytics.hpp): a count of counters, each a zigzag
// varint, then the currencies' GMV (a length-prefixed code and a zigzag varint each). Compact (most
// counters of a day are 0) and cheap to fold; a row with fewer counters (an older layout) reads as 0s.
#include <chrono>
#include <cstdio>

#include "projections/analytics.hpp"

namespace keel::projections {
namespace {

void PutVarint(std::string& out, std::int64_t v) {
  auto z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  while (z >= 0x80) {
    out.push_back(static_cast<char>(z | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
}

bool GetVarint(std::string_view& in, std::int64_t& v) {
  std::uint64_t z = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<std::uint8_t>(in.front());
    in.remove_prefix(1);
    z |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      v = static_cast<std::int64_t>(z >> 1) ^ -static_cast<std::int64_t>(z & 1);
      return true;
    }
  }
  return false;
}

}  // namespace

void Facts::AddGmv(std::string_view currency, std::int64_t amount) {
  for (auto& [c, v] : gmv)
    if (c == currency) {
      v += amount;
      return;
    }
  gmv.emplace_back(std::string(currency), amount);
}

void Facts::Add(const Facts& o) {
  for (std::size_t i = 0; i < n.size(); ++i) n[i] = i == kModulesUsed ? (n[i] | o.n[i]) : n[i] + o.n[i];
  for (const auto& [c, v] : o.gmv) AddGmv(c, v);
}

std::string EncodeFacts(const Facts& f) {
  std::string out;
  out.reserve(48);
  std::size_t count = f.n.size();
  while (count > 0 && f.n[count - 1] == 0) --count;  // trailing zeros left out
  out.push_back(static_cast<char>(count));
  for (std::size_t i = 0; i < count; ++i) PutVarint(out, f.n[i]);
  out.push_back(static_cast<char>(f.gmv.size()));
  for (const auto& [c, v] : f.gmv) {
    out.push_back(static_cast<char>(c.size()));
    out += c;
    PutVarint(out, v);
  }
  return out;
}

bool DecodeFacts(std::string_view in, Facts& f) {
  f = Facts{};
  if (in.empty()) return false;
  const auto count = static_cast<std::uint8_t>(in.front());
  in.remove_prefix(1);
  for (std::size_t i = 0; i < count; ++i) {
    std::int64_t v = 0;
    if (!GetVarint(in, v)) return false;
    if (i < f.n.size()) f.n[i] = v;
  }
  if (in.empty()) return false;
  const auto currencies = static_cast<std::uint8_t>(in.front());
  in.remove_prefix(1);
  for (std::size_t i = 0; i < currencies; ++i) {
    if (in.empty()) return false;
    const auto len = static_cast<std::uint8_t>(in.front());
    in.remove_prefix(1);
    if (in.size() < len) return false;
    std::string code(in.substr(0, len));
    in.remove_prefix(len);
    std::int64_t v = 0;
    if (!GetVarint(in, v)) return false;
    f.gmv.emplace_back(std::move(code), v);
  }
  return in.empty();
}

std::string Day(std::int64_t epoch_ms) {
  const auto days = std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>(
      std::chrono::milliseconds(epoch_ms)));
  const std::chrono::year_month_day ymd{days};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace keel::projections
