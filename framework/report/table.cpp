#include "framework/report/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "framework/core/error.h"
#include "framework/store/store.h"
#include "framework/core/json_flat.h"
#include "framework/core/suggest.h"
#include "framework/report/report_mode.h"
#include "framework/store/labels.h"

namespace adaptlab {
namespace {

using Flat = std::map<std::string, std::string>;

bool spec_matches(const RowSpec& s, const std::string& label, const Flat& flat) {
  if (!s.label.empty()) return s.label == label;
  for (const auto& e : s.match.entries()) {
    auto it = flat.find(e.key);
    if (it == flat.end() || nlohmann::json::parse(it->second) != e.value.to_json()) return false;
  }
  return true;
}

// Index of the spec entry a run belongs to (first match), or -1.
int assign(const std::vector<RowSpec>& specs, const std::string& label, const Flat& flat) {
  for (size_t k = 0; k < specs.size(); ++k)
    if (spec_matches(specs[k], label, flat)) return static_cast<int>(k);
  return -1;
}

void mark_best(std::vector<TableModel::Row>& rows, const std::function<TableCell&(TableModel::Row&)>& cell,
               const std::string& best) {
  if (best == "none") return;
  double b = best == "max" ? -INFINITY : INFINITY;
  for (auto& r : rows) {
    const TableCell& c = cell(r);
    if (c.has) b = best == "max" ? std::max(b, c.agg.mean) : std::min(b, c.agg.mean);
  }
  for (auto& r : rows) {
    TableCell& c = cell(r);
    c.best = c.has && c.agg.mean == b;
  }
}

TableCell mean_of(const std::vector<const TableCell*>& cells) {
  TableCell out;
  std::vector<double> means;
  for (const TableCell* c : cells) {
    if (!c->has) return out;  // a group mean over missing cells would mislead: leave it empty
    means.push_back(c->agg.mean);
  }
  if (means.empty()) return out;
  out.has = true;
  out.agg.mean = aggregate(means).mean;
  out.agg.n = 0;  // a mean of means: no seed count, no std
  return out;
}

// Rows and columns: from the spec in its order, else automatic in order of first appearance. Sets each
// run's index (-1: matches no entry) and the ordered names (and groups, for columns).
void place(const std::vector<RowSpec>& specs, const std::vector<std::string>& labels, const std::vector<Flat>& flat,
           std::vector<int>& idx, std::vector<std::string>& order, std::vector<std::string>* groups) {
  idx.assign(labels.size(), -1);
  if (!specs.empty()) {
    for (const auto& s : specs) {
      order.push_back(s.name);
      if (groups) groups->push_back(s.group);
    }
    for (size_t i = 0; i < labels.size(); ++i) idx[i] = assign(specs, labels[i], flat[i]);
    return;
  }
  for (size_t i = 0; i < labels.size(); ++i) {
    auto it = std::find(order.begin(), order.end(), labels[i]);
    if (it == order.end()) {
      order.push_back(labels[i]);
      if (groups) groups->push_back("");
      it = order.end() - 1;
    }
    idx[i] = static_cast<int>(it - order.begin());
  }
}

// A timed figure's companion summary (timing.h record_calm): "throughput.eval" -> "throughput.eval.noisy";
// a variant's figure "throughput.eval.k4" -> "throughput.eval.noisy.k4" (the variant suffix stays last).
std::vector<std::string> companion_names(const std::string& metric, const std::string& what) {
  std::vector<std::string> out = {metric + "." + what};
  const auto dot = metric.rfind('.');
  if (dot != std::string::npos) out.push_back(metric.substr(0, dot) + "." + what + metric.substr(dot));
  return out;
}

std::optional<double> companion(const Summary& s, const std::string& metric, const std::string& what) {
  for (const auto& name : companion_names(metric, what)) {
    auto it = s.find(name);
    if (it != s.end() && std::isfinite(it->second)) return it->second;
  }
  return std::nullopt;
}

// Values per (row, column) and per (row, extra), scaled.
struct Collected {
  std::vector<std::vector<std::vector<double>>> cells, extras;
  std::vector<std::vector<std::vector<double>>> bases;  // per (row, extra): relative_metric's values, when set
  std::vector<std::vector<int>> noisy;                  // per (row, extra): runs whose figure is marked noisy
  std::vector<std::vector<double>> spread;              // per (row, extra): the largest recorded spread (NaN: none)
};

Collected collect(const std::vector<RunRow>& runs, const std::map<std::string, Summary>& values,
                  const std::vector<bool>& keep, const TableSpec& spec, const std::vector<int>& ri,
                  const std::vector<int>& ci, size_t R, size_t C) {
  const size_t E = spec.extras.size();
  Collected v{std::vector<std::vector<std::vector<double>>>(R, std::vector<std::vector<double>>(C)),
              std::vector<std::vector<std::vector<double>>>(R, std::vector<std::vector<double>>(E)),
              std::vector<std::vector<std::vector<double>>>(R, std::vector<std::vector<double>>(E)),
              std::vector<std::vector<int>>(R, std::vector<int>(E, 0)),
              std::vector<std::vector<double>>(R, std::vector<double>(E, std::numeric_limits<double>::quiet_NaN()))};
  for (size_t i = 0; i < runs.size(); ++i) {
    if (ri[i] < 0 || ci[i] < 0 || !keep[i]) continue;
    auto it = values.find(runs[i].id);
    if (it == values.end()) continue;
    auto m = it->second.find(spec.metric);
    if (m != it->second.end() && std::isfinite(m->second)) v.cells[ri[i]][ci[i]].push_back(m->second * spec.scale);
    for (size_t e = 0; e < E; ++e) {
      auto x = it->second.find(spec.extras[e].metric);
      if (x != it->second.end() && std::isfinite(x->second)) {
        v.extras[ri[i]][e].push_back(x->second * spec.extras[e].scale);
        if (companion(it->second, spec.extras[e].metric, "noisy").value_or(0) > 0.5) ++v.noisy[ri[i]][e];
        if (const auto sp = companion(it->second, spec.extras[e].metric, "spread")) {
          double& m = v.spread[ri[i]][e];
          m = std::isnan(m) ? *sp : std::max(m, *sp);
        }
      }
      if (spec.extras[e].relative_metric.empty()) continue;  // the base is the extra's own metric
      auto b = it->second.find(spec.extras[e].relative_metric);
      if (b != it->second.end() && std::isfinite(b->second)) v.bases[ri[i]][e].push_back(b->second * spec.extras[e].scale);
    }
  }
  return v;
}

// One row: cells with their reference values, group means, the overall mean, extras.
TableModel::Row make_row(const std::string& name, const Collected& v, size_t r, TableModel& t, const TableSpec& spec) {
  TableModel::Row row;
  row.name = name;
  for (size_t c = 0; c < t.columns.size(); ++c) {
    TableCell cell;
    cell.has = !v.cells[r][c].empty();
    if (cell.has) cell.agg = aggregate(v.cells[r][c]);
    t.full_n = std::max(t.full_n, cell.agg.n);
    auto rr = spec.reference.values.find(row.name);
    if (rr != spec.reference.values.end()) {
      auto rc = rr->second.find(t.columns[c]);
      if (rc != rr->second.end()) cell.ref = rc->second;
    }
    row.cells.push_back(cell);
  }
  for (const auto& g : t.groups) {
    std::vector<const TableCell*> members;
    for (size_t c = 0; c < t.columns.size(); ++c)
      if (t.column_group[c] == g) members.push_back(&row.cells[c]);
    row.group_cells.push_back(mean_of(members));
  }
  if (t.overall) {
    std::vector<const TableCell*> all;
    for (const auto& c : row.cells) all.push_back(&c);
    row.overall = mean_of(all);
  }
  for (size_t e = 0; e < spec.extras.size(); ++e) {
    TableCell x;
    x.has = !v.extras[r][e].empty();
    if (x.has) x.agg = aggregate(v.extras[r][e]);
    x.agg.n = 0;  // extras show the mean only
    x.noisy = v.noisy[r][e];
    x.spread = v.spread[r][e];
    if (x.noisy > 0)
      t.noise_notes.push_back(fmt::format(
          "{} / {}: {} of {} run(s) measured with {} noisy (the calmest window still over measure.max_spread or "
          "measure.max_wait); spread (max - min) / median up to {:.2f}",
          name, spec.extras[e].name.empty() ? spec.extras[e].metric : spec.extras[e].name, x.noisy,
          v.extras[r][e].size(), spec.extras[e].metric, x.spread));
    row.extras.push_back(x);
  }
  return row;
}

// Extras with relative_to: each row's mean against the named row's mean of relative_metric.
void relative_extras(TableModel& t, const Collected& v, const TableSpec& spec, const std::vector<std::string>& rows) {
  for (size_t e = 0; e < spec.extras.size(); ++e) {
    const ExtraSpec& x = spec.extras[e];
    if (x.relative_to.empty()) continue;
    const auto it = std::find(rows.begin(), rows.end(), x.relative_to);
    AL_CHECK(it != rows.end(), "extra column '{}': relative_to '{}' names no row of the table (rows: {})", x.name,
             x.relative_to, fmt::join(rows, ", "));
    const size_t base_row = static_cast<size_t>(it - rows.begin());
    const auto& base_values = x.relative_metric.empty() ? v.extras[base_row][e] : v.bases[base_row][e];
    for (auto& row : t.rows) {
      TableCell& c = row.extras[e];
      if (!c.has) continue;
      if (base_values.empty()) {
        c.has = false;
        continue;
      }
      const double base = aggregate(base_values).mean;
      if (x.relative == "difference") {
        c.agg.mean = c.agg.mean - base;
      } else {
        c.has = base != 0.0;
        c.agg.mean = c.has ? 100.0 * (c.agg.mean / base - 1.0) : 0.0;
      }
    }
  }
}

void mark_bests(TableModel& t, const TableSpec& spec) {
  for (size_t c = 0; c < t.columns.size(); ++c)
    mark_best(t.rows, [c](TableModel::Row& r) -> TableCell& { return r.cells[c]; }, spec.best);
  for (size_t g = 0; g < t.groups.size(); ++g)
    mark_best(t.rows, [g](TableModel::Row& r) -> TableCell& { return r.group_cells[g]; }, spec.best);
  if (t.overall) mark_best(t.rows, [](TableModel::Row& r) -> TableCell& { return r.overall; }, spec.best);
  for (size_t e = 0; e < spec.extras.size(); ++e)
    mark_best(t.rows, [e](TableModel::Row& r) -> TableCell& { return r.extras[e]; }, spec.extras[e].best);
}

std::string shown_list(std::set<std::string> names) {
  std::vector<std::string> v(names.begin(), names.end());
  if (v.size() > 8) {
    const size_t more = v.size() - 8;
    v.resize(8);
    v.push_back(fmt::format("... {} more", more));
  }
  return fmt::format("'{}'", fmt::join(v, "', '"));
}

std::string describe(const RowSpec& s) {
  return s.label.empty() ? fmt::format("match {}", s.match.to_json().dump()) : fmt::format("label '{}'", s.label);
}

// What the table leaves out, said by name (see TableModel::warnings).
std::vector<std::string> table_warnings(const TableSpec& spec, const std::vector<std::string>& row_label,
                                        const std::vector<std::string>& col_label, const std::vector<int>& ri,
                                        const std::vector<int>& ci, const std::vector<std::string>& rows,
                                        const std::vector<std::string>& columns) {
  std::vector<std::string> w;
  const auto unplaced = [&](const std::vector<int>& idx, const std::vector<std::string>& labels, const char* what) {
    std::set<std::string> left;
    size_t n = 0;
    for (size_t i = 0; i < idx.size(); ++i)
      if (idx[i] < 0) {
        left.insert(labels[i]);
        ++n;
      }
    if (n > 0)
      w.push_back(fmt::format("{} finished run(s) match no {} of the table spec and are left out; their automatic {} "
                              "labels: {}",
                              n, what, what, shown_list(left)));
  };
  const auto unused = [&](const std::vector<RowSpec>& specs, const std::vector<int>& idx,
                          const std::vector<std::string>& labels, const char* what) {
    for (size_t k = 0; k < specs.size(); ++k)
      if (std::find(idx.begin(), idx.end(), static_cast<int>(k)) == idx.end())
        w.push_back(fmt::format("{} '{}' ({}) matches no finished run; the runs' automatic {} labels: {}", what,
                                specs[k].name, describe(specs[k]), what,
                                shown_list(std::set<std::string>(labels.begin(), labels.end()))));
  };
  if (!spec.rows.empty()) {
    unplaced(ri, row_label, "row");
    unused(spec.rows, ri, row_label, "row");
  }
  if (!spec.columns.empty()) {
    unplaced(ci, col_label, "column");
    unused(spec.columns, ci, col_label, "column");
  }
  for (const auto& [row, cols] : spec.reference.values) {
    if (std::find(rows.begin(), rows.end(), row) == rows.end()) {
      w.push_back(fmt::format("reference row '{}' is not a row of the table (rows: {})", row,
                              shown_list(std::set<std::string>(rows.begin(), rows.end()))));
      continue;
    }
    for (const auto& [col, value] : cols)
      if (std::find(columns.begin(), columns.end(), col) == columns.end())
        w.push_back(fmt::format("reference column '{}' (row '{}') is not a column of the table (columns: {})", col, row,
                                shown_list(std::set<std::string>(columns.begin(), columns.end()))));
  }
  return w;
}

// The metric a report mode reads per run: `values` gets each run's picked value of spec.metric (and,
// with select, of select.by) from its epochs; runs without per-epoch evaluations lose the metric.
void apply_report_mode(const TableInput& in, const TableSpec& spec, ReportMode mode, const std::string& by,
                       std::map<std::string, Summary>& values, std::vector<std::string>& warnings) {
  if (mode == ReportMode::last) return;
  size_t missing = 0;
  for (const auto& r : in.runs) {
    const auto e = in.epochs.find(r.id);
    const auto p = e == in.epochs.end() ? std::nullopt
                                        : pick_epoch(mode, e->second, spec.metric, by, spec.best != "min");
    Summary& v = values[r.id];
    v.erase(spec.metric);
    if (spec.select) v.erase(spec.select->by);
    if (!p) {
      ++missing;
      continue;
    }
    v[spec.metric] = p->value;
    if (spec.select && std::isfinite(p->by)) v[spec.select->by] = p->by;
  }
  if (missing > 0)
    warnings.push_back(fmt::format("{} finished run(s) have no per-epoch {} evaluations{} and are left out of report "
                                   "{} (train.eval_splits: [val, test] records them)",
                                   missing, spec.metric, mode == ReportMode::best_val ? " at an epoch with " + by : "",
                                   to_string(mode)));
}

// The setting of each run: its values of select.over ("train.lr=0.001"). A key no run has is an error.
std::vector<std::string> settings_of(const SelectSpec& sel, const std::vector<Flat>& flat) {
  std::set<std::string> keys;
  for (const auto& f : flat)
    for (const auto& kv : f) keys.insert(kv.first);
  for (const auto& k : sel.over)
    AL_CHECK(keys.count(k), "select.over: no finished run has the config key '{}'{}", k,
             did_you_mean(k, std::vector<std::string>(keys.begin(), keys.end())));
  std::vector<std::string> out;
  for (const auto& f : flat) {
    std::vector<std::string> parts;
    for (const auto& k : sel.over) {
      const auto it = f.find(k);
      std::string v = it == f.end() ? "(unset)" : it->second;
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      parts.push_back(k + "=" + v);
    }
    out.push_back(fmt::format("{}", fmt::join(parts, ", ")));
  }
  return out;
}

// Per cell, the setting with the best mean select.by over its runs (ties: the first seen); the other
// runs of the cell are left out (keep). Returns per (row, column) the chosen setting; notes name them.
std::map<std::pair<int, int>, std::string> select_settings(const TableInput& in, const TableSpec& spec,
                                                           const std::map<std::string, Summary>& values,
                                                           const std::vector<std::string>& setting,
                                                           const std::vector<int>& ri, const std::vector<int>& ci,
                                                           const std::vector<std::string>& rows,
                                                           const std::vector<std::string>& columns,
                                                           std::vector<bool>& keep, TableModel& t) {
  const SelectSpec& sel = *spec.select;
  std::map<std::pair<int, int>, std::vector<size_t>> cells;
  for (size_t i = 0; i < in.runs.size(); ++i)
    if (ri[i] >= 0 && ci[i] >= 0) cells[{ri[i], ci[i]}].push_back(i);
  std::map<std::pair<int, int>, std::string> chosen;
  for (const auto& [cell, members] : cells) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<double>> by;
    for (size_t i : members) {
      if (std::find(order.begin(), order.end(), setting[i]) == order.end()) order.push_back(setting[i]);
      const auto v = values.find(in.runs[i].id);
      if (v == values.end()) continue;
      const auto x = v->second.find(sel.by);
      if (x != v->second.end() && std::isfinite(x->second)) by[setting[i]].push_back(x->second);
    }
    std::string best;
    double best_mean = 0;
    for (const auto& s : order) {
      const auto it = by.find(s);
      if (it == by.end()) continue;
      const double m = aggregate(it->second).mean;
      if (best.empty() || (sel.mode == "max" ? m > best_mean : m < best_mean)) {
        best = s;
        best_mean = m;
      }
    }
    const std::string where = rows[cell.first] + " / " + columns[cell.second];
    if (best.empty()) {
      t.warnings.push_back(fmt::format("{}: no run has {} to select a setting on; the cell is left empty", where, sel.by));
      for (size_t i : members) keep[i] = false;
      continue;
    }
    for (size_t i : members) keep[i] = setting[i] == best;
    chosen[cell] = best;
    t.notes.push_back(fmt::format("{}: {} (mean {} {:.4g} over {} run(s); {} setting(s) compared)", where, best, sel.by,
                                  best_mean, by.at(best).size(), order.size()));
  }
  return chosen;
}

}  // namespace

TableInput read_table_input(Store& store, const TableSpec& spec) {
  TableInput in;
  in.origin = store.path();
  in.runs = store.runs(spec.study, RunStatus::done);
  std::vector<std::string> names = {spec.metric};
  for (const auto& e : spec.extras) {
    names.push_back(e.metric);
    if (!e.relative_metric.empty()) names.push_back(e.relative_metric);
    for (const char* what : {"noisy", "spread"})
      for (auto& n : companion_names(e.metric, what)) names.push_back(std::move(n));
  }
  if (spec.select) names.push_back(spec.select->by);
  in.values = store.summaries(spec.study, names);
  in.summary_names = store.summary_names(spec.study);
  if (parse_report_mode(spec.report) != ReportMode::last) {
    std::vector<std::string> per_epoch = {spec.metric,
                                          spec.report_by.empty() ? default_report_by(spec.metric) : spec.report_by};
    if (spec.select) per_epoch.push_back(spec.select->by);
    in.epochs = store.epoch_metrics(spec.study, per_epoch);
  }
  return in;
}

TableModel pivot_table(const TableInput& in, const TableSpec& spec) {
  AL_CHECK(!in.runs.empty(), "{}: study '{}' has no finished runs", in.origin, spec.study);
  std::vector<Flat> flat;
  flat.reserve(in.runs.size());
  for (const auto& r : in.runs) {
    Flat m;
    for (auto& [k, v] : flatten_json(r.config)) m.emplace(std::move(k), std::move(v));
    flat.push_back(std::move(m));
  }
  const ReportMode mode = parse_report_mode(spec.report);
  std::string by = spec.report_by;
  if (mode != ReportMode::last) {
    AL_CHECK(split_metric(spec.metric, "the table's metric").first == "test",
             "report {} reads the per-epoch test evaluations: the table's metric must be test.<name>, not '{}'",
             to_string(mode), spec.metric);
    if (by.empty()) by = spec.select ? spec.select->by : default_report_by(spec.metric);
    AL_CHECK(!spec.select || mode != ReportMode::best_val || spec.select->by == by,
             "report best_val picks the epoch on {} but select picks the setting on {}: use one metric for both",
             by, spec.select->by);
  }
  TableModel t;
  std::map<std::string, Summary> values = in.values;
  apply_report_mode(in, spec, mode, by, values, t.warnings);
  // The setting keys are what selection chooses among, not what labels a row or a column.
  std::vector<std::string> setting;
  if (spec.select) {
    setting = settings_of(*spec.select, flat);
    for (auto& f : flat)
      for (const auto& k : spec.select->over) f.erase(k);
  }
  const RunLabels labels = automatic_labels(in.runs, flat);
  const std::vector<std::string>& row_label = labels.rows;
  const std::vector<std::string>& col_label = labels.columns;

  t.study = spec.study;
  t.report = spec.report;
  t.caption = fmt::format("report: {} ({})", spec.report, describe_report(mode, spec.metric, by));
  if (spec.select)
    t.caption += fmt::format("; per cell, the setting of {} with the best mean {} over its runs ({})",
                             fmt::join(spec.select->over, ", "), spec.select->by,
                             spec.select->mode == "max" ? "highest" : "lowest");
  t.metric = spec.metric;
  t.precision = spec.precision;
  t.extras = spec.extras;
  t.overall = spec.overall;
  t.reference_source = spec.reference.source;
  std::vector<int> ri, ci;
  std::vector<std::string> row_names;
  place(spec.rows, row_label, flat, ri, row_names, nullptr);
  place(spec.columns, col_label, flat, ci, t.columns, &t.column_group);
  for (const auto& g : t.column_group)
    if (!g.empty() && std::find(t.groups.begin(), t.groups.end(), g) == t.groups.end()) t.groups.push_back(g);

  std::vector<bool> keep(in.runs.size(), true);
  std::map<std::pair<int, int>, std::string> chosen;
  if (spec.select) chosen = select_settings(in, spec, values, setting, ri, ci, row_names, t.columns, keep, t);
  const Collected v = collect(in.runs, values, keep, spec, ri, ci, row_names.size(), t.columns.size());
  for (size_t r = 0; r < row_names.size(); ++r) t.rows.push_back(make_row(row_names[r], v, r, t, spec));
  for (const auto& [cell, setting_text] : chosen) t.rows[cell.first].cells[cell.second].chosen = setting_text;
  relative_extras(t, v, spec, row_names);
  const bool any = std::any_of(t.rows.begin(), t.rows.end(), [](const TableModel::Row& r) {
    return std::any_of(r.cells.begin(), r.cells.end(), [](const TableCell& c) { return c.has; });
  });
  for (auto& w : table_warnings(spec, row_label, col_label, ri, ci, row_names, t.columns)) t.warnings.push_back(std::move(w));
  const auto known = [&](const std::string& m) {
    return in.summary_names.empty() ||
           std::find(in.summary_names.begin(), in.summary_names.end(), m) != in.summary_names.end();
  };
  for (const auto& e : spec.extras)
    if (!known(e.metric))
      t.warnings.push_back(fmt::format("extra column '{}': no run of the study has the metric '{}'{}", e.name, e.metric,
                                       did_you_mean(e.metric, in.summary_names)));
  if (!any && !known(spec.metric))
    fail("{}: no run of study '{}' has the metric '{}'{}; its metrics: {}", in.origin, spec.study, spec.metric,
         did_you_mean(spec.metric, in.summary_names), fmt::join(in.summary_names, ", "));
  AL_CHECK(any, "{}: no finished run of study '{}' has the metric '{}'{}{}", in.origin, spec.study, spec.metric,
           t.warnings.empty() ? "" : " in a cell of the table: ", fmt::join(t.warnings, "; "));
  mark_bests(t, spec);
  t.reference_columns = spec.reference_style == "columns";
  t.column_has_reference.assign(t.columns.size(), false);
  for (const auto& r : t.rows)
    for (size_t c = 0; c < r.cells.size(); ++c) t.column_has_reference[c] = t.column_has_reference[c] || r.cells[c].ref;
  return t;
}

TableModel build_table(Store& store, const TableSpec& spec) { return pivot_table(read_table_input(store, spec), spec); }

std::string markdown_table(Store& store, const TableSpec& spec) { return render_markdown(build_table(store, spec)); }

}  // namespace adaptlab
