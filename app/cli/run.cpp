// The `keel` command line: CLI11 parses, each subcommand's file runs it (see commands.hpp).
#include <sys/stat.h>

#include <iostream>
#include <string>

#include "commands.hpp"
#include "tool.hpp"

namespace keel::app::cli {

int Run(int argc, char** argv) {
  // `serve` keeps its own parser (its options and messages predate the tools).
  if (argc >= 2 && std::string(argv[1]) == "serve") return Serve(argc, argv);

  CLI::App app{"keel: the Keel ERP platform's server and its operator tools.\n"
               "Exit codes: 0 ok; 1 a check failed (verify, the verify after a restore, an import file that "
               "does not check out); 2 usage or environment (bad arguments, no store, a store held by a running "
               "server); 130 interrupted (Ctrl-C).",
               "keel"};
  app.require_subcommand(1);
  app.fallthrough(false);
  app.add_subcommand("serve", "Serve the API over HTTP and WebSocket (keel serve --help for its options)");
  Outcome out;
  AddVerify(app, out);
  AddLog(app, out);
  AddState(app, out);
  AddExport(app, out);
  AddBackup(app, out);
  AddProjections(app, out);
  AddStats(app, out);
  app.set_version_flag("--version", "keel " KEEL_VERSION);
  CatchInterrupts();
  // What the tools write (stores, backups, exports) holds every tenant's business: the user's only,
  // as `keel serve` makes its data directory.
  ::umask(077);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help (0) or the error with a pointer to --help
    return code == 0 ? kOk : kUsage;
  } catch (const std::exception& e) {  // the environment (a file system error, say): a message, not a crash
    std::cerr << "keel: " << e.what() << "\n";
    return kUsage;
  }
  return out.code;
}

}  // namespace keel::app::cli
