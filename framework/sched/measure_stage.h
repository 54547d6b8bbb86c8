// The measurement stage: each trained run measured alone on its device (framework/measure), as a child
// process `adaptlab run --phase measure`, one at a time per device and all devices at once. The sweep
// driver runs it after every training run has ended (nothing else then shares a device), and
// `adaptlab measure` runs it on finished runs without training again. The calling thread writes the
// results (Store::record_measurement).
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "framework/store/study_files.h"

namespace adaptlab {

class Store;

struct MeasureJob {
  std::string study, id, label;
  std::string spec_path;      // the run's spec file (its measure options apply)
  std::string artifacts_dir;  // holds trained.safetensors
  std::string log_path;       // the child's output is appended here
};

struct MeasureStageOptions {
  std::vector<std::string> devices = {"cpu"};  // "cpu" or CUDA ordinals
  int threads = 0;                             // CPU threads for the stage (0: all this process may use)
  double timeout_s = 0;                        // per measurement; 0 = none
  std::string executable;                      // the adaptlab binary (default: this process's)
  bool verbose = true;                         // a line per measured run on stderr
  std::string workdir;                         // where the children start (the project folder; "" = here)
};

struct MeasureReport {
  int done = 0, failed = 0, not_started = 0;
};

// `stop` > 0: no new measurement starts; `kill` > 0: running ones are killed (cancelled). `tick` is
// called on this thread about every 30 ms while the stage runs (heartbeats).
MeasureReport run_measurements(const std::vector<MeasureJob>& jobs, Store& store, const MeasureStageOptions& o,
                               const std::atomic<int>& stop, const std::atomic<int>& kill,
                               const std::function<void()>& tick = {});

// `adaptlab measure`: measures a study's done runs again from their saved tensors, without training.
struct RemeasureOptions {
  std::vector<std::string> runs;       // run ids or id prefixes (default: every done run with saved tensors)
  std::vector<std::string> overrides;  // "measure.key=value" applied to each run's stored measure options
  MeasureStageOptions stage;
};
// Takes the database's driver lock (no sweep may run on it meanwhile). Runs without saved tensors are
// listed and skipped; an id prefix matching no done run is an error.
MeasureReport remeasure_study(Store& store, const std::string& study, const RemeasureOptions& o,
                              const std::atomic<int>& stop, const std::atomic<int>& kill);

// What `adaptlab results gc` found and removed: artifact folders of runs the database no longer has
// (folders are matched to runs by their name, the run id, whatever path names the database).
struct GcReport {
  std::vector<std::string> removed;  // folders (or, with dry_run, folders that would go)
  int64_t bytes = 0;
  int kept = 0;                      // folders of runs on record
  std::vector<std::string> missing;  // artifact files on record but gone from disk
};
GcReport collect_artifacts(Store& store, bool dry_run);

}  // namespace adaptlab
