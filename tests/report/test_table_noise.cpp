// Timed extras whose measurement stayed noisy (framework/measure/timing.h: <figure>.noisy, .spread) are
// marked † in every format that shows notes, with a note per cell naming its runs, the largest spread and
// the bound; figures of variants (throughput.eval.k4) find their companions (throughput.eval.noisy.k4).
#include <catch2/catch.hpp>

#include "framework/report/table.h"
#include "framework/store/store.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

void add_run(Store& s, const std::string& id, const std::string& method, int seed, const Summary& sum) {
  const nlohmann::json c = {{"backbone", {{"name", "vit"}}},
                            {"dataset", {{"name", "synthetic"}}},
                            {"methods", {{{"name", method}}}},
                            {"seed", seed}};
  s.begin_run(record_of_config("t", id, c), "cpu");
  s.finish_run("t", id, RunStatus::done, {}, sum, "");
}

}  // namespace

TEST_CASE("tables mark noisy timed figures and say how noisy they were", "[report]") {
  const std::string db = test::fresh_dir("table-noise") + "/t.sqlite";
  {
    Store s(db);
    s.ensure_study("t", "", "");
    // lora: one of two runs noisy (spreads 0.05 and 1.5); tome: both calm; the k4 variant of tome noisy.
    add_run(s, "l0", "lora", 0, {{"test.acc", 0.9}, {"throughput.eval", 100}, {"throughput.eval.noisy", 0},
                                 {"throughput.eval.spread", 0.05}});
    add_run(s, "l1", "lora", 1, {{"test.acc", 0.8}, {"throughput.eval", 200}, {"throughput.eval.noisy", 1},
                                 {"throughput.eval.spread", 1.5}});
    add_run(s, "t0", "tome", 0, {{"test.acc", 0.7}, {"throughput.eval", 200}, {"throughput.eval.noisy", 0},
                                 {"throughput.eval.spread", 0.02}, {"throughput.eval.k4", 400},
                                 {"throughput.eval.noisy.k4", 1}, {"throughput.eval.spread.k4", 0.75}});
  }
  TableSpec spec;
  spec.study = "t";
  spec.extras = {ExtraSpec{.metric = "throughput.eval", .name = "img/s", .precision = 0},
                 ExtraSpec{.metric = "throughput.eval.k4", .name = "img/s k4", .precision = 0}};
  Store s(db, /*read_only=*/true);
  const TableModel t = build_table(s, spec);
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].extras[0].noisy == 1);
  CHECK(t.rows[0].extras[0].spread == 1.5);
  CHECK(t.rows[1].extras[0].noisy == 0);
  CHECK(t.rows[1].extras[1].noisy == 1);
  REQUIRE(t.noise_notes.size() == 2);
  CHECK(t.noise_notes[0] ==
        "lora / img/s: 1 of 2 run(s) measured with throughput.eval noisy (the calmest window still over "
        "measure.max_spread or measure.max_wait); spread (max - min) / median up to 1.50");
  CHECK(t.noise_notes[1].starts_with("tome / img/s k4: 1 of 1 run(s) measured with throughput.eval.k4 noisy"));
  const std::string md = render_markdown(t);
  CHECK_THAT(md, Catch::Contains("| 150† |"));  // lora: mean of 100 and 200, one of them noisy
  CHECK_THAT(md, Catch::Contains("| 200 |"));   // tome's own throughput was calm
  CHECK_THAT(md, Catch::Contains("| 400† |"));
  CHECK_THAT(md, Catch::Contains("\n† noisy measurements:\n\n- lora / img/s: 1 of 2 run(s)"));
  CHECK_THAT(render_latex(t), Catch::Contains("400$^\\dagger$") && Catch::Contains("\\footnotesize $^\\dagger$ lora / img/s"));
  CHECK_THAT(render_html(t), Catch::Contains("<p>† noisy measurements:</p>"));
}
