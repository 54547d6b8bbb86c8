// How a run's costs are measured (torch-free, so sweep expansion can resolve them). The `measure:`
// map of a run config; not part of the run's id (measuring differently does not change what was
// trained), so `adaptlab measure` can re-measure with other settings.
#pragma once
#include <cmath>
#include <string>

namespace adaptlab {

struct MeasureOptions {
  bool enabled = true;          // run the measurement phase after training
  int batch_size = 0;           // examples per timed batch; 0 = train.eval_batch_size
  int batches = 2;              // fixed test batches per timed pass (already on the device)
  int warmup = 2;               // untimed passes first
  int repeats = 5;              // timed passes: throughput.eval = median, .min, .max
  int latency_repeats = 20;     // batch-1 forwards timed for latency.b1 (after 3 untimed)
  int train_steps = 10;         // optimiser steps timed for throughput.train / time.step.train
  int train_warmup = 3;         // untimed optimiser steps first
  std::string precision;        // fp32 | bf16 | fp16; "" = train.precision
  // A window of timed calls (repeats passes, latency_repeats forwards, train_steps steps) is disturbed
  // when its spread (max - min) / median passes max_spread or the process's threads waited for a CPU
  // more than max_wait seconds per second; it is then timed again while max_seconds allow, the calmest
  // window kept and, when even that one was disturbed, the figure marked <figure>.noisy = 1.
  double max_spread = 0.10;
  double max_wait = 0.10;
  double max_seconds = 10;
  int max_windows = 5;

  template <class V>
  void visit(V& v) {
    v("enabled", enabled, "measure speed, FLOPs and memory after training (alone on the device)");
    v("batch_size", batch_size, "examples per timed batch (0: train.eval_batch_size)");
    v("batches", batches, "fixed test batches per timed pass");
    v("warmup", warmup, "untimed passes before timing");
    v("repeats", repeats, "timed passes (throughput.eval is their median; .min and .max beside it)");
    v("latency_repeats", latency_repeats, "timed batch-1 forwards for latency.b1 (median)");
    v("train_steps", train_steps, "timed optimiser steps for throughput.train and time.step.train (median)");
    v("train_warmup", train_warmup, "untimed optimiser steps before those");
    v("precision", precision, "fp32 | bf16 | fp16 (empty: train.precision)");
    v("max_spread", max_spread, "a window of timed calls whose (max - min) / median is above this is timed again "
      "(<figure>.spread records the kept window's)");
    v("max_wait", max_wait, "a window is also timed again when the process's threads waited for a CPU more than this many "
      "seconds per second (run-queue wait: another process had the cores; <figure>.wait)");
    v("max_windows", max_windows, "at most this many windows per figure (1: never repeated)");
    v("max_seconds", max_seconds, "seconds per figure to keep timing windows for a calm one; the calmest is kept, "
      "and <figure>.noisy = 1 with a warning when it is still over a bound");
    v.check(batch_size >= 0, "batch_size", "must be >= 0 (0: train.eval_batch_size)");
    v.check(batches > 0, "batches", "must be > 0");
    v.check(warmup >= 0, "warmup", "must be >= 0");
    v.check(repeats >= 1, "repeats", "must be >= 1");
    v.check(latency_repeats >= 1, "latency_repeats", "must be >= 1");
    v.check(train_steps >= 1, "train_steps", "must be >= 1");
    v.check(train_warmup >= 0, "train_warmup", "must be >= 0");
    v.check(std::isfinite(max_spread) && max_spread >= 0, "max_spread", "must be a number >= 0");
    v.check(std::isfinite(max_wait) && max_wait >= 0, "max_wait", "must be a number >= 0");
    v.check(max_windows >= 1, "max_windows", "must be >= 1");
    v.check(std::isfinite(max_seconds) && max_seconds >= 0, "max_seconds",
            "must be a number >= 0 (0: one window, never repeated)");
    v.check(precision.empty() || precision == "fp32" || precision == "bf16" || precision == "fp16", "precision",
            "must be fp32, bf16, fp16 or empty (train.precision)");
  }
};

}  // namespace adaptlab
