// What a sweep driver does before launching anything: bring the database's run ids to the current
// scheme, decide which runs still need running, and the record each run gets in the database.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "framework/store/store.h"

namespace adaptlab {

struct Registries;
struct RunConfig;
struct Sweep;

// `--rerun` values: runs to run again even when done. Each value is `all`, a run id, or conditions
// `key=value[,key=value…]` that must all hold, where a key is a run column (`methods` = the stack's
// label, `backbone`, `dataset`, `seed`) or a dotted config key (`methods.0.rank`, `train.lr`); a run
// matching any value runs again, and so does every finished run of the sweep that starts from one sent
// again (`init: from`, transitively). Earlier attempts are kept in run_history.
struct RerunFilter {
  explicit RerunFilter(const std::vector<std::string>& values = {});
  bool empty() const { return values_.empty(); }
  // Whether the planned run (its resolved config) matches; counts the match per value.
  bool matches(const RunConfig& config);
  // The values that matched no run of the sweep.
  std::vector<std::string> unmatched() const;

 private:
  struct Value {
    std::string text;
    bool all = false;
    std::string id;
    std::vector<std::pair<std::string, std::string>> conditions;
    int matched = 0;
  };
  std::vector<Value> values_;
};

// Which runs of the sweep run again: the finished ones (`finished(i)`: stored and not running) that
// `rerun` matches, then — transitively — every finished run starting from one of them (`init: from`:
// its dependency's tensors change, its id does not). `dependents`: how many were added that way.
std::vector<bool> sent_again(const Sweep& sweep, const std::function<bool(size_t)>& finished, RerunFilter& rerun,
                             int* dependents = nullptr);

struct Plan {
  std::vector<size_t> todo;  // indices into sweep.runs, longest expected first (LPT)
  int skipped = 0;           // done, or failed/timed-out without --retry-failed
  int failed_kept = 0;       // of those, ended without a result
  int stale = 0;             // left 'running' by a driver that died; they run again
  int outdated = 0;          // done, but their dependency's tensors changed since: they run again
  int cancelled = 0;         // cancelled by an interrupt before (not a failure); they run again
  int rerun = 0;             // done (or failed) runs that --rerun sends again
  // Done runs (not trained again) still to measure: never measured (the driver stopped between training
  // and measuring), or whose measurement failed (with retry_failed); only runs that saved their tensors.
  std::vector<size_t> measure;
};

// Runs not done yet (failed and timed-out ones only with `retry_failed`; cancelled ones always), longest first; warns about done runs whose
// stored configuration differs from today's resolution (a default changed since).
Plan plan_runs(const Sweep& sweep, Store& store, bool retry_failed, RerunFilter rerun = RerunFilter());

// Re-keys a database made with an older run id scheme (once; the ids are recomputed from the stored
// configs). Returns how many ids changed; 0 when the database is current.
int migrate_run_ids(Store& store, const Registries& registries);

// The inputs the sweep's runs name exist: what their dataset and backbone declare as inputs on disk
// (EntryMeta::inputs: data folders, files, model names), relative paths taken in the sweep's project
// folder. Checked once, before anything runs; the error lists each missing input with its runs.
void check_inputs(const Sweep& sweep, const Registries& registries);

// The database's record of a planned run.
RunRecord run_record(const std::string& study, const RunConfig& config);

}  // namespace adaptlab
