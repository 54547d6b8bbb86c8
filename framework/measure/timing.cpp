#include "framework/measure/timing.h"

#include <torch/cuda.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "framework/core/error.h"
#include "framework/core/log.h"

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

double spread(const TimeStats& t) {
  AL_CHECK(t.median > 0 && std::isfinite(t.median), "spread: median time {} is not a positive number", t.median);
  return (t.max - t.min) / t.median;
}

std::optional<double> runqueue_wait_s() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it("/proc/self/task", ec);
  if (ec) return std::nullopt;
  double total_ns = 0;
  bool any = false;
  for (const auto& task : it) {
    std::ifstream f(task.path() / "schedstat");
    double on_cpu = 0, waiting = 0;
    if (!(f >> on_cpu >> waiting)) continue;  // a thread that has just ended
    total_ns += waiting;
    any = true;
  }
  if (!any) return std::nullopt;
  return total_ns * 1e-9;
}

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

TimedWindow timed_window(const std::function<void()>& fn, int repeats, c10::Device device, const std::string& what) {
  const double t0 = steady_seconds();
  const auto w0 = runqueue_wait_s();
  TimedWindow w;
  w.seconds = time_calls(fn, 0, repeats, device, what);
  const auto w1 = runqueue_wait_s();
  w.wall_s = steady_seconds() - t0;
  if (w0 && w1 && w.wall_s > 0) {
    w.wait = std::max(0.0, *w1 - *w0) / w.wall_s;
  } else {
    static std::atomic<bool> said{false};
    if (!said.exchange(true))
      log::warn("measurement: this kernel does not report run-queue waits (/proc/self/task/*/schedstat): "
                "whether the process was kept from the CPU is not measured; noise is judged by the spread only");
  }
  return w;
}

namespace {

bool calm(double spread, const std::optional<double>& wait, const CalmBounds& b) {
  return spread <= b.max_spread && (!wait || *wait <= b.max_wait);
}

std::string wait_text(const std::optional<double>& wait) {
  return wait ? fmt::format("{:.3g}", *wait) : std::string("not measured");
}

}  // namespace

CalmTiming time_until_calm(const std::function<TimedWindow()>& window, const std::function<double()>& now,
                           const CalmBounds& b, const std::string& what) {
  const double start = now();
  CalmTiming best;
  for (;;) {
    const TimedWindow w = window();
    ++best.windows;
    const TimeStats t = time_stats(w.seconds);
    const double sp = spread(t);
    const bool is_calm = calm(sp, w.wait, b);
    // The first window, a calm one, or one with a lower spread than the kept one (the calmest so far).
    if (best.windows == 1 || is_calm || sp < best.spread) {
      best.stats = t;
      best.spread = sp;
      best.wait = w.wait;
      best.noisy = !is_calm;
    }
    if (is_calm || best.windows >= b.max_windows) break;
    if (now() - start + w.wall_s > b.max_seconds) break;
  }
  if (best.noisy)
    log::warn("measurement: {} stayed noisy: spread (max - min) / median {:.3g} (bound measure.max_spread {:.3g}), "
              "run-queue wait {} (bound measure.max_wait {:.3g}) after {} window(s) in {:.3g} s (measure.max_windows {}, "
              "measure.max_seconds {:.3g}); the calmest window is kept and marked noisy. Another process is likely using the CPU or device",
              what, best.spread, b.max_spread, wait_text(best.wait), b.max_wait, best.windows, now() - start,
              b.max_windows, b.max_seconds);
  return best;
}

void record_calm(Summary& s, const std::string& name, const std::string& suffix, const CalmTiming& t) {
  s[name + ".spread" + suffix] = t.spread;
  s[name + ".noisy" + suffix] = t.noisy ? 1.0 : 0.0;
  s[name + ".windows" + suffix] = t.windows;
  if (t.wait) s[name + ".wait" + suffix] = *t.wait;
}

}  // namespace adaptlab
