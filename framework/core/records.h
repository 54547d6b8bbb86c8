// Plain records that cross layers (train → run events → scheduler → store → reports), torch-free:
// a run's status, its metric time series, its final summary and how it ended.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace adaptlab {

inline constexpr double NAN_VALUE = __builtin_nan("");

// A run's status in the results database (runs.status) and on the driver's side.
enum class RunStatus { pending, running, done, failed, timed_out, cancelled, blocked };  // blocked: a dependency did not end done

// "pending", "running", "done", "failed", "timed-out", "cancelled".
const char* to_string(RunStatus s);
// The inverse; nullopt for any other text.
std::optional<RunStatus> parse_run_status(std::string_view text);
// failed, timed-out or cancelled: a run that ended without a result (re-run with --retry-failed).
bool ended_without_result(RunStatus s);

struct MetricEvent {
  int64_t step = 0;   // optimiser step the value belongs to
  std::string split;  // "train", "val", "test"
  std::string name;   // "loss", "acc", "lr", ...
  double value = 0.0;
  double epoch = -1;  // training progress in epochs at that step (step / steps per epoch); -1: unknown
};

// Where a training run stands, reported at log intervals (live display, `adaptlab status`, the run's log).
struct RunProgress {
  int64_t step = 0;          // optimiser steps taken
  int64_t total_steps = 0;   // planned optimiser steps
  double epoch = 0;          // epochs done (fractional)
  int epochs = 0;            // planned epochs
  double loss = NAN_VALUE;   // mean training loss since the last report (NaN: none yet)
  double steps_per_s = NAN_VALUE;  // optimiser steps per second since the last report
  std::string val_metric;    // the last validation metric's name ("val.acc"; "" before the first evaluation)
  double val_value = NAN_VALUE;
};

// "42s", "3m07s", "2h05m00s"; "?" for a negative or non-finite duration.
std::string format_duration(double seconds);

// One line for logs and displays: "epoch 2.0/4 · step 30/60 · 12.3 steps/s · loss 0.5312 · val.acc 0.6120".
std::string describe(const RunProgress& p);

// A sweep's counts (the driver's display; table sweep_driver).
struct SweepCounts {
  int64_t total = 0, done = 0, failed = 0, running = 0, pending = 0;
  double eta_s = NAN_VALUE;  // estimated seconds left (NaN: unknown)
};

// Final metrics of a run, e.g. "test.acc", "params.trainable", "throughput.eval".
using Summary = std::map<std::string, double>;

// A file a run saved (results/<study>.artifacts/<run id>/<name>.safetensors): what it trained.
struct ArtifactRecord {
  std::string name;   // "trained"
  std::string path;   // absolute
  int64_t bytes = 0;
  std::string hash;   // XXH3-128 of the file, 32 hex digits
};

// How a run ended, as the driver saw it.
struct RunOutcome {
  RunStatus status = RunStatus::failed;
  std::vector<MetricEvent> metrics;
  Summary summary;
  std::string error;     // why, for anything but done (with the log's last lines)
  int exit_code = -1;    // -1: unknown / not exited normally
  int exit_signal = 0;   // 0: not killed by a signal
  std::map<std::string, std::string> provenance;  // git commit, LibTorch/CUDA versions, GPU, command line
  std::vector<ArtifactRecord> artifacts;          // files it saved
};

}  // namespace adaptlab
