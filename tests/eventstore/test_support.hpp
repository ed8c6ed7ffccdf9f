// Helpers for event-store tests: a fresh store directory per test and terse event builders.
#pragma once

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "eventstore/store.hpp"

namespace keel::eventstore::test {

// A unique directory under the build tree, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::path(KEEL_TEST_TMP) /
            ("store-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline EventData Ev(std::string type, std::string payload = "{}") {
  return EventData{std::move(type), 1, std::move(payload)};
}

inline std::unique_ptr<EventStore> OpenOrDie(const std::string& dir, Options options = {}) {
  auto store = EventStore::Open(dir, std::move(options));
  if (!store) throw std::runtime_error(store.error().ToString());
  return std::move(*store);
}

}  // namespace keel::eventstore::test
