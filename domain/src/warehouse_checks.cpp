// Warehouse decisions and checks beyond one command on one warehouse (see warehouse.hpp): a transfer
// decided on both warehouses at once, the state's invariants, and a proportional split of an amount.
// Kept apart from warehouse.cpp (the decider).
#include "domain/warehouse.hpp"

namespace keel::domain::warehouse {
namespace {
using R = RejectionCode;
}  // namespace

std::expected<TransferEvents, Rejection> DecideTransfer(const Transfer& c, const State& from, const State& to) {
  if (!from.created) return Reject(R::kNotFound, "the source warehouse does not exist");
  if (!to.created) return Reject(R::kNotFound, "the target warehouse does not exist");
  if (from.currency != to.currency) {
    return Reject(R::kCurrencyMismatch, "warehouse " + from.id + " keeps its stock in " + from.currency + ", " + to.id +
                                            " in " + to.currency + ": a transfer would carry the cost unconverted");
  }
  auto out = Decide(TransferOut{c.transfer_id, to.id, to.tenant, c.sku, c.qty, c.at}, from);
  if (!out) return std::unexpected(out.error());
  const TransferredOut* left = nullptr;
  for (const auto& e : *out) {
    if (const auto* t = std::get_if<TransferredOut>(&e)) left = t;
  }
  if (left == nullptr) return TransferEvents{};  // done before: both sides were written together
  auto in = Decide(TransferIn{c.transfer_id, from.id, from.tenant, left->sku, left->qty, left->unit_cost, left->lots,
                              c.catalog, c.at},
                   to);
  if (!in) return std::unexpected(in.error());
  return TransferEvents{std::move(*out), std::move(*in)};
}

std::string CheckInvariants(const State& s) {
  for (const auto& [sku, st] : s.stock) {
    if (st.on_hand < 0) return sku + ": on hand below zero";
    if (st.reserved < 0 || st.reserved > st.on_hand) return sku + ": reserved outside 0..on hand";
    if (st.lot_tracked) {
      std::int64_t lots = 0;
      for (const auto& [id, lot] : st.lots) lots += lot.qty;
      if (lots != st.on_hand) return sku + ": lots do not sum to on hand";
    }
  }
  return {};
}

std::vector<std::int64_t> Allocate(std::int64_t amount, const std::vector<std::int64_t>& weights) {
  std::vector<std::int64_t> out(weights.size(), 0);
  if (weights.empty()) return out;
  __extension__ using Wide = __int128;
  Wide total = 0;
  for (auto w : weights) total += w;
  std::int64_t given = 0;
  for (std::size_t i = 0; i + 1 < weights.size(); ++i) {
    out[i] = static_cast<std::int64_t>(static_cast<Wide>(amount) * weights[i] / total);
    given += out[i];
  }
  out.back() = amount - given;  // the rounding remainder lands on the last line
  return out;
}

}  // namespace keel::domain::warehouse
