// Helper process for the transfer crash test: several threads move stock between three warehouses
// (actors::TransferStock) until the process is killed. Prints "moved <transfer id>" for each
// acknowledged transfer.
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <thread>

#include "actors/process_managers.hpp"
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
  std::vector<std::thread> movers;
  for (int t = 0; t < 4; ++t) {
    movers.emplace_back([&, t] {
      Client client(runtime);
      for (int i = 0;; ++i) {
        const std::string id = "x-" + std::string(argv[2]) + "-" + std::to_string(t) + "-" + std::to_string(i);
        const std::string from = "w" + std::to_string(1 + (t + i) % 3), to = "w" + std::to_string(1 + (t + i + 1) % 3);
        const std::string sku = i % 2 ? "WIDGET" : "BOLT";
        domain::warehouse::Transfer transfer{id, sku, 1 + i % 5, kWarehouseCatalog, kT0};
        if (TransferStock(client, "acme", from, to, transfer, {"transfer:" + id, "test", "", "", std::nullopt})) say("moved " + id);
      }
    });
  }
  for (auto& m : movers) m.join();
}
