#include <fmt/format.h>

#include <memory>

#include "framework/cli/commands.h"
#include "framework/core/log.h"
#include "framework/sched/measure_stage.h"
#include "framework/sched/scheduler.h"
#include "framework/sched/signals.h"
#include "framework/store/store.h"
#include "framework/sweep/sweep.h"

namespace adaptlab::cli {
namespace {

struct MeasureArgs {
  std::string db, study, devices = "cpu";
  double timeout_s = 0;
  std::vector<std::string> runs, overrides;
};

int cmd_measure(const MeasureArgs& a, const GlobalArgs& g) {
  Store store(db_path_of(a.db, a.study));
  const std::string study = study_of(store, a.study);
  RemeasureOptions o;
  o.runs = a.runs;
  o.overrides = a.overrides;
  o.stage.devices = parse_devices(a.devices);
  o.stage.threads = g.threads;
  o.stage.timeout_s = a.timeout_s;
  // The runs' relative paths resolve in the project folder of the sweep file the study was run from.
  const std::string sweep = store.sweep_path(study);
  if (!sweep.empty()) o.stage.workdir = project_dir(sweep);
  install_interrupt_handler();
  const MeasureReport r = remeasure_study(store, study, o, interrupt_count(), interrupt_count());
  log::info("study {}: {} run(s) measured, {} failed, {} not started", study, r.done, r.failed, r.not_started);
  return r.failed == 0 && r.not_started == 0 ? 0 : 2;
}

}  // namespace

void add_measure(Command& root, const GlobalArgs& g) {
  auto a = std::make_shared<MeasureArgs>();
  Command& c = root.sub(
      "measure",
      "measure a study's done runs again from their saved tensors (results/<study>.artifacts), without training: "
      "eval throughput (median, min, max of timed passes), batch-1 latency, FLOPs per sample, training step "
      "time and peak memory, each run alone on its device. Exit code 0 when every measurement succeeded, 2 "
      "otherwise.");
  c.option("--db", a->db, "results database (default: results/<study>.sqlite)");
  c.option("--study", a->study, "study name (default: the only study in the database)");
  c.option("--runs", a->runs, "run ids or id prefixes (default: every done run with saved tensors)");
  c.option("--devices", a->devices, "'cpu' or CUDA ordinals '0,1': measurements run one at a time per device");
  c.option("--timeout", a->timeout_s, "seconds a measurement may take; 0 = none").non_negative();
  c.positional("overrides", a->overrides, "measure.<key>=<value> (e.g. measure.repeats=10 measure.precision=bf16)");
  c.on_run([a, &g] { return cmd_measure(*a, g); });
}

}  // namespace adaptlab::cli
