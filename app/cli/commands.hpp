// The `keel` command line (CLI11): `serve` and the operator tools, each a subcommand registered by its
// own file. Exit codes: 0 ok, 1 a check failed (verify, restore's verify, import's file check),
// 2 usage or environment (bad arguments, no store, a store held by a running server), 130 interrupted.
#pragma once

#include <CLI/CLI.hpp>

namespace keel::app::cli {

inline constexpr int kOk = 0, kCheckFailed = 1, kUsage = 2, kInterrupted = 130;

// What a subcommand's callback leaves for main to return.
struct Outcome {
  int code = kOk;
};

int Run(int argc, char** argv);      // parses and runs; the process's exit code
int Serve(int argc, char** argv);    // `keel serve …` (its own parser: argv[1] is "serve")

void AddVerify(CLI::App& app, Outcome& out);
void AddLog(CLI::App& app, Outcome& out);      // log and stream
void AddState(CLI::App& app, Outcome& out);
void AddExport(CLI::App& app, Outcome& out);   // export and import
void AddBackup(CLI::App& app, Outcome& out);   // backup and restore
void AddProjections(CLI::App& app, Outcome& out);
void AddStats(CLI::App& app, Outcome& out);

}  // namespace keel::app::cli
