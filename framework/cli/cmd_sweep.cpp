#include <fmt/format.h>

#include <filesystem>

#include "framework/cli/commands.h"
#include "framework/core/log.h"
#include "framework/registry/registries.h"
#include "framework/core/error.h"
#include "framework/sched/scheduler.h"
#include "framework/sched/slurm.h"
#include "framework/sched/signals.h"
#include "framework/store/merge.h"
#include "framework/store/store.h"
#include "framework/sweep/sweep.h"

namespace adaptlab::cli {

std::string default_db_path(const std::string& study) { return "results/" + study + ".sqlite"; }

namespace {

// Keeps runs whose index modulo K is i ("i/K"); every shard sees the same expanded list.
void apply_shard(Sweep& sw, const std::string& spec) {
  const auto slash = spec.find('/');
  int i = -1, k = 0;
  try {
    AL_CHECK(slash != std::string::npos, "");
    i = std::stoi(spec.substr(0, slash));
    k = std::stoi(spec.substr(slash + 1));
  } catch (const std::exception&) {
    fail("--shard '{}': expected i/K with 0 <= i < K", spec);
  }
  AL_CHECK(k >= 1 && i >= 0 && i < k, "--shard '{}': expected i/K with 0 <= i < K", spec);
  std::vector<PlannedRun> kept;
  for (size_t j = 0; j < sw.runs.size(); ++j)
    if (static_cast<int>(j % k) == i) kept.push_back(std::move(sw.runs[j]));
  sw.runs = std::move(kept);
}

int launch_slurm(const SweepArgs& a, const Sweep& sw) {
  namespace fs = std::filesystem;
  SlurmJob job;
  job.executable = fs::read_symlink("/proc/self/exe").string();
  job.study = sw.study;
  job.workdir = fs::current_path().string();
  if (a.threads > 0) job.global_args = {"--threads", std::to_string(a.threads)};
  for (const auto& p : a.plugins) job.global_args.insert(job.global_args.end(), {"--plugin", fs::absolute(p).string()});
  job.sweep_args = {fs::absolute(a.file).string()};
  job.sweep_args.insert(job.sweep_args.end(), a.overrides.begin(), a.overrides.end());
  job.sweep_args.insert(job.sweep_args.end(), {"--devices", a.devices, "--per-device", std::to_string(a.per_device)});
  if (a.timeout_s > 0) job.sweep_args.insert(job.sweep_args.end(), {"--timeout", fmt::format("{}", a.timeout_s)});
  if (a.retries > 0) job.sweep_args.insert(job.sweep_args.end(), {"--retries", std::to_string(a.retries)});
  if (a.retry_failed) job.sweep_args.push_back("--retry-failed");
  SlurmOptions o;
  o.shards = a.shards;
  o.partition = a.partition;
  o.gpus_per_task = a.gpus_per_task;
  o.cpus_per_task = a.cpus_per_task;
  o.time = a.time;
  o.dir = a.slurm_dir.empty() ? "results/" + sw.study + ".slurm" : a.slurm_dir;
  o.submit = !a.no_submit;
  const std::string script = write_slurm_script(job, o);
  fmt::print("wrote {} ({} runs in {} array tasks)\n", script, sw.runs.size(), o.shards);
  if (o.submit) {
    const std::string id = submit_slurm_script(script);
    fmt::print("submitted job {}\n", id);
  } else {
    fmt::print("submit it with: {}\n", slurm_submit_command(script));
  }
  fmt::print("when it is done: adaptlab results merge --into {} {}/shard-*.sqlite\n",
             shell_quote(a.db.empty() ? default_db_path(sw.study) : a.db), shell_quote(fs::absolute(o.dir).string()));
  return 0;
}

}  // namespace

int cmd_merge(const MergeArgs& a) {
  Store target(a.into);
  for (const auto& shard : a.shards) {
    const MergeReport r = merge_shard(target, shard);
    fmt::print("{}: {} runs copied, {} already present\n", shard, r.runs_copied, r.runs_kept);
  }
  return 0;
}

int cmd_sweep(const SweepArgs& a) {
  Sweep sw = load_sweep(a.file, a.overrides, registries());
  if (a.launcher == "slurm") return launch_slurm(a, sw);
  if (!a.shard.empty()) apply_shard(sw, a.shard);
  const std::string db = a.db.empty() ? default_db_path(sw.study) : a.db;
  if (a.dry_run) {
    std::unique_ptr<Store> store;
    if (std::filesystem::exists(db)) store = std::make_unique<Store>(db, /*read_only=*/true);
    int done = 0;
    fmt::print("study {}: {} runs (database {})\n", sw.study, sw.runs.size(), db);
    for (const auto& r : sw.runs) {
      const auto status = store ? store->status(sw.study, r.id()) : std::nullopt;
      done += status == RunStatus::done;
      std::string axes;
      for (const auto& [k, v] : r.axes) axes += fmt::format(" {}={}", k, v);
      fmt::print("{}  {:<9}{}\n", r.id(), status ? to_string(*status) : "new", axes);
    }
    fmt::print("{} of {} already done\n", done, sw.runs.size());
    return 0;
  }
  Store store(db);
  SchedulerOptions o;
  o.devices = parse_devices(a.devices);
  o.per_device = a.per_device;
  o.threads = a.threads;
  o.timeout_s = a.timeout_s;
  o.retries = a.retries;
  o.retry_failed = a.retry_failed;
  o.progress = !a.no_progress;
  o.log_dir = a.log_dir;
  o.command_line = a.command_line;
  install_interrupt_handler();
  const SweepReport r = run_sweep(sw, store, o);
  log::info("study {}: {} run, {} skipped, {} failed, {} timed out, {} cancelled, {} not started; results in {}",
            sw.study, r.done, r.skipped, r.failed, r.timed_out, r.cancelled, r.not_started, db);
  return r.ok() ? 0 : 2;
}

}  // namespace adaptlab::cli
