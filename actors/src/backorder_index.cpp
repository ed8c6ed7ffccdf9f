// The fulfilment process's backorder index (see backorder_index.hpp).
#include "backorder_index.hpp"

namespace keel::actors {
namespace {

void PutBigEndian(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::uint64_t BigEndian(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

}  // namespace

std::string BackorderIndex::Key(const std::string& tenant, const std::string& sku, const Entry& e) {
  std::string key = tenant;
  key += '\0';
  key += sku;
  key += '\0';
  PutBigEndian(key, e.since, 8);
  key += '\0';
  key += e.order;
  key += '\0';
  PutBigEndian(key, e.line, 4);
  return key;
}

bool BackorderIndex::Load() {
  std::lock_guard lock(mu_);
  auto checkpoint = store_.LoadCheckpoint(kModel);
  if (!checkpoint || !checkpoint->has_value()) return false;
  (void)store_.ReadModelScan(kModel, "", [&](std::string_view key, std::string_view) {
    // tenant, sku and order hold no NUL (stream ids and SKUs are printable).
    const auto a = key.find('\0');
    const auto b = key.find('\0', a + 1);
    if (a == std::string_view::npos || b == std::string_view::npos || key.size() < b + 1 + 8 + 1 + 1 + 4) return true;
    const std::string tenant(key.substr(0, a)), sku(key.substr(a + 1, b - a - 1));
    Entry e{BigEndian(key.substr(b + 1, 8)), std::string(key.substr(b + 10, key.size() - 4 - 1 - (b + 10))),
            static_cast<std::uint32_t>(BigEndian(key.substr(key.size() - 4)))};
    where_[{tenant, e.order, e.line}] = {sku, e.since};
    waiting_[tenant][sku].insert(std::move(e));
    return true;
  });
  return true;
}

void BackorderIndex::MarkBuilt(std::uint64_t position) {
  std::lock_guard lock(mu_);
  Commit({}, {}, position);
}

bool BackorderIndex::AnyWaiting(const std::string& tenant, const std::set<std::string>& skus) const {
  std::lock_guard lock(mu_);
  auto t = waiting_.find(tenant);
  if (t == waiting_.end()) return false;
  for (const auto& sku : skus) {
    if (t->second.contains(sku)) return true;
  }
  return false;
}

std::vector<std::pair<std::string, std::uint32_t>> BackorderIndex::Waiting(const std::string& tenant,
                                                                           const std::string& sku) const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, std::uint32_t>> out;
  auto t = waiting_.find(tenant);
  if (t == waiting_.end()) return out;
  auto s = t->second.find(sku);
  if (s == t->second.end()) return out;
  for (const auto& e : s->second) out.emplace_back(e.order, e.line);
  return out;
}

std::set<std::uint32_t> BackorderIndex::LinesOf(const std::string& tenant, const std::string& order) const {
  std::lock_guard lock(mu_);
  return LinesOfLocked(tenant, order);
}

std::set<std::uint32_t> BackorderIndex::LinesOfLocked(const std::string& tenant, const std::string& order) const {
  std::set<std::uint32_t> lines;
  for (auto it = where_.lower_bound({tenant, order, 0});
       it != where_.end() && std::get<0>(it->first) == tenant && std::get<1>(it->first) == order; ++it) {
    lines.insert(std::get<2>(it->first));
  }
  return lines;
}

bool BackorderIndex::Put(const std::string& tenant, const std::string& sku, const std::string& order,
                         std::uint32_t line, std::uint64_t since, std::uint64_t position) {
  std::lock_guard lock(mu_);
  if (where_.contains({tenant, order, line})) return false;  // waiting already: keeps its place in the queue
  Entry e{since, order, line};
  where_[{tenant, order, line}] = {sku, since};
  std::string key = Key(tenant, sku, e);
  waiting_[tenant][sku].insert(std::move(e));
  Commit({{std::move(key), std::string()}}, {}, position);
  return true;
}

void BackorderIndex::Erase(const std::string& tenant, const std::string& order, std::uint32_t line,
                           std::vector<std::string>& deletes) {
  auto it = where_.find({tenant, order, line});
  if (it == where_.end()) return;
  const auto [sku, since] = it->second;
  const Entry e{since, order, line};
  deletes.push_back(Key(tenant, sku, e));
  auto& by_sku = waiting_[tenant];
  by_sku[sku].erase(e);
  if (by_sku[sku].empty()) by_sku.erase(sku);
  if (by_sku.empty()) waiting_.erase(tenant);
  where_.erase(it);
}

void BackorderIndex::Remove(const std::string& tenant, const std::string& order, std::uint32_t line,
                            std::uint64_t position) {
  std::lock_guard lock(mu_);
  std::vector<std::string> deletes;
  Erase(tenant, order, line, deletes);
  if (!deletes.empty()) Commit({}, std::move(deletes), position);
}

void BackorderIndex::RemoveOrder(const std::string& tenant, const std::string& order, std::uint64_t position) {
  std::lock_guard lock(mu_);
  std::vector<std::string> deletes;
  for (std::uint32_t line : LinesOfLocked(tenant, order)) Erase(tenant, order, line, deletes);
  if (!deletes.empty()) Commit({}, std::move(deletes), position);
}

// Through the store's writer, in order: a change is durable no later than any checkpoint of the
// process manager saved after it. The manager does not wait for it.
void BackorderIndex::Commit(std::vector<std::pair<std::string, std::string>> puts, std::vector<std::string> deletes,
                            std::uint64_t position) {
  eventstore::ReadModelBatch batch;
  batch.model = kModel;
  batch.puts = std::move(puts);
  batch.deletes = std::move(deletes);
  batch.checkpoint = position;
  store_.CommitReadModelAsync(std::move(batch), [](eventstore::Result<void>) {});
}

}  // namespace keel::actors
