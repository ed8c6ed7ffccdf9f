// Helper process for the crash test: appends from several threads until it is killed, printing one
// line per acknowledged append ("thread first_position last_position order_version ledger_version")
// only after the store has acknowledged it, i.e. after it is durable.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/store.hpp"

using namespace keel::eventstore;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DIR THREADS\n", argv[0]);
    return 2;
  }
  auto store = EventStore::Open(argv[1]);
  if (!store) {
    std::fprintf(stderr, "open: %s\n", store.error().ToString().c_str());
    return 1;
  }
  const int threads = std::atoi(argv[2]);
  std::mutex out_mu;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      // Each append: two events on the thread's order stream and one on its ledger, atomically.
      // A restarted writer continues where the durable log ends.
      auto start = (*store)->StreamVersion("t/crash/ledger/" + std::to_string(t));
      if (!start) std::_Exit(1);
      for (std::uint64_t i = *start;; ++i) {
        AppendRequest r;
        r.streams.push_back({"t/crash/order/" + std::to_string(t), ExpectedVersion::Exact(2 * i),
                             {EventData{"Line", 1, std::string(100, 'a' + t % 26)},
                              EventData{"Line", 1, std::to_string(i)}}});
        r.streams.push_back({"t/crash/ledger/" + std::to_string(t), ExpectedVersion::Exact(i),
                             {EventData{"Posted", 1, std::to_string(i)}}});
        auto res = (*store)->Append(std::move(r));
        if (!res) {
          std::fprintf(stderr, "append: %s\n", res.error().ToString().c_str());
          std::_Exit(1);
        }
        char line[128];
        int n = std::snprintf(line, sizeof line, "%d %llu %llu %llu %llu\n", t,
                              static_cast<unsigned long long>(res->first_position),
                              static_cast<unsigned long long>(res->last_position),
                              static_cast<unsigned long long>(res->streams[0].last_version),
                              static_cast<unsigned long long>(res->streams[1].last_version));
        std::lock_guard lock(out_mu);
        if (::write(1, line, static_cast<std::size_t>(n)) != n) std::_Exit(1);
      }
    });
  }
  for (auto& w : workers) w.join();
}
