// Extension decider (see extension.hpp): submission and review of versions.
#include "domain/extension.hpp"

#include <charconv>

#include "decider_support.hpp"

namespace keel::domain::extension {
namespace {

using R = RejectionCode;

Decision<Event> One(Event e) { return std::vector<Event>{std::move(e)}; }

std::string CheckManifest(const Manifest& m) {
  if (!ParseVersion(m.version)) return "version must be MAJOR.MINOR.PATCH (numbers without leading zeros)";
  if (m.name.empty() || m.name.size() > 100) return "name must be 1..100 characters";
  if (m.description.size() > 2000) return "description must be at most 2000 characters";
  if (m.commands.empty() && m.scopes.empty() && m.events.empty()) {
    return "an extension declares at least one command, scope or event it needs";
  }
  if (m.config_schema.empty()) return "a configuration schema is required";
  return {};
}

Decision<Event> Submit(const SubmitVersion& c, const State& s) {
  if (c.id.empty()) return Reject(R::kInvalidArgument, "an extension needs an id");
  if (auto bad = CheckManifest(c.manifest); !bad.empty()) return Reject(R::kInvalidArgument, bad);
  if (!s.id.empty() && s.owner != c.owner) return Reject(R::kNotPermitted, "the extension belongs to another owner");
  if (FindVersion(s, c.manifest.version) != nullptr) {
    return Reject(R::kAlreadyExists, "version " + c.manifest.version + " was submitted already; submit a new version");
  }
  if (!s.versions.empty() && *ParseVersion(c.manifest.version) <= *ParseVersion(s.versions.back().manifest.version)) {
    return Reject(R::kInvalidArgument, "version " + c.manifest.version + " is not above the latest submitted, " +
                                           s.versions.back().manifest.version);
  }
  return One(ExtensionVersionSubmitted{c.id, c.owner, c.manifest, c.by, c.at});
}

std::expected<const VersionState*, Rejection> Existing(const State& s, const std::string& version) {
  const VersionState* v = FindVersion(s, version);
  if (v == nullptr) return std::unexpected(Rejection{R::kNotFound, "no version " + version + " of this extension"});
  return v;
}

Rejection Illegal(const VersionState& v, std::string_view what) {
  return Rejection{R::kIllegalTransition, "version " + v.manifest.version + " is " + std::string(StatusName(v.status)) +
                                              ": cannot " + std::string(what)};
}

}  // namespace

std::string_view StatusName(Status s) {
  switch (s) {
    case Status::kSubmitted: return "submitted";
    case Status::kInReview: return "in_review";
    case Status::kApproved: return "approved";
    case Status::kRejected: return "rejected";
    case Status::kWithdrawn: return "withdrawn";
  }
  return "unknown";
}

std::optional<Status> ParseStatus(std::string_view name) {
  for (Status s : {Status::kSubmitted, Status::kInReview, Status::kApproved, Status::kRejected, Status::kWithdrawn}) {
    if (StatusName(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<std::array<std::uint32_t, 3>> ParseVersion(std::string_view v) {
  std::array<std::uint32_t, 3> out{};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto dot = i < 2 ? v.find('.') : v.size();
    if (dot == std::string_view::npos) return std::nullopt;
    const std::string_view part = v.substr(0, dot);
    if (part.empty() || part.size() > 6 || (part.size() > 1 && part[0] == '0')) return std::nullopt;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out[i]);
    if (ec != std::errc{} || end != part.data() + part.size()) return std::nullopt;
    v = i < 2 ? v.substr(dot + 1) : std::string_view{};
  }
  return out;
}

const VersionState* FindVersion(const State& s, std::string_view version) {
  for (const auto& v : s.versions) {
    if (v.manifest.version == version) return &v;
  }
  return nullptr;
}

const VersionState* LatestApproved(const State& s) {
  for (auto it = s.versions.rbegin(); it != s.versions.rend(); ++it) {
    if (it->status == Status::kApproved) return &*it;
  }
  return nullptr;
}

Decision<Event> Decide(const Command& command, const State& s) {
  return std::visit(
      Overloaded{
          [&](const SubmitVersion& c) { return Submit(c, s); },
          [&](const StartReview& c) -> Decision<Event> {
            auto v = Existing(s, c.version);
            if (!v) return std::unexpected(v.error());
            if ((*v)->status == Status::kInReview) return std::vector<Event>{};  // already under review
            if ((*v)->status != Status::kSubmitted) return std::unexpected(Illegal(**v, "start a review"));
            return One(ExtensionReviewStarted{c.version, c.by, c.at});
          },
          [&](const ApproveVersion& c) -> Decision<Event> {
            auto v = Existing(s, c.version);
            if (!v) return std::unexpected(v.error());
            if ((*v)->status == Status::kApproved) return std::vector<Event>{};  // approved already
            if ((*v)->status != Status::kInReview) return std::unexpected(Illegal(**v, "approve (a review must start first)"));
            return One(ExtensionVersionApproved{c.version, c.by, c.at});
          },
          [&](const RejectVersion& c) -> Decision<Event> {
            auto v = Existing(s, c.version);
            if (!v) return std::unexpected(v.error());
            if (c.reasons.empty()) return Reject(R::kInvalidArgument, "a rejection needs at least one reason");
            for (const auto& r : c.reasons) {
              if (r.empty() || r.size() > 500) return Reject(R::kInvalidArgument, "each reason must be 1..500 characters");
            }
            if ((*v)->status == Status::kSubmitted) return std::unexpected(Illegal(**v, "reject (a review must start first)"));
            if ((*v)->status != Status::kInReview) return std::unexpected(Illegal(**v, "reject: only a version under review can be"));
            if (c.reasons.size() > 20) return Reject(R::kInvalidArgument, "at most 20 reasons");
            return One(ExtensionVersionRejected{c.version, c.by, c.reasons, c.at});
          },
          [&](const WithdrawVersion& c) -> Decision<Event> {
            auto v = Existing(s, c.version);
            if (!v) return std::unexpected(v.error());
            if (c.reason.empty() || c.reason.size() > 500) return Reject(R::kInvalidArgument, "a withdrawal needs a reason of 1..500 characters");
            if ((*v)->status == Status::kWithdrawn || (*v)->status == Status::kRejected) {
              return std::unexpected(Illegal(**v, "withdraw"));
            }
            return One(ExtensionVersionWithdrawn{c.version, c.by, c.reason, (*v)->status, c.at});
          },
      },
      command);
}

void Apply(State& s, const Event& event) {
  auto version = [&](const std::string& v) -> VersionState* {
    for (auto& vs : s.versions) {
      if (vs.manifest.version == v) return &vs;
    }
    return nullptr;
  };
  std::visit(Overloaded{
                 [&](const ExtensionVersionSubmitted& e) {
                   if (s.id.empty()) {
                     s.id = e.id;
                     s.owner = e.owner;
                   }
                   s.versions.push_back(VersionState{e.manifest, Status::kSubmitted, e.by, {}, {}, {}, e.at, 0, 0, {}});
                 },
                 [&](const ExtensionReviewStarted& e) {
                   if (auto* v = version(e.version)) {
                     v->status = Status::kInReview;
                     v->reviewer = e.by;
                   }
                 },
                 [&](const ExtensionVersionApproved& e) {
                   if (auto* v = version(e.version)) {
                     v->status = Status::kApproved;
                     v->reviewer = e.by;
                     v->decided_at = e.at;
                     v->approved_at = e.at;
                   }
                 },
                 [&](const ExtensionVersionRejected& e) {
                   if (auto* v = version(e.version)) {
                     v->status = Status::kRejected;
                     v->reviewer = e.by;
                     v->reasons = e.reasons;
                     v->decided_at = e.at;
                   }
                 },
                 [&](const ExtensionVersionWithdrawn& e) {
                   if (auto* v = version(e.version)) {
                     v->status = Status::kWithdrawn;
                     v->withdrawal_reason = e.reason;
                     v->withdrawn_by = e.by;
                     if (v->approved_at == 0) v->decided_at = e.at;  // an approval's date stays its decision
                   }
                 },
             },
             event);
}

State Evolve(State s, const Event& event) {
  Apply(s, event);
  return s;
}

}  // namespace keel::domain::extension
