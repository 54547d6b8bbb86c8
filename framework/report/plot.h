// Plots of a study (SVG): accuracy against cost per method with the Pareto front, and training
// curves. Both are views of the results database, like the tables.
#pragma once
#include <string>
#include <vector>

#include "framework/report/svg_chart.h"
#include "framework/report/table_spec.h"

namespace adaptlab {

class Store;

struct ParetoPlot {
  TableSpec spec;          // study, rows (optional), metric = y, scale/precision ignored
  std::string x = "throughput.eval";
  double x_scale = 1.0;
  std::string x_better = "max";  // max (throughput) | min (FLOPs, memory, params)
  std::string y_better = "max";
  std::string dataset;     // the column (dataset label) to plot; needed when the study has several
  bool log_x = false;
};
// One point per row (mean over its runs on the chosen dataset column).
Chart pareto_chart(Store& store, const ParetoPlot& p);

struct CurvesPlot {
  std::string study;
  std::string metric = "train.loss";   // split.name as stored in the metrics table
  std::vector<std::string> runs;       // run ids (prefixes allowed); default: every finished run
  std::string x = "step";              // step (optimiser steps) | epoch
  // label: one line per automatic row label (the table's), the mean over its runs (seeds) with a
  // ± one sample-std band; run: one line per run.
  std::string by = "label";
};
Chart curves_chart(Store& store, const CurvesPlot& p);

}  // namespace adaptlab
