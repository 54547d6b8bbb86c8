// Timing with device synchronisation: untimed warm-up calls, then timed ones, each ending only when
// the device has finished its work (CUDA); medians rather than means. A measurement knows when it was
// disturbed: each window of timed calls gets its spread ((max - min) / median) and the time the
// process's threads spent runnable but waiting for a CPU (the kernel's run-queue wait, per second of
// wall time); a window over either bound is repeated until one is calm or the time limit is reached,
// and the calmest window is kept, marked noisy when even it was over a bound.
#pragma once
#include <c10/core/Device.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "framework/core/records.h"

namespace adaptlab {

// Waits for the device's queued work (a no-op on the CPU).
void synchronize(c10::Device device);

// Seconds of each of `repeats` timed calls of `fn`, after `warmup` untimed ones. A call that took no
// measurable time, or a non-finite one, is an error naming `what`.
std::vector<double> time_calls(const std::function<void()>& fn, int warmup, int repeats, c10::Device device,
                               const std::string& what);

struct TimeStats {
  double median = 0, min = 0, max = 0;
};
TimeStats time_stats(std::vector<double> seconds);

// (max - min) / median of the stats: 0 when every call took as long.
double spread(const TimeStats& t);

// Seconds the threads of this process have spent runnable but waiting for a CPU, summed over its
// threads (/proc/self/task/*/schedstat, second field); nullopt when the kernel does not say (no
// schedstat: the wait is then not measured, and the caller says so).
std::optional<double> runqueue_wait_s();

// One window of timed calls: their seconds, and the run-queue wait per wall second over the window
// (nullopt: not measured).
struct TimedWindow {
  std::vector<double> seconds;
  std::optional<double> wait;
  double wall_s = 0;  // the window's wall time (for the time limit)
};

// When a window counts as disturbed, and how long to keep trying for a calm one.
struct CalmBounds {
  double max_spread = 0.10;  // spread of a window's timed calls
  double max_wait = 0.10;    // run-queue wait per wall second
  double max_seconds = 10;   // windows are repeated while the elapsed time + one more window fits
  int max_windows = 5;       // and at most this many windows are timed
};

// The window kept for a figure and what it says about the measurement.
struct CalmTiming {
  TimeStats stats;        // of the kept window (the calm one, else the one with the lowest spread)
  double spread = 0;      // of the kept window
  std::optional<double> wait;
  bool noisy = false;     // the kept window is over a bound
  int windows = 0;        // windows timed
};

// Times windows (`window()`: one window of timed calls after the warm-up) until one is within `b` or
// the next would pass `b.max_seconds` since the first began, or `b.max_windows` were timed (`now()`: seconds, any origin). When it stays
// noisy, a warning names `what`, the spread and wait with their bounds and the windows tried.
CalmTiming time_until_calm(const std::function<TimedWindow()>& window, const std::function<double()>& now,
                           const CalmBounds& b, const std::string& what);

// One window as `time_until_calm` takes it: `repeats` timed calls of `fn`, with the run-queue wait over them.
TimedWindow timed_window(const std::function<void()>& fn, int repeats, c10::Device device, const std::string& what);

// Seconds on the steady clock (the `now` of real measurements).
double steady_seconds();

// Records a timed figure's companions: <name>.spread<suffix>, <name>.noisy<suffix> (0 or 1),
// <name>.windows<suffix> and, when measured, <name>.wait<suffix>.
void record_calm(Summary& s, const std::string& name, const std::string& suffix, const CalmTiming& t);

}  // namespace adaptlab
