// How a ticket row of the inbox read model is shown to a key bound to the tenant (the customer's
// side): the agents' internal notes left out of its history and its comment count. Shared by the
// ticket list (handlers_inbox.cpp) and the ticket route (handlers_tickets.cpp).
#pragma once

#include <nlohmann/json.hpp>

namespace keel::gateway {

inline void CustomerView(nlohmann::json& row) {
  if (row.contains("history") && row["history"].is_array()) {
    nlohmann::json kept = nlohmann::json::array();
    for (auto& entry : row["history"])
      if (!(entry.is_object() && entry.value("internal", false))) kept.push_back(std::move(entry));
    row["history"] = std::move(kept);
  }
  if (row.contains("public_comments") && row["public_comments"].is_number_integer()) row["comments"] = row["public_comments"];
  row.erase("public_comments");
}

}  // namespace keel::gateway
