// Rejection code names and money helpers.
#include "domain/common.hpp"

namespace keel::domain {

std::string_view RejectionCodeName(RejectionCode code) {
  switch (code) {
    case RejectionCode::kInvalidArgument: return "invalid_argument";
    case RejectionCode::kAlreadyExists: return "already_exists";
    case RejectionCode::kNotFound: return "not_found";
    case RejectionCode::kIllegalTransition: return "illegal_transition";
    case RejectionCode::kInsufficientStock: return "insufficient_stock";
    case RejectionCode::kModuleNotEntitled: return "module_not_entitled";
    case RejectionCode::kLimitExceeded: return "limit_exceeded";
    case RejectionCode::kNotCertified: return "not_certified";
    case RejectionCode::kPartnerSuspended: return "partner_suspended";
    case RejectionCode::kUnknownSku: return "unknown_sku";
    case RejectionCode::kCurrencyMismatch: return "currency_mismatch";
    case RejectionCode::kNotPermitted: return "not_permitted";
    case RejectionCode::kOutsideWindow: return "outside_window";
    case RejectionCode::kExceedsShipped: return "exceeds_shipped";
    case RejectionCode::kExceedsInvoice: return "exceeds_invoice";
    case RejectionCode::kIncompatibleTemplate: return "incompatible_template";
    case RejectionCode::kAlreadyDone: return "already_done";
    case RejectionCode::kImportRejected: return "import_rejected";
    case RejectionCode::kPlanChangesBlocked: return "plan_changes_blocked";
    case RejectionCode::kTenantSuspended: return "tenant_suspended";
    case RejectionCode::kTenantTerminated: return "tenant_terminated";
    case RejectionCode::kLotExpired: return "lot_expired";
    case RejectionCode::kIdReused: return "id_reused";
    case RejectionCode::kExtensionNotApproved: return "extension_not_approved";
    case RejectionCode::kExtensionKindNotAllowed: return "extension_kind_not_allowed";
  }
  return "unknown";
}

std::optional<Money> Add(const Money& a, const Money& b) {
  if (a.currency != b.currency) return std::nullopt;
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a.minor, b.minor, &sum)) return std::nullopt;
  return Money{sum, a.currency};
}

bool IsValidCurrency(std::string_view code) {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

std::optional<std::int64_t> MulChecked(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

}  // namespace keel::domain
