// One run's resolved configuration, typed: the backbone, dataset and method stack with every option
// filled in, the training options, the seed, and the run's stable id. The sweep driver resolves it
// once (framework/run/resolve.h); a child process loads it as is from its spec file (spec_file.h).
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "framework/measure/options.h"
#include "framework/run/init_source.h"
#include "framework/train/options.h"

namespace adaptlab {

// A registry entry by name with its resolved options (every option, defaults filled in).
struct ComponentConfig {
  std::string name;
  nlohmann::json options = nlohmann::json::object();
};

struct RunConfig {
  ComponentConfig backbone;
  ComponentConfig dataset;
  std::vector<ComponentConfig> methods;  // applied in order
  TrainOptions train;
  MeasureOptions measure;  // how costs are measured; not part of the id
  int seed = 0;
  std::vector<InitSource> init;  // starting tensors from other runs or files (init_source.h)
  std::string id;  // stable run id (see resolve.h)

  // Canonical JSON: {backbone: {name, ...}, dataset: {...}, methods: [...], train: {...}, measure: {...}, seed[, init]} with
  // sorted keys; what the database stores as the run's config.
  nlohmann::json to_json() const;
  // The inverse, for a resolved config (a spec file, the database); `origin` names it in errors. The
  // id is not computed (it is stored beside the config).
  static RunConfig from_json(const nlohmann::json& j, const std::string& origin);

  // The method stack for display: "lora+tome" (runs.methods; the store derives the same from the JSON).
  std::string label() const;
  // Dotted keys → JSON-encoded values of to_json() ("methods.0.rank" → "8").
  std::vector<std::pair<std::string, std::string>> flat() const;
};

}  // namespace adaptlab
