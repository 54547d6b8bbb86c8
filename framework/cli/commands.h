// One function per subcommand; main.cpp only parses flags (CLI11) and calls these.
#pragma once
#include <string>
#include <vector>

namespace adaptlab::cli {

struct SweepArgs {
  std::string file;
  std::vector<std::string> overrides;
  std::string db;  // default: results/<study>.sqlite
  std::string devices = "cpu";
  int per_device = 1;
  double timeout_s = 0;
  int retries = 0;
  bool dry_run = false;
  bool retry_failed = false;
  bool no_progress = false;
  std::string shard;    // "i/K": run only runs whose index % K == i
  std::string log_dir;  // per-run logs (default: next to the database)
  // Slurm launcher.
  std::string launcher = "local";
  int shards = 1;
  std::string partition, gpus_per_task, time, cpus_per_task, slurm_dir;
  bool no_submit = false;
  // From the global flags.
  std::string command_line;
  int threads = 0;
  std::vector<std::string> plugins;
};
int cmd_sweep(const SweepArgs& a);

struct RunArgs {
  std::string spec;
  std::string device = "auto";
  int events_fd = 1;  // where JSON-lines events go (1 = stdout)
};
int cmd_run(const RunArgs& a);

struct TableArgs {
  std::string db;
  std::string study;
  std::string metric = "test.acc";
  double scale = 100.0;
  int precision = 1;
};
int cmd_table(const TableArgs& a);

struct MergeArgs {
  std::string into;
  std::vector<std::string> shards;
};
int cmd_merge(const MergeArgs& a);

struct ListArgs {
  std::string what;  // "", backbones, methods, datasets
  bool verbose = false;
};
int cmd_list(const ListArgs& a);

// results/<study>.sqlite
std::string default_db_path(const std::string& study);

}  // namespace adaptlab::cli
