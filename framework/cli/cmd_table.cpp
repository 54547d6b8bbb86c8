#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/core/file_io.h"
#include "framework/core/log.h"
#include "framework/core/suggest.h"
#include "framework/report/table.h"
#include "framework/store/store.h"

namespace adaptlab::cli {

std::string db_path_of(const std::string& db, const std::string& study) {
  AL_CHECK(!db.empty() || !study.empty(), "give --db or --study");
  if (!db.empty()) return db;
  const std::string path = default_db_path(study);
  if (!std::filesystem::exists(path)) {
    // Say which studies there are (results/<study>.sqlite), the nearest first.
    std::vector<std::string> studies;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path(), ec))
      if (e.path().extension() == ".sqlite") studies.push_back(e.path().stem().string());
    std::sort(studies.begin(), studies.end());
    fail("{}: no such results database: study '{}' has not been run here{}; {}", path, study,
         did_you_mean(study, studies),
         studies.empty() ? std::string("results/ holds no study databases (run `adaptlab sweep` first, or give --db)")
                         : fmt::format("studies in results/: {}", fmt::join(studies, ", ")));
  }
  return path;
}

std::string study_of(Store& store, const std::string& study) {
  if (!study.empty()) return study;
  const auto studies = store.studies();
  AL_CHECK(studies.size() == 1, "{}: holds {} studies ({}); choose one with --study", store.path(), studies.size(),
           fmt::join(studies, ", "));
  return studies.front();
}

void write_output(const std::string& out, const std::string& text) {
  if (out.empty() || out == "-") {
    fmt::print("{}", text);
    return;
  }
  write_output_file(out, text, "the output");
  log::info("wrote {}", out);
}

namespace {

struct TableArgs {
  std::string db;
  std::string study;
  std::string spec;          // table spec YAML; default: table.yaml beside the study's sweep file, if any
  std::string format = "md"; // md | latex | csv | html
  std::string out;           // write here instead of stdout
  // Flags given on the command line override the spec.
  std::string metric = "test.acc";
  double scale = 100.0;
  int precision = 1;
  bool metric_set = false, scale_set = false, precision_set = false;
  bool strict = false;       // what the table leaves out is an error
  std::string report;        // overrides the spec's report mode
};

int cmd_table(const TableArgs& a) {
  Store store(db_path_of(a.db, a.study), /*read_only=*/true);
  const std::string study = study_of(store, a.study);
  std::string spec_path = a.spec;
  if (spec_path.empty()) {
    // A study may carry its table spec beside its sweep file.
    const std::string sweep = store.sweep_path(study);
    if (!sweep.empty()) {
      const auto candidate = std::filesystem::path(sweep).parent_path() / "table.yaml";
      if (std::filesystem::exists(candidate)) {
        spec_path = candidate.string();
        log::info("table spec: {} (beside the study's sweep file; --spec overrides)", spec_path);
      }
    }
  }
  TableSpec spec = spec_path.empty() ? TableSpec{} : load_table_spec(spec_path);
  spec.study = study;
  if (spec_path.empty() || a.metric_set) spec.metric = a.metric;
  if (spec_path.empty() || a.scale_set) spec.scale = a.scale;
  if (spec_path.empty() || a.precision_set) spec.precision = a.precision;
  if (!a.report.empty()) spec.report = a.report;
  const TableModel t = build_table(store, spec);
  const std::string where = spec_path.empty() ? std::string("table") : spec_path;
  for (const auto& w : t.warnings) log::warn("{}: {}", where, w);
  AL_CHECK(!a.strict || t.warnings.empty(), "{}: --strict: {} problem(s), listed above; the table was not written", where,
           t.warnings.size());
  std::string text;
  if (a.format == "md") text = render_markdown(t);
  else if (a.format == "latex") text = render_latex(t);
  else if (a.format == "csv") text = render_csv(t);
  else if (a.format == "html") text = render_html(t);
  else fail("table: unknown --format '{}'; known: md, latex, csv, html", a.format);
  write_output(a.out, text);
  return 0;
}

}  // namespace

void add_table(Command& root, const GlobalArgs&) {
  auto a = std::make_shared<TableArgs>();
  Command& c = root.sub(
      "table",
      "print a study's comparison table: rows = method stacks, columns = datasets, cells = mean ± sample std over "
      "seeds ((n=k) where seeds are missing), best per column in bold. A table spec (YAML; see "
      "framework/report/table_spec.h) names and groups rows and columns, adds extra columns (parameters, "
      "throughput, ...) and the paper's numbers from reference.yaml; table.yaml beside the study's sweep file is "
      "used when --spec is not given.");
  c.option("--db", a->db, "results database (default: results/<study>.sqlite)");
  c.option("--study", a->study, "study name (default: the only study in the database)");
  c.option("--spec", a->spec, "table spec YAML").existing_file();
  c.option("--format", a->format, "md (default) | latex (booktabs) | csv | html (self-contained page)")
      .one_of({"md", "latex", "csv", "html"});
  c.option("-o,--out", a->out, "write to this file instead of stdout");
  c.flag("--strict", a->strict,
         "fail instead of warning when runs match no row or column, a spec entry matches no run, or a reference row "
         "or column is not in the table");
  c.option("--report", a->report,
           "what a cell holds per run (overrides the spec's report:): last (the evaluation after the last epoch; "
           "default) | best_val (the test value at the epoch with the best validation metric, ties: the earliest) | "
           "max_test (the best test value over the epochs, as NOAH/PYRA print it: chosen on test). best_val and "
           "max_test need runs with train.eval_splits: [val, test]. The mode is printed with every table.")
      .one_of({"last", "best_val", "max_test"});
  Option* metric = &c.option("--metric", a->metric, "summary metric to tabulate (e.g. test.acc, val.acc, throughput.eval)");
  Option* scale = &c.option("--scale", a->scale, "multiply values by this (100 turns accuracy into percent)");
  Option* precision = &c.option("--precision", a->precision, "digits after the decimal point");
  c.on_run([a, metric, scale, precision] {
    a->metric_set = metric->given();
    a->scale_set = scale->given();
    a->precision_set = precision->given();
    return cmd_table(*a);
  });
}

}  // namespace adaptlab::cli
