// Automatic labels of runs: what `adaptlab table` calls a run's row and column when no spec names
// them, and what the database stores as runs.label.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "framework/store/store.h"

namespace adaptlab {

struct RunLabels {
  std::vector<std::string> rows;     // per run: method stack + the options that vary among that stack's runs
  std::vector<std::string> columns;  // per run: dataset + the dataset options that vary anywhere
};

// Labels of `runs` relative to each other (a run's label depends on which options vary among the
// others). `flat`: each run's flattened config (flatten_json), as maps.
RunLabels automatic_labels(const std::vector<RunRow>& runs, const std::vector<std::map<std::string, std::string>>& flat);
RunLabels automatic_labels(const std::vector<RunRow>& runs);

// The keys of an `init:` source that the sweep fills in per run when it resolves it (the dependency's
// run id and study, the file and its hash): left out of labels and of "a default changed" checks.
const std::vector<std::string>& resolved_init_keys();
// Whether a flat config key ("init.0.artifact") is one of them.
bool resolved_per_run(const std::string& key);

}  // namespace adaptlab
