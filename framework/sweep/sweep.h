// A sweep file expanded into runs. Format (experiments/<study>/sweep.yaml):
//
//   study: default                 # optional; defaults to the sweep file's folder name
//   include: [../defaults.yaml]    # optional; base run configs, merged in order (later wins)
//   run: {...}                     # the base run configuration, merged over the includes
//   grid:                          # optional; dotted key -> list of values; Cartesian product
//     methods: [[linear], [lora]]  #   (a method stack is one value)
//     train.lr: [1e-3, 3e-3]
//   zip:                           # optional; paired lists of equal length, one more axis
//     train.lr: [1e-3, 3e-3]
//     train.epochs: [10, 20]
//   exclude:                       # optional; drop runs matching every key of an entry
//     - {methods: [linear], train.lr: 0.003}
//   seeds: [0, 1, 2]               # or N (= 0..N-1); default [0]
//   cost: [train.epochs, dataset.train_size]  # optional; numeric keys whose product is a run's
//                                  #   relative cost (longest first); this is the default
//
// Command-line overrides "key.sub=value" apply to every run, last.
//
// Three steps: parse_sweep (the file, checked; nothing resolved) → expand (every run resolved through
// the registries) → the scheduler plans what is not done yet.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "framework/config/node.h"
#include "framework/run/run_config.h"

namespace adaptlab {

struct Registries;

struct PlannedRun {
  RunConfig config;         // resolved, with its stable id
  std::vector<std::pair<std::string, std::string>> axes;  // grid values of this run, for display
  double cost = 1.0;        // relative expected duration (scheduling: longest first)
  const std::string& id() const { return config.id; }
};

struct Sweep {
  std::string study;
  std::string path;         // the sweep file
  std::string text;         // the sweep file's content, stored with the study
  std::vector<PlannedRun> runs;
  std::string project;      // project_dir(path): where relative paths of its runs resolve, and runs start
};

// The project folder of a sweep file: the folder holding the `experiments/` folder the file lies in
// (for experiments/default/sweep.yaml in a checkout: the checkout), or the file's own folder outside
// one. Relative paths in a sweep's runs (dataset folders, checkpoints, list files, init files) are
// relative to it, whatever the working directory: the sweep's runs start there.
std::string project_dir(const std::string& sweep_path);

// One axis of the expansion: its points, each assigning one or more dotted keys.
using SweepAxis = std::vector<std::vector<std::pair<std::string, cfg::Node>>>;

// A sweep file parsed and checked, before any run is resolved.
struct SweepFile {
  std::string study, path, text;
  cfg::Node base;                      // includes merged, then `run`
  std::vector<SweepAxis> axes;         // grid keys in file order, then the zip group; last varies fastest
  std::vector<std::string> axis_keys;  // every key an axis sets
  std::vector<cfg::Node> excludes;
  std::vector<int> seeds = {0};
  std::vector<std::string> cost_keys = {"train.epochs", "dataset.train_size"};
  int64_t max_runs = kDefaultMaxRuns;  // `max_runs:`: expand() refuses a larger grid before building it
  static constexpr int64_t kDefaultMaxRuns = 10000;
};

SweepFile parse_sweep(const std::string& path);
// Every run: axes × seeds, overrides applied, resolved, excluded ones dropped, duplicates merged.
std::vector<PlannedRun> expand(const SweepFile& sweep, const std::vector<std::string>& overrides,
                               const Registries& registries);
// parse_sweep + expand.
Sweep load_sweep(const std::string& path, const std::vector<std::string>& overrides, const Registries& registries);

}  // namespace adaptlab
