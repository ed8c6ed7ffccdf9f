// The route table and the matcher. A pattern is split on '/', `{name}` segments capture one decoded
// path segment. No regular expressions, no allocation beyond the captured parameters.
#include "gateway/router.hpp"

#include <array>

namespace keel::gateway {
namespace {

using S = Scope;
using C = Category;
constexpr bool kCmd = true, kQuery = false;

constexpr std::array kRoutes{
    // -- system --
    Route{"GET", "/healthz", "healthz", S::kPublic, C::kPublic, "Liveness: the process is serving", kQuery},
    Route{"GET", "/readyz", "readyz", S::kPublic, C::kPublic, "Readiness: the store accepts writes", kQuery},
    Route{"GET", "/metrics", "metrics", S::kPublic, C::kPublic, "Prometheus metrics", kQuery},
    Route{"GET", "/v1/openapi.json", "openapi", S::kPublic, C::kPublic, "This API's OpenAPI 3.1 document", kQuery},
    Route{"GET", "/v1/ws", "websocket", S::kPlatform, C::kRead, "WebSocket: commands and the live event feed", kQuery},
    Route{"GET", "/dashboard", "dashboard", S::kPublic, C::kPublic, "The analytics dashboard (paste a key to see its scope)", kQuery},
    Route{"GET", "/dashboard/{file}", "dashboard_file", S::kPublic, C::kPublic, "The dashboard's script, style and Chart.js", kQuery},
    // -- keys --
    Route{"POST", "/v1/keys", "create_key", S::kPlatform, C::kKeys, "Create an API key (the secret is shown once)", kCmd},
    Route{"GET", "/v1/keys", "list_keys", S::kPlatform, C::kKeys, "The API keys the caller may manage (no secrets)", kQuery},
    Route{"DELETE", "/v1/keys/{key}", "revoke_key", S::kPlatform, C::kKeys, "Revoke an API key", kCmd},
    Route{"POST", "/v1/keys/{key}/rotation", "rotate_key", S::kPlatform, C::kKeys,
          "Rotate an API key: a new secret, the old one kept for a grace period", kCmd},
    // -- configuration --
    Route{"GET", "/v1/plans", "list_plans", S::kPlatform, C::kRead, "The service catalog's plans", kQuery},
    Route{"GET", "/v1/templates", "list_templates", S::kPlatform, C::kRead, "Segment templates, every version", kQuery},
    Route{"POST", "/v1/billing/period-close", "close_billing_periods", S::kPlatform, C::kPlatformAdmin,
          "Close every ended billing period: invoices, renewals, terminations, dunning", kCmd},
    // -- analytics (in the caller's scope; from, to, group_by, format=json|csv) --
    Route{"GET", "/v1/analytics/revenue", "analytics_revenue", S::kPlatform, C::kRead,
          "Orders, GMV, returns, billed revenue, MRR / ARR and their movements, by day or month and dimension", kQuery},
    Route{"GET", "/v1/analytics/margin", "analytics_margin", S::kPlatform, C::kRead,
          "Billed revenue less cost to serve, by segment, partner or tier", kQuery},
    Route{"GET", "/v1/analytics/support", "analytics_support", S::kPlatform, C::kRead,
          "Tickets opened, resolved and open; integration failures, latency breaches and time to recover", kQuery},
    Route{"GET", "/v1/analytics/support-load", "analytics_support_load", S::kPlatform, C::kRead,
          "Support load per support tier: tickets opened, open, resolved, mean resolution time, by priority", kQuery},
    Route{"GET", "/v1/analytics/sla-attainment", "analytics_sla_attainment", S::kPlatform, C::kRead,
          "Support SLA attainment per partner: first-response and resolution targets met and breached", kQuery},
    Route{"GET", "/v1/analytics/usage", "analytics_usage", S::kPlatform, C::kRead,
          "Modules entitled vs used, active warehouses, orders against the plan's volume, API activity", kQuery},
    Route{"GET", "/v1/analytics/renewal-risk", "analytics_renewal_risk", S::kPlatform, C::kRead,
          "Renewal risk per tenant, 0-100, with each factor's value, weight and contribution", kQuery},
    Route{"GET", "/v1/analytics/onboarding", "analytics_onboarding", S::kPlatform, C::kRead,
          "Milestones, time to go-live and lifecycle stage per tenant; the funnel per partner or segment", kQuery},
    Route{"GET", "/v1/admin/projections", "list_projections", S::kPlatform, C::kPlatformAdmin,
          "The read models: position, lag, parked events, rebuild progress", kQuery},
    Route{"POST", "/v1/admin/projections/{projection}/rebuild", "rebuild_projection", S::kPlatform, C::kPlatformAdmin,
          "Rebuild a read model online (the current one serves until the new one has caught up)", kCmd},
    Route{"POST", "/v1/admin/projections/{projection}/parked/{position}/retry", "retry_parked", S::kPlatform,
          C::kPlatformAdmin, "Fold a parked event again (and its stream's parked ones after it)", kCmd},
    Route{"POST", "/v1/admin/projections/{projection}/parked/{position}/skip", "skip_parked", S::kPlatform,
          C::kPlatformAdmin, "Drop a parked event from a read model", kCmd},
    Route{"POST", "/v1/admin/backup", "backup", S::kPlatform, C::kPlatformAdmin,
          "Back the running store up into a directory of the server's machine (online, consistent)", kCmd},
    Route{"GET", "/v1/admin/clock", "get_clock", S::kPlatform, C::kPlatformAdmin,
          "Business time, and whether it is simulated", kQuery},
    Route{"GET", "/v1/audit", "list_audit", S::kPlatform, C::kRead,
          "The audit trail: accepted commands, refused and denied requests (filter by tenant, partner, principal, result, time)", kQuery},
    Route{"POST", "/v1/admin/clock/advance", "advance_clock", S::kPlatform, C::kPlatformAdmin,
          "Move simulated business time forward, close the billing periods that ended and pass rollout waves whose soak ended (404 on the system clock)", kCmd},
    // -- the extension catalog --
    Route{"POST", "/v1/extensions", "submit_extension", S::kPlatform, C::kPartnerAdmin,
          "Submit an extension version (a connector or workflow pack manifest) for review", kCmd},
    Route{"GET", "/v1/extensions", "list_extensions", S::kPlatform, C::kRead,
          "The extension catalog: approved versions, and a partner's own submissions (filter by status, kind, owner, module)", kQuery},
    Route{"GET", "/v1/extensions/{extension}", "get_extension", S::kPlatform, C::kRead,
          "An extension and its versions with their review status", kQuery},
    Route{"GET", "/v1/extensions/{extension}/installations", "list_extension_installations", S::kPlatform, C::kRead,
          "Which tenants run which version of an extension (a partner-bound key: its own tenants)", kQuery},
    Route{"POST", "/v1/extensions/{extension}/versions/{version}/review", "start_extension_review", S::kPlatform,
          C::kPlatformAdmin, "Start reviewing a submitted version", kCmd},
    Route{"POST", "/v1/extensions/{extension}/versions/{version}/approval", "approve_extension", S::kPlatform,
          C::kPlatformAdmin, "Approve a version under review (it becomes installable and immutable)", kCmd},
    Route{"POST", "/v1/extensions/{extension}/versions/{version}/rejection", "reject_extension", S::kPlatform,
          C::kPlatformAdmin, "Reject a version under review, with reasons", kCmd},
    Route{"POST", "/v1/extensions/{extension}/versions/{version}/withdrawal", "withdraw_extension", S::kPlatform,
          C::kPartnerAdmin, "Withdraw a version (tenants using it are told and keep it until they move)", kCmd},
    // -- staged template rollouts (the platform owner's) --
    Route{"POST", "/v1/rollouts", "start_rollout", S::kPlatform, C::kPlatformAdmin,
          "Start rolling a template version out: a canary cohort, then waves by percentage, each after a soak time free of failures", kCmd},
    Route{"GET", "/v1/rollouts", "list_rollouts", S::kPlatform, C::kPlatformAdmin,
          "Template rollouts with their progress by wave (filter by template, status)", kQuery},
    Route{"GET", "/v1/rollouts/{rollout}", "get_rollout", S::kPlatform, C::kPlatformAdmin,
          "A rollout's progress: each wave's tenants moved, skipped (with the reason), failed or returned; its failures", kQuery},
    Route{"POST", "/v1/rollouts/{rollout}/pause", "pause_rollout", S::kPlatform, C::kPlatformAdmin,
          "Pause a running rollout: no further tenant moves until it resumes", kCmd},
    Route{"POST", "/v1/rollouts/{rollout}/resumption", "resume_rollout", S::kPlatform, C::kPlatformAdmin,
          "Resume a paused rollout", kCmd},
    Route{"POST", "/v1/rollouts/{rollout}/rollback", "roll_back_rollout", S::kPlatform, C::kPlatformAdmin,
          "Roll a rollout back: every moved tenant returns to the version it came from", kCmd},
    // -- partners --
    Route{"POST", "/v1/partners", "register_partner", S::kPlatform, C::kPlatformAdmin, "Register a partner", kCmd},
    Route{"GET", "/v1/partners", "list_partners", S::kPlatform, C::kRead,
          "The partners (a partner-bound key: its own; filter by level; paginated)", kQuery},
    Route{"GET", "/v1/partners/{partner}", "get_partner", S::kPartner, C::kRead, "A partner's current state", kQuery},
    Route{"PUT", "/v1/partners/{partner}/branding", "update_branding", S::kPartner, C::kPartnerAdmin, "Set the partner's branding", kCmd},
    Route{"PUT", "/v1/partners/{partner}/price-list", "set_price_list", S::kPartner, C::kPartnerAdmin, "Set the partner's price list", kCmd},
    Route{"PUT", "/v1/partners/{partner}/revenue-share", "set_revenue_share", S::kPartner, C::kPlatformAdmin, "Set the partner's revenue share", kCmd},
    Route{"PUT", "/v1/partners/{partner}/level", "set_partner_level", S::kPartner, C::kPlatformAdmin, "Set the partner's level", kCmd},
    Route{"POST", "/v1/partners/{partner}/certification", "certify_partner", S::kPartner, C::kPlatformAdmin, "Certify the partner", kCmd},
    Route{"POST", "/v1/partners/{partner}/suspension", "suspend_partner", S::kPartner, C::kPlatformAdmin, "Suspend the partner", kCmd},
    Route{"POST", "/v1/partners/{partner}/reinstatement", "reinstate_partner", S::kPartner, C::kPlatformAdmin, "Reinstate the partner", kCmd},
    Route{"POST", "/v1/partners/{partner}/tenants", "provision_tenant", S::kPartner, C::kLifecycle, "Provision a tenant from a segment template", kCmd},
    Route{"GET", "/v1/partners/{partner}/tenants", "list_tenants", S::kPartner, C::kRead,
          "The partner's tenants (filter by status, plan, template; paginated)", kQuery},
    Route{"GET", "/v1/partners/{partner}/statements", "get_statement", S::kPartner, C::kRead,
          "The partner's revenue-share statement for a month: per tenant billed, partner and platform share", kQuery},
    // -- tenants --
    Route{"GET", "/v1/tenants/{tenant}", "get_tenant", S::kTenant, C::kRead, "A tenant's current state", kQuery},
    Route{"GET", "/v1/tenants/{tenant}/entitlements", "get_entitlements", S::kTenant, C::kRead,
          "The tenant's plan, modules and limits, and its usage this period against them", kQuery},
    Route{"POST", "/v1/tenants/{tenant}/onboarding", "start_onboarding", S::kTenant, C::kLifecycle, "Start onboarding", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/milestones/{milestone}/completion", "complete_milestone", S::kTenant, C::kLifecycle, "Complete an onboarding milestone", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/go-live", "go_live", S::kTenant, C::kLifecycle, "Go live", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/suspension", "suspend_tenant", S::kTenant, C::kPartnerAdmin, "Suspend the tenant", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/reinstatement", "reinstate_tenant", S::kTenant, C::kPartnerAdmin, "Reinstate the tenant", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/termination", "terminate_tenant", S::kTenant, C::kPartnerAdmin, "Terminate the tenant", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/modules", "activate_module", S::kTenant, C::kPlan, "Activate a module", kCmd},
    Route{"DELETE", "/v1/tenants/{tenant}/modules/{module}", "deactivate_module", S::kTenant, C::kPlan, "Deactivate a module", kCmd},
    Route{"PUT", "/v1/tenants/{tenant}/plan", "change_plan", S::kTenant, C::kPlan, "Change plan (upgrade now, downgrade at period end)", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/subscription/renewal", "renew_subscription", S::kTenant, C::kPlan, "Renew the subscription", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/subscription/cancellation", "cancel_subscription", S::kTenant, C::kPlan, "Cancel the subscription at period end", kCmd},
    Route{"PUT", "/v1/tenants/{tenant}/template", "upgrade_template", S::kTenant, C::kPlan, "Move to a compatible template version", kCmd},
    Route{"PUT", "/v1/tenants/{tenant}/plan-changes-block", "set_plan_changes_blocked", S::kTenant, C::kBilling, "Block or unblock plan changes", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/usage", "record_usage", S::kTenant, C::kBilling,
          "Record client-reported usage (API calls; orders are metered as they are placed)", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/tickets", "open_ticket", S::kTenant, C::kOperations, "Open a support ticket", kCmd},
    Route{"GET", "/v1/tenants/{tenant}/tickets", "list_tickets", S::kTenant, C::kRead,
          "The tenant's support tickets with their age (filter by status, severity, priority, assignee; paginated)", kQuery},
    Route{"GET", "/v1/tenants/{tenant}/exceptions", "list_exceptions", S::kTenant, C::kRead,
          "The tenant's routed exceptions: integration failures, latency breaches, support SLA breaches (filter by status, role, kind, integration; paginated)", kQuery},
    Route{"POST", "/v1/tenants/{tenant}/tickets/{ticket}/resolution", "resolve_ticket", S::kTenant, C::kLifecycle, "Resolve a support ticket", kCmd},
    Route{"GET", "/v1/tenants/{tenant}/tickets/{ticket}", "get_ticket", S::kTenant, C::kRead,
          "One support ticket: priority, due times, assignee, status, breaches, history and comments", kQuery},
    Route{"POST", "/v1/tenants/{tenant}/tickets/{ticket}/assignment", "assign_ticket", S::kTenant, C::kOperations,
          "Assign a support ticket to someone", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/tickets/{ticket}/comments", "comment_on_ticket", S::kTenant, C::kOperations,
          "Comment on a support ticket (the first public agent comment is its first response)", kCmd},
    Route{"PUT", "/v1/tenants/{tenant}/tickets/{ticket}/status", "set_ticket_status", S::kTenant, C::kOperations,
          "Set a support ticket's working status (waiting on the customer stops the resolution clock)", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/extensions", "install_extension", S::kTenant, C::kPlan,
          "Install an approved extension version (or move to another): its configuration checked, a key made for it", kCmd},
    Route{"GET", "/v1/tenants/{tenant}/extensions", "list_installed_extensions", S::kTenant, C::kRead,
          "The extensions the tenant installed, with their versions, keys and configuration", kQuery},
    Route{"DELETE", "/v1/tenants/{tenant}/extensions/{extension}", "uninstall_extension", S::kTenant, C::kLifecycle,
          "Uninstall an extension (its key is revoked)", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/integration-events", "record_integration_event", S::kTenant, C::kOperations,
          "Report an integration failure, recovery or sync latency", kCmd},
    // -- catalog --
    Route{"GET", "/v1/tenants/{tenant}/catalog", "get_catalog", S::kTenant, C::kRead, "The tenant's item master and suppliers", kQuery},
    Route{"POST", "/v1/tenants/{tenant}/catalog/suppliers", "register_suppliers", S::kTenant, C::kOperations, "Register suppliers", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/catalog/imports", "import_items", S::kTenant, C::kOperations, "Import catalog items", kCmd},
    Route{"GET", "/v1/tenants/{tenant}/customers/{customer}/contract-prices", "get_contract_prices", S::kTenant, C::kRead,
          "A customer's contract prices (an empty list when it has none)", kQuery},
    Route{"PUT", "/v1/tenants/{tenant}/customers/{customer}/contract-prices", "set_contract_prices", S::kTenant,
          C::kOperations, "Replace a customer's contract prices (an empty list clears them)", kCmd},
    // -- warehouses --
    Route{"POST", "/v1/tenants/{tenant}/warehouses", "create_warehouse", S::kTenant, C::kOperations, "Create a warehouse", kCmd},
    Route{"GET", "/v1/tenants/{tenant}/warehouses", "list_warehouses", S::kTenant, C::kRead,
          "The tenant's warehouses (paginated)", kQuery},
    Route{"GET", "/v1/tenants/{tenant}/inventory", "list_inventory", S::kTenant, C::kRead,
          "Stock per SKU across the tenant's warehouses (filter by SKU, warehouse, below minimum; paginated)", kQuery},
    Route{"GET", "/v1/tenants/{tenant}/warehouses/{warehouse}", "get_warehouse", S::kTenant, C::kRead, "A warehouse's stock", kQuery},
    Route{"GET", "/v1/tenants/{tenant}/warehouses/{warehouse}/expired-lots", "get_expired_lots", S::kTenant, C::kRead,
          "Lots on hand whose expiry has passed (never shipped; scrap them by adjustment)", kQuery},
    Route{"POST", "/v1/tenants/{tenant}/warehouses/{warehouse}/receipts", "receive_stock", S::kTenant, C::kOperations, "Receive stock", kCmd},
    Route{"GET", "/v1/tenants/{tenant}/warehouses/{warehouse}/receipts/{receipt}", "get_receipt", S::kTenant, C::kRead,
          "A receipt and its landed cost", kQuery},
    Route{"POST", "/v1/tenants/{tenant}/warehouses/{warehouse}/receipts/{receipt}/landed-costs", "allocate_landed_cost",
          S::kTenant, C::kOperations, "Allocate landed cost to a receipt", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/warehouses/{warehouse}/adjustments", "adjust_stock", S::kTenant, C::kOperations, "Adjust stock", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/warehouses/{warehouse}/transfers", "transfer_stock", S::kTenant, C::kOperations,
          "Transfer stock to another warehouse of the tenant", kCmd},
    Route{"PUT", "/v1/tenants/{tenant}/warehouses/{warehouse}/replenishment-rules/{sku}", "set_replenishment_rule",
          S::kTenant, C::kOperations, "Set a SKU's replenishment rule", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/warehouses/{warehouse}/purchase-requests", "request_purchase", S::kTenant,
          C::kOperations, "Raise an inbound purchase request", kCmd},
    // -- orders --
    Route{"POST", "/v1/tenants/{tenant}/orders", "place_order", S::kTenant, C::kOperations, "Place an order", kCmd},
    Route{"GET", "/v1/tenants/{tenant}/orders", "list_orders", S::kTenant, C::kRead,
          "The tenant's orders (filter by status, customer, channel, placement time; paginated)", kQuery},
    Route{"GET", "/v1/tenants/{tenant}/orders/{order}", "get_order", S::kTenant, C::kRead, "An order's current state", kQuery},
    Route{"POST", "/v1/tenants/{tenant}/orders/{order}/approval", "approve_order", S::kTenant, C::kOperations, "Approve an order", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/orders/{order}/rejection", "reject_order", S::kTenant, C::kOperations, "Reject an order", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/orders/{order}/pick", "pick_order", S::kTenant, C::kOperations, "Pick an order", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/orders/{order}/shipments", "ship_order", S::kTenant, C::kOperations, "Ship from a warehouse", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/orders/{order}/delivery", "deliver_order", S::kTenant, C::kOperations, "Confirm delivery", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/orders/{order}/invoice", "invoice_order", S::kTenant, C::kOperations, "Invoice an order", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/orders/{order}/cancellation", "cancel_order", S::kTenant, C::kOperations, "Cancel an order", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/orders/{order}/lines/{line}/cancellation", "cancel_order_line", S::kTenant,
          C::kOperations, "Cancel what of a line is not allocated yet (its backorder)", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/orders/{order}/returns", "request_return", S::kTenant, C::kOperations, "Request a return (RMA)", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/orders/{order}/returns/{rma}/authorization", "authorize_return", S::kTenant,
          C::kOperations, "Authorize a return", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/orders/{order}/returns/{rma}/receipt", "receive_return", S::kTenant,
          C::kOperations, "Receive a return into a warehouse", kCmd},
    // -- billing --
    Route{"GET", "/v1/tenants/{tenant}/billing", "get_billing", S::kTenant, C::kRead, "The tenant's invoices and payments", kQuery},
    Route{"GET", "/v1/tenants/{tenant}/invoices", "list_invoices", S::kTenant, C::kRead,
          "The tenant's invoices with lines, payments, credits and balance (filter by status; paginated)", kQuery},
    Route{"POST", "/v1/tenants/{tenant}/invoices/{invoice}/payments", "record_payment", S::kTenant, C::kBilling, "Record a payment", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/invoices/{invoice}/credit-notes", "issue_credit_note", S::kTenant, C::kBilling, "Issue a credit note", kCmd},
    Route{"POST", "/v1/tenants/{tenant}/billing/overdue-assessment", "assess_overdue", S::kTenant, C::kBilling,
          "Assess overdue invoices against the template's dunning steps", kCmd},
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in` into `out`; false on a bad escape, an encoded NUL or an encoded '/'.
bool Decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      char d = static_cast<char>(hi * 16 + lo);
      if (d == '\0' || d == '/') return false;  // no NULs, no hidden separators
      out += d;
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// A route's pattern split once: segments, and which of them are {parameters}.
struct Compiled {
  std::vector<std::string_view> segments;
  std::vector<bool> parameter;
};

// `params` null: only whether it matches (no allocation unless a parameter holds an escape).
bool MatchPattern(const Compiled& pattern, const std::vector<std::string_view>& parts,
                  std::map<std::string, std::string>* params) {
  if (pattern.segments.size() != parts.size()) return false;
  std::string value;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string_view seg = pattern.segments[i];
    if (pattern.parameter[i]) {
      if (parts[i].empty()) return false;
      if (params == nullptr && parts[i].find('%') == std::string_view::npos) continue;
      if (!Decode(parts[i], value) || value.empty()) return false;
      if (params) (*params)[std::string(seg.substr(1, seg.size() - 2))] = std::move(value);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

std::map<std::string, std::string> ParseQuery(std::string_view q, std::string& malformed) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    auto amp = q.find('&');
    auto pair = q.substr(0, amp);
    auto eq = pair.find('=');
    std::string k, v;
    const bool key_ok = Decode(pair.substr(0, eq), k);
    if (key_ok && (eq == std::string_view::npos || Decode(pair.substr(eq + 1), v)) && !k.empty())
      out[k] = v;
    else if (malformed.empty() && !pair.empty())
      malformed = key_ok && !k.empty() ? k : "query";
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace

std::string_view CategoryName(Category c) {
  switch (c) {
    case C::kPublic: return "public";
    case C::kRead: return "read";
    case C::kPlatformAdmin: return "platform_admin";
    case C::kPartnerAdmin: return "partner_admin";
    case C::kLifecycle: return "lifecycle";
    case C::kPlan: return "plan";
    case C::kBilling: return "billing";
    case C::kOperations: return "operations";
    case C::kKeys: return "keys";
  }
  return "unknown";
}

std::span<const Route> Routes() { return kRoutes; }

domain::lifecycle::Activity RouteActivity(const Route& route) {
  using A = domain::lifecycle::Activity;
  if (!route.command) return A::kRead;
  static const std::map<std::string_view, A> kNotOperations{
      {"start_onboarding", A::kSetUp},
      {"complete_milestone", A::kSetUp},
      {"go_live", A::kSetUp},
      {"suspend_tenant", A::kSuspend},
      {"reinstate_tenant", A::kReinstate},
      {"terminate_tenant", A::kTerminate},
      {"activate_module", A::kAccount},
      {"deactivate_module", A::kAccount},
      {"change_plan", A::kAccount},
      {"renew_subscription", A::kAccount},
      {"cancel_subscription", A::kAccount},
      {"upgrade_template", A::kAccount},
      {"set_plan_changes_blocked", A::kBillingCycle},
      {"assess_overdue", A::kBillingCycle},
      {"open_ticket", A::kSupport},
      {"resolve_ticket", A::kSupport},
      {"assign_ticket", A::kSupport},
      {"comment_on_ticket", A::kSupport},
      {"set_ticket_status", A::kSupport},
      {"record_payment", A::kPay},
      {"issue_credit_note", A::kPay},
      {"install_extension", A::kAccount},
      {"uninstall_extension", A::kRevokeAccess},
  };
  auto it = kNotOperations.find(route.id);
  return it == kNotOperations.end() ? A::kOperate : it->second;
}

namespace {
constexpr std::array<std::string_view, 7> kReadScopes{"tenant:read",  "support:read", "catalog:read", "inventory:read",
                                                      "orders:read",  "billing:read", "extensions:read"};
}  // namespace

std::span<const std::string_view> ReadScopes() { return kReadScopes; }

std::string_view ReadScopeOf(const Route& route) {
  if (route.command || route.scope != Scope::kTenant) return {};
  constexpr std::string_view kPrefix = "/v1/tenants/{tenant}";
  if (!route.pattern.starts_with(kPrefix)) return {};
  std::string_view rest = route.pattern.substr(kPrefix.size());
  if (rest.empty()) return "tenant:read";
  rest.remove_prefix(1);
  const std::string_view segment = rest.substr(0, rest.find('/'));
  static const std::map<std::string_view, std::string_view> kBySegment{
      {"entitlements", "tenant:read"},   {"tickets", "support:read"},      {"exceptions", "support:read"},
      {"catalog", "catalog:read"},       {"customers", "catalog:read"},    {"warehouses", "inventory:read"},
      {"inventory", "inventory:read"},   {"orders", "orders:read"},        {"billing", "billing:read"},
      {"invoices", "billing:read"},      {"extensions", "extensions:read"},
  };
  auto it = kBySegment.find(segment);
  return it == kBySegment.end() ? std::string_view{} : it->second;
}

std::expected<RouteMatch, RouteError> Match(std::string_view method, std::string_view target) {
  auto qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  if (path.empty() || path.front() != '/') return std::unexpected(RouteError{404, {}});
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  auto parts = Split(path);
  static const std::vector<Compiled> compiled = [] {
    std::vector<Compiled> out;
    for (const auto& r : kRoutes) {
      Compiled c;
      c.segments = Split(r.pattern);
      for (auto seg : c.segments) c.parameter.push_back(seg.size() > 2 && seg.front() == '{');
      out.push_back(std::move(c));
    }
    return out;
  }();
  RouteError err{404, {}};
  for (std::size_t i = 0; i < kRoutes.size(); ++i) {
    const auto& r = kRoutes[i];
    const auto& pattern = compiled[i];
    if (!MatchPattern(pattern, parts, nullptr)) continue;
    if (r.method != method) {
      err.status = 405;
      err.allow.emplace_back(r.method);
      continue;
    }
    RouteMatch m;
    m.route = &r;
    MatchPattern(pattern, parts, &m.params);
    if (qpos != std::string_view::npos) m.query = ParseQuery(target.substr(qpos + 1), m.malformed_query);
    return m;
  }
  return std::unexpected(std::move(err));
}

}  // namespace keel::gateway
