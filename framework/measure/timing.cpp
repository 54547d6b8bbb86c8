#include "framework/measure/timing.h"

#include <torch/cuda.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "framework/core/error.h"

namespace adaptlab {

void synchronize(c10::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index() < 0 ? 0 : device.index());
}

std::vector<double> time_calls(const std::function<void()>& fn, int warmup, int repeats, c10::Device device,
                               const std::string& what) {
  AL_CHECK(repeats >= 1, "{}: nothing to time (repeats = {})", what, repeats);
  for (int i = 0; i < warmup; ++i) fn();
  synchronize(device);
  std::vector<double> out;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    synchronize(device);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    AL_CHECK(std::isfinite(s) && s > 0, "{}: timed call {} took {} s: nothing was timed", what, i + 1, s);
    out.push_back(s);
  }
  return out;
}

TimeStats time_stats(std::vector<double> s) {
  AL_CHECK(!s.empty(), "time_stats: no times");
  std::sort(s.begin(), s.end());
  const size_t n = s.size();
  const double median = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  return {median, s.front(), s.back()};
}

}  // namespace adaptlab
