// What a sweep shows while it runs: counts (done · running · failed · pending), elapsed time, an ETA
// that moves as runs progress, and one line per running run (its label, device, epoch, step rate,
// loss, last validation metric). On a terminal the block is redrawn in place (LiveRegion); in a file
// a line is written when the counts change and the whole block every `period_s`.
#pragma once
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "framework/core/records.h"

namespace adaptlab {

class LiveRegion;

class Progress {
 public:
  using Clock = std::chrono::steady_clock;
  // `period_s`: in a file (not a terminal), how often the running runs' lines are written.
  Progress(size_t total, int slots, bool enabled, double period_s = 30.0);
  ~Progress();

  void started(size_t run, const std::string& label, const std::string& device);
  void progressed(size_t run, const RunProgress& p);
  // `final`: no further attempt of this run follows.
  void finished(size_t run, bool ok, double wall_s, bool final);
  void skipped();

  // Redraws at most every 0.5 s on a terminal; in a file, see the class comment. `final_line` forces
  // the counts line and ends the display.
  void print(bool final_line = false);
  // Erases the live block on a terminal (before other text is printed on stderr); print() redraws it.
  void suspend();

  std::string line() const;                 // the counts line
  std::vector<std::string> run_lines() const;  // one per running run
  SweepCounts counts() const;    // without the ETA
  SweepCounts snapshot() const;  // with it
  // Seconds left, estimated from the finished runs' durations and the running runs' progress (NaN
  // while nothing is known).
  double eta_seconds() const;

 private:
  struct Running {
    std::string label, device;
    Clock::time_point t0;
    bool has = false;
    RunProgress p;
  };
  double expected_run_s() const;  // a typical run's duration
  size_t total_;
  int slots_;
  bool enabled_;
  double period_s_;
  std::unique_ptr<LiveRegion> region_;
  size_t done_ = 0, failed_ = 0, skipped_ = 0;
  std::map<size_t, Running> running_;
  double run_time_sum_ = 0;
  size_t runs_timed_ = 0;
  Clock::time_point t0_, last_, last_block_;
  std::string last_counts_;
};

}  // namespace adaptlab
