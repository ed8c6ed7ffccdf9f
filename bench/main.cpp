// keel-bench: runs benchmark suites by name (`keel-bench eventstore`, `keel-bench actors`,
// `keel-bench gateway`, `keel-bench feed`, `keel-bench fulfilment`, `keel-bench projections`, `keel-bench tooling`; no name
// runs them all).
// `--quick` shrinks every duration for a smoke run whose figures mean nothing; `--rounds N` sets
// the alternating samples per configuration; `--only PREFIX` runs only configurations whose figure
// names start with PREFIX (the summary lines then cover just those).
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench_util.hpp"

int main(int argc, char** argv) {
  keel::bench::Settings settings;
  std::string suite = "all";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      settings.round_seconds = 0.05;
      settings.rounds = 1;
      settings.replay_events = 5'000;
    } else if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      settings.rounds = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      settings.only = argv[++i];
    } else if (argv[i][0] != '-') {
      suite = argv[i];
    } else {
      std::fprintf(stderr, "usage: keel-bench [eventstore|actors|gateway|feed|fulfilment|projections|tooling] [--quick] [--rounds N] [--only PREFIX]\n");
      return 2;
    }
  }
  // Figures depend on the allocator; say which one this binary runs on (jemalloc exports mallctl).
  const char* allocator = ::dlsym(RTLD_DEFAULT, "__asan_init") != nullptr ? "AddressSanitizer's"
                          : ::dlsym(RTLD_DEFAULT, "mallctl") != nullptr      ? "jemalloc"
                                                                             : "glibc malloc";
  std::printf("# allocator: %s\n", allocator);
  if (suite == "eventstore") return keel::bench::RunEventStoreSuite(settings);
  if (suite == "actors") return keel::bench::RunActorsSuite(settings);
  if (suite == "gateway") return keel::bench::RunGatewaySuite(settings);
  if (suite == "feed") return keel::bench::RunFeedSuite(settings);
  if (suite == "fulfilment") return keel::bench::RunFulfilmentSuite(settings);
  if (suite == "projections") return keel::bench::RunProjectionsSuite(settings);
  if (suite == "tooling") return keel::bench::RunToolingSuite(settings);
  if (suite == "all") {
    int a = keel::bench::RunEventStoreSuite(settings);
    if (a == 0) a = keel::bench::RunActorsSuite(settings);
    if (a == 0) a = keel::bench::RunGatewaySuite(settings);
    if (a == 0) a = keel::bench::RunFeedSuite(settings);
    if (a == 0) a = keel::bench::RunFulfilmentSuite(settings);
    if (a == 0) a = keel::bench::RunProjectionsSuite(settings);
    return a != 0 ? a : keel::bench::RunToolingSuite(settings);
  }
  std::fprintf(stderr, "keel-bench: unknown suite '%s' (known: eventstore, actors, gateway, feed, fulfilment, projections, tooling)\n", suite.c_str());
  return 2;
}
