#include <fmt/format.h>

#include <memory>

#include "framework/cli/commands.h"
#include "framework/core/error.h"
#include "framework/report/export.h"
#include "framework/store/store.h"

namespace adaptlab::cli {
namespace {

struct ExportArgs {
  std::string db, study, out;
  std::string format = "csv";
  std::string status;  // "" = every run
  std::string report = "last", report_by = "val.acc";
};

int cmd_export(const ExportArgs& a) {
  AL_CHECK(a.format != "parquet" || (!a.out.empty() && a.out != "-"),
           "export: Parquet is binary; give -o FILE.parquet");
  Store store(db_path_of(a.db, a.study), /*read_only=*/true);
  std::optional<RunStatus> status;
  if (!a.status.empty()) {
    status = parse_run_status(a.status);
    AL_CHECK(status.has_value(), "export: unknown --status '{}'; known: pending, running, done, failed, timed-out, "
             "cancelled", a.status);
  }
  const ExportTable t = export_runs(store, study_of(store, a.study), status, a.report, a.report_by);
  std::string bytes;
  if (a.format == "csv") bytes = render_export_csv(t);
  else if (a.format == "jsonl") bytes = render_export_jsonl(t);
  else bytes = render_export_parquet(t);
  write_output(a.out, bytes);
  return 0;
}

}  // namespace

void add_export(Command& root, const GlobalArgs&) {
  auto a = std::make_shared<ExportArgs>();
  Command& c = root.sub("export",
                        "write one wide row per run: id, status, label, backbone, methods, dataset, seed, times, the "
                        "resolved config flattened (config.<dotted key>, e.g. config.methods.0.rank) and every summary "
                        "metric (test.acc, throughput.eval, ...) as a column; empty/null where a run lacks one. "
                        "pandas: pd.read_csv / pd.read_json(lines=True) / pd.read_parquet");
  c.option("--db", a->db, "results database (default: results/<study>.sqlite)");
  c.option("--study", a->study, "study name (default: the only study in the database)");
  c.option("--format", a->format, "csv (default) | jsonl | parquet").one_of({"csv", "jsonl", "parquet"});
  c.option("-o,--out", a->out, "file to write (default: stdout; Parquet needs a file)");
  c.option("--status", a->status, "only runs with this status (e.g. done; default: every run)");
  c.option("--report", a->report,
           "which number the test.* columns hold (a `report` column names it): last (the summary, after the last "
           "epoch; default) | best_val (at the epoch with the best --report-by; its epoch in report.epoch) | "
           "max_test (the best over epochs, chosen on test); best_val and max_test need train.eval_splits: [val, test]")
      .one_of({"last", "best_val", "max_test"});
  c.option("--report-by", a->report_by, "best_val's validation metric (default val.acc)");
  c.on_run([a] { return cmd_export(*a); });
}

}  // namespace adaptlab::cli
