#include "framework/sched/slurm.h"

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "framework/core/error.h"
#include "framework/core/file_io.h"

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

namespace {

// A value for the job script shown in an error: control characters escaped.
std::string shown(const std::string& v) { return nlohmann::json(v).dump(); }

// Nothing with a control character reaches the script: a newline would end a comment or a quoted
// word's line, whatever the quoting.
void check_printable(const std::string& what, const std::string& v) {
  const bool bad = std::any_of(v.begin(), v.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  AL_CHECK(!bad, "{} {}: a control character (newline, tab, ...) is not allowed in a value written to the Slurm job "
           "script", what, shown(v));
}

// #SBATCH lines are read by sbatch, not a shell: each value must match its own plain form.
void check_sbatch_value(const char* flag, const std::string& v, const char* pattern, const char* expected) {
  if (v.empty()) return;
  AL_CHECK(std::regex_match(v, std::regex(pattern)), "{} {}: expected {}", flag, shown(v), expected);
}

}  // namespace

void validate_slurm_job(const SlurmJob& job, const SlurmOptions& o) {
  AL_CHECK(o.shards >= 1, "--shards must be >= 1");
  check_sbatch_value("--partition", o.partition, "[A-Za-z0-9_.,-]+", "a partition name (letters, digits, '_', '.', '-', ',')");
  check_sbatch_value("--gpus-per-task", o.gpus_per_task, "([A-Za-z0-9_.-]+:)?[1-9][0-9]*",
                     "a GPU count, optionally with a type ('2', 'a100:2')");
  check_sbatch_value("--cpus-per-task", o.cpus_per_task, "[1-9][0-9]*", "a positive CPU count");
  check_sbatch_value("--time", o.time, "[0-9]+(-[0-9]+)?(:[0-9]+){0,2}",
                     "a Slurm time limit (minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS)");
  check_sbatch_value("study", job.study, "[A-Za-z0-9_.-]+", "a study name (letters, digits, '_', '.', '-')");
  check_printable("--slurm-dir", o.dir);
  check_printable("the adaptlab executable", job.executable);
  check_printable("the working directory", job.workdir);
  for (const auto& a : job.global_args) check_printable("argument", a);
  for (const auto& a : job.sweep_args) check_printable("argument", a);
}

std::string write_slurm_script(const SlurmJob& job, const SlurmOptions& o, int stage) {
  validate_slurm_job(job, o);
  const std::string dir = fs::absolute(o.dir).string();
  check_printable("--slurm-dir", dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  AL_CHECK(!ec, "{}: cannot create the Slurm folder: {}", dir, ec.message());
  const bool staged = stage >= 0;
  const std::string path = (fs::path(dir) / (staged ? fmt::format("stage-{}.sh", stage) : "job.sh")).string();
  const std::string db_prefix = staged ? fmt::format("shard-s{}-", stage) : "shard-";
  std::ostringstream f;
  f << "#!/bin/bash\n";
  f << "#SBATCH --job-name=adaptlab-" << job.study << (staged ? fmt::format("-stage{}", stage) : "") << "\n";
  f << "#SBATCH --array=0-" << (o.shards - 1) << "\n";
  if (!o.partition.empty()) f << "#SBATCH --partition=" << o.partition << "\n";
  if (!o.gpus_per_task.empty()) f << "#SBATCH --gpus-per-task=" << o.gpus_per_task << "\n";
  if (!o.cpus_per_task.empty()) f << "#SBATCH --cpus-per-task=" << o.cpus_per_task << "\n";
  if (!o.time.empty()) f << "#SBATCH --time=" << o.time << "\n";
  f << "# Written by adaptlab: task i runs shard i of " << o.shards
    << (staged ? fmt::format(" of stage {}", stage) : std::string()) << " into its own database;\n"
    << "# submit with: " << slurm_submit_command(path, stage) << "\n"
    << "# afterwards: adaptlab results merge --into <study db> " << shell_quote(dir) << "/shard-*.sqlite\n";
  f << "set -euo pipefail\n";
  f << "cd " << shell_quote(job.workdir) << "\n";
  f << "i=\"${SLURM_ARRAY_TASK_ID:?not running as a Slurm array task}\"\n";
  const std::string db = shell_quote(dir + "/" + db_prefix) + "\"$i\"'.sqlite'";
  if (stage > 0) {  // the earlier stages' results (their runs done, their tensors' paths) into this task's database
    f << shell_quote(job.executable) << " results merge --into " << db;
    for (int s = 0; s < stage; ++s) f << " " << shell_quote(dir) << fmt::format("/shard-s{}-*.sqlite", s);
    f << "\n";
  }
  f << "exec " << shell_quote(job.executable);
  for (const auto& a : job.global_args) f << " " << shell_quote(a);
  f << " sweep";
  for (const auto& a : job.sweep_args) f << " " << shell_quote(a);
  if (staged) f << " --stage " << stage;
  f << " --no-progress --shard \"$i/" << o.shards << "\" --db " << db << " --log-dir " << shell_quote(dir + "/logs")
    << "\n";
  // Written whole, then moved into place: a failed write leaves no job.sh.
  write_file_atomic(path, f.str(), "the Slurm job script");
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  return path;
}

std::string slurm_submit_command(const std::string& script, int stage, const std::string& after) {
  const std::string dir = fs::path(script).parent_path().string();
  const std::string out = stage >= 0 ? fmt::format("/shard-s{}-%a.out", stage) : "/shard-%a.out";
  AL_CHECK(after.find_first_not_of("0123456789_") == std::string::npos, "slurm: job id '{}' is not a job id", after);
  // --output goes on the command line, where the shell quoting below holds for any folder name.
  return "sbatch --parsable" +
         (after.empty() ? std::string() : " --dependency=afterok:" + after + " --kill-on-invalid-dep=yes") +
         " --output=" + shell_quote(dir + out) + " " + shell_quote(script);
}

std::string submit_slurm_script(const std::string& script, int stage, const std::string& after) {
  const std::string cmd = slurm_submit_command(script, stage, after) + " 2>&1";
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
