// Extension decider and a tenant's installations: review of versions (submitted -> in review ->
// approved | rejected; withdrawal), versions only growing and approved ones immutable; installing only
// approved versions of a kind the template allows with entitled modules, moving between versions,
// uninstalling in every lifecycle state, and being told of a withdrawal once.
#include <catch2/catch.hpp>

#include "domain/extension.hpp"
#include "domain/lifecycle.hpp"
#include "domain/tenant.hpp"
#include "decider_support.hpp"
#include "fixtures.hpp"

using namespace keel::domain;
using keel::domain::test::Accept;
using keel::domain::test::Refuse;
using keel::domain::test::kT0;
namespace fx = keel::domain::test;
namespace x = keel::domain::extension;
namespace t = keel::domain::tenant;

namespace {

x::Manifest Manifest(std::string version) {
  return x::Manifest{std::move(version), "EDI bridge", "", ExtensionKind::kEdiConnector, {Module::kEdi},
                     {"OrderShipped"}, {"record_integration_event"}, {"orders:read"}, R"({"type":"object"})"};
}

x::State Apply(x::State s, const x::Command& c) {
  for (const auto& e : Accept(c, s)) s = x::Evolve(std::move(s), e);
  return s;
}

x::State Submitted(const std::string& version = "1.0.0") {
  return Apply(x::State{}, x::SubmitVersion{"p1:edi", "p1", Manifest(version), "key:a", kT0});
}

x::State Approved() {
  auto s = Apply(Submitted(), x::StartReview{"1.0.0", "key:owner", kT0});
  return Apply(s, x::ApproveVersion{"1.0.0", "key:owner", kT0});
}

t::State Tenant() {
  t::State s;
  for (const auto& e : Accept(t::ProvisionTenant{"p1:t1", "p1", "T1", fx::Regional(), fx::Growth(), Environment::kProduction,
                                                 true, true, kT0},
                              s))
    s = t::Evolve(std::move(s), e);
  return s;
}

t::InstallExtension Install(const std::string& version = "1.0.0", const std::string& key = "k1") {
  return t::InstallExtension{"p1:edi", version, true, ExtensionKind::kEdiConnector, {Module::kEdi},
                             {ExtensionKind::kEdiConnector}, key, "d1", kT0};
}

t::State Do(t::State s, const t::Command& c) {
  for (const auto& e : Accept(c, s)) s = t::Evolve(std::move(s), e);
  return s;
}

}  // namespace

TEST_CASE("an extension version goes through review before approval", "[domain][extension]") {
  auto s = Submitted();
  REQUIRE(s.versions.size() == 1);
  CHECK(s.owner == "p1");
  CHECK(s.versions[0].status == x::Status::kSubmitted);
  CHECK(Refuse(x::ApproveVersion{"1.0.0", "key:owner", kT0}, s) == RejectionCode::kIllegalTransition);
  CHECK(Refuse(x::RejectVersion{"1.0.0", "key:owner", {"no"}, kT0}, s) == RejectionCode::kIllegalTransition);
  s = Apply(s, x::StartReview{"1.0.0", "key:owner", kT0});
  CHECK(s.versions[0].status == x::Status::kInReview);
  CHECK(Accept(x::StartReview{"1.0.0", "key:owner", kT0}, s).empty());  // again: nothing new
  s = Apply(s, x::ApproveVersion{"1.0.0", "key:owner", kT0 + 5});
  CHECK(s.versions[0].status == x::Status::kApproved);
  CHECK(s.versions[0].decided_at == kT0 + 5);
  CHECK(x::LatestApproved(s) == &s.versions[0]);
  CHECK(Refuse(x::RejectVersion{"1.0.0", "key:owner", {"late"}, kT0}, s) == RejectionCode::kIllegalTransition);
}

TEST_CASE("a rejection names its reasons and a rejected version stays rejected", "[domain][extension]") {
  auto s = Apply(Submitted(), x::StartReview{"1.0.0", "key:owner", kT0});
  CHECK(Refuse(x::RejectVersion{"1.0.0", "key:owner", {}, kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(x::RejectVersion{"1.0.0", "key:owner", {""}, kT0}, s) == RejectionCode::kInvalidArgument);
  s = Apply(s, x::RejectVersion{"1.0.0", "key:owner", {"declares more than it needs"}, kT0});
  CHECK(s.versions[0].status == x::Status::kRejected);
  CHECK(s.versions[0].reasons == std::vector<std::string>{"declares more than it needs"});
  CHECK(Refuse(x::StartReview{"1.0.0", "key:owner", kT0}, s) == RejectionCode::kIllegalTransition);
  CHECK(Refuse(x::WithdrawVersion{"1.0.0", "key:a", "gone", kT0}, s) == RejectionCode::kIllegalTransition);
  CHECK(x::LatestApproved(s) == nullptr);
}

TEST_CASE("an approved version is immutable and a new one must be higher", "[domain][extension]") {
  auto s = Approved();
  CHECK(Refuse(x::SubmitVersion{"p1:edi", "p1", Manifest("1.0.0"), "key:a", kT0}, s) == RejectionCode::kAlreadyExists);
  CHECK(Refuse(x::SubmitVersion{"p1:edi", "p1", Manifest("0.9.9"), "key:a", kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(x::SubmitVersion{"p1:edi", "p2", Manifest("2.0.0"), "key:b", kT0}, s) == RejectionCode::kNotPermitted);
  s = Apply(s, x::SubmitVersion{"p1:edi", "p1", Manifest("1.10.0"), "key:a", kT0});
  CHECK(s.versions.size() == 2);
  CHECK(s.versions[0].status == x::Status::kApproved);  // untouched by the new submission
  CHECK(s.versions[1].status == x::Status::kSubmitted);
  CHECK(Refuse(x::SubmitVersion{"p1:edi", "p1", Manifest("1.9.0"), "key:a", kT0}, s) == RejectionCode::kInvalidArgument);
}

TEST_CASE("versions are MAJOR.MINOR.PATCH without leading zeros", "[domain][extension]") {
  CHECK(x::ParseVersion("1.2.3") == std::array<std::uint32_t, 3>{1, 2, 3});
  CHECK(x::ParseVersion("0.0.0").has_value());
  CHECK(x::ParseVersion("10.200.3000").has_value());
  for (const char* bad : {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "a.b.c", "1.2.-3", "1..3", "1.2.3 ", "1234567.0.0"}) {
    INFO(bad);
    CHECK_FALSE(x::ParseVersion(bad).has_value());
  }
  CHECK(Refuse(x::SubmitVersion{"p1:edi", "p1", Manifest("1.0"), "key:a", kT0}, x::State{}) == RejectionCode::kInvalidArgument);
}

TEST_CASE("a withdrawal records what the version was", "[domain][extension]") {
  auto s = Approved();
  CHECK(Refuse(x::WithdrawVersion{"1.0.0", "key:a", "", kT0}, s) == RejectionCode::kInvalidArgument);
  CHECK(Refuse(x::WithdrawVersion{"2.0.0", "key:a", "why", kT0}, s) == RejectionCode::kNotFound);
  auto events = Accept(x::WithdrawVersion{"1.0.0", "key:a", "superseded", kT0}, s);
  REQUIRE(events.size() == 1);
  CHECK(std::get<x::ExtensionVersionWithdrawn>(events[0]).was == x::Status::kApproved);
  s = x::Evolve(s, events[0]);
  CHECK(s.versions[0].status == x::Status::kWithdrawn);
  CHECK(s.versions[0].withdrawal_reason == "superseded");
  CHECK(x::LatestApproved(s) == nullptr);
  CHECK(Refuse(x::WithdrawVersion{"1.0.0", "key:a", "again", kT0}, s) == RejectionCode::kIllegalTransition);
}

TEST_CASE("a tenant installs only an approved version of an allowed kind with its modules", "[domain][extension][tenant]") {
  const auto s = Tenant();
  auto not_approved = Install();
  not_approved.approved = false;
  CHECK(Refuse(not_approved, s) == RejectionCode::kExtensionNotApproved);
  auto wrong_kind = Install();
  wrong_kind.kind = ExtensionKind::kMarketplaceConnector;
  CHECK(Refuse(wrong_kind, s) == RejectionCode::kExtensionKindNotAllowed);
  auto needs_lots = Install();
  needs_lots.modules.insert(Module::kLotTracking);  // not among the tenant's modules
  CHECK(Refuse(needs_lots, s) == RejectionCode::kModuleNotEntitled);
  auto keyless = Install();
  keyless.key_id.clear();
  CHECK(Refuse(keyless, s) == RejectionCode::kInvalidArgument);
  const auto installed = Do(s, Install());
  REQUIRE(installed.extensions.contains("p1:edi"));
  CHECK(installed.extensions.at("p1:edi").version == "1.0.0");
  CHECK(installed.extensions.at("p1:edi").key_id == "k1");
  CHECK(installed.extensions.at("p1:edi").config_digest == "d1");
  CHECK(Refuse(Install(), installed) == RejectionCode::kAlreadyExists);
}

TEST_CASE("moving to another version names the version and key it replaces", "[domain][extension][tenant]") {
  const auto first = Do(Tenant(), Install("1.0.0", "k1"));
  auto events = Accept(Install("1.1.0", "k2"), first);
  REQUIRE(events.size() == 1);
  const auto& e = std::get<t::ExtensionInstalled>(events[0]);
  CHECK(e.previous_version == "1.0.0");
  CHECK(e.previous_key_id == "k1");
  const auto moved = t::Evolve(first, events[0]);
  CHECK(moved.extensions.at("p1:edi").version == "1.1.0");
  CHECK(moved.extensions.at("p1:edi").key_id == "k2");
}

TEST_CASE("uninstalling names the key to revoke and is admitted in every state", "[domain][extension][tenant]") {
  auto s = Do(Tenant(), Install());
  CHECK(Refuse(t::UninstallExtension{"p1:other", kT0}, s) == RejectionCode::kNotFound);
  s.status = t::Status::kSuspended;  // (a live tenant suspended: the lifecycle gate reads the status)
  // Suspended: nothing new is installed, but access can always be taken away.
  CHECK(Refuse(Install("1.1.0", "k2"), s) == RejectionCode::kTenantSuspended);
  auto events = Accept(t::UninstallExtension{"p1:edi", kT0}, s);
  REQUIRE(events.size() == 1);
  CHECK(std::get<t::ExtensionUninstalled>(events[0]).key_id == "k1");
  auto terminated = Do(Do(Tenant(), Install()), t::TerminateTenant{"left", kT0});
  CHECK(Refuse(Install("1.1.0", "k2"), terminated) == RejectionCode::kTenantTerminated);
  auto gone = Do(terminated, t::UninstallExtension{"p1:edi", kT0});
  CHECK(gone.extensions.empty());
  CHECK(lifecycle::ActivityOf(t::Command(t::UninstallExtension{})) == lifecycle::Activity::kRevokeAccess);
  CHECK(lifecycle::ActivityOf(t::Command(t::InstallExtension{})) == lifecycle::Activity::kAccount);
}

TEST_CASE("a tenant is told of a withdrawal of the version it runs once", "[domain][extension][tenant]") {
  auto s = Do(Tenant(), Install("1.0.0"));
  CHECK(Accept(t::NoteExtensionWithdrawn{"p1:edi", "0.9.0", "old", kT0}, s).empty());  // not the version it runs
  CHECK(Accept(t::NoteExtensionWithdrawn{"p1:other", "1.0.0", "other", kT0}, s).empty());
  s = Do(s, t::NoteExtensionWithdrawn{"p1:edi", "1.0.0", "superseded", kT0});
  CHECK(s.extensions.at("p1:edi").withdrawn_reason == "superseded");
  CHECK(Accept(t::NoteExtensionWithdrawn{"p1:edi", "1.0.0", "superseded", kT0}, s).empty());  // told already
  // The note is a record of a fact: admitted in every state.
  auto terminated = Do(Do(Tenant(), Install("1.0.0")), t::TerminateTenant{"left", kT0});
  CHECK(Accept(t::NoteExtensionWithdrawn{"p1:edi", "1.0.0", "gone", kT0}, terminated).size() == 1);
}
