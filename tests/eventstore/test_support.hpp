// Helpers for event-store tests: a fresh store directory per test and terse event builders.
#pragma once

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <future>
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

// Holds the store's writer thread inside a callback until Release(), so that appends submitted
// meanwhile queue up and are committed as one group. (Callbacks must normally be quick; this one
// is slow on purpose.) Uses the stream t/gate/gate/<n>.
class WriterGate {
 public:
  explicit WriterGate(EventStore& store) : released_(release_.get_future().share()) {
    std::promise<void> blocked;
    auto blocked_future = blocked.get_future();
    AppendRequest r;
    r.streams.push_back({"t/gate/gate/1", ExpectedVersion::Any(), {EventData{"Gate", 1, ""}}});
    store.AppendAsync(std::move(r), [&blocked, released = released_](Result<AppendResult>) {
      blocked.set_value();
      released.wait();
    });
    blocked_future.wait();
  }
  ~WriterGate() { Release(); }
  void Release() {
    if (!done_) release_.set_value();
    done_ = true;
  }

 private:
  std::promise<void> release_;
  std::shared_future<void> released_;
  bool done_ = false;
};

}  // namespace keel::eventstore::test
