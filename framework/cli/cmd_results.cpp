#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/registry/registries.h"
#include "framework/sched/measure_stage.h"
#include "framework/core/log.h"
#include "framework/run/run_config.h"
#include "framework/sched/driver_lock.h"
#include "framework/sched/plan.h"
#include "framework/store/merge.h"
#include "framework/store/schema.h"
#include "framework/store/store.h"

namespace adaptlab::cli {
namespace {

int cmd_migrate(const std::string& db) {
  AL_CHECK(std::filesystem::exists(db), "{}: no such results database", db);
  Store store(db);  // opening for writing migrates an older schema in one transaction
  const int rekeyed = migrate_run_ids(store, registries());  // needs the plugins of plugin runs (--plugin)
  fmt::print("{}: schema version {}, run id scheme {} ({} run ids changed)\n", db, kSchemaVersion, kIdScheme,
             rekeyed);
  return 0;
}

int cmd_merge(const std::string& into, const std::vector<std::string>& shards) {
  Store target(into);
  migrate_run_ids(target, registries());
  for (const auto& shard : shards) {
    const MergeReport r = merge_shard(target, shard);
    fmt::print("{}: {} runs copied, {} already present\n", shard, r.runs_copied, r.runs_kept);
  }
  return 0;
}

int cmd_gc(const std::string& db, bool dry_run) {
  AL_CHECK(std::filesystem::exists(db), "{}: no such results database", db);
  Store store(db);
  const GcReport r = collect_artifacts(store, dry_run);
  for (const auto& d : r.removed) fmt::print("{} {}\n", dry_run ? "would remove" : "removed", d);
  for (const auto& m : r.missing) fmt::print("missing (on record, not on disk): {}\n", m);
  fmt::print("{}: {} artifact folder(s) of runs no longer in the database {} ({:.1f} MiB); {} kept\n", db,
             r.removed.size(), dry_run ? "would be removed" : "removed", static_cast<double>(r.bytes) / (1 << 20),
             r.kept);
  return 0;
}

int cmd_rm(const std::string& db, const std::string& study_given, const std::vector<std::string>& filters, bool dry_run) {
  AL_CHECK(std::filesystem::exists(db), "{}: no such results database", db);
  Store store(db);
  DriverLock lock(store);  // no sweep may write meanwhile
  const std::string study = study_of(store, study_given);
  RerunFilter filter(filters);
  std::vector<std::string> ids;
  for (const auto& r : store.runs(study)) {
    RunConfig c = RunConfig::from_json(r.config, db + ": run " + r.id);
    c.id = r.id;
    if (filter.matches(c)) {
      ids.push_back(r.id);
      fmt::print("{} {}  {:<9} {}\n", dry_run ? "would remove" : "removing", r.id, to_string(r.status),
                 r.label.empty() ? r.methods : r.label);
    }
  }
  for (const auto& v : filter.unmatched()) log::warn("results rm: '{}' matches no run of study {}", v, study);
  if (!dry_run && !ids.empty()) {
    store.remove_runs(study, ids);
    store.refresh_labels(study);
  }
  fmt::print("{}: {} run(s) of study {} {} (their attempts stay in run_history; `results gc` removes their saved "
             "tensors)\n", db, ids.size(), study, dry_run ? "would be removed" : "removed");
  return 0;
}

struct ResultsArgs {
  std::string into, db, study;
  std::vector<std::string> shards, filters;
  bool dry_run = false;
};

}  // namespace

void add_results(Command& root, const GlobalArgs&) {
  auto a = std::make_shared<ResultsArgs>();
  Command& res = root.sub("results", "operations on results databases");
  Command& merge = res.sub("merge", "fold shard databases (e.g. from Slurm array tasks) into a study database; "
                                    "idempotent");
  merge.option("--into", a->into, "the study database to merge into (created if missing)").required();
  merge.positional("shards", a->shards, "shard databases").required();
  merge.on_run([a] { return cmd_merge(a->into, a->shards); });
  Command& migrate = res.sub("migrate", "upgrade a database written by an older adaptlab to this schema version "
                                        "and run id scheme, in one transaction (every row is kept; give --plugin for "
                                        "studies that used plugins)");
  migrate.option("--db", a->db, "the database").required();
  migrate.on_run([a] { return cmd_migrate(a->db); });
  Command& rm = res.sub("rm", "drop runs from a study: by run id, `all`, or conditions key=value[,key=value...] on run "
                              "columns (methods, backbone, dataset, seed) and dotted config keys (as --rerun); their "
                              "attempts are kept in run_history, and a later sweep runs them again");
  rm.option("--db", a->db, "the database").required();
  rm.option("--study", a->study, "the study (default: the only one in the database)");
  rm.flag("--dry-run", a->dry_run, "only list what would be removed");
  rm.positional("runs", a->filters, "run ids, all, or key=value[,key=value...] conditions").required();
  rm.on_run([a] { return cmd_rm(a->db, a->study, a->filters, a->dry_run); });
  Command& gc = res.sub("gc", "remove the saved tensors (results/<study>.artifacts/<id>) of runs the database no "
                              "longer has; list artifact files on record that are gone");
  gc.option("--db", a->db, "the database").required();
  gc.flag("--dry-run", a->dry_run, "only list what would be removed");
  gc.on_run([a] { return cmd_gc(a->db, a->dry_run); });
}

}  // namespace adaptlab::cli
