// The lifecycle table (see lifecycle.hpp): tenant states x activities, partner states x activities.
#include "domain/lifecycle.hpp"

#include <string>

#include "decider_support.hpp"

namespace keel::domain::lifecycle {

using A = Activity;
using S = tenant::Status;

std::string_view ActivityName(Activity a) {
  switch (a) {
    case A::kRead: return "read";
    case A::kOperate: return "operate";
    case A::kSetUp: return "set_up";
    case A::kAccount: return "account";
    case A::kSuspend: return "suspend";
    case A::kReinstate: return "reinstate";
    case A::kTerminate: return "terminate";
    case A::kPay: return "pay";
    case A::kSupport: return "support";
    case A::kBillingCycle: return "billing_cycle";
    case A::kRevokeAccess: return "revoke_access";
    case A::kRollBack: return "roll_back";
    case A::kRecord: return "record";
  }
  return "unknown";
}

std::optional<Rejection> TenantAdmits(tenant::Status status, Activity activity) {
  switch (status) {
    case S::kSuspended:
      switch (activity) {
        case A::kRead:
        case A::kSuspend:  // an operator taking over a suspension dunning imposed (the decider decides)
        case A::kPay:
        case A::kSupport:
        case A::kBillingCycle:
        case A::kRecord:
        case A::kRevokeAccess:
        case A::kRollBack:
        case A::kReinstate:
        case A::kTerminate: return std::nullopt;
        default:
          return Rejection{RejectionCode::kTenantSuspended,
                           "the tenant is suspended: it admits reads, payments, credit notes, support tickets, "
                           "reinstatement and termination only (refused: " + std::string(ActivityName(activity)) + ")"};
      }
    case S::kTerminated:
      if (activity == A::kRead || activity == A::kRecord || activity == A::kRevokeAccess) return std::nullopt;
      return Rejection{RejectionCode::kTenantTerminated,
                       "the tenant is terminated: it admits reads only (refused: " + std::string(ActivityName(activity)) +
                           ")"};
    case S::kNone:
    case S::kProvisioning:
    case S::kOnboarding:
    case S::kActive: return std::nullopt;
  }
  return std::nullopt;
}

Activity ActivityOf(const tenant::Command& command) {
  using namespace tenant;
  return std::visit(
      Overloaded{
          [](const ProvisionTenant&) { return A::kSetUp; },
          [](const StartOnboarding&) { return A::kSetUp; },
          [](const CompleteMilestone&) { return A::kSetUp; },
          [](const GoLive&) { return A::kSetUp; },
          [](const SuspendTenant&) { return A::kSuspend; },
          [](const ReinstateTenant&) { return A::kReinstate; },
          [](const TerminateTenant&) { return A::kTerminate; },
          [](const ActivateModule&) { return A::kAccount; },
          [](const DeactivateModule&) { return A::kAccount; },
          [](const ChangePlan&) { return A::kAccount; },
          [](const UpgradeTemplate&) { return A::kAccount; },
          [](const RollBackTemplate&) { return A::kRollBack; },
          [](const CancelSubscription&) { return A::kAccount; },
          [](const RegisterWarehouse&) { return A::kOperate; },
          [](const RecordIntegrationFailure&) { return A::kOperate; },
          [](const RecordIntegrationRecovery&) { return A::kOperate; },
          [](const RecordSyncLatency&) { return A::kOperate; },
          // Usage a client reports (API calls) is an operation; the order meter (MeterOrder) records
          // orders that were placed, whatever the state became since.
          [](const RecordUsage&) { return A::kOperate; },
          [](const RenewSubscription&) { return A::kBillingCycle; },
          [](const SetPlanChangesBlocked&) { return A::kBillingCycle; },
          [](const MeterOrder&) { return A::kRecord; },
          [](const InstallExtension&) { return A::kAccount; },
          [](const UninstallExtension&) { return A::kRevokeAccess; },
          [](const NoteExtensionWithdrawn&) { return A::kRecord; },
          [](const OpenTicket&) { return A::kSupport; },
          [](const ResolveTicket&) { return A::kSupport; },
          [](const AssignTicket&) { return A::kSupport; },
          [](const CommentOnTicket&) { return A::kSupport; },
          [](const SetTicketStatus&) { return A::kSupport; },
          [](const RecordSlaBreach&) { return A::kRecord; },  // a missed target is a fact, whatever became of the tenant
      },
      command);
}

std::optional<Rejection> PartnerAdmits(bool suspended, PartnerActivity activity) {
  if (!suspended || activity != PartnerActivity::kOwnWrite) return std::nullopt;
  return Rejection{RejectionCode::kPartnerSuspended,
                   "the partner is suspended: its own writes (branding, price list, revenue share, provisioning, "
                   "keys) are refused until it is reinstated; its tenants keep operating"};
}

PartnerActivity ActivityOf(const partner::Command& command) {
  using namespace partner;
  using P = PartnerActivity;
  return std::visit(Overloaded{
                        [](const RegisterPartner&) { return P::kAdministration; },
                        [](const UpdateBranding&) { return P::kOwnWrite; },
                        [](const SetPriceList&) { return P::kOwnWrite; },
                        [](const SetRevenueShare&) { return P::kOwnWrite; },
                        [](const SetPartnerLevel&) { return P::kAdministration; },
                        [](const CertifyPartner&) { return P::kAdministration; },
                        [](const SuspendPartner&) { return P::kAdministration; },
                        [](const ReinstatePartner&) { return P::kAdministration; },
                    },
                    command);
}

}  // namespace keel::domain::lifecycle
