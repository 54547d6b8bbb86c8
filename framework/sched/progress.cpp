#include "framework/sched/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "framework/sched/terminal.h"

namespace adaptlab {

Progress::Progress(size_t total, int slots, bool enabled, double period_s)
    : total_(total),
      slots_(std::max(1, slots)),
      enabled_(enabled),
      period_s_(period_s),
      region_(enabled ? LiveRegion::open(2) : nullptr),
      t0_(Clock::now()),
      last_block_(Clock::now()) {}

Progress::~Progress() = default;

void Progress::started(size_t run, const std::string& label, const std::string& device) {
  running_[run] = Running{label, device, Clock::now(), false, {}};
}

void Progress::progressed(size_t run, const RunProgress& p) {
  auto it = running_.find(run);
  if (it == running_.end()) return;
  it->second.has = true;
  it->second.p = p;
}

void Progress::skipped() { ++skipped_; }

void Progress::finished(size_t run, bool ok, double wall_s, bool final) {
  running_.erase(run);
  run_time_sum_ += wall_s;
  ++runs_timed_;
  if (!final) return;
  (ok ? done_ : failed_) += 1;
}

double Progress::expected_run_s() const {
  if (runs_timed_ > 0) return run_time_sum_ / static_cast<double>(runs_timed_);
  // Nothing finished yet: extrapolate the running runs' progress (elapsed / fraction done).
  double sum = 0;
  int n = 0;
  const auto now = Clock::now();
  for (const auto& [i, r] : running_) {
    if (!r.has || r.p.total_steps <= 0 || r.p.step <= 0) continue;
    const double f = static_cast<double>(r.p.step) / static_cast<double>(r.p.total_steps);
    sum += std::chrono::duration<double>(now - r.t0).count() / f;
    ++n;
  }
  return n > 0 ? sum / n : NAN_VALUE;
}

double Progress::eta_seconds() const {
  const double typical = expected_run_s();
  if (!std::isfinite(typical)) return NAN_VALUE;
  const auto now = Clock::now();
  double left = 0;  // seconds of work left, summed over runs
  for (const auto& [i, r] : running_) {
    const double elapsed = std::chrono::duration<double>(now - r.t0).count();
    double whole = typical;
    if (r.has && r.p.total_steps > 0 && r.p.step > 0)  // this run's own pace
      whole = elapsed / (static_cast<double>(r.p.step) / static_cast<double>(r.p.total_steps));
    left += std::max(0.0, whole - elapsed);
  }
  const SweepCounts c = counts();
  left += static_cast<double>(c.pending) * typical;
  return left / slots_;
}

SweepCounts Progress::counts() const {
  SweepCounts c;
  c.total = static_cast<int64_t>(total_);
  c.done = static_cast<int64_t>(done_);
  c.failed = static_cast<int64_t>(failed_);
  c.running = static_cast<int64_t>(running_.size());
  c.pending = static_cast<int64_t>(total_) - c.done - c.failed - c.running - static_cast<int64_t>(skipped_);
  return c;
}

SweepCounts Progress::snapshot() const {
  SweepCounts c = counts();
  c.eta_s = eta_seconds();
  return c;
}

std::string Progress::line() const {
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0_).count();
  const SweepCounts c = counts();
  return fmt::format("[sweep] {} done · {} running · {} failed · {} pending · {} elapsed · ETA {}", c.done, c.running,
                     c.failed, c.pending, format_duration(elapsed), format_duration(eta_seconds()));
}

std::vector<std::string> Progress::run_lines() const {
  std::vector<std::string> out;
  const auto now = Clock::now();
  for (const auto& [i, r] : running_) {
    const double elapsed = std::chrono::duration<double>(now - r.t0).count();
    out.push_back(fmt::format("  {} [{}] {} · {}", r.label, r.device,
                              r.has ? describe(r.p) : std::string("starting"), format_duration(elapsed)));
  }
  return out;
}

void Progress::suspend() {
  if (region_) region_->clear();
}

void Progress::print(bool final_line) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (region_) {
    if (!final_line && std::chrono::duration<double>(now - last_).count() < 0.5) return;
    std::vector<std::string> rows = {line()};
    if (!final_line)
      for (auto& l : run_lines()) rows.push_back(std::move(l));
    region_->draw(rows);
  } else {
    // In a file: the counts line when the counts change (elapsed time alone is no change), and the
    // running runs' lines every period.
    const SweepCounts c = counts();
    const std::string key = fmt::format("{} {} {} {}", c.done, c.running, c.failed, skipped_);
    const bool block = !running_.empty() && std::chrono::duration<double>(now - last_block_).count() >= period_s_;
    if (key == last_counts_ && !block) return;
    last_counts_ = key;
    std::string out = line() + "\n";
    if (block && !final_line) {
      for (const auto& l : run_lines()) out += l + "\n";
      last_block_ = now;
    }
    std::fputs(out.c_str(), stderr);
    std::fflush(stderr);
  }
  last_ = now;
}

}  // namespace adaptlab
