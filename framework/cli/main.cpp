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
  auto* s = app.add_subcommand(
      "sweep",
      "expand a sweep file and run every run not already done, each in its own process; Ctrl-C once stops "
      "launching, twice kills running runs. Exit code 0 when every run is done, 2 otherwise.");
  s->add_option("file", sweep.file, "sweep YAML file (experiments/<study>/sweep.yaml)")->required();
  s->add_option("overrides", sweep.overrides, "key.sub=value overrides applied to every run (last wins)");
  s->add_option("--db", sweep.db, "results database (default: results/<study>.sqlite)");
  s->add_option("--devices", sweep.devices, "'cpu' or CUDA ordinals '0,1,2,3': one slot per device");
  s->add_option("--per-device", sweep.per_device, "runs sharing one device (slots per device)")
      ->check(CLI::PositiveNumber);
  s->add_option("--timeout", sweep.timeout_s, "seconds a run may take before it is killed (timed-out); 0 = none")
      ->check(CLI::NonNegativeNumber);
  s->add_option("--retries", sweep.retries, "extra attempts for a run that fails or times out")
      ->check(CLI::NonNegativeNumber);
  s->add_flag("--dry-run", sweep.dry_run, "print the expanded runs with their ids and status; run nothing");
  s->add_flag("--retry-failed", sweep.retry_failed, "re-run runs that failed, timed out or were cancelled before");
  s->add_flag("--no-progress", sweep.no_progress, "no progress line on stderr");
  s->add_option("--shard", sweep.shard, "i/K: run only shard i of K (run index modulo K); used by Slurm array tasks");
  s->add_option("--log-dir", sweep.log_dir, "per-run logs and spec files (default: results/<study>.logs)");
  s->add_option("--launcher", sweep.launcher, "local (this machine) or slurm (an sbatch --array job)")
      ->check(CLI::IsMember({"local", "slurm"}));
  s->add_option("--shards", sweep.shards, "slurm: array tasks, each running one shard of the runs")
      ->check(CLI::PositiveNumber);
  s->add_option("--partition", sweep.partition, "slurm: partition");
  s->add_option("--gpus-per-task", sweep.gpus_per_task, "slurm: GPUs per array task");
  s->add_option("--cpus-per-task", sweep.cpus_per_task, "slurm: CPUs per array task");
  s->add_option("--time", sweep.time, "slurm: time limit per array task (e.g. 04:00:00)");
  s->add_option("--slurm-dir", sweep.slurm_dir, "slurm: job script, shard databases, logs (default: results/<study>.slurm)");
  s->add_flag("--no-submit", sweep.no_submit, "slurm: write the job script but do not submit it");

  cli::RunArgs run;
  auto* r = app.add_subcommand("run", "run one resolved run spec (JSON or YAML); events as JSON lines on stdout");
  r->add_option("--spec", run.spec, "run specification file")->required();
  r->add_option("--device", run.device, "auto | cpu | cuda | cuda:N");
  r->add_option("--events-fd", run.events_fd, "file descriptor for the JSON-lines events (the sweep driver's pipe)");

  cli::TableArgs table;
  auto* t = app.add_subcommand(
      "table",
      "print a study's comparison table: rows = method stacks, columns = datasets, cells = mean ± sample std over "
      "seeds ((n=k) where seeds are missing), best per column in bold. A table spec (YAML; see "
      "framework/report/table_spec.h) names and groups rows and columns, adds extra columns (parameters, "
      "throughput, ...) and the paper's numbers from reference.yaml; table.yaml beside the study's sweep file is "
      "used when --spec is not given.");
  t->add_option("--db", table.db, "results database (default: results/<study>.sqlite)");
  t->add_option("--study", table.study, "study name (default: the only study in the database)");
  t->add_option("--spec", table.spec, "table spec YAML")->check(CLI::ExistingFile);
  t->add_option("--format", table.format, "md (default) | latex (booktabs) | csv | html (self-contained page)")
      ->check(CLI::IsMember({"md", "latex", "csv", "html"}));
  t->add_option("-o,--out", table.out, "write to this file instead of stdout");
  auto* tm = t->add_option("--metric", table.metric, "summary metric to tabulate (e.g. test.acc, val.acc, throughput.eval)");
  auto* ts = t->add_option("--scale", table.scale, "multiply values by this (100 turns accuracy into percent)");
  auto* tp = t->add_option("--precision", table.precision, "digits after the decimal point");

  cli::QueryArgs query;
  auto* q = app.add_subcommand("query",
                               "run one read-only SQL statement against a results database (schema: results/README.md); "
                               "statements that write are refused");
  q->add_option("sql", query.sql, "the SQL statement, e.g. \"SELECT methods, count(*) FROM runs GROUP BY 1\"")
      ->required();
  q->add_option("--db", query.db, "results database (default: results/<study>.sqlite)");
  q->add_option("--study", query.study, "study whose default database to open");
  q->add_option("--format", query.format, "table (default) | csv | json")->check(CLI::IsMember({"table", "csv", "json"}));

  cli::PlotArgs plot;
  auto* pl = app.add_subcommand(
      "plot",
      "draw an SVG: 'pareto' = accuracy against throughput (or FLOPs, memory, ...) per method with the Pareto "
      "front; 'curves' = a metric's time series per run (training curves)");
  pl->add_option("kind", plot.kind, "pareto | curves")->required()->check(CLI::IsMember({"pareto", "curves"}));
  pl->add_option("--db", plot.db, "results database (default: results/<study>.sqlite)");
  pl->add_option("--study", plot.study, "study name (default: the only study in the database)");
  pl->add_option("-o,--out", plot.out, "SVG file to write (default: stdout)");
  pl->add_option("--metric", plot.metric,
                 "pareto: y summary metric (default test.acc); curves: split.name series (default train.loss)");
  pl->add_option("--scale", plot.scale, "pareto: multiply y by this (default 100: percent)");
  pl->add_option("--x", plot.x, "pareto: x summary metric (default throughput.eval; e.g. flops.eval, params.trainable)");
  pl->add_option("--x-scale", plot.x_scale, "pareto: multiply x by this");
  pl->add_option("--x-better", plot.x_better, "pareto: max (throughput) or min (FLOPs, memory)")
      ->check(CLI::IsMember({"max", "min"}));
  pl->add_option("--y-better", plot.y_better, "pareto: max or min")->check(CLI::IsMember({"max", "min"}));
  pl->add_flag("--log-x", plot.log_x, "pareto: logarithmic x axis");
  pl->add_option("--dataset", plot.dataset, "pareto: the dataset column to plot when the study has several");
  pl->add_option("--spec", plot.spec, "pareto: table spec whose rows name and select the methods")
      ->check(CLI::ExistingFile);
  pl->add_option("--runs", plot.runs, "curves: run ids or id prefixes (default: every finished run)");

  cli::MergeArgs merge;
  auto* res = app.add_subcommand("results", "operations on results databases");
  res->require_subcommand(1);
  auto* rm = res->add_subcommand("merge", "fold shard databases (e.g. from Slurm array tasks) into a study database; "
                                          "idempotent");
  rm->add_option("--into", merge.into, "the study database to merge into (created if missing)")->required();
  rm->add_option("shards", merge.shards, "shard databases")->required();
  cli::MigrateArgs migrate;
  auto* rmig = res->add_subcommand("migrate", "upgrade a database written by an older adaptlab to this schema version, "
                                              "in one transaction (every row is kept)");
  rmig->add_option("--db", migrate.db, "the database")->required();

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
    sweep.threads = threads;
    for (int i = 0; i < argc; ++i) sweep.command_line += (i ? " " : "") + std::string(argv[i]);
    sweep.plugins = plugins;
    if (s->parsed()) return cli::cmd_sweep(sweep);
    if (r->parsed()) return cli::cmd_run(run);
    if (t->parsed()) {
      table.metric_set = tm->count() > 0;
      table.scale_set = ts->count() > 0;
      table.precision_set = tp->count() > 0;
      return cli::cmd_table(table);
    }
    if (q->parsed()) return cli::cmd_query(query);
    if (pl->parsed()) return cli::cmd_plot(plot);
    if (rmig->parsed()) return cli::cmd_migrate(migrate);
    if (l->parsed()) return cli::cmd_list(list);
    if (rm->parsed()) return cli::cmd_merge(merge);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "adaptlab: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
