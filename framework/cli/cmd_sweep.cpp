#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/registry/registries.h"
#include "framework/sched/plan.h"
#include "framework/sched/dependencies.h"
#include "framework/sched/scheduler.h"
#include "framework/sched/shard.h"
#include "framework/sched/signals.h"
#include "framework/sched/slurm.h"
#include "framework/store/store.h"
#include "framework/sweep/sweep.h"

namespace adaptlab::cli {

std::string default_db_path(const std::string& study) { return "results/" + study + ".sqlite"; }

namespace {

struct SweepArgs {
  SweepLaunch launch;   // file, overrides, devices, per-device, time-out, retries, retry-failed
  std::string db;       // default: results/<study>.sqlite
  bool dry_run = false;
  bool no_progress = false;
  double progress_every = 30;
  std::string shard;    // "i/K": run only runs whose index % K == i
  int stage = -1;       // run only the runs of this stage (init: from ordering); -1: all
  std::string log_dir;  // per-run logs (default: next to the database)
  std::string launcher = "local";
  SlurmOptions slurm;
  bool no_submit = false;
  std::vector<std::string> rerun;
};

int launch_slurm(const SweepArgs& a, const Sweep& sw) {
  SlurmOptions o = a.slurm;
  if (o.dir.empty()) o.dir = "results/" + sw.study + ".slurm";
  o.submit = !a.no_submit;
  parse_devices(a.launch.devices);  // validated here: the array tasks would each fail on it later
  const auto stage = sweep_stages(sw);
  const int stages = stage_count(stage);
  const SlurmJob job = slurm_job(a.launch, sw.study);
  if (stages == 1) {
    const std::string script = write_slurm_script(job, o);
    fmt::print("wrote {} ({} runs in {} array tasks)\n", script, sw.runs.size(), o.shards);
    if (o.submit) fmt::print("submitted job {}\n", submit_slurm_script(script));
    else fmt::print("submit it with: {}\n", slurm_submit_command(script));
  } else {
    // One array job per stage, each waiting for the one before (its runs load from that stage's).
    std::vector<std::string> scripts;
    for (int s = 0; s < stages; ++s) scripts.push_back(write_slurm_script(job, o, s));
    std::string previous;
    for (int s = 0; s < stages; ++s) {
      const auto n = std::count(stage.begin(), stage.end(), s);
      fmt::print("wrote {} (stage {}: {} runs in {} array tasks)\n", scripts[s], s, n, o.shards);
      if (o.submit) {
        previous = submit_slurm_script(scripts[s], s, previous);
        fmt::print("submitted job {} (stage {}{})\n", previous, s,
                   s == 0 ? std::string() : ", after the stage before ends ok");
      } else {
        fmt::print("submit it with: {}\n",
                   slurm_submit_command(scripts[s], s, s == 0 ? "" : fmt::format("<job of stage {}>", s - 1)));
      }
    }
  }
  fmt::print("when it is done: adaptlab results merge --into {} {}/shard-*.sqlite\n",
             shell_quote(a.db.empty() ? default_db_path(sw.study) : a.db),
             shell_quote(std::filesystem::absolute(o.dir).string()));
  return 0;
}

int dry_run(const Sweep& sw, const std::string& db, const std::vector<std::string>& rerun_values) {
  std::unique_ptr<Store> store;
  if (std::filesystem::exists(db)) store = std::make_unique<Store>(db, /*read_only=*/true);
  RerunFilter rerun(rerun_values);
  std::vector<std::optional<RunStatus>> statuses;
  for (const auto& r : sw.runs) statuses.push_back(store ? store->status(sw.study, r.id()) : std::nullopt);
  const auto sent = sent_again(sw, [&](size_t i) { return statuses[i] && *statuses[i] != RunStatus::running; }, rerun);
  int done = 0;
  fmt::print("study {}: {} runs (database {})\n", sw.study, sw.runs.size(), db);
  for (size_t i = 0; i < sw.runs.size(); ++i) {
    const auto& r = sw.runs[i];
    const auto& status = statuses[i];
    const bool again = sent[i];
    done += status == RunStatus::done && !again;
    std::string axes;
    for (const auto& [k, v] : r.axes) axes += fmt::format(" {}={}", k, v);
    std::string shown = "new";
    if (status.has_value()) shown = std::string(to_string(status.value())) + (again ? " -> rerun" : "");
    fmt::print("{}  {:<9}{}\n", r.id(), shown, axes);
  }
  fmt::print("{} of {} already done\n", done, sw.runs.size());
  return 0;
}

int cmd_sweep(SweepArgs a, const GlobalArgs& g) {
  a.launch.threads = g.threads;
  a.launch.plugins = g.plugins;
  Sweep sw = load_sweep(a.launch.file, a.launch.overrides, registries());
  check_inputs(sw, registries());  // data folders, checkpoints, models: once, before anything runs
  const std::string db = a.db.empty() ? default_db_path(sw.study) : a.db;
  resolve_dependencies(sw, db, registries());  // before sharding: shards keep the ids of the whole sweep
  if (a.launcher == "slurm") {
    AL_CHECK(a.stage < 0, "--stage is set by the Slurm launcher's stage scripts, not with --launcher slurm");
    return launch_slurm(a, sw);
  }
  if (a.stage >= 0) keep_stage(sw, a.stage);
  if (!a.shard.empty()) {
    const auto [i, k] = parse_shard(a.shard);
    keep_shard(sw, i, k);
  }
  if (a.dry_run) return dry_run(sw, db, a.rerun);
  Store store(db);
  SchedulerOptions o;
  o.devices = parse_devices(a.launch.devices);
  o.per_device = a.launch.per_device;
  o.threads = g.threads;
  o.timeout_s = a.launch.timeout_s;
  o.retries = a.launch.retries;
  o.retry_failed = a.launch.retry_failed;
  o.rerun = a.rerun;
  o.progress = !a.no_progress;
  o.progress_period_s = a.progress_every;
  o.log_dir = a.log_dir;
  o.command_line = g.command_line;
  o.workdir = sw.project;
  install_interrupt_handler();
  const SweepReport r = run_sweep(sw, store, o);
  log::info("study {}: {} run, {} skipped, {} failed, {} timed out, {} cancelled, {} not started{}; results in {}",
            sw.study, r.done, r.skipped, r.failed, r.timed_out, r.cancelled, r.not_started,
            r.blocked ? fmt::format(", {} blocked (a dependency did not end done)", r.blocked) : "", db);
  if (r.measured + r.measure_failed + r.measure_not_started > 0)
    log::info("study {}: {} run(s) measured, {} measurement(s) failed, {} not measured", sw.study, r.measured,
              r.measure_failed, r.measure_not_started);
  if (r.failed_kept > 0)
    log::warn("study {}: {} done, {} failed earlier and kept (not re-run; --retry-failed runs them again)", sw.study,
              r.skipped - r.failed_kept + r.done, r.failed_kept);
  return r.ok() ? 0 : 2;
}

}  // namespace

void add_sweep(Command& root, const GlobalArgs& g) {
  auto a = std::make_shared<SweepArgs>();
  SweepLaunch& l = a->launch;
  Command& c = root.sub(
      "sweep",
      "expand a sweep file and run every run not already done, each in its own process; Ctrl-C once stops "
      "launching, twice kills running runs. Exit code 0 only when every run of the sweep is done; 2 when any is "
      "failed, timed out, cancelled or not started (now, or kept from an earlier sweep); 1 on an error.");
  c.positional("file", l.file, "sweep YAML file (experiments/<study>/sweep.yaml)").required();
  c.positional("overrides", l.overrides, "key.sub=value overrides applied to every run (last wins)");
  c.option("--db", a->db, "results database (default: results/<study>.sqlite)");
  c.option("--devices", l.devices, "'cpu' or CUDA ordinals '0,1,2,3': one slot per device");
  c.option("--per-device", l.per_device, "runs sharing one device (slots per device)").positive();
  c.option("--timeout", l.timeout_s, "seconds a run may take before it is killed (timed-out); 0 = none").non_negative();
  c.option("--retries", l.retries, "extra attempts for a run that fails or times out").non_negative();
  c.flag("--dry-run", a->dry_run, "print the expanded runs with their ids and status; run nothing");
  c.flag("--retry-failed", l.retry_failed, "re-run runs that failed or timed out before (cancelled runs always run again)");
  c.option("--rerun", a->rerun,
           "run finished runs again: 'all', a run id, or key=value[,key=value] over run columns (methods, backbone, "
           "dataset, seed) and dotted config keys (methods.0.rank=8); repeatable, a run matching any runs again; "
           "earlier attempts are kept in the run_history table");
  c.flag("--no-progress", a->no_progress, "no progress display on stderr");
  c.option("--progress-every", a->progress_every,
           "when stderr is not a terminal: seconds between the running runs' progress lines (default 30)")
      .positive();
  c.option("--shard", a->shard, "i/K: run only shard i of K (run index modulo K); used by Slurm array tasks");
  c.option("--stage", a->stage,
           "run only stage N of the sweep (0: runs that start from no run of it; N: from runs of stage N-1 and "
           "below); used by the Slurm launcher's per-stage array jobs")
      .non_negative();
  c.option("--log-dir", a->log_dir, "per-run logs and spec files (default: results/<study>.logs)");
  c.option("--launcher", a->launcher,
           "local (this machine) or slurm (an sbatch --array job; one per stage, chained with afterok, when runs start "
           "from other runs of the sweep)")
      .one_of({"local", "slurm"});
  c.option("--shards", a->slurm.shards, "slurm: array tasks, each running one shard of the runs").positive();
  c.option("--partition", a->slurm.partition, "slurm: partition");
  c.option("--gpus-per-task", a->slurm.gpus_per_task, "slurm: GPUs per array task");
  c.option("--cpus-per-task", a->slurm.cpus_per_task, "slurm: CPUs per array task");
  c.option("--time", a->slurm.time, "slurm: time limit per array task (e.g. 04:00:00)");
  c.option("--slurm-dir", a->slurm.dir, "slurm: job script, shard databases, logs (default: results/<study>.slurm)");
  c.flag("--no-submit", a->no_submit, "slurm: write the job script but do not submit it");
  c.on_run([a, &g] { return cmd_sweep(*a, g); });
}

}  // namespace adaptlab::cli
