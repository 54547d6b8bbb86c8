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
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace adaptlab {

struct Registries;

struct RunSpec {
  std::string id;           // run_id(config)
  nlohmann::json config;    // canonical resolved run configuration
  std::vector<std::pair<std::string, std::string>> axes;  // grid values of this run, for display
  double cost = 1.0;        // relative expected duration (scheduling: longest first)
};

struct Sweep {
  std::string study;
  std::string path;         // the sweep file
  std::string text;         // the sweep file's content, stored with the study
  std::vector<RunSpec> runs;
};

Sweep load_sweep(const std::string& path, const std::vector<std::string>& overrides, const Registries& registries);

// Flattens a resolved config into dotted keys ("methods.0.rank") → JSON-encoded scalar values.
std::vector<std::pair<std::string, std::string>> flatten(const nlohmann::json& config);

}  // namespace adaptlab
