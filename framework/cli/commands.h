// One function per subcommand; main.cpp only parses flags (CLI11) and calls these.
#pragma once
#include <string>
#include <vector>

namespace adaptlab::cli {

struct SweepArgs {
  std::string file;
  std::vector<std::string> overrides;
  std::string db;  // default: results/<study>.sqlite
  std::string device = "auto";
  bool dry_run = false;
  bool retry_failed = false;
};
int cmd_sweep(const SweepArgs& a);

struct RunArgs {
  std::string spec;
  std::string device = "auto";
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

struct ListArgs {
  std::string what;  // "", backbones, methods, datasets
  bool verbose = false;
};
int cmd_list(const ListArgs& a);

// results/<study>.sqlite
std::string default_db_path(const std::string& study);

}  // namespace adaptlab::cli
