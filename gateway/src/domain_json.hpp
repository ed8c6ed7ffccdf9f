// JSON descriptors of the domain's commands, events, states and enums (json_fields.hpp), plus the
// request bodies of the commands whose client input is not a member of the command (a template id,
// a plan id, a template version). Command descriptors name only what a client supplies: never `at`
// (the server's clock) nor anything the server resolves from other aggregates or configuration, so a
// body that tries to set such a field is refused as an unknown field. Events and states describe
// every field, all optional. Enum names are the domain's snake_case names. No Beast, no CAF.
#pragma once

#include "json/bodies.hpp"
#include "json/billing.hpp"
#include "json/catalog.hpp"
#include "json/enums.hpp"
#include "json/extension.hpp"
#include "json/order.hpp"
#include "json/partner.hpp"
#include "json/rollout.hpp"
#include "json/tenant.hpp"
#include "json/values.hpp"
#include "json/warehouse.hpp"
