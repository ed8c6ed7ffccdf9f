// What each route takes and answers, generated from the JSON descriptors (json_schema.hpp) and put
// into the OpenAPI document by SyncOpenApi (gateway/openapi_schema.hpp): the request body of every
// command route, the events a command's reply carries, the state a read answers. A pure test keeps
// the document equal to its synced self, so the document's types are the code's.
#include "gateway/openapi_schema.hpp"

#include <string_view>
#include <vector>

#include "actors/entity.hpp"
#include "codec/codec.hpp"
#include "domain_json.hpp"
#include "json_schema.hpp"

namespace keel::gateway {
namespace {
namespace p = domain::partner;
namespace t = domain::tenant;
namespace cat = domain::catalog;
namespace w = domain::warehouse;
namespace o = domain::order;
namespace b = domain::billing;
namespace ext = domain::extension;
using json::Schema;
using Doc = nlohmann::ordered_json;

struct RouteSchema {
  std::string_view operation;  // the route's id: its operationId
  Schema (*body)() = nullptr;    // its request body (null: it takes none)
  std::string_view reply;      // the component of its 2xx answer ("": written by hand in the document)
  std::vector<std::string_view> from_path = {};  // body fields the path supplies (the body may repeat them)
};

template <class T>
Schema Body() {
  return json::SchemaOf<T>(json::Direction::kInput);
}
// A body with a JSON object the handler takes out before the descriptors read the rest.
Schema SubmitExtension() {
  Schema s = Body<json::SubmitExtensionBody>();
  s["properties"]["config_schema"] = {
      {"type", "object"},
      {"description", "The JSON Schema (a subset: type, properties, required, additionalProperties, items, "
                      "minItems, maxItems, minLength, maxLength, minimum, maximum, enum, format uri|email, "
                      "title, description, default) that an installation's configuration must satisfy; the "
                      "root is type object"}};
  s["required"].push_back("config_schema");
  return s;
}
Schema InstallExtension() {
  Schema s = Body<json::InstallExtensionBody>();
  s["properties"]["config"] = {{"type", "object"},
                               {"description", "The configuration, checked against the version's config_schema ({} when left out)"}};
  return s;
}

const std::vector<RouteSchema>& Routes() {
  static const std::vector<RouteSchema> k{
      // partner
      {"register_partner", Body<p::RegisterPartner>, "PartnerCommandReply"},
      {"get_partner", nullptr, "PartnerRead"},
      {"update_branding", Body<p::UpdateBranding>, "PartnerCommandReply"},
      {"set_price_list", Body<p::SetPriceList>, "PartnerCommandReply"},
      {"set_revenue_share", Body<p::SetRevenueShare>, "PartnerCommandReply"},
      {"set_partner_level", Body<p::SetPartnerLevel>, "PartnerCommandReply"},
      {"certify_partner", nullptr, "PartnerCommandReply"},
      {"suspend_partner", Body<p::SuspendPartner>, "PartnerCommandReply"},
      {"reinstate_partner", Body<p::ReinstatePartner>, "PartnerCommandReply"},
      {"provision_tenant", Body<json::ProvisionTenantBody>, "TenantCommandReply"},
      // tenant
      {"get_tenant", nullptr, "TenantRead"},
      {"start_onboarding", Body<t::StartOnboarding>, "TenantCommandReply"},
      {"complete_milestone", Body<t::CompleteMilestone>, "TenantCommandReply", {"milestone"}},
      {"go_live", Body<t::GoLive>, "TenantCommandReply"},
      {"suspend_tenant", Body<t::SuspendTenant>, "TenantCommandReply"},
      {"reinstate_tenant", Body<t::ReinstateTenant>, "TenantCommandReply"},
      {"terminate_tenant", Body<t::TerminateTenant>, "TenantCommandReply"},
      {"activate_module", Body<t::ActivateModule>, "TenantCommandReply"},
      {"deactivate_module", Body<t::DeactivateModule>, "TenantCommandReply", {"module"}},
      {"change_plan", Body<json::ChangePlanBody>, "TenantCommandReply"},
      {"renew_subscription", Body<t::RenewSubscription>, "TenantCommandReply"},
      {"cancel_subscription", Body<t::CancelSubscription>, "TenantCommandReply"},
      {"upgrade_template", Body<json::UpgradeTemplateBody>, "TenantCommandReply"},
      {"set_plan_changes_blocked", Body<t::SetPlanChangesBlocked>, "TenantCommandReply"},
      {"record_usage", Body<t::RecordUsage>, "TenantCommandReply"},
      {"open_ticket", Body<t::OpenTicket>, "TenantCommandReply"},
      {"resolve_ticket", Body<t::ResolveTicket>, "TenantCommandReply", {"ticket"}},
      {"assign_ticket", Body<t::AssignTicket>, "TenantCommandReply", {"ticket"}},
      {"comment_on_ticket", Body<t::CommentOnTicket>, "TenantCommandReply", {"ticket"}},
      {"set_ticket_status", Body<t::SetTicketStatus>, "TenantCommandReply", {"ticket"}},
      {"record_integration_event", Body<json::IntegrationEventBody>, "TenantCommandReply"},
      // catalog
      {"get_catalog", nullptr, "CatalogRead"},
      {"register_suppliers", Body<cat::RegisterSuppliers>, "CatalogCommandReply"},
      {"import_items", Body<cat::ImportItems>, "CatalogCommandReply"},
      {"set_contract_prices", Body<json::ContractPricesBody>, "CatalogCommandReply"},
      // warehouse
      {"create_warehouse", Body<w::CreateWarehouse>, "WarehouseCommandReply"},
      {"get_warehouse", nullptr, "WarehouseRead"},
      {"receive_stock", Body<w::ReceiveStock>, "WarehouseCommandReply"},
      {"allocate_landed_cost", Body<w::AllocateLandedCost>, "WarehouseCommandReply", {"receipt_id"}},
      {"adjust_stock", Body<w::AdjustStock>, "WarehouseCommandReply"},
      {"transfer_stock", Body<w::TransferOut>, "TransferReply"},
      {"set_replenishment_rule", Body<w::SetReplenishmentRule>, "WarehouseCommandReply", {"sku"}},
      {"request_purchase", Body<w::RequestPurchase>, "WarehouseCommandReply"},
      // order
      {"place_order", Body<o::PlaceOrder>, "OrderCommandReply"},
      {"get_order", nullptr, "OrderRead"},
      {"approve_order", Body<o::ApproveOrder>, "OrderCommandReply"},
      {"reject_order", Body<o::RejectOrder>, "OrderCommandReply"},
      {"pick_order", Body<o::PickOrder>, "OrderCommandReply"},
      {"ship_order", Body<o::ShipOrder>, "OrderCommandReply"},
      {"deliver_order", Body<o::DeliverOrder>, "OrderCommandReply"},
      {"invoice_order", Body<o::InvoiceOrder>, "OrderCommandReply"},
      {"cancel_order", Body<o::CancelOrder>, "OrderCommandReply"},
      {"cancel_order_line", Body<o::CancelLineRemainder>, "OrderCommandReply"},
      {"request_return", Body<o::RequestReturn>, "OrderCommandReply"},
      {"authorize_return", Body<o::AuthorizeReturn>, "OrderCommandReply", {"rma"}},
      {"receive_return", Body<json::ReceiveReturnBody>, "OrderCommandReply", {"rma"}},
      // billing
      {"get_billing", nullptr, "BillingRead"},
      {"record_payment", Body<b::RecordPayment>, "BillingCommandReply", {"invoice_id"}},
      {"issue_credit_note", Body<b::IssueCreditNote>, "BillingCommandReply", {"invoice_id"}},
      {"assess_overdue", Body<b::AssessOverdue>, "BillingCommandReply"},
      // the extension catalog
      {"submit_extension", SubmitExtension, "ExtensionCommandReply"},
      {"get_extension", nullptr, "ExtensionRead"},
      {"start_extension_review", nullptr, "ExtensionCommandReply"},
      {"approve_extension", nullptr, "ExtensionCommandReply"},
      {"reject_extension", Body<json::RejectExtensionBody>, "ExtensionCommandReply"},
      {"withdraw_extension", Body<json::WithdrawExtensionBody>, "ExtensionCommandReply"},
      {"install_extension", InstallExtension, ""},
      {"uninstall_extension", nullptr, "TenantCommandReply"},
      // staged template rollouts
      {"start_rollout", Body<json::StartRolloutBody>, "RolloutCommandReply"},
      {"pause_rollout", Body<json::RolloutReasonBody>, "RolloutCommandReply"},
      {"resume_rollout", nullptr, "RolloutCommandReply"},
      {"roll_back_rollout", Body<json::RolloutReasonBody>, "RolloutCommandReply"},
      // system and admin
      {"list_plans", nullptr, "PlanList"},
      {"list_templates", nullptr, "TemplateList"},
      {"create_key", Body<json::CreateKeyBody>, ""},
      {"rotate_key", Body<json::RotateKeyBody>, ""},
      {"advance_clock", Body<json::AdvanceClockBody>, ""},
      {"backup", Body<json::BackupBody>, ""},
  };
  return k;
}

// Each entity kind's state, events and the two answers built on them.
template <class State, class Event>
void AddKind(Schema& schemas, const std::string& name) {
  schemas[name + "State"] = json::SchemaOf<State>(json::Direction::kOutput);
  schemas[name + "Event"] = json::EventSchema<Event>([](const Event& e) { return codec::TypeName(e); });
  schemas[name + "Read"] = {
      {"type", "object"},
      {"additionalProperties", false},
      {"required", Schema::array({"entity", "version", "state"})},
      {"properties",
       {{"entity", {{"$ref", "#/components/schemas/Entity"}}},
        {"version", {{"type", "integer"}, {"minimum", 0}}},  // 0: a catalog or billing without events yet
        {"state", {{"$ref", "#/components/schemas/" + name + "State"}}},
        {"as_of", {{"$ref", "#/components/schemas/AsOf"}}}}}};  // with ?as_of= only
  schemas[name + "CommandReply"] = {
      {"type", "object"},
      {"additionalProperties", false},
      {"required", Schema::array({"entity", "version", "position", "events"})},
      {"properties",
       {{"entity", {{"$ref", "#/components/schemas/Entity"}}},
        {"version", {{"type", "integer"}, {"minimum", 0}}},
        {"position", {{"type", "integer"}, {"minimum", 0}}},
        {"events", {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/" + name + "Event"}}}}}}}};
}

// A template version as GET /v1/templates lists it: the version, and where its rollouts left it.
Schema TemplateItem() {
  Schema item = json::SchemaOf<domain::SegmentTemplate>(json::Direction::kOutput);
  item["properties"]["release"] = {{"type", "string"},
                                   {"enum", Schema::array({"released", "rolling_out", "rolled_back"})},
                                   {"description", "released: new tenants may get it; rolling_out: under its first rollout, "
                                                   "reached through it only; rolled_back: given to no tenant"}};
  item["properties"]["rollout"] = {{"type", Schema::array({"string", "null"})},
                                   {"description", "the id of the version's latest rollout (GET /v1/rollouts/{rollout}); null: none"}};
  item["required"].push_back("release");
  item["required"].push_back("rollout");
  return item;
}

Schema Generated() {
  Schema schemas = Schema::object();
  AddKind<p::State, p::Event>(schemas, "Partner");
  AddKind<t::State, t::Event>(schemas, "Tenant");
  AddKind<cat::State, cat::Event>(schemas, "Catalog");
  AddKind<w::State, w::Event>(schemas, "Warehouse");
  AddKind<o::State, o::Event>(schemas, "Order");
  AddKind<b::State, b::Event>(schemas, "Billing");
  AddKind<ext::State, ext::Event>(schemas, "Extension");
  AddKind<domain::rollout::State, domain::rollout::Event>(schemas, "Rollout");
  // The revenue split is left out for callers it is not for (json::RedactRevenueSplit).
  for (auto* invoice : {&schemas["BillingState"]["properties"]["invoices"]["additionalProperties"],
                        &schemas["BillingEvent"]["oneOf"][0]["properties"]["data"]})
    for (auto& required = (*invoice)["required"]; const char* name : {"partner_share", "platform_share"})
      required.erase(std::find(required.begin(), required.end(), name));
  // The service catalog's plans and the segment templates, as configured.
  schemas["PlanList"] = {{"type", "object"},
                         {"additionalProperties", false},
                         {"required", Schema::array({"currency", "plans"})},
                         {"properties",
                          {{"currency", {{"type", "string"}}},
                           {"plans", {{"type", "array"}, {"items", json::SchemaOf<domain::Plan>(json::Direction::kOutput)}}}}}};
  schemas["TemplateList"] = {
      {"type", "object"},
      {"additionalProperties", false},
      {"required", Schema::array({"templates"})},
      {"properties",
       {{"templates", {{"type", "array"}, {"items", TemplateItem()}}}}}};
  // A transfer's answer: the source warehouse's reply (out) and the target's (in), one atomic append.
  schemas["TransferReply"] = {
      {"type", "object"},
      {"additionalProperties", false},
      {"required", Schema::array({"out", "in"})},
      {"properties",
       {{"out", {{"$ref", "#/components/schemas/WarehouseCommandReply"}}},
        {"in", {{"$ref", "#/components/schemas/WarehouseCommandReply"}}}}}};
  return schemas;
}

// `generated` with the document's own words kept where its structure has them: descriptions,
// examples, titles and formats (the types are the code's).
Doc Annotated(Doc generated, const Doc& old) {
  if (!generated.is_object() || !old.is_object()) return generated;
  for (const char* k : {"description", "example", "examples", "title", "format", "deprecated"})
    if (old.contains(k)) generated[k] = old[k];
  // Constraints a handler or decider checks beyond the descriptor's types (ranges, a role's names,
  // list sizes): kept from the document, a range only where it narrows the type's.
  for (const char* k : {"exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
                        "enum"})
    if (old.contains(k) && !generated.contains(k)) generated[k] = old[k];
  if (old.contains("minimum") && (!generated.contains("minimum") || old["minimum"] > generated["minimum"]))
    generated["minimum"] = old["minimum"];
  if (old.contains("maximum") && (!generated.contains("maximum") || old["maximum"] < generated["maximum"]))
    generated["maximum"] = old["maximum"];
  if (generated.contains("properties") && old.contains("properties") && old["properties"].is_object())
    for (auto& [name, sub] : generated["properties"].items())
      if (old["properties"].contains(name)) sub = Annotated(sub, old["properties"][name]);
  for (const char* k : {"items", "additionalProperties"})
    if (generated.contains(k) && old.contains(k)) generated[k] = Annotated(generated[k], old[k]);
  if (generated.contains("oneOf") && old.contains("oneOf") && old["oneOf"].is_array())
    for (std::size_t i = 0; i < generated["oneOf"].size() && i < old["oneOf"].size(); ++i)
      generated["oneOf"][i] = Annotated(generated["oneOf"][i], old["oneOf"][i]);
  return generated;
}

}  // namespace

std::vector<std::string> RoutesWithSchemas() {
  std::vector<std::string> out;
  for (const auto& r : Routes()) out.emplace_back(r.operation);
  return out;
}

nlohmann::ordered_json SyncOpenApi(nlohmann::ordered_json doc) {
  auto& schemas = doc["components"]["schemas"];
  const Schema generated = Generated();
  for (const auto& [name, schema] : generated.items())
    schemas[name] = Annotated(schema, schemas.contains(name) ? schemas[name] : Doc());
  for (auto& [path, ops] : doc["paths"].items()) {
    for (auto& [method, op] : ops.items()) {
      if (!op.is_object() || !op.contains("operationId")) continue;
      const std::string id = op["operationId"];
      for (const auto& r : Routes()) {
        if (r.operation != id) continue;
        if (r.body != nullptr) {
          Doc body = r.body();
          if (body.contains("required")) {
            Doc required = Doc::array();
            for (const auto& f : body["required"])
              if (std::find(r.from_path.begin(), r.from_path.end(), f.get<std::string>()) == r.from_path.end())
                required.push_back(f);
            if (required.empty()) body.erase("required");
            else body["required"] = required;
          }
          // A partner id holds no ':' (it namespaces the partner's tenants: handlers_partner.cpp).
          if (id == "register_partner") body["properties"]["id"]["pattern"] = "^(?!\\.\\.?$)[A-Za-z0-9._-]{1,128}$";
          if (id == "provision_tenant") body["properties"]["reference"]["pattern"] = "^(?!\\.\\.?$)[A-Za-z0-9._-]{1,128}$";
          auto& media = op["requestBody"]["content"]["application/json"];
          media["schema"] = Annotated(std::move(body), media.contains("schema") ? media["schema"] : Doc::object());
          // A body with nothing required may be left out.
          op["requestBody"]["required"] = media["schema"].contains("required");
        }
        if (!r.reply.empty()) {
          for (auto& [status, response] : op["responses"].items()) {
            if (status.empty() || status[0] != '2') continue;
            response["content"]["application/json"]["schema"] = Doc{{"$ref", "#/components/schemas/" + std::string(r.reply)}};
          }
        }
      }
    }
  }
  return doc;
}

}  // namespace keel::gateway
