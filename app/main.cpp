// `keel`: the server (`keel serve`) and the operator tools (verify, log, stream, state, export, import,
// backup, restore, projections, stats), one binary; app/cli/ holds each subcommand.
#include "cli/commands.hpp"

int main(int argc, char** argv) { return keel::app::cli::Run(argc, argv); }
