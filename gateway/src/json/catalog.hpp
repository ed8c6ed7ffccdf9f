// JSON descriptors of the catalog aggregate's commands (client fields only), events and state.
// Part of domain_json.hpp (see there for the rules); json_fields.hpp explains the descriptors.
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "domain/catalog.hpp"
#include "json/values.hpp"
#include "json_fields.hpp"

namespace keel::gateway::json {

// Catalog.

template <> struct Describe<domain::catalog::Item> {
  using T = domain::catalog::Item;
  static constexpr auto fields = std::make_tuple(ReqSku("sku", &T::sku), Opt("name", &T::name), Opt("unit", &T::unit),
                                                 Opt("category", &T::category), Opt("weight_grams", &T::weight_grams),
                                                 Opt("lot_tracked", &T::lot_tracked), OptId("supplier", &T::supplier));
};
template <> struct Describe<domain::catalog::ItemRow> {  // a command's row: both required
  using T = domain::catalog::ItemRow;
  static constexpr auto fields = std::make_tuple(Req("row", &T::row), Req("item", &T::item));
};
template <> struct Describe<domain::catalog::RowError> {
  using T = domain::catalog::RowError;
  static constexpr auto fields = std::make_tuple(Opt("row", &T::row), Opt("sku", &T::sku), Opt("message", &T::message));
};
template <> struct Describe<domain::catalog::Supplier> {
  using T = domain::catalog::Supplier;
  static constexpr auto fields = std::make_tuple(ReqId("id", &T::id), Opt("name", &T::name));
};
template <> struct Describe<domain::catalog::CustomerContract> {
  using T = domain::catalog::CustomerContract;
  static constexpr auto fields = std::make_tuple(Opt("currency", &T::currency), Opt("prices", &T::prices));
};

// -- commands --
template <> struct Describe<domain::catalog::RegisterSuppliers> {
  using T = domain::catalog::RegisterSuppliers;
  static constexpr auto fields = std::make_tuple(Req("suppliers", &T::suppliers));
};
template <> struct Describe<domain::catalog::ImportItems> {  // entitlement, units, categories: resolved
  using T = domain::catalog::ImportItems;
  static constexpr auto fields = std::make_tuple(Req("rows", &T::rows), Opt("all_or_nothing", &T::all_or_nothing));
};

// -- events --
template <> struct Describe<domain::catalog::SuppliersRegistered> {
  using T = domain::catalog::SuppliersRegistered;
  static constexpr auto fields = std::make_tuple(Opt("suppliers", &T::suppliers), Opt("at", &T::at));
};
template <> struct Describe<domain::catalog::ItemsImported> {
  using T = domain::catalog::ItemsImported;
  static constexpr auto fields = std::make_tuple(Opt("items", &T::items), Opt("errors", &T::errors), Opt("at", &T::at));
};
template <> struct Describe<domain::catalog::ContractPricesSet> {
  using T = domain::catalog::ContractPricesSet;
  static constexpr auto fields = std::make_tuple(Opt("customer", &T::customer), Opt("currency", &T::currency),
                                                 Opt("prices", &T::prices), Opt("at", &T::at));
};

// -- state --
template <> struct Describe<domain::catalog::State> {
  using T = domain::catalog::State;
  static constexpr auto fields =
      std::make_tuple(Opt("items", &T::items), Opt("suppliers", &T::suppliers), Opt("contracts", &T::contracts));
};

}  // namespace keel::gateway::json
