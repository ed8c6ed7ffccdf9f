// The backorder index's first build on a log written before it existed (see backorder_index.hpp).
#include "actors/process_manager.hpp"
#include "actors/runtime.hpp"
#include "backorder_index.hpp"

#include <map>

namespace keel::actors {

namespace o = domain::order;

void RebuildBackorderIndex(eventstore::EventStore& store, Runtime& runtime, BackorderIndex& index, std::uint64_t through) {
  std::map<std::pair<std::string, std::string>, std::map<std::uint32_t, std::uint64_t>> waiting;  // (tenant, order) -> line -> since
  std::uint64_t from = 1;
  while (from <= through) {
    std::uint64_t last = from - 1;
    auto scanned = store.ScanAll(from, 4096, [&](const eventstore::EventView& v) {
      if (v.position > through) return false;
      last = v.position;
      if (v.type != "OrderAllocated" && v.type != "OrderLineCancelled" && v.type != "OrderCancelled") return true;
      auto e = DecodeDomainEvent(v, nullptr);
      if (!e) return true;
      auto& lines = waiting[{e->key.tenant, e->key.id}];
      const auto& ev = std::get<o::Event>(e->event);
      if (const auto* a = std::get_if<o::OrderAllocated>(&ev)) {
        std::map<std::uint32_t, std::uint64_t> next;
        for (const auto& b : a->backordered) next[b.line] = lines.contains(b.line) ? lines[b.line] : v.position;
        lines = std::move(next);
      } else if (const auto* c = std::get_if<o::OrderLineCancelled>(&ev)) {
        lines.erase(c->line);
      } else {
        lines.clear();
      }
      return true;
    });
    if (!scanned || last < from) break;
    from = last + 1;
  }
  Client client(runtime);
  for (const auto& [key, lines] : waiting) {
    if (lines.empty()) continue;
    auto snap = client.Get(OrderKey(key.first, key.second));
    if (!snap) continue;
    const auto& order = snap->As<o::State>();
    for (const auto& [line, since] : lines) {
      auto it = order.lines.find(line);
      if (it != order.lines.end() && it->second.open() > 0) index.Put(key.first, it->second.sku, key.second, line, since, through);
    }
  }
  index.MarkBuilt(through);
}

}  // namespace keel::actors
