// States in the past (see as_of.hpp): an entity folded from its stream up to a position or a time.
#include "actors/as_of.hpp"

#include <openssl/sha.h>

#include <cctype>
#include <charconv>
#include <chrono>

#include "codec/snapshot.hpp"
#include "traits.hpp"

namespace keel::actors {
namespace {

bool Digits(std::string_view s, std::size_t from, std::size_t count) {
  if (s.size() < from + count) return false;
  for (std::size_t i = from; i < from + count; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

int Number(std::string_view s, std::size_t from, std::size_t count) {
  int n = 0;
  std::from_chars(s.data() + from, s.data() + from + count, n);
  return n;
}

template <Kind K>
eventstore::Result<PastState> Fold(const eventstore::EventStore& store, const std::string& stream, const AsOf& when) {
  typename Traits<K>::State state{};
  PastState past;
  std::optional<eventstore::Error> bad;
  auto scanned = store.ScanStream(stream, 1, SIZE_MAX, [&](const eventstore::EventView& v) {
    if (when.by_position ? v.position > when.position : v.timestamp_ms > when.time_ms) return false;
    auto event = Traits<K>::Decode(v.type, v.schema_version, v.payload);
    if (!event) {
      bad = eventstore::Error{eventstore::Errc::kCorruption, "cannot decode " + stream + " v" + std::to_string(v.version) +
                                                                 ": " + event.error().message, stream};
      bad->position = v.position;
      return false;
    }
    Traits<K>::Apply(state, *event);
    past.version = v.version;
    past.position = v.position;
    past.at_ms = v.timestamp_ms;
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error());
  if (bad) return std::unexpected(*bad);
  if (past.version == 0)
    return eventstore::MakeError(eventstore::Errc::kNotFound, stream + " had no event by then", stream);
  past.state.template emplace<static_cast<std::size_t>(K)>(std::move(state));
  return past;
}

}  // namespace

std::expected<AsOf, std::string> ParseAsOf(std::string_view text) {
  AsOf when;
  if (!text.empty() && text.size() <= 19 && Digits(text, 0, text.size())) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), when.position);
    if (ec != std::errc() || when.position == 0) return std::unexpected("a log position is an integer >= 1");
    return when;
  }
  when.by_position = false;
  const std::string_view expect = "a log position (an integer), an RFC 3339 time (2026-11-01T12:00:00Z) or a day (2026-11-01)";
  if (!Digits(text, 0, 4) || text.size() < 10 || text[4] != '-' || !Digits(text, 5, 2) || text[7] != '-' || !Digits(text, 8, 2))
    return std::unexpected(std::string(expect));
  const std::chrono::year_month_day day{std::chrono::year(Number(text, 0, 4)), std::chrono::month(Number(text, 5, 2)),
                                        std::chrono::day(Number(text, 8, 2))};
  if (!day.ok()) return std::unexpected("no such day: " + std::string(text.substr(0, 10)));
  const std::int64_t midnight =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::sys_days(day).time_since_epoch()).count();
  if (text.size() == 10) {  // the end of that day
    when.time_ms = midnight + 86'400'000 - 1;
    return when;
  }
  // T hh:mm:ss [.fraction] (Z | ±hh:mm)
  if ((text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !Digits(text, 11, 2) || text.size() < 19 ||
      text[13] != ':' || !Digits(text, 14, 2) || text[16] != ':' || !Digits(text, 17, 2))
    return std::unexpected(std::string(expect));
  const int h = Number(text, 11, 2), m = Number(text, 14, 2), s = Number(text, 17, 2);
  if (h > 23 || m > 59 || s > 60) return std::unexpected("no such time of day: " + std::string(text.substr(11, 8)));
  std::size_t at = 19;
  std::int64_t ms = 0;
  if (at < text.size() && text[at] == '.') {
    std::size_t digits = 0;
    for (++at; at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); ++at, ++digits)
      if (digits < 3) ms = ms * 10 + (text[at] - '0');
    if (digits == 0) return std::unexpected(std::string(expect));
    for (std::size_t d = std::min<std::size_t>(digits, 3); d < 3; ++d) ms *= 10;
  }
  std::int64_t offset_min = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-') && Digits(text, at + 1, 2) &&
             text.size() > at + 5 && text[at + 3] == ':' && Digits(text, at + 4, 2)) {
    offset_min = (Number(text, at + 1, 2) * 60 + Number(text, at + 4, 2)) * (text[at] == '-' ? -1 : 1);
    at += 6;
  } else {
    return std::unexpected("a time needs its zone: Z or an offset such as +01:00");
  }
  if (at != text.size()) return std::unexpected(std::string(expect));
  when.time_ms = midnight + ((h * 60 + m) * 60 + s) * 1000LL + ms - offset_min * 60'000;
  return when;
}

eventstore::Result<PastState> StateAsOf(const eventstore::EventStore& store, const EntityKey& key, const AsOf& when) {
  const std::string stream = StreamOf(key);
  switch (key.kind) {
    case Kind::kPartner: return Fold<Kind::kPartner>(store, stream, when);
    case Kind::kTenant: return Fold<Kind::kTenant>(store, stream, when);
    case Kind::kCatalog: return Fold<Kind::kCatalog>(store, stream, when);
    case Kind::kWarehouse: return Fold<Kind::kWarehouse>(store, stream, when);
    case Kind::kOrder: return Fold<Kind::kOrder>(store, stream, when);
    case Kind::kBilling: return Fold<Kind::kBilling>(store, stream, when);
    case Kind::kExtension: return Fold<Kind::kExtension>(store, stream, when);
    case Kind::kRollout: return Fold<Kind::kRollout>(store, stream, when);
  }
  return eventstore::MakeError(eventstore::Errc::kInvalidArgument, "unknown entity kind", stream);
}

eventstore::Result<std::uint64_t> TenantPositionAt(const eventstore::EventStore& store, std::string_view tenant,
                                                   std::int64_t time_ms) {
  auto events = store.ReadTenant(tenant, 1);
  if (!events) return std::unexpected(events.error());
  std::uint64_t position = 0;
  for (const auto& e : *events)
    if (e.timestamp_ms <= time_ms) position = e.position;
  return position;
}

std::optional<EntityKey> KeyOfStream(std::string_view stream) {
  if (!stream.starts_with("t/")) return std::nullopt;
  stream.remove_prefix(2);
  const auto a = stream.find('/');
  if (a == std::string_view::npos) return std::nullopt;
  const auto b = stream.find('/', a + 1);
  if (b == std::string_view::npos || b + 1 >= stream.size()) return std::nullopt;
  const std::string_view kind = stream.substr(a + 1, b - a - 1);
  for (Kind k : kAllKinds)
    if (KindName(k) == kind) return EntityKey{k, std::string(stream.substr(0, a)), std::string(stream.substr(b + 1))};
  return std::nullopt;
}

std::string StateHash(const AnyState& state) {
  const std::string bytes = std::visit([](const auto& s) { return codec::EncodeSnapshot(s); }, state);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  return hex;
}

}  // namespace keel::actors
