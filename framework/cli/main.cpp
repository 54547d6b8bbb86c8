// adaptlab — experiment orchestration for training-inference efficient task adaptation.
#include "framework/cli/commands.h"
#include "framework/core/build_info.h"
#include "framework/core/log.h"
#include "framework/core/threads.h"
#include "framework/registry/registries.h"

int main(int argc, char** argv) {
  using namespace adaptlab;
  configure_allocator();
  cli::Program program(
      "adaptlab: define experiments in YAML, run sweeps, store results in SQLite, print comparison tables.\n"
      "Backbones, methods and datasets come from named registries (see `adaptlab list`); more can be\n"
      "loaded from plugin shared objects with --plugin.");
  program.footer(
      "Global flags (--threads, --plugin, -q) may come before or after the subcommand.\n"
      "Exit codes: 0 = success; 1 = an error (bad input, a missing file, a database problem: the message says "
      "which); 2 = `sweep` finished but not every run is done (failed, timed out, cancelled or not started, now "
      "or kept from an earlier sweep); 64 = a usage error (unknown flag, bad flag value, missing argument).");
  program.version(version_line(kPluginApiVersion));
  cli::GlobalArgs g;
  cli::Command& root = program.root();
  root.option("--threads", g.threads, "intra-op CPU threads (default: the CPUs this process may use)").non_negative();
  root.option("--plugin", g.plugins,
              "plugin shared object (built with find_package(adaptlab) and adaptlab_add_plugin; see "
              "docs/plugins.md), loaded before the command runs; a name without a slash is the file in the current "
              "directory (the library path is not searched)");
  root.flag("-q,--quiet", g.quiet, "only warnings and errors on stderr");
  for (int i = 0; i < argc; ++i) {
    if (i) g.command_line += ' ';
    g.command_line += argv[i];
  }
  cli::add_sweep(root, g);
  cli::add_run(root, g);
  cli::add_table(root, g);
  cli::add_query(root, g);
  cli::add_plot(root, g);
  cli::add_results(root, g);
  cli::add_list(root, g);
  cli::add_status(root, g);
  cli::add_export(root, g);
  cli::add_measure(root, g);
  return program.run(argc, argv, [&] {
    if (g.quiet) log::set_level(log::Level::warn);
    configure_threads(g.threads);
    for (const auto& p : g.plugins) load_plugin(p);
  });
}
