// One run as a child process: `adaptlab run --spec FILE --events-fd 3`, stdout/stderr appended to a
// log file, events (JSON lines) read from a pipe, killed (its whole process group) on time-out or
// cancellation.
#pragma once
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "framework/train/events.h"

namespace adaptlab {

struct ChildSpec {
  std::vector<std::string> argv;       // argv[0] is the executable path
  std::vector<std::string> env;        // extra NAME=VALUE entries (override the parent's)
  std::string log_path;                // stdout + stderr, appended
  double timeout_s = 0;                // 0 = no limit
};

struct ChildResult {
  std::string status;                  // done | failed | timed-out | cancelled
  std::string error;                   // why, for anything but done (with the log's last lines)
  std::vector<MetricEvent> metrics;
  Summary summary;
  double wall_s = 0;                   // spawn to exit
  int pid = 0;
  int exit_code = -1;                  // when it exited normally
  int exit_signal = 0;                 // when a signal killed it
  std::map<std::string, std::string> provenance;  // from the child's provenance event
};

// Blocks until the child exits. `cancel` > 0 kills the child (status cancelled).
ChildResult run_child(const ChildSpec& spec, const std::atomic<int>& cancel,
                      const std::function<void(int pid)>& on_started);

// The last `n` lines of a text file ("" if unreadable).
std::string tail_lines(const std::string& path, int n);

}  // namespace adaptlab
