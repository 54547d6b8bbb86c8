#include "framework/sched/plan.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "framework/core/log.h"
#include "framework/run/resolve.h"
#include "framework/sweep/sweep.h"

namespace adaptlab {

Plan plan_runs(const Sweep& sweep, Store& store, bool retry_failed) {
  Plan plan;
  std::map<std::string, RunRow> stored;
  for (auto& r : store.runs(sweep.study)) stored.emplace(r.id, std::move(r));
  int drifted = 0;
  for (size_t i = 0; i < sweep.runs.size(); ++i) {
    const auto it = stored.find(sweep.runs[i].id());
    if (it == stored.end()) {
      plan.todo.push_back(i);
      continue;
    }
    const RunStatus st = it->second.status;
    if (st == RunStatus::done || (ended_without_result(st) && !retry_failed)) {
      ++plan.skipped;
      plan.failed_kept += ended_without_result(st);
      const auto drift = config_drift(it->second.config, sweep.runs[i].config.to_json());
      if (!drift.empty() && drifted++ < 5)
        log::warn("run {} was made when {}; a default changed since. Its result is kept (re-run it to redo it)",
                  it->first, fmt::join(drift, ", "));
      continue;
    }
    if (st == RunStatus::running) ++plan.stale;
    plan.todo.push_back(i);
  }
  if (drifted > 5) log::warn("... and {} more runs made under other defaults", drifted - 5);
  if (plan.stale > 0) log::warn("{} run(s) were left 'running' by a driver that stopped; they run again", plan.stale);
  std::stable_sort(plan.todo.begin(), plan.todo.end(),
                   [&](size_t a, size_t b) { return sweep.runs[a].cost > sweep.runs[b].cost; });
  return plan;
}

int migrate_run_ids(Store& store, const Registries& registries) {
  const int scheme = store.id_scheme();
  if (scheme >= kIdScheme) return 0;
  const int changed = store.rekey_runs([&](const RunRow& r) { return stable_run_id(r.config, registries); });
  log::info("{}: run ids moved from id scheme {} to {} ({} runs re-keyed; results kept)", store.path(), scheme,
            kIdScheme, changed);
  return changed;
}

RunRecord run_record(const std::string& study, const RunConfig& config) {
  return record_of_config(study, config.id, config.to_json());
}

}  // namespace adaptlab
