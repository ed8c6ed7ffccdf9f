// Partner aggregate (a reseller): registration, branding, its price list for its customers, revenue
// share with the platform, level and certification (uncertified partners create sandbox tenants
// only), suspension and reinstatement. Commands, events, state, Decide, Evolve.
// Pure: no I/O, no clock (time arrives in commands), no CAF or RocksDB headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/catalog_data.hpp"
#include "domain/common.hpp"
#include "domain/pricing.hpp"

namespace keel::domain::partner {

enum class Level : std::uint8_t { kRegistered, kSilver, kGold, kPlatinum };
std::string_view LevelName(Level l);

struct Branding {
  std::string display_name, logo_url, primary_colour, secondary_colour, support_email, custom_domain;
  bool operator==(const Branding&) const = default;
};

// -- commands --
struct RegisterPartner { std::string id, name; Timestamp at = 0; };
struct UpdateBranding { Branding branding; Timestamp at = 0; };
struct SetPriceList { PriceList prices; Timestamp at = 0; };
struct SetRevenueShare { std::int64_t partner_bps = 0; Timestamp at = 0; };  // the partner's share, basis points
struct SetPartnerLevel { Level level = Level::kRegistered; Timestamp at = 0; };
struct CertifyPartner { std::string by; Timestamp at = 0; };
struct SuspendPartner { std::string reason; Timestamp at = 0; };
struct ReinstatePartner { Timestamp at = 0; };
using Command = std::variant<RegisterPartner, UpdateBranding, SetPriceList, SetRevenueShare, SetPartnerLevel,
                             CertifyPartner, SuspendPartner, ReinstatePartner>;

// -- events --
struct PartnerRegistered { std::string id, name; Timestamp at = 0; bool operator==(const PartnerRegistered&) const = default; };
struct BrandingUpdated { Branding branding; Timestamp at = 0; bool operator==(const BrandingUpdated&) const = default; };
struct PriceListSet { PriceList prices; Timestamp at = 0; bool operator==(const PriceListSet&) const = default; };
struct RevenueShareSet { std::int64_t partner_bps = 0; Timestamp at = 0; bool operator==(const RevenueShareSet&) const = default; };
struct PartnerLevelSet { Level level = Level::kRegistered; Timestamp at = 0; bool operator==(const PartnerLevelSet&) const = default; };
struct PartnerCertified { std::string by; Timestamp at = 0; bool operator==(const PartnerCertified&) const = default; };
struct PartnerSuspended { std::string reason; Timestamp at = 0; bool operator==(const PartnerSuspended&) const = default; };
struct PartnerReinstated { Timestamp at = 0; bool operator==(const PartnerReinstated&) const = default; };
using Event = std::variant<PartnerRegistered, BrandingUpdated, PriceListSet, RevenueShareSet, PartnerLevelSet,
                           PartnerCertified, PartnerSuspended, PartnerReinstated>;

// -- state --
struct State {
  bool registered = false;
  std::string id, name;
  Branding branding;
  PriceList prices;
  std::int64_t partner_bps = 0;
  Level level = Level::kRegistered;
  bool certified = false;
  bool suspended = false;
  bool operator==(const State&) const = default;
};

Decision<Event> Decide(const Command& command, const State& state);
State Evolve(State state, const Event& event);
// Evolve in place (same rules, no copy or move of the state): for replaying long streams.
void Apply(State& state, const Event& event);

// Whether this partner may provision a tenant in `environment` now; the reason when not.
std::optional<Rejection> MayProvision(const State& state, Environment environment);

}  // namespace keel::domain::partner
