// Report modes (last, best_val, max_test) and model selection across settings (select:), on a study
// whose validation-best learning rate is not its test-best one. Every expected number is worked out by
// hand in the comments from the epochs written below.
#include <catch2/catch.hpp>

#include "framework/report/export.h"
#include "framework/report/report_mode.h"
#include "framework/report/table.h"
#include "framework/store/store.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

struct Epochs {
  std::vector<double> val, test;  // per epoch 1, 2, 3
};

// One done run of lora at `lr`: per-epoch val.acc and test.acc rows, the summary = the last epoch's.
void add_run(Store& s, const std::string& id, double lr, int seed, const Epochs& e) {
  const nlohmann::json c = {{"backbone", {{"name", "vit"}}},
                            {"dataset", {{"name", "synthetic"}}},
                            {"methods", {{{"name", "lora"}}}},
                            {"train", {{"lr", lr}}},
                            {"seed", seed}};
  s.begin_run(record_of_config("t", id, c), "cpu");
  std::vector<MetricEvent> m;
  for (size_t k = 0; k < e.val.size(); ++k) {
    const double epoch = static_cast<double>(k + 1);
    m.push_back({static_cast<int64_t>(10 * (k + 1)), "train", "loss", 1.0 / epoch, epoch});
    m.push_back({static_cast<int64_t>(10 * (k + 1)), "val", "acc", e.val[k], epoch});
    if (!e.test.empty()) {
      m.push_back({static_cast<int64_t>(10 * (k + 1)), "test", "acc", e.test[k], epoch});
      m.push_back({static_cast<int64_t>(10 * (k + 1)), "test", "loss", 1.0 - e.test[k], epoch});
    }
  }
  Summary sum = {{"val.acc", e.val.back()}, {"test.acc", e.test.empty() ? 0.5 : e.test.back()},
                 {"test.loss", e.test.empty() ? 0.5 : 1.0 - e.test.back()}};
  s.finish_run("t", id, RunStatus::done, m, sum, "");
}

// lr 0.001 is best on validation (last: 0.765 vs 0.695; best epochs: 0.81 vs 0.695), lr 0.01 on test.
std::string make_db(const std::string& dir) {
  const std::string path = dir + "/t.sqlite";
  Store s(path);
  s.ensure_study("t", "", "");
  add_run(s, "a0", 0.001, 0, {{0.70, 0.80, 0.75}, {0.60, 0.66, 0.64}});
  add_run(s, "a1", 0.001, 1, {{0.72, 0.82, 0.78}, {0.62, 0.68, 0.65}});
  add_run(s, "b0", 0.01, 0, {{0.60, 0.65, 0.70}, {0.70, 0.72, 0.71}});
  add_run(s, "b1", 0.01, 1, {{0.62, 0.66, 0.69}, {0.72, 0.74, 0.73}});
  return path;
}

TableSpec spec(const std::string& report, bool select) {
  TableSpec t;
  t.study = "t";
  t.report = report;
  if (select) t.select = SelectSpec{"val.acc", {"train.lr"}, "max"};
  return t;
}

std::string md(const std::string& db, const std::string& report, bool select) {
  Store s(db, /*read_only=*/true);
  return render_markdown(build_table(s, spec(report, select)));
}

}  // namespace

TEST_CASE("pick_epoch: best_val takes the test value at the best validation epoch, ties the earliest", "[report]") {
  const std::vector<MetricEvent> rows = {{1, "val", "acc", 0.8, 1}, {1, "test", "acc", 0.5, 1},
                                         {2, "val", "acc", 0.8, 2}, {2, "test", "acc", 0.9, 2},
                                         {3, "val", "acc", 0.7, 3}, {3, "test", "acc", 0.95, 3},
                                         {4, "val", "acc", 0.99, -1}};  // no epoch: ignored
  const auto b = pick_epoch(ReportMode::best_val, rows, "test.acc", "val.acc", true);
  REQUIRE(b);
  CHECK(b->epoch == 1.0);
  CHECK(b->value == 0.5);
  CHECK(b->by == 0.8);
  const auto m = pick_epoch(ReportMode::max_test, rows, "test.acc", "val.acc", true);
  REQUIRE(m);
  CHECK(m->value == 0.95);
  CHECK(m->by == 0.8);
  const auto low = pick_epoch(ReportMode::best_val, rows, "test.acc", "val.acc", false);  // a loss: lowest wins
  REQUIRE(low);
  CHECK(low->epoch == 3.0);
  CHECK(low->value == 0.95);
  CHECK_FALSE(pick_epoch(ReportMode::max_test, {{1, "val", "acc", 0.8, 1}}, "test.acc", "val.acc", true));
  REQUIRE_THROWS_WITH(parse_report_mode("max"), "unknown report mode 'max' (did you mean 'max_test'?); known: last, best_val, max_test");
}

TEST_CASE("table report modes and select: the val-selected setting's test value, the maximum, the last, each labelled",
          "[report]") {
  const auto dir = test::fresh_dir("report-mode");
  const std::string db = make_db(dir);
  // last, rows split by lr: 0.001 -> (0.64 + 0.65) / 2; 0.01 -> (0.71 + 0.73) / 2.
  CHECK(md(db, "last", false) ==
        "| method | synthetic |\n|---|---|\n"
        "| lora (lr=0.001) | 64.5 ± 0.7 |\n"
        "| lora (lr=0.01) | **72.0 ± 1.4** |\n"
        "\nTable: report: last (test.acc after the last epoch)\n");
  // max_test: 0.001 -> (0.66 + 0.68) / 2; 0.01 -> (0.72 + 0.74) / 2.
  CHECK(md(db, "max_test", false) ==
        "| method | synthetic |\n|---|---|\n"
        "| lora (lr=0.001) | 67.0 ± 1.4 |\n"
        "| lora (lr=0.01) | **73.0 ± 1.4** |\n"
        "\nTable: report: max_test (the best test.acc over the epochs' evaluations, as NOAH/PYRA print it and GLUE papers "
        "keep the best dev epoch: chosen on the test split, not a held-out number)\n");
  // select on the last val.acc: 0.001 (0.765) over 0.01 (0.695): its last test values 0.64, 0.65.
  CHECK(md(db, "last", true) ==
        "| method | synthetic |\n|---|---|\n"
        "| lora | **64.5 ± 0.7** |\n"
        "\nTable: report: last (test.acc after the last epoch); per cell, the setting of train.lr with the best mean "
        "val.acc over its runs (highest)\n"
        "\nSettings selected:\n\n"
        "- lora / synthetic: train.lr=0.001 (mean val.acc 0.765 over 2 run(s); 2 setting(s) compared)\n");
  // best_val + select: each run's best val epoch is 2 for lr 0.001 (0.80, 0.82 -> mean 0.81; test 0.66,
  // 0.68) and 3 for lr 0.01 (0.70, 0.69 -> 0.695): lr 0.001, test (0.66 + 0.68) / 2 = 67.0.
  const std::string bv = md(db, "best_val", true);
  CHECK(bv.find("| lora | **67.0 ± 1.4** |\n") != std::string::npos);
  CHECK(bv.find("Table: report: best_val (test.acc at the epoch with the best val.acc (ties: the earliest))") !=
        std::string::npos);
  CHECK(bv.find("- lora / synthetic: train.lr=0.001 (mean val.acc 0.81 over 2 run(s); 2 setting(s) compared)") !=
        std::string::npos);
  // CSV and LaTeX carry the mode and the setting too.
  Store s(db, /*read_only=*/true);
  const TableModel t = build_table(s, spec("best_val", true));
  const std::string csv = render_csv(t);
  CHECK(csv.rfind("method,synthetic,synthetic std,synthetic n,synthetic paper,synthetic delta,synthetic setting,report\n",
                  0) == 0);
  CHECK(csv.find(",train.lr=0.001,best_val\n") != std::string::npos);
  CHECK(render_latex(t).find("report: best\\_val") != std::string::npos);
  CHECK(render_html(t).find("report: best_val") != std::string::npos);
}

TEST_CASE("report best_val / max_test without per-epoch test evaluations: said, and the table refuses", "[report]") {
  const auto dir = test::fresh_dir("report-mode-none");
  const std::string db = dir + "/t.sqlite";
  {
    Store s(db);
    s.ensure_study("t", "", "");
    add_run(s, "a0", 0.001, 0, {{0.70, 0.80, 0.75}, {}});  // eval_splits: [val] only
  }
  Store s(db, /*read_only=*/true);
  REQUIRE_THROWS_WITH(build_table(s, spec("max_test", false)),
                      Catch::Contains("1 finished run(s) have no per-epoch test.acc evaluations and are left out of "
                                      "report max_test (train.eval_splits: [val, test] records them)"));
  TableSpec bad = spec("max_test", false);
  bad.metric = "val.acc";
  REQUIRE_THROWS_WITH(build_table(s, bad), Catch::Contains("the table's metric must be test.<name>, not 'val.acc'"));
  TableSpec typo = spec("last", true);
  typo.select->over = {"train.lrr"};
  REQUIRE_THROWS_WITH(build_table(s, typo), Catch::StartsWith("select.over: no finished run has the config key "
                                                              "'train.lrr' (did you mean 'train.lr'?)"));
}

TEST_CASE("export --report: a report column, picked test values, best_val's epoch", "[report]") {
  const auto dir = test::fresh_dir("report-mode-export");
  const std::string db = make_db(dir);
  Store s(db, /*read_only=*/true);
  const ExportTable t = export_runs(s, "t", std::nullopt, "best_val", "val.acc");
  const auto col = [&](const std::string& name) {
    const auto it = std::find(t.columns.begin(), t.columns.end(), name);
    REQUIRE(it != t.columns.end());
    return static_cast<size_t>(it - t.columns.begin());
  };
  REQUIRE(t.rows.size() == 4);
  CHECK(t.rows[0][col("report")] == "best_val");
  CHECK(t.rows[0][col("report.epoch")] == 2.0);
  CHECK(t.rows[0][col("test.acc")] == 0.66);
  CHECK(t.rows[2][col("report.epoch")] == 3.0);
  CHECK(t.rows[2][col("test.acc")] == 0.71);
  CHECK(t.rows[0][col("test.loss")] == Approx(0.34));  // at best_val's epoch 2: 1 - 0.66
  // max_test takes each metric's best: the highest accuracy, the lowest loss (a0: 0.66 and 1 - 0.66).
  const ExportTable mx = export_runs(s, "t", std::nullopt, "max_test", "val.acc");
  const auto mcol = [&](const std::string& name) {
    return static_cast<size_t>(std::find(mx.columns.begin(), mx.columns.end(), name) - mx.columns.begin());
  };
  CHECK(mx.rows[0][mcol("test.acc")] == 0.66);
  CHECK(mx.rows[0][mcol("test.loss")] == Approx(0.34));
  const ExportTable last = export_runs(s, "t", std::nullopt);
  CHECK(last.rows[0][std::find(last.columns.begin(), last.columns.end(), "report") - last.columns.begin()] == "last");
  CHECK(last.rows[0][std::find(last.columns.begin(), last.columns.end(), "test.acc") - last.columns.begin()] == 0.64);
}
