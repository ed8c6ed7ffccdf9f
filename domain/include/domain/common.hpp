// Domain vocabulary shared by every aggregate: time, money, rejections and the Decision type.
// Pure: no I/O, no clock (time arrives in commands), no infrastructure headers.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace keel::domain {

using Timestamp = std::int64_t;  // Unix epoch milliseconds, always carried by the command
inline constexpr std::int64_t kDayMs = 86'400'000;

// Money: integer minor units (cents) with an ISO-4217 currency code. Never floating point.
struct Money {
  std::int64_t minor = 0;
  std::string currency;
  bool operator==(const Money&) const = default;
};

enum class RejectionCode : std::uint8_t {
  kInvalidArgument,
  kAlreadyExists,
  kNotFound,
  kIllegalTransition,
  kInsufficientStock,
  kModuleNotEntitled,
  kLimitExceeded,
  kNotCertified,
  kPartnerSuspended,
  kUnknownSku,
  kCurrencyMismatch,
  kNotPermitted,
  kOutsideWindow,
  kExceedsShipped,
  kExceedsInvoice,
  kIncompatibleTemplate,
  kAlreadyDone,
  kImportRejected,
  kPlanChangesBlocked,
  kTenantSuspended,   // the tenant's lifecycle state refuses the command (see lifecycle.hpp)
  kTenantTerminated,
  kLotExpired,
  kIdReused,          // an id the aggregate has seen came back with other content (the gateway answers 409)
  kExtensionNotApproved,     // installing a version the catalog has not approved (or withdrew)
  kExtensionKindNotAllowed,  // the tenant's template does not allow that kind of extension
};

// The stable, snake_case name of a code (what the gateway puts in problem+json `type`).
std::string_view RejectionCodeName(RejectionCode code);

struct Rejection {
  RejectionCode code;
  std::string message;
  std::vector<std::string> details = {};  // e.g. the per-row report of a refused import
};

// What Decide returns: the events to append (possibly none: an idempotent no-op) or a rejection.
template <class Event>
using Decision = std::expected<std::vector<Event>, Rejection>;

inline std::unexpected<Rejection> Reject(RejectionCode code, std::string message) {
  return std::unexpected(Rejection{code, std::move(message)});
}

// Checked money arithmetic: currencies must agree.
std::optional<Money> Add(const Money& a, const Money& b);
bool IsValidCurrency(std::string_view code);  // three upper-case letters

// Multiplies a non-negative quantity by a unit price, saturating is never silent: nullopt on overflow.
std::optional<std::int64_t> MulChecked(std::int64_t a, std::int64_t b);

}  // namespace keel::domain
