#include "framework/report/table_spec.h"

#include <algorithm>
#include <filesystem>

#include "framework/config/options.h"
#include "framework/core/error.h"
#include "framework/core/suggest.h"

namespace adaptlab {
namespace {

struct SpecFile {
  std::string metric = "test.acc";
  double scale = 100.0;
  int precision = 1;
  std::string best = "max";
  cfg::Node rows, columns, extras;
  bool overall = false;
  std::string reference;
  std::string reference_style = "inline";
  std::string report = "last";
  std::string report_by;
  cfg::Node select;
  template <class V>
  void visit(V& v) {
    v("metric", metric, "summary metric");
    v("scale", scale, "multiply values by this");
    v("precision", precision, "digits after the decimal point");
    v("best", best, "bold the best value per column: max | min | none");
    v("rows", rows, "rows: list of {name, label | match}");
    v("columns", columns, "columns: list of {name, label | match, group}");
    v("overall", overall, "add an overall-mean column");
    v("extras", extras, "extra per-row columns: list of {metric, name, scale, precision, best}");
    v("reference", reference, "reference.yaml with the paper's numbers");
    v("reference_style", reference_style, "inline (\"ours (paper p, Δ d)\" in one cell) | columns (paper and Δ as "
      "their own columns after each column with a reference)");
    v.check(reference_style == "inline" || reference_style == "columns", "reference_style", "must be inline or columns");
    v("report", report,
      "what a cell holds per run: last (after the last epoch) | best_val (test at the epoch with the best "
      "report_by) | max_test (the best test over epochs, as NOAH/PYRA print); best_val and max_test need "
      "train.eval_splits: [val, test]");
    v.check(report == "last" || report == "best_val" || report == "max_test", "report",
            "must be last, best_val or max_test");
    v("report_by", report_by, "best_val's validation metric (default: val.<the metric's name>)");
    v.check(report_by.empty() || report_by.rfind("val.", 0) == 0, "report_by", "must be a validation metric (val.<name>)");
    v("select", select, "model selection per cell: {by: val.acc, over: [train.lr, ...], mode: max | min}");
    v.check(best == "max" || best == "min" || best == "none", "best", "must be max, min or none");
    v.check(precision >= 0 && precision <= 10, "precision", "must be in [0, 10]");
  }
};

template <class T>
std::vector<T> read_list(const cfg::Node& n, const std::string& what) {
  std::vector<T> out;
  if (n.is_null()) return out;
  if (!n.is_list()) cfg::throw_type_error(n, what, "a list");
  for (size_t i = 0; i < n.items().size(); ++i)
    out.push_back(cfg::read_options<T>(n.items()[i], what + " item " + std::to_string(i)));
  return out;
}

}  // namespace

Reference load_reference(const std::string& path) {
  const cfg::Node root = cfg::load_file(path);
  AL_CHECK(root.is_map(), "{}: a reference file must be a map with keys source, rows", path);
  Reference ref;
  for (const auto& e : root.entries()) {
    if (e.key == "source") {
      cfg::read_value(e.value, "key 'source'", ref.source);
    } else if (e.key == "rows") {
      AL_CHECK(e.value.is_map(), "{}: key 'rows' must map row names to maps of column name -> value",
               e.value.loc().str());
      for (const auto& row : e.value.entries()) {
        AL_CHECK(row.value.is_map(), "{}: reference row '{}' must map column names to values", row.value.loc().str(),
                 row.key);
        for (const auto& col : row.value.entries()) {
          double v = 0;
          cfg::read_value(col.value, "reference value '" + row.key + "' / '" + col.key + "'", v);
          ref.values[row.key][col.key] = v;
        }
      }
    } else {
      fail("{}: unknown key '{}' in reference file{}; expected one of: source, rows", e.key_loc.str(), e.key,
           did_you_mean(e.key, {"source", "rows"}));
    }
  }
  return ref;
}

TableSpec load_table_spec(const std::string& path) {
  const SpecFile f = cfg::read_options<SpecFile>(cfg::load_file(path), "table spec");
  TableSpec s;
  s.metric = f.metric;
  s.scale = f.scale;
  s.precision = f.precision;
  s.best = f.best;
  s.overall = f.overall;
  s.reference_style = f.reference_style;
  s.report = f.report;
  s.report_by = f.report_by;
  if (!f.select.is_null()) s.select = cfg::read_options<SelectSpec>(f.select, "select");
  s.rows = read_list<RowSpec>(f.rows, "rows");
  s.columns = read_list<RowSpec>(f.columns, "columns");
  s.extras = read_list<ExtraSpec>(f.extras, "extras");
  // Columns of one group must be adjacent (the LaTeX header spans them with one \multicolumn).
  std::vector<std::string> closed;
  for (size_t i = 0; i < s.columns.size(); ++i) {
    const std::string& g = s.columns[i].group;
    if (i > 0 && s.columns[i - 1].group != g) closed.push_back(s.columns[i - 1].group);
    AL_CHECK(g.empty() || std::find(closed.begin(), closed.end(), g) == closed.end(),
             "{}: column '{}' of group '{}' must be listed next to the other columns of that group", path,
             s.columns[i].name, g);
  }
  for (auto& e : s.extras)
    if (e.name.empty()) e.name = e.metric;
  if (!f.reference.empty()) {
    const std::filesystem::path p = std::filesystem::path(f.reference).is_absolute()
                                        ? std::filesystem::path(f.reference)
                                        : std::filesystem::path(path).parent_path() / f.reference;
    s.reference = load_reference(p.string());
  }
  return s;
}

}  // namespace adaptlab
