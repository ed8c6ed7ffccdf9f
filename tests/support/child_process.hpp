// Runs a helper process with its stdout on a pipe and sends it a signal (SIGKILL unless told) as soon
// as what it has printed satisfies a condition; returns everything it printed and how it ended. For
// crash tests (SIGKILL) and graceful-stop tests (SIGTERM).
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <vector>

extern char** environ;

namespace keel::test {

struct KilledRun {
  std::string output;
  bool killed = false;           // we sent SIGKILL
  bool died_of_sigkill = false;  // and that is how it ended
  bool spawned = false;
  int exit_code = -1;            // when it exited by itself (or after a catchable signal)
};

// `with_stderr`: the child's stderr goes into `output` too.
inline KilledRun RunUntilKilled(const std::string& binary, std::vector<std::string> args,
                                const std::function<bool(const std::string& output)>& kill_when, int signal = SIGKILL,
                                bool with_stderr = false) {
  KilledRun run;
  int fds[2];
  if (::pipe(fds) != 0) return run;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  if (with_stderr) posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char*> argv{const_cast<char*>(binary.c_str())};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  run.spawned = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ) == 0;
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (!run.spawned) {
    ::close(fds[0]);
    return run;
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // EOF once the child is gone
    run.output.append(buf, static_cast<std::size_t>(n));
    if (!run.killed && kill_when(run.output)) {
      ::kill(pid, signal);
      run.killed = true;
    }
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.died_of_sigkill = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  return run;
}

inline std::size_t CountOf(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

}  // namespace keel::test
