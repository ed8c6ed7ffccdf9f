// Parsing and validation of t/<tenant>/<kind>/<id> stream ids.
#include "eventstore/stream_id.hpp"

namespace keel::eventstore {
namespace {

constexpr std::size_t kMaxSegment = 128;
constexpr std::size_t kMaxStream = 512;

bool IsSegmentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

bool IsValidSegment(std::string_view s, bool allow_slash) {
  if (s.empty() || s.size() > kMaxSegment) return false;
  if (allow_slash && (s.front() == '/' || s.back() == '/')) return false;
  for (char c : s) {
    if (!IsSegmentChar(c) && !(allow_slash && c == '/')) return false;
  }
  return true;
}

}  // namespace

bool IsValidTenant(std::string_view tenant) { return IsValidSegment(tenant, false); }
bool IsValidId(std::string_view id) { return IsValidSegment(id, false) && id != "." && id != ".."; }

Result<StreamId> ParseStreamId(std::string_view stream) {
  auto bad = [&](std::string why) {
    return MakeError(Errc::kInvalidArgument, "stream id must be t/<tenant>/<kind>/<id>: " + why,
                     std::string(stream.substr(0, kMaxStream)));
  };
  if (stream.size() > kMaxStream) return bad("longer than 512 bytes");
  if (!stream.starts_with("t/")) return bad("missing 't/' prefix");
  std::string_view rest = stream.substr(2);
  auto slash1 = rest.find('/');
  if (slash1 == std::string_view::npos) return bad("missing kind");
  auto slash2 = rest.find('/', slash1 + 1);
  if (slash2 == std::string_view::npos) return bad("missing id");
  StreamId id{rest.substr(0, slash1), rest.substr(slash1 + 1, slash2 - slash1 - 1),
              rest.substr(slash2 + 1)};
  if (!IsValidSegment(id.tenant, false)) return bad("bad tenant segment");
  if (!IsValidSegment(id.kind, false)) return bad("bad kind segment");
  if (!IsValidSegment(id.id, true) || id.id.find("//") != std::string_view::npos) {
    return bad("bad id segment");
  }
  return id;
}

std::string MakeStreamId(std::string_view tenant, std::string_view kind, std::string_view id) {
  std::string s = "t/";
  s.append(tenant).append("/").append(kind).append("/").append(id);
  return s;
}

}  // namespace keel::eventstore
