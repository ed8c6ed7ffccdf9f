// Snapshot archive: a little-endian binary walk of the state's field descriptors. Layout per value:
// integers and enums as fixed-size little-endian, bool as one byte, strings and containers as a u32
// count then the elements, optionals as a presence byte, structs as their fields in order.
#include "codec/snapshot.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "state_fields.hpp"

namespace keel::codec {
namespace {

// Format numbers: bump one when that aggregate's State (or a nested type) changes layout.
constexpr std::uint32_t kWarehouseFormat = 0x5705;  // 0x5702: purchase requests; 0x5703: landed splits, shipments; 0x5704: transfer contents; 0x5705: the ledger leaves the snapshot
constexpr std::uint32_t kLedgerFormat = 0x4C01;  // one warehouse ledger entry
constexpr std::uint32_t kOrderFormat = 0x4F03;  // 0x4F02: placed_by; 0x4F03: shipped reservations
constexpr std::uint32_t kTenantFormat = 0x5408;  // 0x5408: open tickets' work; 0x5402: period prorations; 0x5403: dunning causes, opening plan; 0x5404: metered_through; 0x5405: extensions; 0x5406: template steps; 0x5407: limits after a template step
constexpr std::uint32_t kPartnerFormat = 0x5001;
constexpr std::uint32_t kExtensionFormat = 0x4501;
constexpr std::uint32_t kRolloutFormat = 0x5202;  // 0x5202: resumed_at
constexpr std::uint32_t kCatalogFormat = 0x4302;  // 0x4302: contract prices
constexpr std::uint32_t kBillingFormat = 0x4204;  // 0x4202: invoice lines and split, payments by id; 0x4203: credit notes by id; 0x4204: a credit note's invoice and amount as fields

template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};
template <class T> struct IsSetT : std::false_type {};
template <class T> struct IsSetT<std::set<T>> : std::true_type {};
template <class K, class V> struct IsSetT<std::map<K, V>> : std::false_type {};
template <class T> struct IsMap : std::false_type {};
template <class K, class V> struct IsMap<std::map<K, V>> : std::true_type {};
template <class K, class V> struct IsMap<std::unordered_map<K, V>> : std::true_type {};
template <class T> struct IsUnordered : std::false_type {};
template <class K, class V> struct IsUnordered<std::unordered_map<K, V>> : std::true_type {};
template <class T> struct IsPair : std::false_type {};
template <class A, class B> struct IsPair<std::pair<A, B>> : std::true_type {};
template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};

struct Out {
  std::string bytes;

  void Raw(const void* p, std::size_t n) { bytes.append(static_cast<const char*>(p), n); }
  void Count(std::size_t n) {
    const auto c = static_cast<std::uint32_t>(n);
    Raw(&c, sizeof c);
  }

  template <class T>
  void Value(const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      Count(v.size());
      Raw(v.data(), v.size());
    } else if constexpr (std::is_enum_v<T>) {
      const auto b = static_cast<std::uint8_t>(v);
      Raw(&b, 1);
    } else if constexpr (std::is_same_v<T, bool>) {
      const std::uint8_t b = v ? 1 : 0;
      Raw(&b, 1);
    } else if constexpr (std::is_arithmetic_v<T>) {
      Raw(&v, sizeof v);  // x86-64 and aarch64 are little-endian
    } else if constexpr (IsOptional<T>::value) {
      Value(v.has_value());
      if (v) Value(*v);
    } else if constexpr (IsPair<T>::value) {
      Value(v.first);
      Value(v.second);
    } else if constexpr (IsUnordered<T>::value) {  // in key order, so equal states give equal bytes
      std::vector<const typename T::value_type*> entries;
      entries.reserve(v.size());
      for (const auto& e : v) entries.push_back(&e);
      std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
      Count(entries.size());
      for (const auto* e : entries) {
        Value(e->first);
        Value(e->second);
      }
    } else if constexpr (IsMap<T>::value) {
      Count(v.size());
      for (const auto& [k, x] : v) {
        Value(k);
        Value(x);
      }
    } else if constexpr (IsVector<T>::value || IsSetT<T>::value) {
      Count(v.size());
      for (const auto& x : v) Value(x);
    } else {
      Fields(*this, v);
    }
  }

  template <class T>
  void operator()(const char*, const T& v) {
    Value(v);
  }
};

struct In {
  std::string_view bytes;
  std::size_t at = 0;
  std::string error;

  bool Raw(void* p, std::size_t n) {
    if (!error.empty()) return false;
    if (bytes.size() - at < n) {
      error = "snapshot is truncated";
      return false;
    }
    std::memcpy(p, bytes.data() + at, n);
    at += n;
    return true;
  }
  std::size_t Count() {
    std::uint32_t c = 0;
    if (!Raw(&c, sizeof c)) return 0;
    if (c > bytes.size() - at) {  // every element takes at least one byte
      error = "snapshot count is impossible";
      return 0;
    }
    return c;
  }

  template <class T>
  void Value(T& v) {
    if (!error.empty()) return;
    if constexpr (std::is_same_v<T, std::string>) {
      const std::size_t n = Count();
      if (!error.empty()) return;
      v.assign(bytes.data() + at, n);
      at += n;
    } else if constexpr (std::is_enum_v<T>) {
      std::uint8_t b = 0;
      if (!Raw(&b, 1)) return;
      if (b > MaxOf(T{})) {
        error = "snapshot enum out of range";
        return;
      }
      v = static_cast<T>(b);
    } else if constexpr (std::is_same_v<T, bool>) {
      std::uint8_t b = 0;
      if (Raw(&b, 1)) v = b != 0;
    } else if constexpr (std::is_arithmetic_v<T>) {
      Raw(&v, sizeof v);
    } else if constexpr (IsOptional<T>::value) {
      bool present = false;
      Value(present);
      if (present) {
        typename T::value_type x{};
        Value(x);
        v = std::move(x);
      } else {
        v.reset();
      }
    } else if constexpr (IsPair<T>::value) {
      Value(v.first);
      Value(v.second);
    } else if constexpr (IsMap<T>::value) {
      v.clear();
      const std::size_t n = Count();
      for (std::size_t i = 0; i < n && error.empty(); ++i) {
        typename T::key_type k{};
        typename T::mapped_type x{};
        Value(k);
        Value(x);
        v.emplace(std::move(k), std::move(x));
      }
    } else if constexpr (IsVector<T>::value) {
      v.clear();
      const std::size_t n = Count();
      for (std::size_t i = 0; i < n && error.empty(); ++i) {
        typename T::value_type x{};
        Value(x);
        v.push_back(std::move(x));
      }
    } else if constexpr (IsSetT<T>::value) {
      v.clear();
      const std::size_t n = Count();
      for (std::size_t i = 0; i < n && error.empty(); ++i) {
        typename T::value_type x{};
        Value(x);
        v.insert(std::move(x));
      }
    } else {
      Fields(*this, v);
    }
  }

  template <class T>
  void operator()(const char*, T& v) {
    Value(v);
  }
};

template <class State>
std::string Encode(std::uint32_t format, const State& s) {
  Out out;
  out.Value(format);
  out.Value(s);
  return std::move(out.bytes);
}

template <class State>
Decoded<bool> Decode(std::uint32_t format, std::string_view bytes, State& s) {
  In in{bytes, 0, {}};
  std::uint32_t found = 0;
  in.Value(found);
  if (in.error.empty() && found != format) return std::unexpected(CodecError{"snapshot has another format"});
  State decoded{};
  in.Value(decoded);
  if (in.error.empty() && in.at != bytes.size()) in.error = "snapshot has trailing bytes";
  if (!in.error.empty()) return std::unexpected(CodecError{in.error});
  s = std::move(decoded);
  return true;
}

template <class T>
std::string EncodeEntry(const T& value) {
  Out out;
  out.Value(kLedgerFormat);
  out.Value(value);
  return std::move(out.bytes);
}

template <class T>
Decoded<bool> DecodeEntry(std::string_view bytes, T& value) {
  In in{bytes, 0, {}};
  std::uint32_t found = 0;
  in.Value(found);
  if (in.error.empty() && found != kLedgerFormat) return std::unexpected(CodecError{"ledger entry has another format"});
  in.Value(value);
  if (in.error.empty() && in.at != bytes.size()) in.error = "ledger entry has trailing bytes";
  if (!in.error.empty()) return std::unexpected(CodecError{in.error});
  return true;
}

struct Seen {};  // an entry that only says "this id was used"
template <class V, class Self>
  requires std::same_as<std::remove_const_t<Self>, Seen>
void Fields(V&, Self&) {}

}  // namespace

std::optional<std::string> EncodeLedgerEntry(const d::warehouse::Ledger& l, std::string_view key) {
  if (key.size() < 2 || key[1] != ':') return std::nullopt;
  const std::string id(key.substr(2));
  switch (key[0]) {
    case 'r':
      if (auto it = l.receipts.find(id); it != l.receipts.end()) return EncodeEntry(it->second);
      break;
    case 'o':
      if (auto it = l.transfers_out.find(id); it != l.transfers_out.end()) return EncodeEntry(it->second);
      break;
    case 'i':
      if (l.transfers_in.contains(id)) return EncodeEntry(Seen{});
      break;
    case 'p':
      if (l.purchase_requests.contains(id)) return EncodeEntry(Seen{});
      break;
    case 's':
      if (auto it = l.shipments.find(id); it != l.shipments.end()) return EncodeEntry(it->second);
      break;
  }
  return std::nullopt;
}

Decoded<bool> DecodeLedgerEntry(std::string_view key, std::string_view bytes, d::warehouse::Ledger& l) {
  if (key.size() < 2 || key[1] != ':') return std::unexpected(CodecError{"not a ledger key"});
  const std::string id(key.substr(2));
  switch (key[0]) {
    case 'r': {
      d::warehouse::Receipt r;
      auto ok = DecodeEntry(bytes, r);
      if (ok) l.receipts[id] = std::move(r);
      return ok;
    }
    case 'o': {
      std::string content;
      auto ok = DecodeEntry(bytes, content);
      if (ok) l.transfers_out[id] = std::move(content);
      return ok;
    }
    case 'i':
    case 'p': {
      Seen seen;
      auto ok = DecodeEntry(bytes, seen);
      if (ok) (key[0] == 'i' ? l.transfers_in : l.purchase_requests).insert(id);
      return ok;
    }
    case 's': {
      d::warehouse::Shipment sh;
      auto ok = DecodeEntry(bytes, sh);
      if (ok) l.shipments[id] = std::move(sh);
      return ok;
    }
  }
  return std::unexpected(CodecError{"not a ledger key"});
}

std::string EncodeSnapshot(const d::warehouse::State& s) { return Encode(kWarehouseFormat, s); }
std::string EncodeSnapshot(const d::order::State& s) { return Encode(kOrderFormat, s); }
std::string EncodeSnapshot(const d::tenant::State& s) { return Encode(kTenantFormat, s); }
std::string EncodeSnapshot(const d::partner::State& s) { return Encode(kPartnerFormat, s); }
std::string EncodeSnapshot(const d::extension::State& s) { return Encode(kExtensionFormat, s); }
std::string EncodeSnapshot(const d::rollout::State& s) { return Encode(kRolloutFormat, s); }
std::string EncodeSnapshot(const d::catalog::State& s) { return Encode(kCatalogFormat, s); }
std::string EncodeSnapshot(const d::billing::State& s) { return Encode(kBillingFormat, s); }

Decoded<bool> DecodeSnapshot(std::string_view b, d::warehouse::State& s) { return Decode(kWarehouseFormat, b, s); }
Decoded<bool> DecodeSnapshot(std::string_view b, d::order::State& s) { return Decode(kOrderFormat, b, s); }
Decoded<bool> DecodeSnapshot(std::string_view b, d::tenant::State& s) { return Decode(kTenantFormat, b, s); }
Decoded<bool> DecodeSnapshot(std::string_view b, d::partner::State& s) { return Decode(kPartnerFormat, b, s); }
Decoded<bool> DecodeSnapshot(std::string_view b, d::extension::State& s) { return Decode(kExtensionFormat, b, s); }
Decoded<bool> DecodeSnapshot(std::string_view b, d::rollout::State& s) { return Decode(kRolloutFormat, b, s); }
Decoded<bool> DecodeSnapshot(std::string_view b, d::catalog::State& s) { return Decode(kCatalogFormat, b, s); }
Decoded<bool> DecodeSnapshot(std::string_view b, d::billing::State& s) { return Decode(kBillingFormat, b, s); }

}  // namespace keel::codec
