#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "framework/sched/scheduler.h"
#include "framework/sched/slurm.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {
std::string run_shell(const std::string& cmd) {
  std::FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return out;
}
}  // namespace

TEST_CASE("shell_quote survives a real shell for hostile values", "[sched][slurm]") {
  for (const std::string v : {"plain", "with space", "it's", "$(rm -rf /)", "`id`", "a\"b", "x;y|z&", "", "new\nline"}) {
    INFO(v);
    CHECK(run_shell("printf %s " + shell_quote(v)) == v);
  }
}

TEST_CASE("the Slurm job script: array, directives, and every value quoted", "[sched][slurm]") {
  const auto dir = test::fresh_dir("slurm-script");
  SlurmJob job;
  job.executable = "/opt/adapt lab/adaptlab";
  job.global_args = {"--plugin", "/p/it's.so"};
  job.sweep_args = {"/e/sweep.yaml", "train.lr=0.1", "dataset.name=my data", "--devices", "0,1"};
  job.study = "demo";
  job.workdir = "/work/my dir";
  SlurmOptions o;
  o.shards = 3;
  o.partition = "gpu";
  o.gpus_per_task = "2";
  o.time = "04:00:00";
  o.dir = dir + "/slurm";
  o.submit = false;
  const std::string path = write_slurm_script(job, o);
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  CHECK_THAT(s, Catch::StartsWith("#!/bin/bash\n#SBATCH --job-name=adaptlab-demo\n#SBATCH --array=0-2\n"));
  CHECK_THAT(s, Catch::Contains("#SBATCH --partition=gpu\n#SBATCH --gpus-per-task=2\n#SBATCH --time=04:00:00\n"));
  CHECK_THAT(s, Catch::Contains("cd '/work/my dir'\n"));
  CHECK_THAT(s, Catch::Contains("exec '/opt/adapt lab/adaptlab' '--plugin' '/p/it'\\''s.so' sweep '/e/sweep.yaml' "
                                "'train.lr=0.1' 'dataset.name=my data' '--devices' '0,1' --no-progress --shard \"$i/3\""));
  // The script is valid bash.
  CHECK(run_shell("bash -n " + shell_quote(path) + " && echo ok") == "ok\n");
  o.partition = "gpu; rm -rf /";
  REQUIRE_THROWS_WITH(write_slurm_script(job, o),
                      "--partition \"gpu; rm -rf /\": expected a partition name (letters, digits, '_', '.', '-', ',')");
  o.partition = "gpu";
  // A control character anywhere (here a newline in an argument) is refused, and the old script stays.
  job.sweep_args.push_back("train.lr=1\ntouch /tmp/x");
  REQUIRE_THROWS_WITH(write_slurm_script(job, o),
                      "argument \"train.lr=1\\ntouch /tmp/x\": a control character (newline, tab, ...) is not allowed in "
                      "a value written to the Slurm job script");
  job.sweep_args.pop_back();
  o.dir = dir + "/new\nfolder";
  CHECK_THROWS_WITH(write_slurm_script(job, o), Catch::Contains("a control character"));
  CHECK_FALSE(std::ifstream(o.dir).good());
  o.dir = dir + "/slurm";
  o.time = "4h";
  CHECK_THROWS_WITH(write_slurm_script(job, o), Catch::StartsWith("--time \"4h\": expected a Slurm time limit"));
  for (const char* t : {"30", "30:00", "04:00:00", "1-04", "1-04:00", "1-04:00:00"}) {
    o.time = t;
    CHECK_NOTHROW(validate_slurm_job(job, o));
  }
}

TEST_CASE("a stage's job script merges the earlier stages first, and its submission waits for the one before",
          "[sched][slurm]") {
  const auto dir = test::fresh_dir("slurm-stage");
  SlurmJob job;
  job.executable = "/opt/adaptlab";
  job.sweep_args = {"/e/sweep.yaml"};
  job.study = "demo";
  job.workdir = "/work";
  SlurmOptions o;
  o.shards = 2;
  o.dir = dir + "/my slurm";
  const std::string path = write_slurm_script(job, o, 2);
  CHECK(path == dir + "/my slurm/stage-2.sh");
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string s = ss.str();
  const std::string d = shell_quote(dir + "/my slurm");
  CHECK_THAT(s, Catch::Contains("#SBATCH --job-name=adaptlab-demo-stage2\n#SBATCH --array=0-1\n"));
  CHECK_THAT(s, Catch::Contains("'/opt/adaptlab' results merge --into " + shell_quote(dir + "/my slurm/shard-s2-") +
                                "\"$i\"'.sqlite' " + d + "/shard-s0-*.sqlite " + d + "/shard-s1-*.sqlite\n"));
  CHECK_THAT(s, Catch::Contains("exec '/opt/adaptlab' sweep '/e/sweep.yaml' --stage 2 --no-progress --shard \"$i/2\" --db " +
                                shell_quote(dir + "/my slurm/shard-s2-") + "\"$i\"'.sqlite'"));
  CHECK(run_shell("bash -n " + shell_quote(path) + " && echo ok") == "ok\n");
  CHECK(slurm_submit_command(path, 2, "123") == "sbatch --parsable --dependency=afterok:123 --kill-on-invalid-dep=yes "
                                               "--output=" + shell_quote(dir + "/my slurm/shard-s2-%a.out") + " " +
                                               shell_quote(path));
  CHECK_THROWS_WITH(slurm_submit_command(path, 2, "1; rm"), "slurm: job id '1; rm' is not a job id");
  // Stage 0 merges nothing.
  std::ifstream in0(write_slurm_script(job, o, 0));
  std::stringstream s0;
  s0 << in0.rdbuf();
  CHECK(s0.str().find("'/opt/adaptlab' results merge") == std::string::npos);
}

TEST_CASE("parsing of the --devices flag", "[sched]") {
  CHECK(parse_devices("cpu") == std::vector<std::string>{"cpu"});
  CHECK(parse_devices("0,1,3") == std::vector<std::string>{"0", "1", "3"});
  REQUIRE_THROWS_WITH(parse_devices("0,,1"), "--devices: expected 'cpu' or CUDA ordinals like 0,1,2 but got '0,,1'");
  REQUIRE_THROWS_WITH(parse_devices("gpu0"), "--devices: expected 'cpu' or CUDA ordinals like 0,1,2 but got 'gpu0'");
}
