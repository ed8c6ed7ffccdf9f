// A bounded, thread-safe map that forgets its least recently used entry beyond its capacity (the
// gateway's reference-data caches). One mutex, held only for the map's own bookkeeping: values are
// copied out, so keep them cheap to copy (a shared_ptr); never do I/O or wait under it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace keel::gateway {

template <class K, class V, class Hash = std::hash<K>>
class LruMap {
 public:
  explicit LruMap(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
  LruMap(const LruMap&) = delete;
  LruMap& operator=(const LruMap&) = delete;

  // The value under `key`, which becomes the most recently used.
  std::optional<V> Get(const K& key) {
    std::lock_guard lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }

  // Stores `value` under `key` (the most recently used now), unless `keep(existing)` says the value
  // already there is to stay (e.g. it is newer). Beyond the capacity the least recently used goes.
  template <class Keep>
  void Put(const K& key, V value, Keep&& keep) {
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      order_.splice(order_.begin(), order_, it->second);
      if (!keep(std::as_const(it->second->second))) it->second->second = std::move(value);
      return;
    }
    order_.emplace_front(key, std::move(value));
    index_.emplace(key, order_.begin());
    while (index_.size() > capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
      ++evictions_;
    }
  }
  void Put(const K& key, V value) {
    Put(key, std::move(value), [](const V&) { return false; });
  }

  void Erase(const K& key) {
    std::lock_guard lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
      order_.erase(it->second);
      index_.erase(it);
    }
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return index_.size();
  }
  std::size_t capacity() const { return capacity_; }
  std::uint64_t evictions() const {
    std::lock_guard lock(mu_);
    return evictions_;
  }

 private:
  using Entry = std::pair<K, V>;
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<K, typename std::list<Entry>::iterator, Hash> index_;
  std::uint64_t evictions_ = 0;
};

}  // namespace keel::gateway
