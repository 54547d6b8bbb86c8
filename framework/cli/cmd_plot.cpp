#include <fmt/format.h>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/report/plot.h"
#include "framework/store/store.h"

namespace adaptlab::cli {

int cmd_plot(const PlotArgs& a) {
  Store store(db_path_of(a.db, a.study), /*read_only=*/true);
  const std::string study = study_of(store, a.study);
  Chart chart;
  if (a.kind == "pareto") {
    ParetoPlot p;
    if (!a.spec.empty()) p.spec = load_table_spec(a.spec);
    p.spec.study = study;
    p.spec.metric = a.metric.empty() ? "test.acc" : a.metric;
    p.spec.scale = a.scale;
    p.x = a.x;
    p.x_scale = a.x_scale;
    p.x_better = a.x_better;
    p.y_better = a.y_better;
    p.dataset = a.dataset;
    p.log_x = a.log_x;
    chart = pareto_chart(store, p);
  } else if (a.kind == "curves") {
    CurvesPlot p;
    p.study = study;
    p.metric = a.metric.empty() ? "train.loss" : a.metric;
    p.runs = a.runs;
    chart = curves_chart(store, p);
  } else {
    fail("plot: unknown kind '{}'; known: pareto, curves", a.kind);
  }
  write_output(a.out, render_svg(chart));
  return 0;
}

}  // namespace adaptlab::cli
