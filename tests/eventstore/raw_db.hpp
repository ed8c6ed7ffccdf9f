// Opens a closed store's RocksDB directory directly, so tests can tamper with stored bytes.
#pragma once

#include <rocksdb/db.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace keel::eventstore::test {

inline std::string PositionKey(std::uint64_t p) {
  std::string k(8, '\0');
  for (int i = 7; i >= 0; --i, p >>= 8) k[i] = static_cast<char>(p & 0xff);
  return k;
}

// Runs `edit` with the DB and the handle of column family `cf_name`.
inline void WithRawColumnFamily(const std::string& dir, const std::string& cf_name,
                                const std::function<void(rocksdb::DB&, rocksdb::ColumnFamilyHandle*)>& edit) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies({}, dir, &names).ok()) throw std::runtime_error("list cfs");
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (auto& n : names) descs.emplace_back(n, rocksdb::ColumnFamilyOptions{});
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open({}, dir, descs, &handles, &db).ok()) throw std::runtime_error("open raw");
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == cf_name) edit(*db, handles[i]);
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  db->Close();
  delete db;
}

// Flips one bit of the stored log value at `position`, `offset` bytes from its start.
inline void FlipLogByte(const std::string& dir, std::uint64_t position, std::size_t offset) {
  WithRawColumnFamily(dir, "log", [&](rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
    std::string value;
    if (!db.Get({}, cf, PositionKey(position), &value).ok()) throw std::runtime_error("get");
    value.at(offset) ^= 0x01;
    rocksdb::WriteOptions wo;
    wo.sync = true;
    if (!db.Put(wo, cf, PositionKey(position), value).ok()) throw std::runtime_error("put");
  });
}

}  // namespace keel::eventstore::test
