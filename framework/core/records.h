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

// A run's status in the results database (runs.status) and on the driver's side.
enum class RunStatus { pending, running, done, failed, timed_out, cancelled };

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

// Final metrics of a run, e.g. "test.acc", "params.trainable", "throughput.eval".
using Summary = std::map<std::string, double>;

// How a run ended, as the driver saw it.
struct RunOutcome {
  RunStatus status = RunStatus::failed;
  std::vector<MetricEvent> metrics;
  Summary summary;
  std::string error;     // why, for anything but done (with the log's last lines)
  int exit_code = -1;    // -1: unknown / not exited normally
  int exit_signal = 0;   // 0: not killed by a signal
  std::map<std::string, std::string> provenance;  // git commit, LibTorch/CUDA versions, GPU, command line
};

}  // namespace adaptlab
