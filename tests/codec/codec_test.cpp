// Codec: every event type of every aggregate round-trips with every field set; the direct reader agrees
// with Cap'n Proto's on every event and every corruption of one; version-1 bytes of OrderPlaced and
// TenantProvisioned decode through their upcasters; garbage never crashes.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "codec/codec.hpp"
#include "dynamic_codec.hpp"

using namespace keel;
using namespace keel::codec;

namespace {

// Sets every field to a distinct non-default value (enums to 1, lists to two elements).
struct Filler {
  int& n;
  template <class T>
  void operator()(const char*, T& v) {
    if constexpr (std::is_same_v<T, std::string>) {
      v = "v" + std::to_string(++n);
    } else if constexpr (std::is_same_v<T, bool>) {
      v = true;
    } else if constexpr (std::is_enum_v<T>) {
      v = static_cast<T>(1);
    } else if constexpr (std::is_arithmetic_v<T>) {
      v = static_cast<T>(++n);
    } else if constexpr (IsSet<T>::value) {
      v = {domain::Module::kLotTracking, domain::Module::kEdi};
    } else if constexpr (Described<T>) {
      Fields(*this, v);
    } else {
      v.resize(2);
      for (auto& x : v) (*this)("", x);
    }
  }
};

// A T with every field set (see Filler).
template <class T>
T Filled() {
  int n = 0;
  T value{};
  Filler filler{n};
  Fields(filler, value);
  return value;
}

template <class Variant, class DecodeFn, std::size_t I = 0>
void RoundTripAll(DecodeFn decode, std::set<std::string>& names) {
  if constexpr (I < std::variant_size_v<Variant>) {
    using T = std::variant_alternative_t<I, Variant>;
    const T value = Filled<T>();
    const Variant event(value);
    const EncodedEvent bytes = Encode(event);
    INFO(bytes.type);
    CHECK_FALSE(bytes.type.empty());
    CHECK(TypeName(event) == bytes.type);
    auto back = decode(bytes.type, bytes.schema_version, bytes.payload);
    REQUIRE(back);
    CHECK(*back == event);
    CHECK_FALSE(value == T{});  // the filler reached the fields
    names.insert(bytes.type);
    RoundTripAll<Variant, DecodeFn, I + 1>(decode, names);
  }
}

// For every event type: the direct reader reads the encoder's bytes without declining, and it and
// Cap'n Proto's reader give the same verdict and value for every single-bit flip and truncation.
template <class Variant, class DecodeFn, std::size_t I = 0>
void DirectAgreesAll(DecodeFn decode, std::size_t& decodes, std::size_t& declined) {
  if constexpr (I < std::variant_size_v<Variant>) {
    using T = std::variant_alternative_t<I, Variant>;
    const T value = Filled<T>();
    const EncodedEvent bytes = Encode(Variant(value));
    INFO(bytes.type);
    auto agree = [&](const std::string& payload) {
      Seams().reader_only = true;
      auto reference = decode(bytes.type, bytes.schema_version, payload);
      Seams().reader_only = false;
      const auto declines_before = Seams().direct_declines.load();
      auto fast = decode(bytes.type, bytes.schema_version, payload);
      declined += Seams().direct_declines.load() - declines_before;
      ++decodes;
      if (fast.has_value() != reference.has_value()) FAIL_CHECK("reference: " << (reference ? std::string("ok") : reference.error().message) << " fast: " << (fast ? std::string("ok") : fast.error().message));
      REQUIRE(fast.has_value() == reference.has_value());
      if (fast) CHECK(*fast == *reference);
    };
    const auto before = Seams().direct_declines.load();
    auto whole = decode(bytes.type, bytes.schema_version, bytes.payload);
    REQUIRE(whole);
    CHECK(*whole == Variant(value));
    CHECK(Seams().direct_declines.load() == before);  // the encoder's bytes never need the fallback
    for (std::size_t byte = 0; byte < bytes.payload.size(); ++byte) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string p = bytes.payload;
        p[byte] = static_cast<char>(p[byte] ^ (1 << bit));
        agree(p);
      }
    }
    for (std::size_t len = 8; len < bytes.payload.size(); len += 8) agree(bytes.payload.substr(0, len));
    DirectAgreesAll<Variant, DecodeFn, I + 1>(decode, decodes, declined);
  }
}

// For every event type, filled and empty: the slot writer's bytes equal the dynamic API's.
template <class Variant, std::size_t I = 0>
void SameBytesAll(std::size_t& compared) {
  if constexpr (I < std::variant_size_v<Variant>) {
    using T = std::variant_alternative_t<I, Variant>;
    for (const T& value : {Filled<T>(), T{}}) {
      Seams().dynamic_encoder = true;
      const EncodedEvent reference = Encode(Variant(value));
      Seams().dynamic_encoder = false;
      const EncodedEvent fast = Encode(Variant(value));
      INFO(reference.type);
      CHECK(fast.payload == reference.payload);
      CHECK(fast.type == reference.type);
      CHECK(fast.schema_version == reference.schema_version);
      ++compared;
    }
    SameBytesAll<Variant, I + 1>(compared);
  }
}

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(KEEL_CODEC_FIXTURES) + "/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  REQUIRE_FALSE(s.str().empty());
  return s.str();
}

}  // namespace

TEST_CASE("every event of every aggregate decodes to an equal value", "[codec]") {
  std::set<std::string> names;  // type names are unique across aggregates
  RoundTripAll<domain::warehouse::Event>(DecodeWarehouse, names);
  RoundTripAll<domain::order::Event>(DecodeOrder, names);
  RoundTripAll<domain::tenant::Event>(DecodeTenant, names);
  RoundTripAll<domain::partner::Event>(DecodePartner, names);
  RoundTripAll<domain::catalog::Event>(DecodeCatalog, names);
  RoundTripAll<domain::billing::Event>(DecodeBilling, names);
  RoundTripAll<domain::extension::Event>(DecodeExtension, names);
  RoundTripAll<domain::rollout::Event>(DecodeRollout, names);
  CHECK(names.size() == 13 + 14 + 31 + 8 + 3 + 5 + 5 + 11);
}

TEST_CASE("the direct reader and Cap'n Proto's reader agree on every event, bit flip and truncation", "[codec]") {
  std::size_t decodes = 0, declined = 0;
  DirectAgreesAll<domain::warehouse::Event>(DecodeWarehouse, decodes, declined);
  DirectAgreesAll<domain::order::Event>(DecodeOrder, decodes, declined);
  DirectAgreesAll<domain::tenant::Event>(DecodeTenant, decodes, declined);
  DirectAgreesAll<domain::partner::Event>(DecodePartner, decodes, declined);
  DirectAgreesAll<domain::catalog::Event>(DecodeCatalog, decodes, declined);
  DirectAgreesAll<domain::billing::Event>(DecodeBilling, decodes, declined);
  DirectAgreesAll<domain::extension::Event>(DecodeExtension, decodes, declined);
  DirectAgreesAll<domain::rollout::Event>(DecodeRollout, decodes, declined);
  CHECK(decodes > 10'000);
  CHECK(declined > 0);  // some flips made shapes the direct reader leaves to Cap'n Proto's
}

TEST_CASE("the slot writer encodes every event to the bytes the dynamic API gives", "[codec]") {
  std::size_t compared = 0;
  SameBytesAll<domain::warehouse::Event>(compared);
  SameBytesAll<domain::order::Event>(compared);
  SameBytesAll<domain::tenant::Event>(compared);
  SameBytesAll<domain::partner::Event>(compared);
  SameBytesAll<domain::catalog::Event>(compared);
  SameBytesAll<domain::billing::Event>(compared);
  SameBytesAll<domain::extension::Event>(compared);
  SameBytesAll<domain::rollout::Event>(compared);
  CHECK(compared == 2 * (13 + 14 + 31 + 8 + 3 + 5 + 5 + 11));
  // A value larger than the reused first segment spills into more segments and still matches.
  domain::catalog::ItemsImported big;
  for (int i = 0; i < 400; ++i) big.items.push_back({"SKU-" + std::to_string(i), "Item with a long enough name", "each", "parts", 250, i % 2 == 0, "s1"});
  Seams().dynamic_encoder = true;
  const auto reference = Encode(domain::catalog::Event(big));
  Seams().dynamic_encoder = false;
  const auto first = Encode(domain::catalog::Event(big));
  const auto again = Encode(domain::catalog::Event(big));  // the reused segment was zeroed again
  CHECK(first.payload == reference.payload);
  CHECK(again.payload == reference.payload);
  auto back = DecodeCatalog(first.type, first.schema_version, first.payload);
  REQUIRE(back);
  CHECK(*back == domain::catalog::Event(big));
}

TEST_CASE("a payload decodes the same whether it is word-aligned (read in place) or not (copied)", "[codec]") {
  namespace w = domain::warehouse;
  const w::Event event = w::StockReceived{"r-17", {{"WIDGET", 3, 250, "L9", 99}, {"BOLT", 7, 12, "", 0}}, 5};
  const auto encoded = Encode(event);
  // The same bytes at an 8-byte boundary and one byte past it, in buffers that outlive the decode.
  std::vector<std::uint64_t> aligned_words(encoded.payload.size() / 8 + 1);
  auto* aligned = reinterpret_cast<char*>(aligned_words.data());
  std::memcpy(aligned, encoded.payload.data(), encoded.payload.size());
  std::memcpy(aligned + 1, encoded.payload.data(), encoded.payload.size());  // overwrite: now misaligned
  const std::string_view misaligned(aligned + 1, encoded.payload.size());
  auto from_copy = DecodeWarehouse(encoded.type, encoded.schema_version, misaligned);
  REQUIRE(from_copy);
  CHECK(*from_copy == event);
  std::memcpy(aligned, encoded.payload.data(), encoded.payload.size());
  auto in_place = DecodeWarehouse(encoded.type, encoded.schema_version, std::string_view(aligned, encoded.payload.size()));
  REQUIRE(in_place);
  CHECK(*in_place == event);
}

TEST_CASE("OrderPlaced written by version 1 reads as the current version", "[codec][evolution]") {
  auto decoded = DecodeOrder("OrderPlaced", 1, ReadFixture("order_placed_v1.bin"));
  REQUIRE(decoded);
  const auto& e = std::get<domain::order::OrderPlaced>(*decoded);
  CHECK(e.id == "o-2019-17");
  CHECK(e.channel == domain::order::Channel::kB2B);
  REQUIRE(e.lines.size() == 2);
  CHECK(e.lines[0].amount == 9000);  // computed by the upcaster
  CHECK(e.lines[1].amount == 150);
  CHECK(e.total == 9150);
  CHECK(Encode(domain::order::Event(e)).schema_version == 2);
}

TEST_CASE("TenantProvisioned written by version 1 reads as the current version", "[codec][evolution]") {
  auto decoded = DecodeTenant("TenantProvisioned", 1, ReadFixture("tenant_provisioned_v1.bin"));
  REQUIRE(decoded);
  const auto& e = std::get<domain::tenant::TenantProvisioned>(*decoded);
  CHECK(e.limits == domain::Limits{3, 15000, 30});  // moved from the flat v1 fields
  CHECK(e.modules == std::set<domain::Module>{domain::Module::kInventory, domain::Module::kMultiWarehouse,
                                              domain::Module::kReturns, domain::Module::kEdi});
  CHECK(e.milestones.size() == 1);
  // Read as version 2 instead, the same bytes have no limits: the version is what selects the upcaster.
  auto as_v2 = DecodeTenant("TenantProvisioned", 2, ReadFixture("tenant_provisioned_v1.bin"));
  REQUIRE(as_v2);
  CHECK(std::get<domain::tenant::TenantProvisioned>(*as_v2).limits == domain::Limits{});
}

TEST_CASE("unknown types, future versions and garbage are errors, never crashes", "[codec][garbage]") {
  const auto good = Encode(domain::order::Event(domain::order::OrderApproved{"u1", 42}));
  CHECK_FALSE(DecodeOrder("OrderTeleported", 1, good.payload));
  CHECK(DecodeOrder("OrderTeleported", 1, good.payload).error().message.find("unknown event type") != std::string::npos);
  CHECK_FALSE(DecodeOrder("OrderApproved", 2, good.payload));
  CHECK_FALSE(DecodeOrder("OrderApproved", 0, good.payload));
  CHECK_FALSE(DecodeOrder("OrderApproved", 1, ""));
  CHECK_FALSE(DecodeOrder("OrderApproved", 1, "abc"));
  CHECK_FALSE(DecodeOrder("OrderApproved", 1, good.payload.substr(0, good.payload.size() - 8)));
  CHECK(DecodeWarehouse("OrderApproved", 1, good.payload).error().message.find("unknown event type") != std::string::npos);

  // An enum byte outside its range is refused by name.
  domain::warehouse::LandedCostAllocated lca{"r1", domain::warehouse::AllocationMethod::kValue, {}, 1, "a1", {}};
  auto bytes = Encode(domain::warehouse::Event(lca)).payload;
  {
    std::vector<capnp::word> words(bytes.size() / 8);
    std::memcpy(words.data(), bytes.data(), bytes.size());
    capnp::FlatArrayMessageReader reader(kj::arrayPtr(words.data(), words.size()));
    capnp::MallocMessageBuilder copy;
    copy.setRoot(reader.getRoot<schema::LandedCostAllocated>());
    copy.getRoot<schema::LandedCostAllocated>().setMethod(7);
    auto flat = capnp::messageToFlatArray(copy);
    bytes.assign(reinterpret_cast<const char*>(flat.asBytes().begin()), flat.asBytes().size());
  }
  auto bad_enum = DecodeWarehouse("LandedCostAllocated", 1, bytes);
  REQUIRE_FALSE(bad_enum);
  CHECK(bad_enum.error().message.find("method: value 7 is out of range") != std::string::npos);

  // Random bytes and randomly corrupted valid messages: every outcome is a value.
  std::mt19937 rng(7);
  int errors = 0;
  const auto sample = Encode(domain::order::Event(domain::order::OrderPlaced{
      "o1", "acme", "c", "EUR", domain::order::Channel::kEdi, {{1, "WIDGET", 2, 3, 6}}, 6, false, 9, ""}));
  for (int i = 0; i < 3000; ++i) {
    std::string junk;
    if (i % 2 == 0) {
      junk.resize(8 * (1 + rng() % 40));
      for (auto& c : junk) c = static_cast<char>(rng());
    } else {
      junk = sample.payload;
      for (int flips = 0; flips < 1 + static_cast<int>(rng() % 4); ++flips) junk[rng() % junk.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    auto r = DecodeOrder("OrderPlaced", 2, junk);
    if (!r) {
      ++errors;
      CHECK_FALSE(r.error().message.empty());
    }
  }
  CHECK(errors > 0);
}
