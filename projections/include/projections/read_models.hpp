// The read models the gateway's list routes query, each a projection (projection.hpp) with its key
// layout. Rows are JSON objects; index keys hold nothing, their key ends with the row's id.
//  - "partners": "p/<partner>" -> {id, name, display_name, level, certified, suspended, partner_bps,
//    updated_at}.
//  - "warehouses": "w/<tenant>/<warehouse>" -> {id, name, currency, lot_tracking, landed_cost,
//    created_at} (from WarehouseCreated alone).
//  - "tenants": "p/<partner>/<tenant>" -> {id, reference, partner, name, template_id, template_version,
//    plan, status, modules, warehouses, open_tickets, period_orders, updated_at};
//    "i/status/<partner>/<status>/<tenant>" index.
//  - "orders": "o/<tenant>/<order>" -> {id, customer, channel, status, currency, total, lines, units,
//    backordered, placed_by, placed_at, updated_at}; indexes "i/status/<tenant>/<status>/<order>",
//    "i/customer/<tenant>/<customer>/<order>", "i/placed/<tenant>/<placed_at, 20 digits>/<order>".
//  - "inventory": "v/<tenant>/<sku>" -> {sku, on_hand, reserved, available, below_min, warehouses:
//    [{warehouse, currency, on_hand, reserved, available, value, lot_tracked, lots: [{lot, expiry, qty}],
//    min, max, below_min}], updated_at}; indexes "i/warehouse/<tenant>/<warehouse>/<sku>",
//    "i/below_min/<tenant>/<sku>"; kept per warehouse and SKU: "s/<stream>/<sku>" (inventory.cpp).
//  - "billing": "inv/<tenant>/<invoice>" -> {id, tenant, currency, period_start, period_end, lines,
//    total, paid, credited, balance, status (open, overdue, settled), due_at, issued_at, partner_share,
//    platform_share, updated_at}; index "i/status/<tenant>/<status>/<invoice>"; the partner's
//    statement: "st/<partner>/<YYYY-MM>/<tenant>" -> {tenant, currency, invoices, billed,
//    partner_share, platform_share, paid, credited} and "sum/<partner>/<YYYY-MM>" -> {<currency>:
//    {tenants, invoices, billed, partner_share, platform_share, paid, credited}} (billing_models.cpp).
//  - "inbox": "x/<tenant>/<position, 20 digits>" -> {id, kind (failure, latency_breach, sla_breach),
//    integration or ticket, detail, routed_to, status (open, resolved), raised_at, resolved_at,
//    position}, index "i/open/<tenant>/<id>"; tickets "k/<tenant>/<ticket>" -> {id, subject, severity,
//    priority, risk_band, status, assignee, opened_at, first_response_due, responded_at,
//    resolution_due, resolved_at, breaches, comments, history}, index "i/ticket_open/<tenant>/<ticket>";
//    comments "c/<tenant>/<ticket>/<position, 20 digits>" -> {comment, author, from, body, internal, at}
//    (inbox.cpp).
//  - "support": support load per partner and tier, SLA attainment per partner (support_analytics.cpp).
//  - "commands": "a/<position of its first event, 20 digits>" -> {at, result: accepted, principal,
//    route, cause, tenant, partner, target, request_id, position, events: [{type, stream, position}]};
//    indexes "i/tenant/<tenant>/<position>", "i/partner/...", "i/principal/..." (command_log.cpp).
//  - "rollouts": "r/<template>/<version, 10 digits>" -> a template rollout's progress by wave
//    (RolloutProgress below; rollout_progress.cpp).
// Every model also keeps the entities' states it folds ("s/<stream>") and its parked events
// ("!parked/...", runner.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/rollout.hpp"
#include "projections/projection.hpp"

namespace keel::projections {

std::shared_ptr<const Projection> PartnerDirectory();
std::shared_ptr<const Projection> TenantDirectory();
std::shared_ptr<const Projection> WarehouseDirectory();
std::shared_ptr<const Projection> OrderList();
std::shared_ptr<const Projection> InventoryAvailability();
std::shared_ptr<const Projection> BillingLedger();
std::shared_ptr<const Projection> ExceptionInbox();
std::shared_ptr<const Projection> CommandLog();
std::shared_ptr<const Projection> RolloutProgressModel();
std::shared_ptr<const Projection> SupportModel();
// Every read model the node runs.
std::vector<std::shared_ptr<const Projection>> ReadModels();

// A rollout's progress as the API answers it: {id, template_id, version, status, soak_ms, current_wave,
// started_at, started_by, finished_at, last_failure_at, paused_by, pause_reason, rolled_back_by,
// rollback_reason, totals: {tenants, pending, upgraded, skipped, failed, rolled_back, rollback_failed},
// waves: [{index, name, percent, status (waiting, moving, soaking, passed, stopped), started_at,
// passed_at, passable_at, counts, tenants: [{tenant, partner, from_version, status, reason, at}]}],
// failures: [{tenant, wave, signal, at}], updated_at}; and its row key.
nlohmann::json RolloutProgress(const domain::rollout::Rollout& rollout, std::int64_t updated_at);
std::string RolloutRowKey(const std::string& template_id, int version);

// An inventory row (model "inventory") as the API answers it at `now_ms`: each warehouse's available
// as the domain plans with it (unexpired lots less reserved, never below 0), every lot marked expired
// or not, the lots expiring within `horizon_ms` (expired ones included) listed apart, the totals
// summed; with `only_warehouse`, that warehouse's entry alone and its totals.
nlohmann::json InventoryItemAt(const nlohmann::json& row, std::int64_t now_ms, std::int64_t horizon_ms,
                               const std::string& only_warehouse);

// "YYYY-MM" of a Unix epoch milliseconds time (UTC): a statement's period.
std::string Month(std::int64_t epoch_ms);

// 20-digit zero-padded decimal: index keys that sort as numbers do.
std::string Padded(std::int64_t n);

}  // namespace keel::projections
