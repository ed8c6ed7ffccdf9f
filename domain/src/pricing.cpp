// Price-list validation and resolution (see pricing.hpp).
#include "domain/pricing.hpp"

namespace keel::domain {
namespace {

bool ValidAt(Timestamp from, Timestamp to, Timestamp at) { return at >= from && (to == 0 || at < to); }

std::optional<std::int64_t> BestBreak(const PriceEntry& e, std::int64_t qty) {
  std::optional<std::int64_t> price;
  for (const auto& b : e.breaks) {
    if (b.min_qty <= qty) price = b.unit_price;  // breaks are ascending
  }
  return price;
}

}  // namespace

std::string ValidatePriceList(const PriceList& list) {
  if (!IsValidCurrency(list.currency)) return "price list currency must be ISO 4217";
  for (const auto& e : list.entries) {
    if (e.sku.empty() == e.category.empty()) return "each price entry names a SKU or a category";
    if (e.breaks.empty()) return "price entry for " + e.sku + e.category + " has no price";
    if (e.valid_to != 0 && e.valid_to <= e.valid_from) return "price entry validity ends before it starts";
    std::int64_t last = 0;
    for (const auto& b : e.breaks) {
      if (b.min_qty <= last) return "quantity breaks must start at 1 or more and ascend";
      if (b.unit_price < 0) return "prices must not be negative";
      last = b.min_qty;
    }
  }
  return {};
}

std::optional<std::int64_t> ResolvePrice(const PriceList& list, const std::vector<ContractPrice>& contracts,
                                         const std::string& customer, const std::string& sku,
                                         const std::string& category, std::int64_t qty, Timestamp at) {
  for (const auto& c : contracts) {
    if (c.customer == customer && c.sku == sku && ValidAt(c.valid_from, c.valid_to, at)) return c.unit_price;
  }
  for (bool by_sku : {true, false}) {
    for (const auto& e : list.entries) {
      const bool matches = by_sku ? (!e.sku.empty() && e.sku == sku)
                                  : (!e.category.empty() && e.category == category);
      if (matches && ValidAt(e.valid_from, e.valid_to, at)) {
        if (auto p = BestBreak(e, qty)) return p;
      }
    }
  }
  return std::nullopt;
}

}  // namespace keel::domain
