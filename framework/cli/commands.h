// The subcommands. Each cmd_<name>.cpp declares its own flags (add_<name>, through the CLI11 facade
// in flags.h) and calls one library function; main.cpp lists them.
#pragma once
#include <string>
#include <vector>

#include "framework/cli/flags.h"

namespace adaptlab {
class Store;
}

namespace adaptlab::cli {

// Flags given before the subcommand, for every command.
struct GlobalArgs {
  int threads = 0;                   // intra-op CPU threads (0: the CPUs this process may use)
  std::vector<std::string> plugins;  // plugin shared objects to load
  bool quiet = false;
  std::string command_line;          // the whole argv, for provenance
};

void add_sweep(Command& root, const GlobalArgs& g);
void add_run(Command& root, const GlobalArgs& g);
void add_table(Command& root, const GlobalArgs& g);
void add_query(Command& root, const GlobalArgs& g);
void add_plot(Command& root, const GlobalArgs& g);
void add_results(Command& root, const GlobalArgs& g);  // results merge | migrate
void add_list(Command& root, const GlobalArgs& g);
void add_status(Command& root, const GlobalArgs& g);
void add_export(Command& root, const GlobalArgs& g);
void add_measure(Command& root, const GlobalArgs& g);

// results/<study>.sqlite
std::string default_db_path(const std::string& study);
// --db, else results/<study>.sqlite; at least one must be given.
std::string db_path_of(const std::string& db, const std::string& study);
// Writes `text` to `out` (atomically, through a temporary file), or to stdout when `out` is "" or "-".
void write_output(const std::string& out, const std::string& text);
// --study, else the only study in the database (an error naming them when there are several).
std::string study_of(Store& store, const std::string& study);

}  // namespace adaptlab::cli
