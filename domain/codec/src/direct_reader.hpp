// The fast path of event decoding: reads a payload's fields straight out of its bytes when the
// message has the shape the encoder always produces (one segment; structs, byte lists, pointer lists
// of Text, inline-composite lists of structs), every offset bounds-checked and nothing copied but the
// values themselves. Any other shape sets `declined` and DecodeOne decodes with Cap'n Proto's reader,
// which reports real corruption. Field slots come from the same per-type cache as that reader
// (dynamic_codec.hpp), so both see the same schema. Wire format: see eventstore/src/envelope_direct.cpp.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "dynamic_codec_support.hpp"

namespace keel::codec::direct {

inline std::uint64_t Word(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline std::int64_t Offset(std::uint64_t pointer) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(pointer)) >> 2;
}

struct Segment {
  const char* base = nullptr;
  std::uint64_t words = 0;
  // Words left to read, as Cap'n Proto's traversal limit counts them (4x the message): pointers that
  // alias the same bytes cannot make a small message decode into a huge value.
  mutable std::uint64_t budget = 0;
  bool Spend(std::uint64_t n) const {
    if (n > budget) return false;
    budget -= n;
    return true;
  }
};

// A struct's sections (all zero: a null struct, whose fields read as defaults).
struct Struct {
  std::uint64_t data = 0, data_words = 0, pointers = 0;
};

// The list a list pointer names: `start` is its first word (after the tag for composite lists).
struct List {
  std::uint64_t start = 0, count = 0;
  std::uint64_t element_data = 0, element_pointers = 0;  // composite lists
  bool null = true;  // a null pointer (an empty list; for Text, "")
};

// The root of a flat single-segment message; false: another shape.
inline bool Root(std::string_view message, Segment& seg, Struct& root) {
  if (message.size() < 16 || message.size() % 8 != 0) return false;
  std::uint32_t segments_minus_one, words;
  std::memcpy(&segments_minus_one, message.data(), 4);
  std::memcpy(&words, message.data() + 4, 4);
  if (segments_minus_one != 0 || (static_cast<std::uint64_t>(words) + 1) * 8 != message.size() || words == 0) return false;
  // The same limit as DecodeOneWithReader gives Cap'n Proto's reader: 4x the message's words + 64.
  seg = Segment{message.data() + 8, words, (static_cast<std::uint64_t>(words) + 1) * 4 + 64};
  const std::uint64_t p = Word(seg.base);
  if (p == 0 || (p & 3) != 0) return false;
  const std::int64_t start = 1 + Offset(p);
  root = Struct{0, (p >> 32) & 0xffff, p >> 48};
  if (start < 0 || static_cast<std::uint64_t>(start) + root.data_words + root.pointers > seg.words) return false;
  if (!seg.Spend(root.data_words + root.pointers)) return false;
  root.data = static_cast<std::uint64_t>(start);
  return true;
}

// The struct a struct pointer at word `at` names.
inline bool StructAt(const Segment& seg, std::uint64_t at, Struct& out) {
  out = {};
  const std::uint64_t p = Word(seg.base + at * 8);
  if (p == 0) return true;
  if ((p & 3) != 0) return false;
  const std::int64_t start = static_cast<std::int64_t>(at) + 1 + Offset(p);
  const std::uint64_t dw = (p >> 32) & 0xffff, pw = p >> 48;
  if (start < 0 || static_cast<std::uint64_t>(start) + dw + pw > seg.words) return false;
  if (!seg.Spend(dw + pw)) return false;
  out = Struct{static_cast<std::uint64_t>(start), dw, pw};
  return true;
}

// The list a list pointer at word `at` names, if its elements have `size` (2 bytes, 6 pointers,
// 7 composite). A null pointer is an empty list.
inline bool ListAt(const Segment& seg, std::uint64_t at, unsigned size, List& out) {
  out = {};
  const std::uint64_t p = Word(seg.base + at * 8);
  if (p == 0) return true;
  if ((p & 3) != 1 || ((p >> 32) & 7) != size) return false;
  const std::int64_t signed_start = static_cast<std::int64_t>(at) + 1 + Offset(p);
  if (signed_start < 0 || static_cast<std::uint64_t>(signed_start) > seg.words) return false;
  const std::uint64_t start = static_cast<std::uint64_t>(signed_start);
  const std::uint64_t count = p >> 35;  // bytes, pointers, or (composite) words after the tag
  const std::uint64_t room = seg.words - start;
  if (size == 2) {
    if (count > room * 8 || !seg.Spend((count + 7) / 8)) return false;
    out = List{start, count, 0, 0, false};
    return true;
  }
  if (size == 6) {
    if (count > room || !seg.Spend(count)) return false;
    out = List{start, count, 0, 0, false};
    return true;
  }
  if (count + 1 > room) return false;  // the tag word, then `count` words
  const std::uint64_t tag = Word(seg.base + start * 8);
  if ((tag & 3) != 0) return false;
  const std::uint64_t elements = static_cast<std::uint32_t>(tag) >> 2;
  const std::uint64_t dw = (tag >> 32) & 0xffff, pw = tag >> 48;
  // Every element takes room (no struct of ours is empty), so a list can never claim more elements
  // than the message has words.
  if (dw + pw == 0 || elements * (dw + pw) > count || !seg.Spend(count + 1)) return false;  // as capnp counts it
  out = List{start + 1, elements, dw, pw, false};
  return true;
}

// Reads a struct's fields as its descriptor visits them, like Reader in dynamic_codec.hpp.
struct Reader {
  const Segment* seg;
  Struct s;
  capnp::StructSchema schema;
  std::string* error;
  bool* declined;
  std::size_t index = 0;
  std::vector<FieldInfo>* infos = nullptr;

  std::uint64_t Number(const FieldInfo& f) const {
    return NumberIn(f, reinterpret_cast<const capnp::byte*>(seg->base + s.data * 8), s.data_words * 8);
  }
  // The word holding pointer `f`; false when an older, shorter pointer section lacks it.
  bool PointerWord(const FieldInfo& f, std::uint64_t& at) const {
    if (f.offset >= s.pointers) return false;
    at = s.data + s.data_words + f.offset;
    return true;
  }
  bool Text(std::uint64_t at, std::string& out) {
    List l;
    if (!ListAt(*seg, at, 2, l)) return false;
    if (l.null) {  // a null Text reads as ""
      out.clear();
      return true;
    }
    const char* bytes = seg->base + l.start * 8;
    if (l.count == 0 || bytes[l.count - 1] != '\0') return false;  // a Text holds at least its NUL
    out.assign(bytes, l.count - 1);
    return true;
  }

  template <class T>
  void operator()(const char* name, T& v) {
    if (*declined) return;
    const FieldInfo& f = NextInfo(infos, schema, index, name);
    std::uint64_t at = 0;
    const bool present = PointerWord(f, at);
    if constexpr (std::is_same_v<T, std::string>) {
      if (!present) v.clear();
      else if (!Text(at, v)) *declined = true;
    } else if constexpr (std::is_enum_v<T>) {
      EnumFrom(name, Number(f), v, error);
    } else if constexpr (std::is_same_v<T, bool>) {
      v = Number(f) != 0;
    } else if constexpr (std::is_arithmetic_v<T>) {
      v = static_cast<T>(Number(f));
    } else if constexpr (IsSet<T>::value) {
      v.clear();
      List l;
      if (present && !ListAt(*seg, at, 2, l)) {
        *declined = true;
        return;
      }
      for (std::uint64_t i = 0; i < l.count; ++i) {
        typename T::value_type e{};
        EnumFrom(name, static_cast<std::uint8_t>(seg->base[l.start * 8 + i]), e, error);
        v.insert(e);
      }
    } else if constexpr (Described<T>) {
      Struct sub;
      if (present && !StructAt(*seg, at, sub)) {
        *declined = true;
        return;
      }
      Reader r{seg, sub, f.nested, error, declined, 0, NestedInfos(f)};
      Fields(r, v);
    } else {  // std::vector<...>
      v.clear();
      using E = typename T::value_type;
      List l;
      if constexpr (std::is_same_v<E, std::string>) {
        if (present && !ListAt(*seg, at, 6, l)) {
          *declined = true;
          return;
        }
        v.resize(l.count);
        for (std::uint64_t i = 0; i < l.count && !*declined; ++i) {
          if (!Text(l.start + i, v[i])) *declined = true;
        }
      } else {
        if (present && !ListAt(*seg, at, 7, l)) {
          *declined = true;
          return;
        }
        v.resize(l.count);
        for (std::uint64_t i = 0; i < l.count && !*declined; ++i) {
          Reader r{seg, Struct{l.start + i * (l.element_data + l.element_pointers), l.element_data, l.element_pointers},
                   f.nested, error, declined, 0, NestedInfos(f)};
          Fields(r, v[i]);
        }
      }
    }
  }
};

}  // namespace keel::codec::direct
