#include "framework/report/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "framework/core/error.h"
#include "framework/store/store.h"
#include "framework/core/json_flat.h"
#include "framework/core/suggest.h"
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

// Values per (row, column) and per (row, extra), scaled.
struct Collected {
  std::vector<std::vector<std::vector<double>>> cells, extras;
  std::vector<std::vector<std::vector<double>>> bases;  // per (row, extra): relative_metric's values, when set
};

Collected collect(const TableInput& in, const TableSpec& spec, const std::vector<int>& ri, const std::vector<int>& ci,
                  size_t R, size_t C) {
  const size_t E = spec.extras.size();
  Collected v{std::vector<std::vector<std::vector<double>>>(R, std::vector<std::vector<double>>(C)),
              std::vector<std::vector<std::vector<double>>>(R, std::vector<std::vector<double>>(E)),
              std::vector<std::vector<std::vector<double>>>(R, std::vector<std::vector<double>>(E))};
  for (size_t i = 0; i < in.runs.size(); ++i) {
    if (ri[i] < 0 || ci[i] < 0) continue;
    auto it = in.values.find(in.runs[i].id);
    if (it == in.values.end()) continue;
    auto m = it->second.find(spec.metric);
    if (m != it->second.end() && std::isfinite(m->second)) v.cells[ri[i]][ci[i]].push_back(m->second * spec.scale);
    for (size_t e = 0; e < E; ++e) {
      auto x = it->second.find(spec.extras[e].metric);
      if (x != it->second.end() && std::isfinite(x->second)) v.extras[ri[i]][e].push_back(x->second * spec.extras[e].scale);
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

}  // namespace

TableInput read_table_input(Store& store, const TableSpec& spec) {
  TableInput in;
  in.origin = store.path();
  in.runs = store.runs(spec.study, RunStatus::done);
  std::vector<std::string> names = {spec.metric};
  for (const auto& e : spec.extras) {
    names.push_back(e.metric);
    if (!e.relative_metric.empty()) names.push_back(e.relative_metric);
  }
  in.values = store.summaries(spec.study, names);
  in.summary_names = store.summary_names(spec.study);
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
  const RunLabels labels = automatic_labels(in.runs, flat);
  const std::vector<std::string>& row_label = labels.rows;
  const std::vector<std::string>& col_label = labels.columns;

  TableModel t;
  t.study = spec.study;
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

  const Collected v = collect(in, spec, ri, ci, row_names.size(), t.columns.size());
  for (size_t r = 0; r < row_names.size(); ++r) t.rows.push_back(make_row(row_names[r], v, r, t, spec));
  relative_extras(t, v, spec, row_names);
  const bool any = std::any_of(t.rows.begin(), t.rows.end(), [](const TableModel::Row& r) {
    return std::any_of(r.cells.begin(), r.cells.end(), [](const TableCell& c) { return c.has; });
  });
  t.warnings = table_warnings(spec, row_label, col_label, ri, ci, row_names, t.columns);
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
