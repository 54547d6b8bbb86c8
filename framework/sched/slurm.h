// The Slurm launcher: one `sbatch --array` job whose task i runs shard i of the same expanded run
// list (`adaptlab sweep FILE --shard i/K`) with the TBB scheduler over its node's devices, writing a
// shard database; `adaptlab results merge` folds the shards into the study's database.
// A sweep whose runs start from other runs of it (`init: from`) is cut into stages (a run's stage is one
// more than its dependencies'): stage s is its own array job (stage-<s>.sh, `--stage s`), submitted with
// --dependency=afterok on stage s - 1, and each of its tasks first merges the earlier stages' shard
// databases into its own, so that it finds its dependencies done and their tensors.
#pragma once
#include <string>
#include <vector>

namespace adaptlab {

struct SlurmOptions {
  int shards = 1;                 // array tasks
  std::string partition;          // --partition (empty: the cluster's default)
  std::string gpus_per_task;      // --gpus-per-task (empty: none)
  std::string time;               // --time (empty: the partition's default)
  std::string cpus_per_task;      // --cpus-per-task (empty: default)
  std::string dir;                // job script, shard databases and logs
  bool submit = true;             // run sbatch (false: only write the script)
};

// Everything the array task runs besides the shard flags (the sweep file, overrides, devices...).
struct SlurmJob {
  std::string executable;             // adaptlab binary (absolute)
  std::vector<std::string> global_args;  // --plugin P ... (before the subcommand)
  std::vector<std::string> sweep_args;   // FILE overrides... --devices ... (after "sweep")
  std::string study;
  std::string workdir;                // cd here first
};

// What a sweep command line asks for, replayed by every array task on its shard.
struct SweepLaunch {
  std::string file;                    // the sweep file
  std::vector<std::string> overrides;  // key=value
  std::string devices = "cpu";
  int per_device = 1;
  double timeout_s = 0;
  int retries = 0;
  bool retry_failed = false;
  int threads = 0;                     // global --threads (0: default)
  std::vector<std::string> plugins;    // global --plugin
};

// The array task's command: this executable, the global flags, `sweep` and the launch's flags (paths
// made absolute, since the task runs in `workdir`).
SlurmJob slurm_job(const SweepLaunch& launch, const std::string& study);

// Single-quotes a value for a POSIX shell: every value that reaches a shell goes through this.
std::string shell_quote(const std::string& s);

// Refuses what must not reach the job script: #SBATCH values outside their plain forms, and any value
// (paths and arguments included) holding a control character. Called before anything is written.
void validate_slurm_job(const SlurmJob& job, const SlurmOptions& o);

// Validates, then writes <dir>/job.sh (whole, through a temporary file) and returns its path. With
// `stage` >= 0: <dir>/stage-<stage>.sh, whose tasks run `--stage <stage>` into shard-s<stage>-<i>.sqlite
// after merging shard-s0-* … shard-s<stage-1>-* into it.
std::string write_slurm_script(const SlurmJob& job, const SlurmOptions& o, int stage = -1);

// The shell command that submits the script (sbatch --parsable --output=<dir>/shard-%a.out SCRIPT;
// a stage's output shard-s<stage>-%a.out; `after`: a job id this one waits for, --dependency=afterok,
// and is cancelled when that one fails).
std::string slurm_submit_command(const std::string& script, int stage = -1, const std::string& after = "");

// Submits with that command; returns the job id.
std::string submit_slurm_script(const std::string& script, int stage = -1, const std::string& after = "");

}  // namespace adaptlab
