// A measurement that knows when it was disturbed (framework/measure/timing.h): windows of timed calls are
// repeated while their spread or the process's run-queue wait is over a bound, the calmest is kept and
// marked noisy when even it is over; a CPU hog pinned to the measuring thread's CPU is seen as wait.
#include <catch2/catch.hpp>

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <vector>

#include "framework/measure/timing.h"

using namespace adaptlab;

namespace {

// A window whose calls took these seconds (and, optionally, this wait per second), as time_until_calm sees it.
TimedWindow window_of(std::vector<double> seconds, std::optional<double> wait = 0.0, double wall = 1.0) {
  return TimedWindow{std::move(seconds), wait, wall};
}

// Busy work for about `ms` milliseconds of CPU time on this thread (not wall time).
void spin_cpu_ms(double ms) {
  timespec a{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
  for (volatile double x = 0;;) {
    for (int i = 0; i < 10000; ++i) x = x + 1.0;
    timespec b{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
    if ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) * 1e-6 >= ms) return;
  }
}

}  // namespace

TEST_CASE("noise: the first calm window is kept, a disturbed one is timed again, the calmest kept", "[measure]") {
  double clock = 0;
  const auto now = [&] { return clock; };
  const CalmBounds b{.max_spread = 0.10, .max_wait = 0.10, .max_seconds = 100, .max_windows = 5};
  {  // calm at once: one window, not noisy
    int calls = 0;
    const CalmTiming t = time_until_calm([&] { ++calls; return window_of({1.0, 1.05, 1.02}); }, now, b, "calm");
    CHECK(calls == 1);
    CHECK(t.windows == 1);
    CHECK_FALSE(t.noisy);
    CHECK(t.spread == Approx(0.05 / 1.02));
    CHECK(t.stats.median == 1.02);
  }
  {  // spread 2.5x, then a calm window: the calm one is kept
    std::vector<TimedWindow> seq = {window_of({1.0, 2.5, 1.1}), window_of({1.0, 1.01, 1.02})};
    size_t i = 0;
    const CalmTiming t = time_until_calm([&] { return seq[i++]; }, now, b, "spread");
    CHECK(t.windows == 2);
    CHECK_FALSE(t.noisy);
    CHECK(t.stats.median == 1.01);
  }
  {  // a calm spread but the threads waited for a CPU: timed again
    std::vector<TimedWindow> seq = {window_of({1.0, 1.0, 1.0}, 0.5), window_of({1.0, 1.0, 1.0}, 0.01)};
    size_t i = 0;
    const CalmTiming t = time_until_calm([&] { return seq[i++]; }, now, b, "wait");
    CHECK(t.windows == 2);
    CHECK_FALSE(t.noisy);
    REQUIRE(t.wait);
    CHECK(*t.wait == 0.01);
  }
  {  // never calm: max_windows windows, the lowest spread kept, marked noisy
    std::vector<TimedWindow> seq = {window_of({1.0, 3.0, 1.5}), window_of({1.0, 1.4, 1.2}), window_of({1.0, 2.0, 1.1}),
                                    window_of({1.0, 1.9, 1.3}), window_of({1.0, 1.8, 1.2}), window_of({1.0, 1.0, 1.0})};
    size_t i = 0;
    const CalmTiming t = time_until_calm([&] { return seq[i++]; }, now, b, "noisy");
    CHECK(i == 5);  // the sixth (calm) window is never timed
    CHECK(t.windows == 5);
    CHECK(t.noisy);
    CHECK(t.stats.median == 1.2);
    CHECK(t.spread == Approx(0.4 / 1.2));
  }
  {  // the time limit: windows of 4 s under max_seconds 10 — a third would end past 10 s
    const CalmBounds limited{.max_spread = 0.10, .max_wait = 0.10, .max_seconds = 10, .max_windows = 100};
    clock = 0;
    int calls = 0;
    const CalmTiming t = time_until_calm(
        [&] {
          ++calls;
          clock += 4;
          return window_of({1.0, 2.0, 1.5}, 0.0, 4.0);
        },
        now, limited, "slow");
    CHECK(calls == 2);
    CHECK(t.noisy);
  }
  {  // wait not measured (no schedstat): judged by the spread alone
    const CalmTiming t = time_until_calm([&] { return window_of({1.0, 1.0}, std::nullopt); }, now, b, "no wait");
    CHECK_FALSE(t.noisy);
    CHECK_FALSE(t.wait);
  }
}

TEST_CASE("noise: every timed figure records its spread, noisy flag, windows and wait", "[measure]") {
  CalmTiming t;
  t.spread = 0.25;
  t.noisy = true;
  t.windows = 3;
  t.wait = 0.4;
  Summary s;
  record_calm(s, "throughput.eval", ".k4", t);
  CHECK(s.at("throughput.eval.spread.k4") == 0.25);
  CHECK(s.at("throughput.eval.noisy.k4") == 1.0);
  CHECK(s.at("throughput.eval.windows.k4") == 3.0);
  CHECK(s.at("throughput.eval.wait.k4") == 0.4);
  t.wait.reset();
  t.noisy = false;
  Summary plain;
  record_calm(plain, "latency.b1", "", t);
  CHECK(plain.at("latency.b1.noisy") == 0.0);
  CHECK(plain.count("latency.b1.wait") == 0);  // not measured: not recorded as 0
}

// A CPU hog (a child process spinning) pinned to the CPU this thread is pinned to: the measured thread then
// gets about half of that CPU, which the run-queue wait shows (about 0.5 s per second), so the window is
// disturbed and the figure comes out noisy, whatever else the machine runs.
TEST_CASE("noise: measuring beside a CPU hog on the same CPU is seen and marked noisy", "[measure]") {
  if (!runqueue_wait_s()) {
    WARN("this kernel has no /proc/self/task/*/schedstat: the run-queue wait cannot be measured here");
    return;
  }
  cpu_set_t old{};
  REQUIRE(sched_getaffinity(0, sizeof old, &old) == 0);
  int cpu = 0;
  while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &old)) ++cpu;
  REQUIRE(cpu < CPU_SETSIZE);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);  // this thread only
  const pid_t hog = fork();
  REQUIRE(hog >= 0);
  if (hog == 0) {
    for (volatile unsigned long x = 0;; x = x + 1) {
    }
  }
  usleep(50 * 1000);  // the hog is running
  const CalmBounds b{.max_spread = 10.0, .max_wait = 0.10, .max_seconds = 30, .max_windows = 2};
  const CalmTiming t = time_until_calm(
      [] { return timed_window([] { spin_cpu_ms(20); }, 10, c10::Device(c10::kCPU), "hog"); }, steady_seconds, b,
      "beside a hog");
  kill(hog, SIGKILL);
  waitpid(hog, nullptr, 0);
  REQUIRE(sched_setaffinity(0, sizeof old, &old) == 0);
  REQUIRE(t.wait);
  INFO("run-queue wait per second: " << *t.wait);
  CHECK(*t.wait > 0.2);  // about 0.5 when the two share the CPU fairly
  CHECK(t.noisy);
  CHECK(t.windows == 2);
}
