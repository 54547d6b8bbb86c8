#include "framework/report/plot.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "framework/core/error.h"
#include "framework/core/suggest.h"
#include "framework/report/stats.h"
#include "framework/store/labels.h"
#include "framework/report/table.h"
#include "framework/store/store.h"

namespace adaptlab {

Chart pareto_chart(Store& store, const ParetoPlot& p) {
  AL_CHECK(p.x_better == "max" || p.x_better == "min", "plot: --x-better must be max or min, not '{}'", p.x_better);
  AL_CHECK(p.y_better == "max" || p.y_better == "min", "plot: --y-better must be max or min, not '{}'", p.y_better);
  TableSpec spec = p.spec;
  spec.best = "none";
  ExtraSpec x;
  x.metric = x.name = p.x;
  x.scale = p.x_scale;
  x.precision = 3;
  spec.extras = {x};
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
    c.series.push_back({r.name, {pts.back()}, false, {}});
  }
  if (pts.empty()) {
    const auto known = store.summary_names(spec.study);
    const bool has_x = std::find(known.begin(), known.end(), p.x) != known.end();
    fail("plot: no method of study '{}' has both '{}' and '{}'{}", spec.study, spec.metric, p.x,
         has_x ? std::string() : fmt::format("; no run has '{}'{} (its metrics: {})", p.x, did_you_mean(p.x, known),
                                             fmt::join(known, ", ")));
  }
  for (size_t i : pareto_front(pts, p.x_better == "max", p.y_better == "max")) c.front.push_back(pts[i]);
  return c;
}

namespace {

// The runs a curves plot draws: every finished run, or those whose ids start with the given prefixes.
std::vector<RunRow> selected_runs(Store& store, const CurvesPlot& p) {
  const auto runs = store.runs(p.study);
  AL_CHECK(!runs.empty(), "{}: study '{}' has no runs", store.path(), p.study);
  std::vector<RunRow> out;
  std::vector<bool> used(p.runs.size(), false);
  for (const auto& r : runs) {
    bool wanted = p.runs.empty() && r.status == RunStatus::done;
    for (size_t k = 0; k < p.runs.size(); ++k)
      if (r.id.rfind(p.runs[k], 0) == 0) wanted = used[k] = true;
    if (wanted) out.push_back(r);
  }
  for (size_t k = 0; k < p.runs.size(); ++k)
    AL_CHECK(used[k], "plot: study '{}' has no run whose id starts with '{}'", p.study, p.runs[k]);
  return out;
}

// One run's series of the metric: (x, value) in logged order.
std::vector<std::pair<double, double>> series_of(Store& store, const CurvesPlot& p, const RunRow& r,
                                                 const std::string& split, const std::string& name) {
  std::vector<std::pair<double, double>> pts;
  for (const auto& m : store.metrics(p.study, r.id)) {
    if (m.split != split || m.name != name || !std::isfinite(m.value)) continue;
    if (p.x == "epoch") {
      AL_CHECK(m.epoch >= 0, "plot: run {} of study '{}' has no epoch on its '{}' values (recorded since schema v4); "
               "use --x step", r.id, p.study, p.metric);
      pts.emplace_back(m.epoch, m.value);
    } else {
      pts.emplace_back(static_cast<double>(m.step), m.value);
    }
  }
  return pts;
}

}  // namespace

Chart curves_chart(Store& store, const CurvesPlot& p) {
  const auto dot = p.metric.find('.');
  AL_CHECK(dot != std::string::npos, "plot: --metric must be split.name (e.g. train.loss, val.acc), not '{}'", p.metric);
  AL_CHECK(p.x == "step" || p.x == "epoch", "plot: --x for curves must be step or epoch, not '{}'", p.x);
  AL_CHECK(p.by == "label" || p.by == "run", "plot: --by must be label or run, not '{}'", p.by);
  const std::string split = p.metric.substr(0, dot), name = p.metric.substr(dot + 1);
  const auto runs = selected_runs(store, p);
  Chart c;
  c.title = fmt::format("{}: {}", p.study, p.metric);
  c.x_label = p.x == "epoch" ? "epoch" : "optimiser step";
  c.y_label = p.metric;
  if (p.by == "run") {
    for (const auto& r : runs) {
      ChartSeries s{fmt::format("{} seed {} [{}]", r.label.empty() ? r.methods : r.label, r.seed, r.id.substr(0, 6)),
                    series_of(store, p, r, split, name), true, {}};
      if (!s.points.empty()) c.series.push_back(std::move(s));
    }
  } else {
    // Group by the table's automatic row label (among the drawn runs), then mean ± std at each x.
    const RunLabels labels = automatic_labels(runs);
    std::vector<std::string> order;
    std::map<std::string, std::vector<size_t>> members;
    for (size_t i = 0; i < runs.size(); ++i) {
      const std::string key = labels.rows[i] + (labels.columns[i].empty() ? "" : " · " + labels.columns[i]);
      if (!members.count(key)) order.push_back(key);
      members[key].push_back(i);
    }
    const bool one_column = std::all_of(labels.columns.begin(), labels.columns.end(),
                                        [&](const std::string& l) { return l == labels.columns.front(); });
    for (const auto& key : order) {
      std::map<double, std::vector<double>> at;  // x -> values over the group's runs
      size_t with_values = 0;
      for (size_t i : members[key]) {
        const auto pts = series_of(store, p, runs[i], split, name);
        with_values += !pts.empty();
        for (const auto& [x, y] : pts) at[x].push_back(y);
      }
      if (at.empty()) continue;
      const size_t i0 = members[key].front();
      ChartSeries s{fmt::format("{} (n={})", one_column ? labels.rows[i0] : key, with_values), {}, true, {}};
      for (const auto& [x, ys] : at) {
        const Aggregate a = aggregate(ys);
        s.points.emplace_back(x, a.mean);
        if (with_values > 1) s.band.emplace_back(x, a.mean - (ys.size() > 1 ? a.std : 0.0), a.mean + (ys.size() > 1 ? a.std : 0.0));
      }
      c.series.push_back(std::move(s));
    }
  }
  if (c.series.empty()) {
    const auto known = store.metric_names(p.study);
    fail("plot: no selected run of study '{}' logged the metric '{}'{}; its metrics: {}", p.study, p.metric,
         did_you_mean(p.metric, known), fmt::join(known, ", "));
  }
  return c;
}

}  // namespace adaptlab
