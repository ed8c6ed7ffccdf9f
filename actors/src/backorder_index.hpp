// The fulfilment process's index of waiting backorders: per tenant and SKU, the order lines that wait
// for stock, oldest first (by the log position of the allocation that first backordered them), so
// that stock arriving is offered to them without scanning every order. Kept in memory and in the
// read model `process.fulfilment.backorders` (written in log order through the store's writer, ahead
// of the process manager's own checkpoint, so nothing the manager handled is missing after a crash).
// Thread-safe. Read-model key: tenant NUL sku NUL BE64(since) NUL order NUL BE32(line); value: empty.
// An entry is a hint: the order's live state decides whether the line still waits.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "eventstore/store.hpp"

namespace keel::actors {

class BackorderIndex {
 public:
  static constexpr const char* kModel = "process.fulfilment.backorders";

  explicit BackorderIndex(eventstore::EventStore& store) : store_(store) {}

  // Loads the read model; false when it was never written (then the caller rebuilds it).
  bool Load();
  // Marks the read model built up to `position` (after a rebuild).
  void MarkBuilt(std::uint64_t position);

  // (order, line) waiting for `sku` in `tenant`, oldest first.
  std::vector<std::pair<std::string, std::uint32_t>> Waiting(const std::string& tenant, const std::string& sku) const;
  // Whether any line of `tenant` waits for one of `skus`.
  bool AnyWaiting(const std::string& tenant, const std::set<std::string>& skus) const;
  // The lines of `order` in the index.
  std::set<std::uint32_t> LinesOf(const std::string& tenant, const std::string& order) const;

  // Each change is written with `position`, the log position of the event that caused it. Put says
  // whether the line was added (false: it waited already).
  bool Put(const std::string& tenant, const std::string& sku, const std::string& order, std::uint32_t line,
           std::uint64_t since, std::uint64_t position);
  void Remove(const std::string& tenant, const std::string& order, std::uint32_t line, std::uint64_t position);
  void RemoveOrder(const std::string& tenant, const std::string& order, std::uint64_t position);

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return where_.size();
  }

 private:
  struct Entry {
    std::uint64_t since = 0;
    std::string order;
    std::uint32_t line = 0;
    auto operator<=>(const Entry&) const = default;
  };
  std::set<std::uint32_t> LinesOfLocked(const std::string& tenant, const std::string& order) const;
  static std::string Key(const std::string& tenant, const std::string& sku, const Entry& e);
  void Erase(const std::string& tenant, const std::string& order, std::uint32_t line,
             std::vector<std::string>& deletes);
  void Commit(std::vector<std::pair<std::string, std::string>> puts, std::vector<std::string> deletes,
              std::uint64_t position);

  eventstore::EventStore& store_;
  mutable std::mutex mu_;  // the manager's lanes use the index from several threads
  std::map<std::string, std::map<std::string, std::set<Entry>>> waiting_;  // tenant -> sku -> entries
  std::map<std::tuple<std::string, std::string, std::uint32_t>, std::pair<std::string, std::uint64_t>>
      where_;  // (tenant, order, line) -> (sku, since)
};

class Runtime;
// The index's first build on a log written before it existed: the backorders the log holds up to
// `through` (what the manager has handled), each checked against its order's live state.
void RebuildBackorderIndex(eventstore::EventStore& store, Runtime& runtime, BackorderIndex& index, std::uint64_t through);

}  // namespace keel::actors
