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
//   search:                        # optional; trials drawn from distributions (search.h): one more
//     sampler: sobol               #   axis, after grid and zip, so every grid cell gets the same trials;
//     trials: 12                   #   random (default) | sobol (scrambled: a random digital shift)
//     seed: 3                      #   default 0
//     space:                       #   dotted key -> one distribution; a key of grid or zip is refused
//       train.lr: {loguniform: [1.0e-4, 1.0e-2]}   # also {uniform: [a, b]}, {int: [a, b], log: true}
//       methods.0.rank: {choice: [4, 8, 16]}       #   (log optional), {choice: [...]}
//   exclude:                       # optional; drop runs matching every key of an entry
//     - {methods: [linear], train.lr: 0.003}
//   seeds: [0, 1, 2]               # or N (= 0..N-1); default [0]
//   cost: [train.epochs, dataset.train_size]  # optional; numeric keys whose product is a run's
//                                  #   relative cost (longest first); this is the default
//
// Command-line overrides "key.sub=value" apply to every run, last. `search.trials=N`, `search.seed=S` and
// `search.sampler=random|sobol` change the search (a search key itself cannot be overridden).
//
// The trials are drawn from the file alone (search.h), so a search expands like a grid: a trial's run id
// is its config's hash, the same in every expansion, and --dry-run, resume, --shard, Slurm arrays and
// stages treat trials as grid points. A run's axes show "trial=t" and the values drawn.
//
// Three steps: parse_sweep (the file, checked; nothing resolved) → expand (every run resolved through
// the registries) → the scheduler plans what is not done yet.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "framework/config/node.h"
#include "framework/run/run_config.h"
#include "framework/sweep/search.h"

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
  std::vector<SweepAxis> axes;         // grid keys in file order, the zip group, the search; last varies fastest
  std::vector<std::string> axis_keys;  // every key an axis sets
  std::optional<SearchSpec> search;    // `search:`; its trials are axes[search_axis]
  int search_axis = -1;
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
