#include "framework/sched/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace adaptlab {

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const long t = std::lround(s);
  if (t >= 3600) return fmt::format("{}h{:02}m{:02}s", t / 3600, (t / 60) % 60, t % 60);
  if (t >= 60) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}s", t);
}

Progress::Progress(size_t total, int slots, bool enabled)
    : total_(total), slots_(slots), enabled_(enabled), tty_(isatty(2)), t0_(std::chrono::steady_clock::now()) {}

void Progress::started() { ++running_; }
void Progress::skipped() { ++skipped_; }
void Progress::finished(bool ok, double wall_s, bool final) {
  if (running_ > 0) --running_;
  run_time_sum_ += wall_s;
  ++runs_timed_;
  if (!final) return;
  (ok ? done_ : failed_) += 1;
}

std::string Progress::line() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  const size_t pending = total_ - done_ - failed_ - running_ - skipped_;
  std::string eta = "?";
  if (runs_timed_ > 0) {
    const double mean = run_time_sum_ / runs_timed_;
    eta = format_duration(mean * (pending + 0.5 * running_) / std::max(1, slots_));
  }
  return fmt::format("[sweep] {} done · {} running · {} failed · {} pending · {} elapsed · ETA {}", done_, running_,
                     failed_, pending, format_duration(elapsed), eta);
}

void Progress::print(bool final_line) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const std::string l = line();
  if (tty_) {
    if (!final_line && std::chrono::duration<double>(now - last_).count() < 0.5) return;
    std::fprintf(stderr, "\r%s\033[K%s", l.c_str(), final_line ? "\n" : "");
  } else {
    // In a file, one line per change of the counts (the elapsed time alone is no change).
    const std::string counts = fmt::format("{} {} {} {}", done_, running_, failed_, skipped_);
    if (counts == last_counts_) return;
    last_counts_ = counts;
    std::fprintf(stderr, "%s\n", l.c_str());
  }
  std::fflush(stderr);
  last_ = now;
}

}  // namespace adaptlab
