#include <fmt/format.h>

#include <memory>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/core/log.h"
#include "framework/report/plot.h"
#include "framework/report/raster.h"
#include "framework/store/store.h"

namespace adaptlab::cli {
namespace {

struct PlotArgs {
  std::string kind;  // pareto | curves
  std::string db, study, spec, out, dataset;
  std::string metric;  // pareto: y summary (default test.acc); curves: split.name (default train.loss)
  double scale = 100.0;
  std::string x = "throughput.eval";
  bool x_given = false;
  double x_scale = 1.0;
  std::string x_better = "max", y_better = "max";
  bool log_x = false;
  std::vector<std::string> runs;
  std::string curves_x = "step", by = "label";
  std::string format;  // svg | png | pdf; default from the -o extension, else svg
  double png_scale = 2.0;
};

int cmd_plot(const PlotArgs& a) {
  std::string format = a.format;
  if (format.empty()) {
    format = a.out.empty() || a.out == "-" ? "svg" : plot_format_of(a.out);
    AL_CHECK(!format.empty(), "plot: cannot tell the format from '{}'; name it .svg, .png or .pdf, or give --format", a.out);
  }
  AL_CHECK(format == "svg" || !a.out.empty(), "plot: a {} plot needs -o FILE (stdout is for SVG)", format);
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
    p.x = a.x_given ? a.x : a.curves_x;
    p.by = a.by;
    chart = curves_chart(store, p);
  } else {
    fail("plot: unknown kind '{}'; known: pareto, curves", a.kind);
  }
  const std::string svg = render_svg(chart);
  if (format == "svg") {
    write_output(a.out, svg);
  } else {
    write_rendered_svg(svg, a.out, format, a.png_scale);
    log::info("wrote {}", a.out);
  }
  return 0;
}

}  // namespace

void add_plot(Command& root, const GlobalArgs&) {
  auto a = std::make_shared<PlotArgs>();
  Command& c = root.sub("plot",
                        "draw a plot (SVG, PNG or PDF): 'pareto' = accuracy against throughput (or FLOPs, memory, ...) per "
                        "method with the Pareto front; 'curves' = a metric's time series (training curves), per row "
                        "label as the mean over seeds with a ± std band, or per run");
  c.positional("kind", a->kind, "pareto | curves").required().one_of({"pareto", "curves"});
  c.option("--db", a->db, "results database (default: results/<study>.sqlite)");
  c.option("--study", a->study, "study name (default: the only study in the database)");
  c.option("-o,--out", a->out, "file to write: .svg, .png or .pdf (default: SVG on stdout)");
  c.option("--format", a->format, "svg | png | pdf (default: from the -o extension)").one_of({"svg", "png", "pdf"});
  c.option("--png-scale", a->png_scale, "PNG pixels per SVG pixel (default 2: 1440x960)").positive();
  c.option("--metric", a->metric,
           "pareto: y summary metric (default test.acc); curves: split.name series (default train.loss)");
  c.option("--scale", a->scale, "pareto: multiply y by this (default 100: percent)");
  Option* x = &c.option("--x", a->x,
                        "pareto: x summary metric (default throughput.eval; e.g. params.trainable, flops.forward); "
                        "curves: step (default) or epoch");
  c.option("--x-scale", a->x_scale, "pareto: multiply x by this");
  c.option("--x-better", a->x_better, "pareto: max (throughput) or min (FLOPs, memory)").one_of({"max", "min"});
  c.option("--y-better", a->y_better, "pareto: max or min").one_of({"max", "min"});
  c.flag("--log-x", a->log_x, "pareto: logarithmic x axis");
  c.option("--dataset", a->dataset, "pareto: the dataset column to plot when the study has several");
  c.option("--spec", a->spec, "pareto: table spec whose rows name and select the methods").existing_file();
  c.option("--runs", a->runs, "curves: run ids or id prefixes (default: every finished run)");
  c.option("--by", a->by,
           "curves: label (default: one line per table row label, the mean over its seeds with a ± std band) or run")
      .one_of({"label", "run"});
  c.on_run([a, x] {
    a->x_given = x->given();
    return cmd_plot(*a);
  });
}

}  // namespace adaptlab::cli
