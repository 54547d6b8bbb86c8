// One function per subcommand; main.cpp only parses flags (CLI11) and calls these.
#pragma once
#include <string>
#include <vector>

namespace adaptlab {
class Store;
}

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
  std::string spec;          // table spec YAML; default: table.yaml beside the study's sweep file, if any
  std::string format = "md"; // md | latex | csv | html
  std::string out;           // write here instead of stdout
  // Flags given on the command line override the spec.
  std::string metric = "test.acc";
  double scale = 100.0;
  int precision = 1;
  bool metric_set = false, scale_set = false, precision_set = false;
};
int cmd_table(const TableArgs& a);

struct QueryArgs {
  std::string db, study, sql;
  std::string format = "table";  // table | csv | json
};
int cmd_query(const QueryArgs& a);

struct PlotArgs {
  std::string kind;  // pareto | curves
  std::string db, study, spec, out, dataset;
  std::string metric;  // pareto: y summary (default test.acc); curves: split.name (default train.loss)
  double scale = 100.0;
  std::string x = "throughput.eval";
  double x_scale = 1.0;
  std::string x_better = "max", y_better = "max";
  bool log_x = false;
  std::vector<std::string> runs;
};
int cmd_plot(const PlotArgs& a);

struct MigrateArgs {
  std::string db;
};
int cmd_migrate(const MigrateArgs& a);

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
// --db, else results/<study>.sqlite; at least one must be given.
std::string db_path_of(const std::string& db, const std::string& study);
// Writes `text` to `out` (atomically, through a temporary file), or to stdout when `out` is "" or "-".
void write_output(const std::string& out, const std::string& text);
// --study, else the only study in the database (an error naming them when there are several).
std::string study_of(Store& store, const std::string& study);

}  // namespace adaptlab::cli
