// Handlers of the order routes: placing (priced from the customer's contract prices in the order's
// currency, else the partner's price list; categories and contracts from the tenant's catalog, the
// approval threshold from its workflow rules; a given unit_price checked against advanced_pricing
// and the rules' price_override_roles; the plan's hard monthly cap; the caller's key recorded for
// segregation of duties; tenant, partner and catalog from the reference data, reference_data.hpp),
// approval and rejection (the caller is the approver; permitted roles and segregation from the
// rules), pick, ship, deliver, invoice, cancel, cancelling a line's unallocated remainder, returns
// (window and auto-authorization from the rules; a restocking receipt is appended together with the
// warehouse's restock), and reading an order. Refunds are not a client command: the returns process
// manager refunds every received return.
#include <charconv>
#include <type_traits>

#include "actors/process_managers.hpp"
#include "call.hpp"
#include "domain_json.hpp"

namespace keel::gateway {
namespace {
namespace o = domain::order;

actors::EntityKey Order(const Call& c) { return actors::OrderKey(c.Param("tenant"), c.Param("order")); }

// The tenant's workflow rules (from its pinned template).
std::expected<domain::WorkflowRules, Response> Rules(Call& c) {
  auto tenant = TenantOf(c);
  if (!tenant) return std::unexpected(tenant.error());
  auto segment = TemplateOf(**tenant);
  if (!segment) return std::unexpected(segment.error());
  return (*segment)->workflow;
}

// The role a caller acts in for workflow rules: its key's workflow role (e.g. "finance"), else its API role.
std::string ActingRole(const Call& c) {
  return c.who.workflow_role.empty() ? std::string(RoleName(c.who.role)) : c.who.workflow_role;
}

Response Place(Call& c) {
  auto cmd = ParseBody<o::PlaceOrder>(c);
  if (!cmd) return cmd.error();
  const std::string tenant = c.Param("tenant");
  if (auto bad = BadId(actors::OrderKey(tenant, cmd->id), "id")) return *bad;
  // Reference data from memory while it is current (reference_data.hpp): no actor round trip.
  auto facts = TenantOf(c);
  if (!facts) return facts.error();
  const domain::tenant::State& st = (*facts)->state;
  auto segment = TemplateOf(**facts);
  if (!segment) return segment.error();
  auto partner = PartnerOf(c, st.partner);
  if (!partner) return partner.error();
  auto catalog = CatalogOf(c);
  if (!catalog) return catalog.error();
  cmd->price_list = partner->As<domain::partner::State>().prices;  // an unknown partner: no list
  const auto& cat = catalog->As<domain::catalog::State>();
  for (const auto& line : cmd->lines) {
    if (auto it = cat.items.find(line.sku); it != cat.items.end()) cmd->catalog[line.sku] = o::CatalogItem{it->second.category};
  }
  cmd->contracts = domain::catalog::ContractPricesFor(cat, cmd->customer, cmd->currency);
  cmd->tenant = tenant;
  cmd->approval_threshold = (*segment)->workflow.approval_threshold;
  cmd->at = c.now;
  cmd->placed_by = c.who.Name();
  cmd->overrides.entitled = st.modules.contains(domain::Module::kAdvancedPricing);
  cmd->overrides.role = ActingRole(c);
  cmd->overrides.permitted_roles = (*segment)->workflow.price_override_roles;
  cmd->overrides.permitted_roles.push_back("platform_owner");
  // Counted as orders are metered (the fulfilment process, moments after each placement).
  if (const auto* plan = (*facts)->plan; plan != nullptr && plan->order_hard_cap) {
    cmd->order_cap = st.limits.monthly_orders;
    cmd->period_orders = st.period_orders;
  }
  auto key = actors::OrderKey(tenant, cmd->id);
  return Run(c, key, o::Command(std::move(*cmd)), 201);
}

Response Get(Call& c) {
  if (auto past = AsOfState(c, Order(c))) return *past;
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
  cmd->role = ActingRole(c);
  cmd->permitted_roles = rules->approver_roles;
  cmd->permitted_roles.push_back("platform_owner");
  cmd->at = c.now;
  if constexpr (std::is_same_v<T, o::ApproveOrder>) cmd->segregate = rules->segregate_approval;
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


// A restocked return is received together with the warehouse's restock, in one atomic append
// (actors::ReceiveReturn): the refund follows only a receipt that happened, and a restock goes only
// into a warehouse of the tenant that exists.
Response ReceiveReturn(Call& c) {
  if (auto in = FromPath(c, "rma", "rma"); !in) return in.error();
  auto body = ParseBody<json::ReceiveReturnBody>(c);
  if (!body) return body.error();
  if (body->disposition == o::Disposition::kRestock && body->warehouse.empty())
    return BadField({"warehouse", "restocking names the warehouse that takes the goods back"});
  for (std::size_t i = 0; i < body->lots.size(); ++i) {
    if (body->lots[i].lot.empty()) return BadField({"lots[" + std::to_string(i) + "].lot", "names a lot"});
  }
  o::ReceiveReturn receipt{body->rma, body->disposition, body->warehouse, c.now};
  auto reply = actors::ReceiveReturn(*c.client, c.Param("tenant"), c.Param("order"), receipt, body->lots, c.meta);
  c.ctx.metrics.Command("receive_return", reply.has_value());
  if (!reply) return FailureResponse(reply.error());
  Response r = JsonResponse(200, OutcomeJson(Order(c), reply->at(0)));
  r.headers.emplace_back("ETag", "\"" + std::to_string(reply->at(0).version) + "\"");
  return r;
}

// POST .../orders/{order}/lines/{line}/cancellation {"reason"}: the line's unallocated remainder.
std::expected<Prepared, Response> BuildCancelLine(Call& c) {
  const std::string& text = c.Param("line");
  std::uint32_t line = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), line);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || line == 0) {
    return std::unexpected(BadField({"line", "expected a line number, got '" + text + "'"}));
  }
  auto cmd = ParseBody<o::CancelLineRemainder>(c);
  if (!cmd) return std::unexpected(cmd.error());
  cmd->line = line;
  cmd->at = c.now;
  return Prepared{Order(c), o::Command(std::move(*cmd)), 200};
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
  Both(t, a, "cancel_order_line", RunBuilt<BuildCancelLine>, BuildCancelLine);
  t["request_return"] = RequestReturn;
  t["authorize_return"] = AuthorizeReturn;
  t["receive_return"] = ReceiveReturn;
}

}  // namespace keel::gateway
