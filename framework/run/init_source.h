// Where a run's starting tensors come from: another run's saved tensors (its trained.safetensors,
// framework/run/artifacts.h), or a safetensors file. A run configuration's `init:` is a list of sources,
// loaded in order after the methods are attached (a later source wins on a name both hold):
//
//   init:
//     - {from: {study: wiki-plugins, match: {methods.0.k: 4}}}   # the one done run of that study that matches
//     - {from: {run: 3f2a9c}, exclude: [head.]}                  # a run of this study by id (or id prefix)
//     - {path: /models/plugins.safetensors}                      # a file
//
// A `from` source must resolve to exactly one run (the sweep resolves it: framework/run/dependencies.h);
// the resolved run id becomes part of this run's id, so a re-trained dependency re-runs its dependents,
// and the sweep runs a dependency before its dependents. A `path` source's content hash is part of the id.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "framework/config/node.h"

namespace adaptlab {

struct InitSource {
  // Which run: `from` keys (written flat here; `from: {...}` is accepted and flattened).
  std::string study;           // "" = the run's own study
  std::string run;             // a run id or id prefix ("" = by match)
  cfg::Node match;             // dotted config keys -> values the run must have
  bool same_seed = true;       // only runs with this run's seed
  std::string path;            // or: a safetensors file
  // What is loaded.
  std::vector<std::string> exclude;  // tensor-name prefixes left out ("head.")
  bool strict = true;                // every loaded tensor must exist in this model (shape and dtype always)
  // Filled in by the resolution (stored with the run's config; spec files carry them).
  std::string resolved_run;    // the dependency's run id
  std::string resolved_study;  // its study
  std::string artifact;        // the file loaded
  std::string artifact_hash;   // path sources: the file's content hash (part of the run id)

  template <class V>
  void visit(V& v) {
    v("study", study, "the dependency's study (default: this run's)");
    v("run", run, "the dependency's run id or a unique id prefix");
    v("match", match, "map of dotted config keys to values the dependency must have (methods.0.k: 4)");
    v("same_seed", same_seed, "only a dependency with this run's seed");
    v("path", path, "a safetensors file to load instead of a run's saved tensors");
    v("exclude", exclude, "tensor-name prefixes not loaded (e.g. head.)");
    v("strict", strict, "every tensor of the file (not excluded) must be a tensor of this model");
    v("resolved_run", resolved_run, "set by the sweep: the dependency's run id");
    v("resolved_study", resolved_study, "set by the sweep: the dependency's study");
    v("artifact", artifact, "set by the sweep: the file loaded");
    v("artifact_hash", artifact_hash, "set by the sweep: a path source's content hash");
    v.check(!path.empty() || !run.empty() || match.is_map() || !study.empty(), "path",
            "an init source needs path, or a run (study, run, match)");
    v.check(path.empty() || (run.empty() && !match.is_map() && study.empty()), "path",
            "give path or a run (study, run, match), not both");
    v.check(match.is_null() || match.is_map(), "match", "must be a map of dotted keys to values");
  }

  bool from_run() const { return path.empty(); }
  // "study S, run R, match {...}" or the path, for messages.
  std::string describe() const;
};

// `init:` of a run configuration: a list of sources (or one source as a map); `from:` maps flattened.
std::vector<InitSource> parse_init(const cfg::Node& node);
nlohmann::json init_json(const std::vector<InitSource>& init);
std::vector<InitSource> init_of_json(const nlohmann::json& j, const std::string& origin);
// What the run id hashes of a source: the resolved run (study and id) or the file's hash, and what is
// loaded when not the default.
nlohmann::json init_id_form(const nlohmann::json& source);

}  // namespace adaptlab
