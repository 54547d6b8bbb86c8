#include <catch2/catch.hpp>

#include "framework/report/stats.h"
#include "framework/report/table.h"
#include "framework/store/store.h"
#include "report/fixture_db.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("aggregate: mean and sample std against hand-computed values", "[report]") {
  const Aggregate a = aggregate({0.80, 0.84, 0.82});
  CHECK(a.n == 3);
  CHECK(a.mean == Approx(0.82).epsilon(1e-12));
  CHECK(a.std == Approx(0.02).epsilon(1e-9));  // sqrt(((-.02)^2 + .02^2 + 0) / 2)
  const Aggregate b = aggregate({1.0, 2.0, 3.0, 4.0});
  CHECK(b.std == Approx(1.2909944487358056).epsilon(1e-12));  // sqrt(5/3)
  CHECK(aggregate({5.0}).std == 0.0);
  CHECK(aggregate({}).n == 0);
}

namespace {
TableSpec spec_of(const std::string& study, const std::string& metric, double scale, int precision) {
  TableSpec t;
  t.study = study;
  t.metric = metric;
  t.scale = scale;
  t.precision = precision;
  return t;
}
nlohmann::json cfg_of(const std::string& method, int rank, const std::string& ds_noise, int seed) {
  nlohmann::json m = {{"name", method}};
  if (method == "lora") m["rank"] = rank;
  return {{"backbone", {{"name", "vit"}}},
          {"dataset", {{"name", "synthetic"}, {"noise", std::stod(ds_noise)}}},
          {"methods", {m}},
          {"train", {{"lr", 0.001}}},
          {"seed", seed}};
}
void add(Store& s, const nlohmann::json& c, const std::string& id, double acc, RunStatus status = RunStatus::done) {
  s.begin_run(record_of_config("t", id, c), "cpu");
  s.finish_run("t", id, status, {}, status == RunStatus::done ? Summary{{"test.acc", acc}} : Summary{}, "");
}
}  // namespace

TEST_CASE("markdown table: rows by method (+ varying options), columns by dataset, missing seeds shown",
          "[report]") {
  const auto dir = test::fresh_dir("table");
  Store s(dir + "/t.sqlite");
  s.ensure_study("t", "", "");
  add(s, cfg_of("linear", 0, "0.5", 0), "l0", 0.50);
  add(s, cfg_of("linear", 0, "0.5", 1), "l1", 0.60);
  add(s, cfg_of("linear", 0, "1.0", 0), "l2", 0.40);
  add(s, cfg_of("linear", 0, "1.0", 1), "l3", 0.44);
  add(s, cfg_of("lora", 4, "0.5", 0), "r0", 0.90);
  add(s, cfg_of("lora", 4, "0.5", 1), "r1", 0.94);
  add(s, cfg_of("lora", 4, "1.0", 0), "r2", 0.70);
  add(s, cfg_of("lora", 4, "1.0", 1), "r3", 0.0, RunStatus::failed);  // a missing seed
  add(s, cfg_of("lora", 8, "0.5", 0), "r4", 0.91);
  add(s, cfg_of("lora", 8, "0.5", 1), "r5", 0.93);
  const std::string expected =
      "| method | synthetic (noise=0.5) | synthetic (noise=1.0) |\n"
      "|---|---|---|\n"
      "| linear | 55.0 ± 7.1 | 42.0 ± 2.8 |\n"
      "| lora (rank=4) | **92.0 ± 2.8** | **70.0** (n=1) |\n"
      "| lora (rank=8) | **92.0 ± 1.4** | — |\n"
      "\n"
      "Table: report: last (test.acc after the last epoch)\n";
  CHECK(markdown_table(s, spec_of("t", "test.acc", 100.0, 1)) == expected);
  REQUIRE_THROWS_WITH(markdown_table(s, spec_of("t", "nope", 1.0, 1)),
                      Catch::EndsWith("no run of study 't' has the metric 'nope'; its metrics: test.acc"));
  REQUIRE_THROWS_WITH(markdown_table(s, spec_of("zz", "test.acc", 1.0, 1)),
                      Catch::EndsWith("study 'zz' has no finished runs"));
}

TEST_CASE("spec table: grouped columns, group and overall means, extras, reference, best", "[report]") {
  const auto dir = test::fresh_dir("spec-table");
  Store s(test::make_report_db(dir + "/mini.sqlite"), /*read_only=*/true);
  TableSpec spec = load_table_spec(std::string(ADAPTLAB_TESTS_DIR) + "/fixtures/report/table.yaml");
  spec.study = "mini";
  const TableModel t = build_table(s, spec);
  REQUIRE(t.columns == std::vector<std::string>{"CIFAR-100", "DTD", "EuroSAT"});
  REQUIRE(t.groups == std::vector<std::string>{"Natural", "Specialized"});
  REQUIRE(t.rows.size() == 3);
  const auto& lin = t.rows[0];
  const auto& lora = t.rows[1];
  const auto& ada = t.rows[2];
  CHECK(lin.name == "Linear probe");
  CHECK(lin.cells[0].agg.mean == Approx(62.0));  // 60, 62, 64
  CHECK(lin.cells[0].agg.std == Approx(2.0));
  CHECK(lin.cells[0].agg.n == 3);
  CHECK(lora.cells[2].agg.mean == Approx(95.5));  // 95, 96; the third seed failed
  CHECK(lora.cells[2].agg.std == Approx(0.7071067811865476));
  CHECK(lora.cells[2].agg.n == 2);
  CHECK(t.full_n == 3);
  CHECK(lora.group_cells[0].agg.mean == Approx((68.0 + 71.0) / 2));  // Natural mean
  CHECK(lora.group_cells[1].agg.mean == Approx(95.5));                // Specialized mean
  CHECK(lora.overall.agg.mean == Approx((68.0 + 71.0 + 95.5) / 3));
  REQUIRE(lora.cells[0].ref);
  CHECK(*lora.cells[0].ref == Approx(67.1));
  CHECK_FALSE(lin.cells[0].ref);
  CHECK(ada.cells[0].best);  // 70.0 beats 68.0 and 62.0
  CHECK_FALSE(lora.cells[0].best);
  CHECK(lora.cells[1].best);  // 71.0
  CHECK(lora.cells[2].best);  // 95.5 (two seeds) beats 95.0 and 90.0
  CHECK_FALSE(ada.cells[2].best);
  CHECK(lin.extras[0].best);  // fewest parameters
  CHECK(lin.extras[0].agg.mean == Approx(0.0769));
  CHECK(lin.extras[1].agg.mean == Approx(1201.0));  // 1200 + seed, seeds 0..2
}

TEST_CASE("table spec errors name the file, line and key", "[report]") {
  const auto dir = test::fresh_dir("spec-errors");
  REQUIRE_THROWS_WITH(load_table_spec(test::write_file(dir, "a.yaml", "metric: test.acc\nbest: highest\n")),
                      Catch::Contains("a.yaml:2:7") && Catch::Contains("must be max, min or none"));
  REQUIRE_THROWS_WITH(load_table_spec(test::write_file(dir, "b.yaml", "metric: test.acc\nrowz: []\n")),
                      Catch::Contains("b.yaml:2:1") && Catch::Contains("unknown key 'rowz'"));
  REQUIRE_THROWS_WITH(load_table_spec(test::write_file(dir, "c.yaml", "rows:\n  - {name: A}\n")),
                      Catch::Contains("c.yaml:2") && Catch::Contains("give 'label' or 'match'"));
  REQUIRE_THROWS_WITH(
      load_table_spec(test::write_file(dir, "d.yaml",
                                       "columns:\n  - {name: A, group: G, label: a}\n  - {name: B, group: H, label: b}\n"
                                       "  - {name: C, group: G, label: c}\n")),
      Catch::Contains("column 'C' of group 'G' must be listed next to the other columns of that group"));
  REQUIRE_THROWS_WITH(load_table_spec(test::write_file(dir, "e.yaml", "reference: missing.yaml\n")),
                      Catch::Contains("missing.yaml"));
  test::write_file(dir, "ref.yaml", "source: x\nrows:\n  A: {B: high}\n");
  REQUIRE_THROWS_WITH(load_table_spec(test::write_file(dir, "f.yaml", "reference: ref.yaml\n")),
                      Catch::Contains("ref.yaml:3:10: reference value 'A' / 'B': expected a number, got 'high'"));
}

TEST_CASE("the pivot works on records alone, without a database", "[report]") {
  TableInput in;
  in.origin = "<memory>";
  auto run = [&](const std::string& id, const std::string& method, int seed, double acc) {
    RunRow r;
    r.id = id;
    r.status = RunStatus::done;
    r.config = cfg_of(method, 4, "0.5", seed);
    r.methods = method;
    r.seed = seed;
    in.runs.push_back(r);
    in.values[id] = {{"test.acc", acc}};
  };
  run("a", "linear", 0, 0.50);
  run("b", "linear", 1, 0.60);
  run("c", "lora", 0, 0.90);
  TableSpec spec;
  spec.metric = "test.acc";
  spec.scale = 100;
  const TableModel t = pivot_table(in, spec);
  REQUIRE(t.rows.size() == 2);
  CHECK(t.columns == std::vector<std::string>{"synthetic"});
  CHECK(t.rows[0].name == "linear");
  CHECK(t.rows[0].cells[0].agg.mean == Approx(55.0));
  CHECK(t.rows[0].cells[0].agg.n == 2);
  CHECK(t.rows[1].cells[0].best);
  CHECK(t.full_n == 2);
  in.values.clear();
  REQUIRE_THROWS_WITH(pivot_table(in, spec), "<memory>: no finished run of study '' has the metric 'test.acc'");
}

TEST_CASE("the table names what it leaves out: unmatched runs, spec entries and reference rows", "[report]") {
  const auto dir = test::fresh_dir("table-warnings");
  Store s(test::make_report_db(dir + "/mini.sqlite"), /*read_only=*/true);
  TableSpec spec = load_table_spec(std::string(ADAPTLAB_TESTS_DIR) + "/fixtures/report/table.yaml");
  spec.study = "mini";
  CHECK(build_table(s, spec).warnings.empty());  // the fixture spec places every run
  spec.rows[2].label = "adaptr";                   // a typo: the Adapter row would show only dashes
  spec.reference.values["LoRA r=16"] = {{"DTD", 70.0}};
  spec.reference.values["Adapter"]["SVHN"] = 80.0;
  const auto w = build_table(s, spec).warnings;
  REQUIRE(w.size() == 4);
  CHECK(w[0] == "9 finished run(s) match no row of the table spec and are left out; their automatic row labels: "
                "'adapter'");
  CHECK(w[1] == "row 'Adapter' (label 'adaptr') matches no finished run; the runs' automatic row labels: 'adapter', "
                "'linear', 'lora'");
  CHECK(w[2] == "reference column 'SVHN' (row 'Adapter') is not a column of the table (columns: 'CIFAR-100', 'DTD', "
                "'EuroSAT')");
  CHECK(w[3] == "reference row 'LoRA r=16' is not a row of the table (rows: 'Adapter', 'Linear probe', 'LoRA r=8')");
}

TEST_CASE("reference_style columns: paper and Δ in their own columns, LaTeX minus signs and source", "[report]") {
  const auto dir = test::fresh_dir("table-refcols");
  Store s(test::make_report_db(dir + "/mini.sqlite"), /*read_only=*/true);
  TableSpec spec = load_table_spec(std::string(ADAPTLAB_TESTS_DIR) + "/fixtures/report/table.yaml");
  spec.study = "mini";
  spec.extras.clear();
  spec.overall = false;
  spec.reference_style = "columns";
  const TableModel t = build_table(s, spec);
  const std::string md = render_markdown(t);
  // EuroSAT: LoRA 95.5 ± 0.7 (n=2) against the paper's 94.0; DTD 71.0 against 69.8; only columns
  // with a reference get paper and Δ columns (all three here).
  CHECK_THAT(md, Catch::StartsWith("| method | CIFAR-100 | paper | Δ | DTD | paper | Δ | EuroSAT | paper | Δ | "
                                   "Natural mean | Specialized mean |\n"));
  CHECK_THAT(md, Catch::Contains("| LoRA r=8 | 68.0 ± 2.0 | 67.1 | +0.9 | **71.0 ± 1.0** | 69.8 | +1.2 | **95.5 ± "
                                 "0.7** (n=2) | 94.0 | +1.5 |"));
  CHECK_THAT(md, Catch::Contains("| Adapter | **70.0 ± "));
  CHECK_THAT(md, Catch::Contains(" | 69.2 | +0.8 | "));
  spec.reference.values["Adapter"]["CIFAR-100"] = 71.5;  // ours is 1.5 below: a real minus in LaTeX
  const std::string tex = render_latex(build_table(s, spec));
  CHECK_THAT(tex, Catch::Contains("71.5 & $-$1.5"));
  // The group header spans the value, paper and Δ columns of its members.
  CHECK_THAT(tex, Catch::Contains("  & \\multicolumn{6}{c}{Natural} & \\multicolumn{3}{c}{Specialized} &  &  \\\\\n"
                                  "\\cmidrule(lr){2-7}\\cmidrule(lr){8-10}\n"));
  CHECK_THAT(tex, Catch::Contains("\\multicolumn{12}{l}{\\footnotesize paper: Made-up paper, Table 1 (test fixture)} \\\\\n"
                                  "\\end{tabular}"));
  spec.reference_style = "inline";
  CHECK_THAT(render_latex(build_table(s, spec)), Catch::Contains("(paper 71.5, $\\Delta$ $-$1.5)"));
}

TEST_CASE("relative extras: percent change and difference against another row's (other) metric", "[report]") {
  TableInput in;
  in.origin = "<memory>";
  auto run = [&](const std::string& id, const std::string& method, int seed,
                 std::map<std::string, double> values) {
    RunRow r;
    r.id = id;
    r.status = RunStatus::done;
    r.config = cfg_of(method, 4, "0.5", seed);
    r.methods = method;
    r.seed = seed;
    in.runs.push_back(r);
    in.values[id] = std::move(values);
  };
  // The uncompressed model: 200 FLOPs, 10 params; the compressed: 150 at its default rate, 120 at k = 4.
  run("a", "full", 0, {{"test.acc", 0.8}, {"flops.forward", 200}, {"params.total", 10}});
  run("b", "variator", 0, {{"test.acc", 0.7}, {"flops.forward", 150}, {"flops.forward.k4", 120}, {"params.total", 13}});
  TableSpec spec;
  spec.extras.resize(3);
  spec.extras[0].metric = "flops.forward";
  spec.extras[0].name = "saved";
  spec.extras[0].relative_to = "full";
  spec.extras[1].metric = "flops.forward.k4";
  spec.extras[1].name = "saved k4";
  spec.extras[1].relative_to = "full";
  spec.extras[1].relative_metric = "flops.forward";
  spec.extras[2].metric = "params.total";
  spec.extras[2].name = "added";
  spec.extras[2].relative_to = "full";
  spec.extras[2].relative = "difference";
  const TableModel t = pivot_table(in, spec);
  REQUIRE(t.rows.size() == 2);
  REQUIRE(t.rows[1].name == "variator");
  CHECK(t.rows[0].extras[0].agg.mean == Approx(0.0));
  CHECK(t.rows[1].extras[0].agg.mean == Approx(-25.0));
  CHECK_FALSE(t.rows[0].extras[1].has);  // the full model has no k = 4
  CHECK(t.rows[1].extras[1].agg.mean == Approx(-40.0));
  CHECK(t.rows[1].extras[2].agg.mean == Approx(3.0));
  spec.extras[0].relative_to = "ful";
  CHECK_THROWS_WITH(pivot_table(in, spec),
                    "extra column 'saved': relative_to 'ful' names no row of the table (rows: full, variator)");
}
