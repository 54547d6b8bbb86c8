// adaptlab — experiment orchestration for training-inference efficient task adaptation.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/core/threads.h"
#include "framework/registry/registries.h"

int main(int argc, char** argv) {
  using namespace adaptlab;
  CLI::App app{
      "adaptlab: define experiments in YAML, run sweeps, store results in SQLite, print comparison tables.\n"
      "Backbones, methods and datasets come from named registries (see `adaptlab list`); more can be\n"
      "loaded from plugin shared objects with --plugin."};
  app.require_subcommand(1);
  int threads = 0;
  std::vector<std::string> plugins;
  bool quiet = false;
  app.add_option("--threads", threads, "intra-op CPU threads (default: the CPUs this process may use)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--plugin", plugins, "shared object defining adaptlab_register_plugin(adaptlab::Registries&)");
  app.add_flag("-q,--quiet", quiet, "only warnings and errors on stderr");

  cli::SweepArgs sweep;
  auto* s = app.add_subcommand("sweep", "expand a sweep file and run every run not already done");
  s->add_option("file", sweep.file, "sweep YAML file (experiments/<study>/sweep.yaml)")->required();
  s->add_option("overrides", sweep.overrides, "key.sub=value overrides applied to every run (last wins)");
  s->add_option("--db", sweep.db, "results database (default: results/<study>.sqlite)");
  s->add_option("--device", sweep.device, "auto | cpu | cuda | cuda:N");
  s->add_flag("--dry-run", sweep.dry_run, "print the expanded runs with their ids and status; run nothing");
  s->add_flag("--retry-failed", sweep.retry_failed, "re-run runs that failed before");

  cli::RunArgs run;
  auto* r = app.add_subcommand("run", "run one resolved run spec (JSON or YAML); events as JSON lines on stdout");
  r->add_option("--spec", run.spec, "run specification file")->required();
  r->add_option("--device", run.device, "auto | cpu | cuda | cuda:N");

  cli::TableArgs table;
  auto* t = app.add_subcommand("table", "print a study's comparison table (Markdown): rows = methods, "
                                        "columns = datasets, cells = mean ± std over seeds");
  t->add_option("--db", table.db, "results database (default: results/<study>.sqlite)");
  t->add_option("--study", table.study, "study name (default: the only study in the database)");
  t->add_option("--metric", table.metric, "summary metric to tabulate (e.g. test.acc, val.acc, throughput.eval)");
  t->add_option("--scale", table.scale, "multiply values by this (100 turns accuracy into percent)");
  t->add_option("--precision", table.precision, "digits after the decimal point");

  cli::ListArgs list;
  auto* l = app.add_subcommand("list", "list registered backbones, methods and datasets");
  l->add_option("what", list.what, "backbones | methods | datasets (default: all)")
      ->check(CLI::IsMember({"backbones", "methods", "datasets"}));
  l->add_flag("-v,--verbose", list.verbose, "show every option with its default");

  CLI11_PARSE(app, argc, argv);
  try {
    if (quiet) log::set_level(log::Level::warn);
    configure_threads(threads);
    for (const auto& p : plugins) load_plugin(p);
    if (s->parsed()) return cli::cmd_sweep(sweep);
    if (r->parsed()) return cli::cmd_run(run);
    if (t->parsed()) return cli::cmd_table(table);
    if (l->parsed()) return cli::cmd_list(list);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "adaptlab: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
