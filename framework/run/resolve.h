// Turns a merged run configuration (YAML) into a RunConfig: every option of the chosen backbone,
// methods, dataset and trainer filled in with its default, unknown keys rejected at their file:line,
// and the stable run id.
//
// Run ids are stable across upgrades: the id hashes the configuration with every option that equals
// its default left out (the full configuration is stored beside it), so adding an option with a
// default to any component leaves every existing id unchanged. Changing a default's value is a
// change of meaning: runs that relied on the old default are reported when a sweep resumes
// (see config_drift).
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "framework/config/node.h"
#include "framework/run/run_config.h"

namespace adaptlab {

struct Registries;

// Top-level keys of a run configuration:
//   backbone: {name: vit, ...options}      dataset: {name: synthetic, ...options}
//   methods:  [lora, {name: lora, rank: 4}, ...]   (applied in order)
//   train:    {...TrainOptions}             seed: 0
RunConfig resolve_run_config(const cfg::Node& run, const Registries& registries);

// The configuration a run id hashes: the resolved config without the options equal to their defaults
// (component names and the seed always stay). Components unknown to `registries` are an error that
// names them (load their plugin).
nlohmann::json id_form(const nlohmann::json& resolved, const Registries& registries);
// First 16 hex digits of XXH3-128 over the compact JSON of id_form (sorted keys, shortest numbers).
std::string stable_run_id(const nlohmann::json& resolved, const Registries& registries);
// The id scheme before stable ids (adaptlab ≤ 0.1, database id scheme 1): the hash of the full config.
std::string legacy_run_id(const nlohmann::json& resolved);

// Options present in both configs with different values ("methods.0.alpha: 8 -> 16"): a default that
// changed since `stored` was resolved. Keys only in one of them (options added or removed) are not drift.
std::vector<std::string> config_drift(const nlohmann::json& stored, const nlohmann::json& now);

}  // namespace adaptlab
