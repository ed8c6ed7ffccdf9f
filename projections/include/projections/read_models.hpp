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
// Every model also keeps the entities' states it folds ("s/<stream>") and its parked events
// ("!parked/...", runner.hpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "projections/projection.hpp"

namespace keel::projections {

std::shared_ptr<const Projection> PartnerDirectory();
std::shared_ptr<const Projection> TenantDirectory();
std::shared_ptr<const Projection> WarehouseDirectory();
std::shared_ptr<const Projection> OrderList();
// Every read model the node runs.
std::vector<std::shared_ptr<const Projection>> ReadModels();

// 20-digit zero-padded decimal: index keys that sort as numbers do.
std::string Padded(std::int64_t n);

}  // namespace keel::projections
