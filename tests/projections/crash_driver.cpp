// A process for the projections crash test: opens the store at argv[1], folds the read model named
// argv[2] (one of ReadModels(); "orders" when left out) into key space "<name>-crash" in small chunks
// (argv[3] "bulk": catching up in bulk, small ingestions),
// printing "at <position>" after each, and runs until it is killed (the test sends SIGKILL in the
// middle of the log).
#include <cstdio>
#include <string>
#include <thread>

#include "eventstore/store.hpp"
#include "projections/read_models.hpp"
#include "projections/runner.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) return 2;
  const std::string name = argc >= 3 ? argv[2] : "orders";
  std::shared_ptr<const keel::projections::Projection> projection;
  for (auto& p : keel::projections::ReadModels())
    if (p->name() == name) projection = p;
  if (!projection) return 2;
  auto store = keel::eventstore::EventStore::Open(argv[1]);
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().ToString().c_str());
    return 1;
  }
  keel::projections::RunnerOptions options{std::chrono::milliseconds(1), 5};
  if (argc == 4 && std::string(argv[3]) == "bulk") {  // catch up in bulk, an ingestion every few events
    options.bulk_behind = 1;
    options.bulk_budget = 1'500;
  }
  keel::projections::Runner runner(**store, projection, name + "-crash", options);
  runner.Start();
  std::uint64_t shown = 0;
  for (;;) {
    if (const auto p = runner.position(); p != shown) {
      shown = p;
      std::printf("at %llu\n", static_cast<unsigned long long>(p));
      std::fflush(stdout);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}
