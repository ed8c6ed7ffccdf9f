// Small helpers shared by keel-bench suites: a scratch directory, a stopwatch, quantiles, figure printing.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace keel::bench {

struct Settings {
  double round_seconds = 0.5;  // one throughput sample
  int rounds = 10;             // store and baseline samples alternate; the median of each counts
  std::size_t replay_events = 300'000;
  std::string only;  // run only configurations whose names start with this
  bool Selected(const std::string& name) const { return name.compare(0, only.size(), only) == 0; }
};

inline double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0 : (n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

// The p-quantile (0..1) of `v`, nearest rank; 0 for no samples.
inline double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    path_ = std::filesystem::temp_directory_path() /
            ("keel-bench-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline void Figure(const std::string& name, double value, const char* unit) {
  std::printf("%s: %.0f %s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

inline void Ratio(const std::string& name, double value) {
  std::printf("%s: %.3f\n", name.c_str(), value);
  std::fflush(stdout);
}

int RunEventStoreSuite(const Settings& settings);
int RunActorsSuite(const Settings& settings);
int RunGatewaySuite(const Settings& settings);
int RunFeedSuite(const Settings& settings);
int RunFulfilmentSuite(const Settings& settings);
int RunProjectionsSuite(const Settings& settings);
int RunToolingSuite(const Settings& settings);
int RunAnalyticsBench(const Settings& settings);  // part of the projections suite

}  // namespace keel::bench
