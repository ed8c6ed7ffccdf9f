// Handlers of the order routes: placing (priced from the partner's price list, categories from the
// tenant's catalog, the approval threshold from its workflow rules), approval and rejection (the
// caller is the approver; permitted roles from the rules), pick, ship, deliver, invoice, cancel,
// returns (window and auto-authorization from the rules), and reading an order. Refunds are not a
// client command: the returns process manager refunds every received return.
#include "call.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {
namespace o = domain::order;

actors::EntityKey Order(const Call& c) { return actors::OrderKey(c.Param("tenant"), c.Param("order")); }

// The tenant's workflow rules (from its pinned template).
std::expected<domain::WorkflowRules, Response> Rules(Call& c) {
  auto st = LoadState<domain::tenant::State>(c, actors::TenantKey(c.Param("tenant")));
  if (!st) return std::unexpected(st.error());
  const auto* segment = TemplateOf(c.ctx, *st);
  if (segment == nullptr)
    return std::unexpected(Problem(503, "configuration_missing", "Configuration missing",
                                   "the tenant's template is not in this server's configuration"));
  return segment->workflow;
}

Response Place(Call& c) {
  auto cmd = ParseBody<o::PlaceOrder>(c);
  if (!cmd) return cmd.error();
  if (cmd->id.empty() || cmd->id.find('/') != std::string::npos) return BadField({"id", "an order id is non-empty and has no '/'"});
  const std::string tenant = c.Param("tenant");
  auto st = LoadState<domain::tenant::State>(c, actors::TenantKey(tenant));
  if (!st) return st.error();
  const auto* segment = TemplateOf(c.ctx, *st);
  if (segment == nullptr)
    return Problem(503, "configuration_missing", "Configuration missing", "the tenant's template is not configured here");
  auto partner = c.client->Get(actors::PartnerKey(st->partner));
  if (partner && partner->version > 0) cmd->price_list = partner->As<domain::partner::State>().prices;
  auto catalog = c.client->Get(actors::CatalogKey(tenant));
  if (catalog) {
    const auto& items = catalog->As<domain::catalog::State>().items;
    for (const auto& line : cmd->lines) {
      if (auto it = items.find(line.sku); it != items.end()) cmd->catalog[line.sku] = o::CatalogItem{it->second.category};
    }
  }
  cmd->tenant = tenant;
  cmd->approval_threshold = segment->workflow.approval_threshold;
  cmd->at = c.now;
  auto key = actors::OrderKey(tenant, cmd->id);
  return Run(c, key, o::Command(std::move(*cmd)), 201);
}

Response Get(Call& c) {
  auto snap = Load(c, Order(c));
  if (!snap) return snap.error();
  return StateResponse(Order(c), *snap);
}

template <class T>
Response Decision(Call& c) {
  auto cmd = ParseBody<T>(c);
  if (!cmd) return cmd.error();
  auto rules = Rules(c);
  if (!rules) return rules.error();
  cmd->by = c.who.Name();
  // The caller acts as its key's workflow role (e.g. "finance"); the platform owner may always decide.
  cmd->role = c.who.workflow_role.empty() ? std::string(RoleName(c.who.role)) : c.who.workflow_role;
  cmd->permitted_roles = rules->approver_roles;
  cmd->permitted_roles.push_back("platform_owner");
  cmd->at = c.now;
  return Run(c, Order(c), o::Command(std::move(*cmd)));
}

Response RequestReturn(Call& c) {
  auto cmd = ParseBody<o::RequestReturn>(c);
  if (!cmd) return cmd.error();
  auto rules = Rules(c);
  if (!rules) return rules.error();
  cmd->return_window_days = rules->return_window_days;
  cmd->auto_authorize_days = rules->auto_authorize_days;
  cmd->at = c.now;
  return Run(c, Order(c), o::Command(std::move(*cmd)));
}

Response AuthorizeReturn(Call& c) {
  if (auto in = FromPath(c, "rma", "rma"); !in) return in.error();
  auto cmd = ParseBody<o::AuthorizeReturn>(c);
  if (!cmd) return cmd.error();
  cmd->by = c.who.Name();
  cmd->at = c.now;
  return Run(c, Order(c), o::Command(std::move(*cmd)));
}

std::expected<Prepared, Response> BuildReceiveReturn(Call& c) {
  if (auto in = FromPath(c, "rma", "rma"); !in) return std::unexpected(in.error());
  return BuildCommand<o::Command, o::ReceiveReturn, Order>(c);
}

template <class T>
void Plain(HandlerTable& h, AsyncTable& a, std::string_view id) {
  Simple<o::Command, T, Order>(h, a, id);
}

}  // namespace

void AddOrderHandlers(HandlerTable& t, AsyncTable& a) {
  t["place_order"] = Place;
  t["get_order"] = Get;
  a["get_order"].read = Order;
  t["approve_order"] = Decision<o::ApproveOrder>;
  t["reject_order"] = Decision<o::RejectOrder>;
  Plain<o::PickOrder>(t, a, "pick_order");
  Plain<o::ShipOrder>(t, a, "ship_order");
  Plain<o::DeliverOrder>(t, a, "deliver_order");
  Plain<o::InvoiceOrder>(t, a, "invoice_order");
  Plain<o::CancelOrder>(t, a, "cancel_order");
  t["request_return"] = RequestReturn;
  t["authorize_return"] = AuthorizeReturn;
  Both(t, a, "receive_return", RunBuilt<BuildReceiveReturn>, BuildReceiveReturn);
}

}  // namespace keel::gateway
