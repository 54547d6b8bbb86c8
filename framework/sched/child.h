// One run as a child process: `adaptlab run --spec FILE --events-fd 3`, stdout/stderr appended to a
// log file, events (framework/run/events.h) read from a pipe, killed (its whole process group) on
// time-out or cancellation.
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "framework/core/records.h"

namespace adaptlab {

struct ChildSpec {
  std::vector<std::string> argv;       // argv[0] is the executable path
  std::vector<std::string> env;        // extra NAME=VALUE entries (override the parent's)
  std::string log_path;                // stdout + stderr, appended
  double timeout_s = 0;                // 0 = no limit
  std::string run_id;                  // the run the child must report (its status event); "" = any
  std::string cwd;                     // the child's working directory ("" = the parent's)
};

struct ChildResult {
  RunOutcome outcome;                  // status, metrics, summary, error, exit code / signal, provenance
  double wall_s = 0;                   // spawn to exit
  int pid = 0;
};

// Blocks until the child exits. `cancel` > 0 kills the child (status cancelled). `on_progress` gets the
// child's progress events as they arrive (on this thread).
ChildResult run_child(const ChildSpec& spec, const std::atomic<int>& cancel,
                      const std::function<void(int pid)>& on_started,
                      const std::function<void(const RunProgress&)>& on_progress = {});

// The last `n` lines of a text file ("" if unreadable).
std::string tail_lines(const std::string& path, int n);

}  // namespace adaptlab
