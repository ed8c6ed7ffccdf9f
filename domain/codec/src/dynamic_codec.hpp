// The generic half of the codec: visitors that walk a value's field descriptors (fields.hpp) and
// write or read them through Cap'n Proto's dynamic API against the compiled schema, or render them
// as text; and the variant-wide Encode / Decode used by each aggregate's codec file.
#pragma once

#include <capnp/any.h>
#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <kj/io.h>

#include <cstring>
#include <unordered_map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "codec/codec.hpp"
#include "direct_reader.hpp"
#include "dynamic_codec_support.hpp"
#include "events.capnp.h"
#include "fields.hpp"

namespace keel::codec {

// Writes fields into a dynamic struct builder.
struct Writer {
  capnp::DynamicStruct::Builder b;

  template <class T>
  void operator()(const char* name, const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      b.set(name, capnp::Text::Reader(v.data(), v.size()));
    } else if constexpr (std::is_enum_v<T>) {
      b.set(name, static_cast<std::uint8_t>(v));
    } else if constexpr (std::is_arithmetic_v<T>) {
      b.set(name, v);
    } else if constexpr (IsSet<T>::value) {
      auto list = b.init(name, static_cast<unsigned>(v.size())).template as<capnp::DynamicList>();
      unsigned i = 0;
      for (const auto& x : v) list.set(i++, static_cast<std::uint8_t>(x));
    } else if constexpr (Described<const T>) {
      Writer sub{b.init(name).template as<capnp::DynamicStruct>()};
      Fields(sub, v);
    } else {  // std::vector<...>
      auto list = b.init(name, static_cast<unsigned>(v.size())).template as<capnp::DynamicList>();
      for (unsigned i = 0; i < v.size(); ++i) {
        using E = typename T::value_type;
        if constexpr (std::is_same_v<E, std::string>) {
          list.set(i, capnp::Text::Reader(v[i].data(), v[i].size()));
        } else {
          Writer sub{list[i].template as<capnp::DynamicStruct>()};
          Fields(sub, v[i]);
        }
      }
    }
  }
};

// Reads fields from a struct, as its descriptor visits them. Out-of-range enums set `error`.
struct Reader {
  capnp::AnyStruct::Reader s;
  capnp::StructSchema schema;
  std::string* error;
  std::size_t index = 0;
  std::vector<FieldInfo>* infos = nullptr;

  const FieldInfo& Info(const char* name) { return NextInfo(infos, schema, index, name); }

  std::uint64_t Number(const FieldInfo& f) {
    const auto data = s.getDataSection();
    return NumberIn(f, data.begin(), data.size());
  }

  capnp::AnyPointer::Reader Pointer(const FieldInfo& f) {
    const auto pointers = s.getPointerSection();
    return f.offset < pointers.size() ? pointers[f.offset] : capnp::AnyPointer::Reader();
  }

  template <class E>
  void Enum(const char* name, std::uint64_t raw, E& out) {
    EnumFrom(name, raw, out, error);
  }

  template <class T>
  void operator()(const char* name, T& v) {
    const FieldInfo& f = Info(name);
    if constexpr (std::is_same_v<T, std::string>) {
      auto t = Pointer(f).template getAs<capnp::Text>();
      v.assign(t.cStr(), t.size());
    } else if constexpr (std::is_enum_v<T>) {
      Enum(name, Number(f), v);
    } else if constexpr (std::is_same_v<T, bool>) {
      v = Number(f) != 0;
    } else if constexpr (std::is_arithmetic_v<T>) {
      v = static_cast<T>(Number(f));
    } else if constexpr (IsSet<T>::value) {
      v.clear();
      for (auto x : Pointer(f).template getAs<capnp::List<std::uint8_t>>()) {
        typename T::value_type e{};
        Enum(name, x, e);
        v.insert(e);
      }
    } else if constexpr (Described<T>) {
      Reader sub{Pointer(f).template getAs<capnp::AnyStruct>(), f.nested, error, 0, NestedInfos(f)};
      Fields(sub, v);
    } else {  // std::vector<...>
      v.clear();
      using E = typename T::value_type;
      if constexpr (std::is_same_v<E, std::string>) {
        for (auto t : Pointer(f).template getAs<capnp::List<capnp::Text>>()) v.emplace_back(t.cStr(), t.size());
      } else {
        for (auto x : Pointer(f).template getAs<capnp::AnyList>().template as<capnp::List<capnp::AnyStruct>>()) {
          E e{};
          Reader sub{x, f.nested, error, 0, NestedInfos(f)};
          Fields(sub, e);
          v.push_back(std::move(e));
        }
      }
    }
  }
};

// Renders fields as `name=value, ...`.
struct Renderer {
  std::string& out;
  bool first = true;

  template <class T>
  static void Value(std::string& out, const T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      out += '"';
      out += v;
      out += '"';
    } else if constexpr (std::is_same_v<T, bool>) {
      out += v ? "true" : "false";
    } else if constexpr (std::is_enum_v<T>) {
      out += std::to_string(static_cast<int>(v));
    } else if constexpr (std::is_arithmetic_v<T>) {
      out += std::to_string(v);
    } else if constexpr (Described<const T>) {
      out += '{';
      Renderer sub{out};
      Fields(sub, v);
      out += '}';
    } else {  // vector or set
      out += '[';
      bool first = true;
      for (const auto& x : v) {
        if (!first) out += ", ";
        first = false;
        Value(out, x);
      }
      out += ']';
    }
  }

  template <class T>
  void operator()(const char* name, const T& v) {
    if (!first) out += ", ";
    first = false;
    out += name;
    out += '=';
    Value(out, v);
  }
};

// Per event type: its stable name, schema and current schema version.
template <class T>
struct EventInfo;

#define KEEL_EVENT(Type, Name, Version)                         \
  template <>                                                   \
  struct EventInfo<Type> {                                      \
    static constexpr std::string_view name = #Name;             \
    using Schema = schema::Name;                                \
    static constexpr std::uint32_t version = Version;           \
  };

// Upcasters: bring a value decoded from an older schema version up to the current meaning. The raw
// reader gives access to fields the current C++ type no longer has. Default: nothing to do.
template <class T>
void Upcast(T&, std::uint32_t /*from_version*/, capnp::DynamicStruct::Reader) {}

// Writes fields into a struct's sections directly (public AnyStruct API), slots from the same
// per-type cache as the readers: the dynamic API looked every field up by name on every event (a tenth
// of a CAF worker's time under load). Allocates in the same order as Writer, so the bytes are equal.
struct SlotWriter {
  capnp::AnyStruct::Builder b;
  capnp::StructSchema schema;
  std::size_t index = 0;
  std::vector<FieldInfo>* infos = nullptr;

  void Number(const FieldInfo& f, std::uint64_t v) {
    using W = capnp::schema::Type;
    auto data = b.getDataSection();
    auto put = [&](auto as) {
      using P = decltype(as);
      const P value = static_cast<P>(v);
      std::memcpy(data.begin() + static_cast<std::size_t>(f.offset) * sizeof(P), &value, sizeof(P));
    };
    switch (f.type) {
      case W::BOOL: {
        auto& byte = data[f.offset / 8];
        const auto bit = static_cast<capnp::byte>(1u << (f.offset % 8));
        byte = static_cast<capnp::byte>(v != 0 ? (byte | bit) : (byte & ~bit));
        break;
      }
      case W::INT8: case W::UINT8: put(std::uint8_t{}); break;
      case W::INT16: case W::UINT16: put(std::uint16_t{}); break;
      case W::INT32: case W::UINT32: put(std::uint32_t{}); break;
      case W::INT64: case W::UINT64: put(std::uint64_t{}); break;
      default: break;
    }
  }

  template <class T>
  void operator()(const char* name, const T& v) {
    const FieldInfo& f = NextInfo(infos, schema, index, name);
    if constexpr (std::is_same_v<T, std::string>) {
      b.getPointerSection()[f.offset].setAs<capnp::Text>(capnp::Text::Reader(v.data(), v.size()));
    } else if constexpr (std::is_enum_v<T>) {
      Number(f, static_cast<std::uint8_t>(v));
    } else if constexpr (std::is_same_v<T, bool>) {
      Number(f, v ? 1 : 0);
    } else if constexpr (std::is_arithmetic_v<T>) {
      Number(f, static_cast<std::uint64_t>(v));
    } else if constexpr (IsSet<T>::value) {
      auto list = b.getPointerSection()[f.offset].initAs<capnp::List<std::uint8_t>>(static_cast<unsigned>(v.size()));
      unsigned i = 0;
      for (const auto& x : v) list.set(i++, static_cast<std::uint8_t>(x));
    } else if constexpr (Described<const T>) {
      SlotWriter sub{b.getPointerSection()[f.offset].initAsAnyStruct(f.nested_data_words, f.nested_pointers), f.nested, 0,
                     NestedInfos(f)};
      Fields(sub, v);
    } else {  // std::vector<...>
      using E = typename T::value_type;
      if constexpr (std::is_same_v<E, std::string>) {
        auto list = b.getPointerSection()[f.offset].initAs<capnp::List<capnp::Text>>(static_cast<unsigned>(v.size()));
        for (unsigned i = 0; i < v.size(); ++i) list.set(i, capnp::Text::Reader(v[i].data(), v[i].size()));
      } else {
        auto list = b.getPointerSection()[f.offset].initAsListOfAnyStruct(f.nested_data_words, f.nested_pointers,
                                                                          static_cast<unsigned>(v.size()));
        for (unsigned i = 0; i < v.size(); ++i) {
          SlotWriter sub{list[i], f.nested, 0, NestedInfos(f)};
          Fields(sub, v[i]);
        }
      }
    }
  }
};

// One per thread, shared by every event type (EncodeOne never nests).
inline std::vector<capnp::word>& FirstSegment() {
  thread_local std::vector<capnp::word> words(1024);
  return words;
}

template <class T>
EncodedEvent EncodeOne(const T& event) {
  const auto schema = capnp::Schema::from<typename EventInfo<T>::Schema>();
  std::string payload;
  if (Seams().dynamic_encoder.load(std::memory_order_relaxed)) {
    capnp::MallocMessageBuilder message;
    Writer writer{message.initRoot<capnp::DynamicStruct>(schema)};
    Fields(writer, event);
    auto words = capnp::messageToFlatArray(message);
    auto bytes = words.asBytes();
    payload.assign(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
  } else {
    // The first segment is a per-thread buffer of capnp's default size (the same segments, the same
    // bytes); MallocMessageBuilder zeroes what it used of it when it goes, as capnp requires.
    std::vector<capnp::word>& first = FirstSegment();
    thread_local std::vector<FieldInfo>* root_infos = &InfoCache(schema);
    thread_local const auto size = schema.getProto().getStruct();
    thread_local const std::uint16_t data_words = size.getDataWordCount(), pointers = size.getPointerCount();
    {
      capnp::MallocMessageBuilder message(kj::arrayPtr(first.data(), first.size()));
      SlotWriter writer{message.getRoot<capnp::AnyPointer>().initAsAnyStruct(data_words, pointers), schema, 0, root_infos};
      Fields(writer, event);
      const auto segments = message.getSegmentsForOutput();
      payload.resize(capnp::computeSerializedSizeInWords(segments) * sizeof(capnp::word));
      kj::ArrayOutputStream out(kj::arrayPtr(reinterpret_cast<kj::byte*>(payload.data()), payload.size()));
      capnp::writeMessage(out, segments);
    }
  }
  return EncodedEvent{std::string(EventInfo<T>::name), EventInfo<T>::version, std::move(payload)};
}

template <class T>
Decoded<T> DecodeOneWithReader(std::uint32_t version, std::string_view payload);

template <class T>
Decoded<T> DecodeOne(std::uint32_t version, std::string_view payload) {
  // The usual shape, read directly (direct_reader.hpp); an older schema version needs the upcaster's
  // dynamic reader, and any other shape Cap'n Proto's reader.
  direct::Segment segment;
  direct::Struct root;
  if (version == EventInfo<T>::version && !Seams().reader_only.load(std::memory_order_relaxed) &&
      direct::Root(payload, segment, root)) {
    T value{};
    std::string error;
    bool declined = false;
    const auto schema = capnp::Schema::from<typename EventInfo<T>::Schema>();
    thread_local std::vector<FieldInfo>* root_infos = &InfoCache(schema);  // one lookup per type and thread
    direct::Reader reader{&segment, root, schema, &error, &declined, 0, root_infos};
    Fields(reader, value);
    if (!declined) {
      if (!error.empty()) return std::unexpected(CodecError{std::string(EventInfo<T>::name) + ": " + error});
      return value;
    }
    Seams().direct_declines.fetch_add(1, std::memory_order_relaxed);
  }
  return DecodeOneWithReader<T>(version, payload);
}

// DecodeOne through Cap'n Proto's reader only: for older schema versions, shapes the direct reader
// declines, and as the reference the direct reader is tested against.
template <class T>
Decoded<T> DecodeOneWithReader(std::uint32_t version, std::string_view payload) {
  if (version == 0 || version > EventInfo<T>::version) {
    return std::unexpected(CodecError{std::string(EventInfo<T>::name) + ": unknown schema version " +
                                      std::to_string(version)});
  }
  if (payload.empty() || payload.size() % sizeof(capnp::word) != 0) {
    return std::unexpected(CodecError{std::string(EventInfo<T>::name) + ": payload is not a Cap'n Proto message"});
  }
  T value{};
  std::string error;
  const auto schema = capnp::Schema::from<typename EventInfo<T>::Schema>();
  thread_local std::vector<FieldInfo>* root_infos = &InfoCache(schema);
  // Cap'n Proto reads whole words: an aligned payload (a blob inside an envelope that Cap'n Proto's
  // reader decoded is) is read in place, any other is copied once into a reused aligned buffer.
  kj::ArrayPtr<const capnp::word> words;
  if (reinterpret_cast<std::uintptr_t>(payload.data()) % alignof(capnp::word) == 0) {
    words = kj::arrayPtr(reinterpret_cast<const capnp::word*>(payload.data()), payload.size() / sizeof(capnp::word));
  } else {
    thread_local std::vector<capnp::word> copy;
    copy.resize(payload.size() / sizeof(capnp::word));
    std::memcpy(copy.data(), payload.data(), payload.size());
    words = kj::arrayPtr(copy.data(), copy.size());
  }
  kj::Maybe<kj::Exception> failure = kj::runCatchingExceptions([&] {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = words.size() * 4 + 64;
    capnp::FlatArrayMessageReader message(words, options);
    Reader reader{message.getRoot<capnp::AnyStruct>(), schema, &error, 0, root_infos};
    Fields(reader, value);
    if (version < EventInfo<T>::version) Upcast(value, version, message.getRoot<capnp::DynamicStruct>(schema));
  });
  KJ_IF_MAYBE(e, failure) {
    return std::unexpected(CodecError{std::string(EventInfo<T>::name) + ": bytes do not decode: " +
                                      e->getDescription().cStr()});
  }
  if (!error.empty()) return std::unexpected(CodecError{std::string(EventInfo<T>::name) + ": " + error});
  return value;
}

template <class Variant>
EncodedEvent EncodeVariant(const Variant& event) {
  return std::visit([](const auto& e) { return EncodeOne(e); }, event);
}

template <class Variant>
std::string_view TypeNameOf(const Variant& event) {
  return std::visit([](const auto& e) { return EventInfo<std::decay_t<decltype(e)>>::name; }, event);
}

template <class Variant, std::size_t I = 0>
Decoded<Variant> DecodeVariant(std::string_view type, std::uint32_t version, std::string_view payload) {
  if constexpr (I == std::variant_size_v<Variant>) {
    return std::unexpected(CodecError{"unknown event type '" + std::string(type) + "'"});
  } else {
    using T = std::variant_alternative_t<I, Variant>;
    if (type == EventInfo<T>::name) {
      auto one = DecodeOne<T>(version, payload);
      if (!one) return std::unexpected(one.error());
      return Variant(std::move(*one));
    }
    return DecodeVariant<Variant, I + 1>(type, version, payload);
  }
}

template <class Variant>
std::string DescribeVariant(const Variant& event) {
  return std::visit(
      [](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        std::string out(EventInfo<T>::name);
        out += '{';
        Renderer renderer{out};
        Fields(renderer, e);
        out += '}';
        return out;
      },
      event);
}

}  // namespace keel::codec
