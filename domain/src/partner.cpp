// Partner decider (see partner.hpp).
#include "domain/partner.hpp"
#include "domain/lifecycle.hpp"

#include "decider_support.hpp"

#include <cctype>

namespace keel::domain::partner {
namespace {

using R = RejectionCode;

Decision<Event> One(Event e) { return std::vector<Event>{std::move(e)}; }

bool IsColour(const std::string& c) {
  if (c.size() != 7 || c[0] != '#') return false;
  for (std::size_t i = 1; i < 7; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(c[i]))) return false;
  }
  return true;
}

bool IsHostname(const std::string& h) {
  if (h.empty() || h.size() > 253 || h.find('.') == std::string::npos) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const char c = h[i];
    if (c == '.') {
      if (label == 0 || h[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    const bool ok = std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-';
    if (!ok || (label == 0 && c == '-') || ++label > 63) return false;
  }
  return label > 0 && h.back() != '-';
}

bool IsEmail(const std::string& e) {
  auto at = e.find('@');
  return at != std::string::npos && at > 0 && e.find('@', at + 1) == std::string::npos &&
         e.find(' ') == std::string::npos && IsHostname(e.substr(at + 1));
}

std::string CheckBranding(const Branding& b) {
  if (b.display_name.empty() || b.display_name.size() > 100) return "display name must be 1..100 characters";
  if (!b.logo_url.starts_with("https://") || b.logo_url.size() < 12 || b.logo_url.find(' ') != std::string::npos) {
    return "logo URL must be an https:// URL";
  }
  if (!IsColour(b.primary_colour) || !IsColour(b.secondary_colour)) return "colours must be #RRGGBB";
  if (!IsEmail(b.support_email)) return "support e-mail is not an address";
  if (!b.custom_domain.empty() && !IsHostname(b.custom_domain)) return "custom domain is not a lower-case host name";
  return {};
}

}  // namespace

std::string_view LevelName(Level l) {
  switch (l) {
    case Level::kRegistered: return "registered";
    case Level::kSilver: return "silver";
    case Level::kGold: return "gold";
    case Level::kPlatinum: return "platinum";
  }
  return "unknown";
}

std::optional<Rejection> MayProvision(const State& s, Environment environment) {
  if (!s.registered) return Rejection{R::kNotFound, "the partner does not exist"};
  if (s.suspended) return Rejection{R::kPartnerSuspended, "partner " + s.id + " is suspended"};
  if (environment == Environment::kProduction && !s.certified) {
    return Rejection{R::kNotCertified, "partner " + s.id + " is not certified: sandbox tenants only"};
  }
  return std::nullopt;
}

Decision<Event> Decide(const Command& command, const State& s) {
  if (!std::holds_alternative<RegisterPartner>(command) && !s.registered) {
    return Reject(R::kNotFound, "the partner does not exist");
  }
  if (auto refused = lifecycle::PartnerAdmits(s.suspended, lifecycle::ActivityOf(command))) return std::unexpected(*refused);
  return std::visit(
      Overloaded{
          [&](const RegisterPartner& c) -> Decision<Event> {
            if (s.registered) return Reject(R::kAlreadyExists, "partner " + s.id + " already exists");
            if (c.id.empty() || c.name.empty()) return Reject(R::kInvalidArgument, "a partner needs an id and a name");
            return One(PartnerRegistered{c.id, c.name, c.at});
          },
          [&](const UpdateBranding& c) -> Decision<Event> {
            if (auto bad = CheckBranding(c.branding); !bad.empty()) return Reject(R::kInvalidArgument, bad);
            return One(BrandingUpdated{c.branding, c.at});
          },
          [&](const SetPriceList& c) -> Decision<Event> {
            if (auto bad = ValidatePriceList(c.prices); !bad.empty()) return Reject(R::kInvalidArgument, bad);
            return One(PriceListSet{c.prices, c.at});
          },
          [&](const SetRevenueShare& c) -> Decision<Event> {
            if (c.partner_bps < 0 || c.partner_bps > 10'000) {
              return Reject(R::kInvalidArgument, "revenue share is 0..10000 basis points");
            }
            return One(RevenueShareSet{c.partner_bps, c.at});
          },
          [&](const SetPartnerLevel& c) -> Decision<Event> {
            if (c.level != Level::kRegistered && !s.certified) {
              return Reject(R::kNotCertified, "only certified partners move above the registered level");
            }
            if (c.level == s.level) return std::vector<Event>{};
            return One(PartnerLevelSet{c.level, c.at});
          },
          [&](const CertifyPartner& c) -> Decision<Event> {
            if (s.certified) return Reject(R::kAlreadyDone, "partner " + s.id + " is already certified");
            if (s.suspended) return Reject(R::kPartnerSuspended, "a suspended partner cannot be certified");
            return One(PartnerCertified{c.by, c.at});
          },
          [&](const SuspendPartner& c) -> Decision<Event> {
            if (s.suspended) return Reject(R::kIllegalTransition, "partner " + s.id + " is already suspended");
            if (c.reason.empty()) return Reject(R::kInvalidArgument, "a suspension needs a reason");
            return One(PartnerSuspended{c.reason, c.at});
          },
          [&](const ReinstatePartner& c) -> Decision<Event> {
            if (!s.suspended) return Reject(R::kIllegalTransition, "partner " + s.id + " is not suspended");
            return One(PartnerReinstated{c.at});
          },
      },
      command);
}

void Apply(State& s, const Event& event) {
  std::visit(Overloaded{
                 [&](const PartnerRegistered& e) {
                   s.registered = true;
                   s.id = e.id;
                   s.name = e.name;
                 },
                 [&](const BrandingUpdated& e) { s.branding = e.branding; },
                 [&](const PriceListSet& e) { s.prices = e.prices; },
                 [&](const RevenueShareSet& e) { s.partner_bps = e.partner_bps; },
                 [&](const PartnerLevelSet& e) { s.level = e.level; },
                 [&](const PartnerCertified&) { s.certified = true; },
                 [&](const PartnerSuspended&) { s.suspended = true; },
                 [&](const PartnerReinstated&) { s.suspended = false; },
             },
             event);
}

State Evolve(State s, const Event& event) {
  Apply(s, event);
  return s;
}

}  // namespace keel::domain::partner
