#include "framework/report/plot.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "framework/core/error.h"
#include "framework/report/table.h"
#include "framework/store/store.h"

namespace adaptlab {

Chart pareto_chart(Store& store, const ParetoPlot& p) {
  AL_CHECK(p.x_better == "max" || p.x_better == "min", "plot: --x-better must be max or min, not '{}'", p.x_better);
  AL_CHECK(p.y_better == "max" || p.y_better == "min", "plot: --y-better must be max or min, not '{}'", p.y_better);
  TableSpec spec = p.spec;
  spec.best = "none";
  spec.extras = {ExtraSpec{p.x, p.x, p.x_scale, 3, "none"}};
  spec.overall = false;
  if (spec.columns.empty()) {
    const TableModel all = build_table(store, spec);
    std::string col = p.dataset;
    if (col.empty()) {
      AL_CHECK(all.columns.size() == 1, "plot: study '{}' has {} datasets ({}); choose one with --dataset", spec.study,
               all.columns.size(), fmt::join(all.columns, " | "));
      col = all.columns.front();
    }
    AL_CHECK(std::find(all.columns.begin(), all.columns.end(), col) != all.columns.end(),
             "plot: study '{}' has no dataset '{}'; it has: {}", spec.study, col, fmt::join(all.columns, " | "));
    RowSpec c;
    c.name = c.label = col;
    spec.columns = {c};
  } else {
    AL_CHECK(spec.columns.size() == 1 || !p.dataset.empty(), "plot: the spec has {} columns; choose one with --dataset",
             spec.columns.size());
    if (!p.dataset.empty()) {
      auto it = std::find_if(spec.columns.begin(), spec.columns.end(), [&](const RowSpec& c) { return c.name == p.dataset; });
      AL_CHECK(it != spec.columns.end(), "plot: the spec has no column '{}'", p.dataset);
      spec.columns = {*it};
    }
  }
  const TableModel t = build_table(store, spec);
  Chart c;
  c.title = fmt::format("{}: {} vs {} ({})", spec.study, spec.metric, p.x, t.columns.front());
  c.x_label = p.x + (p.x_scale != 1.0 ? fmt::format(" × {}", p.x_scale) : "");
  c.y_label = spec.metric + (spec.scale != 1.0 ? fmt::format(" × {}", spec.scale) : "");
  c.log_x = p.log_x;
  std::vector<std::pair<double, double>> pts;
  for (const auto& r : t.rows) {
    if (!r.cells[0].has || !r.extras[0].has) continue;
    pts.emplace_back(r.extras[0].agg.mean, r.cells[0].agg.mean);
    c.series.push_back({r.name, {pts.back()}, false});
  }
  AL_CHECK(!pts.empty(), "plot: no method of study '{}' has both '{}' and '{}'", spec.study, spec.metric, p.x);
  for (size_t i : pareto_front(pts, p.x_better == "max", p.y_better == "max")) c.front.push_back(pts[i]);
  return c;
}

Chart curves_chart(Store& store, const CurvesPlot& p) {
  const auto dot = p.metric.find('.');
  AL_CHECK(dot != std::string::npos, "plot: --metric must be split.name (e.g. train.loss, val.acc), not '{}'", p.metric);
  const std::string split = p.metric.substr(0, dot), name = p.metric.substr(dot + 1);
  const auto runs = store.runs(p.study);
  AL_CHECK(!runs.empty(), "{}: study '{}' has no runs", store.path(), p.study);
  Chart c;
  c.title = fmt::format("{}: {}", p.study, p.metric);
  c.x_label = "optimiser step";
  c.y_label = p.metric;
  std::vector<bool> used(p.runs.size(), false);
  for (const auto& r : runs) {
    bool wanted = p.runs.empty() && r.status == RunStatus::done;
    for (size_t k = 0; k < p.runs.size(); ++k)
      if (r.id.rfind(p.runs[k], 0) == 0) wanted = used[k] = true;
    if (!wanted) continue;
    ChartSeries s{fmt::format("{} seed {} [{}]", r.methods, r.seed, r.id.substr(0, 6)), {}, true};
    for (const auto& m : store.metrics(p.study, r.id))
      if (m.split == split && m.name == name) s.points.emplace_back(static_cast<double>(m.step), m.value);
    if (!s.points.empty()) c.series.push_back(std::move(s));
  }
  for (size_t k = 0; k < p.runs.size(); ++k)
    AL_CHECK(used[k], "plot: study '{}' has no run whose id starts with '{}'", p.study, p.runs[k]);
  AL_CHECK(!c.series.empty(), "plot: no selected run of study '{}' logged the metric '{}'", p.study, p.metric);
  return c;
}

}  // namespace adaptlab
