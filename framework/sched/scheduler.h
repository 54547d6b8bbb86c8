// The sweep scheduler: runs every run of a sweep that is not done yet, each as a child process
// (`adaptlab run`), on device slots managed with oneTBB; the calling thread is the database's only
// writer. Ctrl-C once: stop launching, let running runs finish; twice: kill them (cancelled).
#pragma once
#include <string>
#include <vector>

namespace adaptlab {

class Store;
struct Sweep;

struct SchedulerOptions {
  std::vector<std::string> devices = {"cpu"};  // "cpu", or CUDA device ordinals ("0", "1", ...)
  int per_device = 1;              // runs sharing one device
  int threads = 0;                 // CPU threads shared by all slots (0 = the CPUs we may use)
  double timeout_s = 0;            // per run; 0 = none
  int retries = 0;                 // extra attempts after a failure or time-out
  bool retry_failed = false;       // re-run runs whose stored status is failed / timed-out / cancelled
  std::vector<std::string> rerun;  // --rerun values (see RerunFilter in plan.h): finished runs to run again
  std::string executable;          // the adaptlab binary children run (default: this process's)
  std::string log_dir;             // per-run logs (default: <db without .sqlite>.logs)
  bool progress = true;            // progress display on stderr
  double progress_period_s = 30;   // not a terminal: how often the running runs' lines are written
  std::string command_line;        // the driver's command line, stored as provenance
  std::string workdir;             // where runs start (the sweep's project folder; "" = this process's)
};

struct SweepReport {
  int done = 0, failed = 0, timed_out = 0, cancelled = 0, skipped = 0, not_started = 0;
  int blocked = 0;  // a run it loads from (init: from) did not end done
  int stale = 0;  // runs found 'running' from a driver that died; they ran again
  int failed_kept = 0;  // of the skipped: failed, timed out or cancelled before, not retried (no --retry-failed)
  int measured = 0, measure_failed = 0, measure_not_started = 0;  // the measurement stage
  // Every run of the sweep is done (none failed now or kept failed from before) and measured.
  bool ok() const {
    return failed == 0 && blocked == 0 && timed_out == 0 && cancelled == 0 && not_started == 0 && failed_kept == 0 &&
           measure_failed == 0 && measure_not_started == 0;
  }
};

SweepReport run_sweep(const Sweep& sweep, Store& store, const SchedulerOptions& options);

// Parses "--devices": "cpu" or a comma-separated list of CUDA ordinals.
std::vector<std::string> parse_devices(const std::string& spec);

}  // namespace adaptlab
