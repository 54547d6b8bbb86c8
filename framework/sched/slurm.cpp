#include "framework/sched/slurm.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "framework/core/error.h"

namespace adaptlab {
namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string slurm_submit_command(const std::string& script);

SlurmJob slurm_job(const SweepLaunch& l, const std::string& study) {
  SlurmJob job;
  job.executable = fs::read_symlink("/proc/self/exe").string();
  job.study = study;
  job.workdir = fs::current_path().string();
  if (l.threads > 0) job.global_args = {"--threads", std::to_string(l.threads)};
  for (const auto& p : l.plugins) job.global_args.insert(job.global_args.end(), {"--plugin", fs::absolute(p).string()});
  job.sweep_args = {fs::absolute(l.file).string()};
  job.sweep_args.insert(job.sweep_args.end(), l.overrides.begin(), l.overrides.end());
  job.sweep_args.insert(job.sweep_args.end(), {"--devices", l.devices, "--per-device", std::to_string(l.per_device)});
  if (l.timeout_s > 0) job.sweep_args.insert(job.sweep_args.end(), {"--timeout", fmt::format("{}", l.timeout_s)});
  if (l.retries > 0) job.sweep_args.insert(job.sweep_args.end(), {"--retries", std::to_string(l.retries)});
  if (l.retry_failed) job.sweep_args.push_back("--retry-failed");
  return job;
}

std::string write_slurm_script(const SlurmJob& job, const SlurmOptions& o) {
  AL_CHECK(o.shards >= 1, "--shards must be >= 1");
  fs::create_directories(o.dir);
  const std::string dir = fs::absolute(o.dir).string();
  const std::string path = (fs::path(dir) / "job.sh").string();
  std::ofstream f(path);
  AL_CHECK(f.good(), "{}: cannot write the Slurm job script", path);
  // #SBATCH lines are read by sbatch, not a shell: values there must not need quoting.
  auto sbatch_value = [](const char* flag, const std::string& v) {
    AL_CHECK(v.find_first_of(" \t\n'\"\\$`;") == std::string::npos, "{} '{}': spaces and shell characters are not allowed",
             flag, v);
    return v;
  };
  f << "#!/bin/bash\n";
  f << "#SBATCH --job-name=" << sbatch_value("study", "adaptlab-" + job.study) << "\n";
  f << "#SBATCH --array=0-" << (o.shards - 1) << "\n";
  if (!o.partition.empty()) f << "#SBATCH --partition=" << sbatch_value("--partition", o.partition) << "\n";
  if (!o.gpus_per_task.empty()) f << "#SBATCH --gpus-per-task=" << sbatch_value("--gpus-per-task", o.gpus_per_task) << "\n";
  if (!o.cpus_per_task.empty()) f << "#SBATCH --cpus-per-task=" << sbatch_value("--cpus-per-task", o.cpus_per_task) << "\n";
  if (!o.time.empty()) f << "#SBATCH --time=" << sbatch_value("--time", o.time) << "\n";
  f << "# Written by adaptlab: task i runs shard i of " << o.shards << " into its own database;\n"
    << "# submit with: " << slurm_submit_command(path) << "\n"
    << "# afterwards: adaptlab results merge --into <study db> " << shell_quote(dir) << "/shard-*.sqlite\n";
  f << "set -euo pipefail\n";
  f << "cd " << shell_quote(job.workdir) << "\n";
  f << "i=\"${SLURM_ARRAY_TASK_ID:?not running as a Slurm array task}\"\n";
  f << "exec " << shell_quote(job.executable);
  for (const auto& a : job.global_args) f << " " << shell_quote(a);
  f << " sweep";
  for (const auto& a : job.sweep_args) f << " " << shell_quote(a);
  f << " --no-progress --shard \"$i/" << o.shards << "\" --db " << shell_quote(dir + "/shard-") << "\"$i\"'.sqlite'"
    << " --log-dir " << shell_quote(dir + "/logs") << "\n";
  f.close();
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  return path;
}

std::string slurm_submit_command(const std::string& script) {
  const std::string dir = fs::path(script).parent_path().string();
  // --output goes on the command line, where the shell quoting below holds for any folder name.
  return "sbatch --parsable --output=" + shell_quote(dir + "/shard-%a.out") + " " + shell_quote(script);
}

std::string submit_slurm_script(const std::string& script) {
  const std::string cmd = slurm_submit_command(script) + " 2>&1";
  std::FILE* p = popen(cmd.c_str(), "r");
  AL_CHECK(p != nullptr, "cannot run sbatch");
  std::string out;
  std::array<char, 256> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
  const int rc = pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  AL_CHECK(rc == 0, "sbatch failed (exit {}): {}", WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out);
  return out.substr(0, out.find(';'));
}

}  // namespace adaptlab
