// Price lists: per SKU or per category, with quantity breaks and validity dates, plus contract prices
// per customer. Pure functions that resolve the unit price of an order line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/common.hpp"

namespace keel::domain {

struct PriceBreak {
  std::int64_t min_qty = 1;
  std::int64_t unit_price = 0;  // minor units
  bool operator==(const PriceBreak&) const = default;
};

// Exactly one of sku / category is set.
struct PriceEntry {
  std::string sku;
  std::string category;
  std::vector<PriceBreak> breaks;
  Timestamp valid_from = 0;
  Timestamp valid_to = 0;  // 0: open-ended; otherwise exclusive
  bool operator==(const PriceEntry&) const = default;
};

struct PriceList {
  std::string currency;
  std::vector<PriceEntry> entries;
  bool operator==(const PriceList&) const = default;
};

struct ContractPrice {
  std::string customer;
  std::string sku;
  std::int64_t unit_price = 0;
  Timestamp valid_from = 0;
  Timestamp valid_to = 0;
  bool operator==(const ContractPrice&) const = default;
};

// Empty when valid; else what is wrong (currency, empty key, breaks not ascending, bad dates).
std::string ValidatePriceList(const PriceList& list);

// Contract price for the customer and SKU if one is valid at `at`; else the SKU's entry, else its
// category's, using the largest break whose min_qty <= qty. nullopt when nothing applies.
std::optional<std::int64_t> ResolvePrice(const PriceList& list, const std::vector<ContractPrice>& contracts,
                                         const std::string& customer, const std::string& sku,
                                         const std::string& category, std::int64_t qty, Timestamp at);

}  // namespace keel::domain
