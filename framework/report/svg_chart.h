// A small, dependency-free SVG chart: axes with 1-2-5 ticks, labelled axes, scatter and line
// series, an optional Pareto-front step line, and a legend. Self-contained (no fonts or scripts
// fetched), so the file opens offline in any browser or LaTeX via svg/inkscape.
#pragma once
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace adaptlab {

struct ChartSeries {
  std::string label;
  std::vector<std::pair<double, double>> points;  // (x, y)
  bool line = false;                               // connect points in order (training curves)
  // Optional shaded band around a line (e.g. mean ± std over seeds): (x, low, high), in x order.
  std::vector<std::tuple<double, double, double>> band;
};

struct Chart {
  std::string title, x_label, y_label;
  std::vector<ChartSeries> series;
  std::vector<std::pair<double, double>> front;  // Pareto front, drawn as a dashed line in x order
  bool log_x = false;
};

std::string render_svg(const Chart& c);

// Indices of the non-dominated points, sorted by x. `x_max`/`y_max`: larger is better on that axis.
// A point is dominated when another is at least as good on both axes and better on one.
std::vector<size_t> pareto_front(const std::vector<std::pair<double, double>>& pts, bool x_max, bool y_max);

// Tick positions covering [lo, hi] at a 1-2-5 step giving about `target` ticks.
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

}  // namespace adaptlab
