// Helper process for the fulfilment crash test: a runtime with the fulfilment process manager while
// several threads place orders (and cancel some) until the process is killed. Prints one line per
// acknowledged command: "placed <order>" or "cancelled <order>".
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <thread>

#include "actors/fulfilment.hpp"
#include "world.hpp"

using namespace keel;
using namespace keel::actors;
using namespace keel::actors::test;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DIR ROUND\n", argv[0]);
    return 2;
  }
  auto store = eventstore::EventStore::Open(argv[1]);
  if (!store) {
    std::fprintf(stderr, "open: %s\n", store.error().ToString().c_str());
    return 1;
  }
  Runtime runtime(**store);
  auto fulfilment = StartFulfilment(**store, runtime);
  {
    Client client(runtime);
    auto tenant = client.Get(TenantKey("acme"));
    if (tenant && tenant->As<domain::tenant::State>().status == domain::tenant::Status::kNone) {
      if (auto e = BuildTenant(client, "acme", 3, 400, 200); !e.empty()) {
        std::fprintf(stderr, "build: %s\n", e.c_str());
        return 1;
      }
    }
  }
  std::mutex out;
  auto say = [&](const std::string& line) {
    std::lock_guard lock(out);
    const std::string l = line + "\n";
    if (::write(1, l.data(), l.size()) != static_cast<ssize_t>(l.size())) std::_Exit(1);
  };
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t) {
    senders.emplace_back([&, t] {
      Client client(runtime);
      for (int i = 0;; ++i) {
        const std::string id = "o-" + std::string(argv[2]) + "-" + std::to_string(t) + "-" + std::to_string(i);
        auto placed = client.Execute(OrderKey("acme", id),
                                     PlaceOrder("acme", id, {{1, "WIDGET", 1 + i % 7, 100}, {2, "BOLT", 1 + i % 3, 10}}));
        if (!placed) continue;
        say("placed " + id);
        if (i % 5 == 4) {
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          if (client.Execute(OrderKey("acme", id), domain::order::CancelOrder{"changed mind", kT0})) say("cancelled " + id);
        }
      }
    });
  }
  for (auto& s : senders) s.join();
}
