// The sweep's progress line on stderr: done / running / failed / pending, elapsed, ETA.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace adaptlab {

class Progress {
 public:
  Progress(size_t total, int slots, bool enabled);
  void started();
  void finished(bool ok, double wall_s, bool final);
  void skipped();
  // Redraws at most every 0.5 s (a TTY) or when the counts change (a file); `final_line` forces.
  void print(bool final_line = false);
  std::string line() const;

 private:
  size_t total_;
  int slots_;
  bool enabled_, tty_;
  size_t done_ = 0, failed_ = 0, running_ = 0, skipped_ = 0;
  double run_time_sum_ = 0;
  size_t runs_timed_ = 0;
  std::chrono::steady_clock::time_point t0_, last_;
  std::string last_counts_;
};

std::string format_duration(double seconds);

}  // namespace adaptlab
