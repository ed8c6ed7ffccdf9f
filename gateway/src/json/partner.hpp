// JSON descriptors of the partner aggregate's commands (client fields only), events and state.
// Part of domain_json.hpp (see there for the rules); json_fields.hpp explains the descriptors.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/partner.hpp"
#include "json/values.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// Partner.

template <> struct Describe<domain::partner::Branding> {
  using T = domain::partner::Branding;
  static constexpr auto fields =
      std::make_tuple(Opt("display_name", &T::display_name), Opt("logo_url", &T::logo_url),
                      Opt("primary_colour", &T::primary_colour), Opt("secondary_colour", &T::secondary_colour),
                      Opt("support_email", &T::support_email), Opt("custom_domain", &T::custom_domain));
};

// -- commands --
template <> struct Describe<domain::partner::RegisterPartner> {
  using T = domain::partner::RegisterPartner;
  static constexpr auto fields = std::make_tuple(ReqId("id", &T::id), Req("name", &T::name));
};
template <> struct Describe<domain::partner::UpdateBranding> {
  using T = domain::partner::UpdateBranding;
  static constexpr auto fields = std::make_tuple(Req("branding", &T::branding));
};
template <> struct Describe<domain::partner::SetPriceList> {
  using T = domain::partner::SetPriceList;
  static constexpr auto fields = std::make_tuple(Req("prices", &T::prices));
};
template <> struct Describe<domain::partner::SetRevenueShare> {
  using T = domain::partner::SetRevenueShare;
  static constexpr auto fields = std::make_tuple(Req("partner_bps", &T::partner_bps));
};
template <> struct Describe<domain::partner::SetPartnerLevel> {
  using T = domain::partner::SetPartnerLevel;
  static constexpr auto fields = std::make_tuple(Req("level", &T::level));
};
template <> struct Describe<domain::partner::CertifyPartner> {
  static constexpr auto fields = std::make_tuple();  // `by` is the caller
};
template <> struct Describe<domain::partner::SuspendPartner> {
  using T = domain::partner::SuspendPartner;
  static constexpr auto fields = std::make_tuple(Req("reason", &T::reason));
};
template <> struct Describe<domain::partner::ReinstatePartner> { static constexpr auto fields = std::make_tuple(); };

// -- events --
template <> struct Describe<domain::partner::PartnerRegistered> {
  using T = domain::partner::PartnerRegistered;
  static constexpr auto fields = std::make_tuple(Opt("id", &T::id), Opt("name", &T::name), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::BrandingUpdated> {
  using T = domain::partner::BrandingUpdated;
  static constexpr auto fields = std::make_tuple(Opt("branding", &T::branding), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::PriceListSet> {
  using T = domain::partner::PriceListSet;
  static constexpr auto fields = std::make_tuple(Opt("prices", &T::prices), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::RevenueShareSet> {
  using T = domain::partner::RevenueShareSet;
  static constexpr auto fields = std::make_tuple(Opt("partner_bps", &T::partner_bps), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::PartnerLevelSet> {
  using T = domain::partner::PartnerLevelSet;
  static constexpr auto fields = std::make_tuple(Opt("level", &T::level), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::PartnerCertified> {
  using T = domain::partner::PartnerCertified;
  static constexpr auto fields = std::make_tuple(Opt("by", &T::by), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::PartnerSuspended> {
  using T = domain::partner::PartnerSuspended;
  static constexpr auto fields = std::make_tuple(Opt("reason", &T::reason), Opt("at", &T::at));
};
template <> struct Describe<domain::partner::PartnerReinstated> {
  using T = domain::partner::PartnerReinstated;
  static constexpr auto fields = std::make_tuple(Opt("at", &T::at));
};

// -- state --
template <> struct Describe<domain::partner::State> {
  using T = domain::partner::State;
  static constexpr auto fields =
      std::make_tuple(Opt("registered", &T::registered), Opt("id", &T::id), Opt("name", &T::name),
                      Opt("branding", &T::branding), Opt("prices", &T::prices), Opt("partner_bps", &T::partner_bps),
                      Opt("level", &T::level), Opt("certified", &T::certified), Opt("suspended", &T::suspended));
};

}  // namespace keel::gateway::json
