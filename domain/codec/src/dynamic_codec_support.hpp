// Shared by both event decoders (dynamic_codec.hpp, direct_reader.hpp): which C++ types a field
// descriptor visits, each field's slot resolved from the compiled schema once per thread and type,
// and reading a data field or an enum value.
#pragma once

#include <capnp/schema.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "fields.hpp"

namespace keel::codec {

struct ProbeVisitor {
  template <class T>
  void operator()(const char*, T&) {}
};
template <class T>
concept Described = requires(ProbeVisitor& v, T& t) { Fields(v, t); };

template <class T>
struct IsSet : std::false_type {};
template <class T>
struct IsSet<std::set<T>> : std::true_type {};

// Decoding reads the struct's data and pointer sections directly (public AnyStruct API), with each
// field's slot (offset, type, nested schema) resolved from the compiled schema once per thread and
// type: going through the dynamic API on every field access cost most of a replay.
struct FieldInfo {
  capnp::schema::Type::Which type = capnp::schema::Type::VOID;
  capnp::schema::Type::Which element = capnp::schema::Type::VOID;  // for lists
  std::uint32_t offset = 0;  // data fields: in units of the field's size; pointers: pointer index
  capnp::StructSchema nested;  // for structs and lists of structs
  std::uint16_t nested_data_words = 0, nested_pointers = 0;  // their sizes, for the encoder
  mutable std::vector<FieldInfo>* nested_infos = nullptr;  // InfoCache(nested), found on first use
};

inline FieldInfo DescribeField(capnp::StructSchema schema, const char* name) {
  const auto field = schema.getFieldByName(name);
  const auto type = field.getType();
  FieldInfo info;
  info.type = type.which();
  info.offset = field.getProto().getSlot().getOffset();
  if (type.isStruct()) info.nested = type.asStruct();
  if (type.isList()) {
    const auto element = type.asList().getElementType();
    info.element = element.which();
    if (element.isStruct()) info.nested = element.asStruct();
  }
  if (type.isStruct() || info.element == capnp::schema::Type::STRUCT) {
    const auto size = info.nested.getProto().getStruct();
    info.nested_data_words = size.getDataWordCount();
    info.nested_pointers = size.getPointerCount();
  }
  return info;
}

inline std::vector<FieldInfo>& InfoCache(capnp::StructSchema schema) {
  thread_local std::unordered_map<std::uint64_t, std::vector<FieldInfo>> cache;  // nodes: stable addresses
  return cache[schema.getProto().getId()];
}

inline std::vector<FieldInfo>* NestedInfos(const FieldInfo& f) {
  if (f.nested_infos == nullptr) f.nested_infos = &InfoCache(f.nested);
  return f.nested_infos;
}

// The slot of the `index`-th field a descriptor visits, described on first use.
inline const FieldInfo& NextInfo(std::vector<FieldInfo>*& infos, capnp::StructSchema schema, std::size_t& index,
                                 const char* name) {
  if (infos == nullptr) infos = &InfoCache(schema);
  if (index >= infos->size()) infos->push_back(DescribeField(schema, name));
  return (*infos)[index++];
}

// A data field widened to 64 bits from a data section of `size` bytes; fields beyond an older,
// shorter data section read as zero.
inline std::uint64_t NumberIn(const FieldInfo& f, const capnp::byte* data, std::size_t size) {
  using W = capnp::schema::Type;
  auto read = [&](auto zero) -> std::uint64_t {
    using P = decltype(zero);
    const std::size_t at = static_cast<std::size_t>(f.offset) * sizeof(P);
    if (at + sizeof(P) > size) return 0;
    P v;
    std::memcpy(&v, data + at, sizeof(P));  // little-endian hosts, like the wire format
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(v));
  };
  switch (f.type) {
    case W::BOOL: {
      const std::size_t byte = f.offset / 8;
      return byte < size ? (data[byte] >> (f.offset % 8)) & 1u : 0u;
    }
    case W::INT8: return read(std::int8_t{});
    case W::UINT8: return read(std::uint8_t{}) & 0xffu;
    case W::INT16: return read(std::int16_t{});
    case W::UINT16: return read(std::uint16_t{}) & 0xffffu;
    case W::INT32: return read(std::int32_t{});
    case W::UINT32: return read(std::uint32_t{}) & 0xffffffffu;
    case W::INT64: return read(std::int64_t{});
    case W::UINT64: return read(std::uint64_t{});
    default: return 0;
  }
}

// Test seams of event decoding: force Cap'n Proto's reader (the reference the direct reader is tested
// against), and count the direct reader's declines (it must decline none of the encoder's output).
struct DecodeSeams {
  std::atomic<bool> reader_only{false};
  std::atomic<bool> dynamic_encoder{false};  // encode through Cap'n Proto's dynamic API (the reference)
  std::atomic<std::uint64_t> direct_declines{0};
};
inline DecodeSeams& Seams() {
  static DecodeSeams seams;
  return seams;
}

// An enum's raw value, refused beyond its last enumerator.
template <class E>
void EnumFrom(const char* name, std::uint64_t raw, E& out, std::string* error) {
  if (raw > MaxOf(E{})) {
    *error = std::string(name) + ": value " + std::to_string(raw) + " is out of range";
    return;
  }
  out = static_cast<E>(raw);
}

}  // namespace keel::codec
