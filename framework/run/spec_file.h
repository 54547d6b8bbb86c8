// A run's spec file: what the sweep driver writes for each run it launches and `adaptlab run --spec`
// reads, so that a child (or a user re-running one run by hand) gets exactly the planned run:
//   {"adaptlab_run_spec": 1, "id": "<run id>", "config": {<resolved config>},
//    "plugins": [{"path": "/abs/libia3.so", "hash": "<xxh3-128>"}]}
// A plain run configuration (YAML or JSON with backbone/dataset/methods/...) is accepted too; it is
// resolved like a sweep's runs.
#pragma once
#include <string>
#include <vector>

#include "framework/registry/registries.h"
#include "framework/run/run_config.h"

namespace adaptlab {

struct RunSpec {
  RunConfig config;                  // with its id
  std::vector<PluginInfo> plugins;   // the plugins its components come from
};

// The loaded plugins that registered a component of `config` (its backbone, dataset or a method):
// what its spec lists, and what its provenance names.
std::vector<PluginInfo> plugins_used_by(const RunConfig& config);

// Writes atomically (a temporary file renamed over `path`).
void write_spec_file(const std::string& path, const RunSpec& spec);
// Reads a spec file (loading its plugins first, each checked against its recorded hash), or resolves a
// plain run configuration with the registries as they are.
RunSpec read_spec_file(const std::string& path);

}  // namespace adaptlab
