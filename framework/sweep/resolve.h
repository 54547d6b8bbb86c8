// Turns a merged run configuration into its canonical resolved form: every option of the chosen
// backbone, methods, dataset and trainer filled in with its default, unknown keys rejected.
#pragma once
#include <nlohmann/json.hpp>

#include "framework/config/node.h"

namespace adaptlab {

struct Registries;

// Top-level keys of a run configuration:
//   backbone: {name: vit, ...options}      dataset: {name: synthetic, ...options}
//   methods:  [lora, {name: lora, rank: 4}, ...]   (applied in order)
//   train:    {...TrainOptions}             seed: 0
nlohmann::json resolve_run_config(const cfg::Node& run, const Registries& registries);

// Run id: the first 16 hex digits of XXH3-128 over the canonical JSON (sorted keys, shortest numbers).
std::string run_id(const nlohmann::json& resolved);

// Human-readable method stack: "lora+tome".
std::string methods_label(const nlohmann::json& resolved);

}  // namespace adaptlab
