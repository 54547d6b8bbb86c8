// Runs that start from other runs' saved tensors (`init:` with `from`, framework/run/init_source.h):
// resolving each source to exactly one run before anything runs, and the order the sweep runs them in.
#pragma once
#include <string>
#include <vector>

namespace adaptlab {

struct Registries;
struct Sweep;

// Resolves every init source of the sweep's runs. A `from` source names one run: of this sweep (same
// study; it runs first), or — when no run of the sweep matches — done in the database `db_path` (or, for
// another study that database does not hold, in <db folder>/<study>.sqlite), matching its `run` id prefix, `match` keys and (same_seed)
// the seed. Sets resolved_run / resolved_study / artifact and re-computes the dependent ids (chains in
// order). `path` sources get their file's content hash. Errors, before anything runs: a source that
// matches no run or several (the candidates named), a cycle, a done dependency without saved tensors.
// A dependency of the sweep already done in `db_path` (a resumed sweep, or a Slurm stage whose earlier
// stages were merged in) is loaded from where its tensors were recorded.
void resolve_dependencies(Sweep& sweep, const std::string& db_path, const Registries& registries);

// For each run of the sweep: the indices of the sweep's runs it loads from.
std::vector<std::vector<size_t>> sweep_dependencies(const Sweep& sweep);

// Each run's stage: 0 when it loads from no run of the sweep, else 1 + the largest stage of those it
// loads from (the Slurm launcher runs stage s as its own array job after stage s - 1).
std::vector<int> sweep_stages(const Sweep& sweep);
// How many stages those are (1 for a sweep without in-sweep dependencies).
int stage_count(const std::vector<int>& stages);
// Keeps the runs of stage `stage` (ids unchanged: call after resolve_dependencies); an error naming the
// sweep's stages when it has no such stage.
void keep_stage(Sweep& sweep, int stage);

}  // namespace adaptlab
