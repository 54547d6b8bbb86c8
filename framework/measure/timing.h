// Timing with device synchronisation: untimed warm-up calls, then timed ones, each ending only when
// the device has finished its work (CUDA); medians rather than means.
#pragma once
#include <c10/core/Device.h>

#include <functional>
#include <string>
#include <vector>

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

}  // namespace adaptlab
