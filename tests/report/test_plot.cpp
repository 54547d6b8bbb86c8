#include <catch2/catch.hpp>

#include <regex>

#include "framework/report/plot.h"
#include "framework/store/store.h"
#include "report/fixture_db.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {
size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}
}  // namespace

TEST_CASE("pareto_front: hand-checked non-dominated sets", "[report]") {
  const std::vector<std::pair<double, double>> pts = {{1, 5}, {2, 4}, {3, 6}, {4, 1}, {3, 6}, {0.5, 7}};
  // Both maximised: (3,6) twice (ties do not dominate each other), (4,1) best x, (0.5,7) best y.
  CHECK(pareto_front(pts, true, true) == std::vector<size_t>{5, 2, 4, 3});
  // x minimised (a cost), y maximised: (0.5,7) dominates everything with y <= 7 and x >= 0.5.
  CHECK(pareto_front(pts, false, true) == std::vector<size_t>{5});
  CHECK(pareto_front({{1, 1}, {2, 0}, {0, 2}}, false, false) == std::vector<size_t>{2, 0, 1});
  CHECK(pareto_front({}, true, true).empty());
}

TEST_CASE("nice_ticks: 1-2-5 steps covering the range", "[report]") {
  CHECK(nice_ticks(0.0, 1.0) == std::vector<double>{0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0});
  const auto t = nice_ticks(62.0, 95.5);
  CHECK(t.front() <= 62.0);
  CHECK(t.back() >= 95.5);
  CHECK(t[1] - t[0] == Approx(10.0));
  CHECK(nice_ticks(3.0, 3.0).size() >= 2);  // a single value still gets an axis
}

TEST_CASE("pareto plot: one point per method, the front, labelled axes and legend", "[report]") {
  const auto dir = test::fresh_dir("plot");
  Store s(test::make_report_db(dir + "/mini.sqlite"), /*read_only=*/true);
  ParetoPlot p;
  p.spec.study = "mini";
  REQUIRE_THROWS_WITH(pareto_chart(s, p), "plot: study 'mini' has 3 datasets (cifar | dtd | eurosat); choose one "
                                          "with --dataset");
  p.dataset = "cifar";
  const Chart c = pareto_chart(s, p);
  REQUIRE(c.series.size() == 3);
  CHECK(c.series[0].label == "linear");
  CHECK(c.series[0].points[0].first == Approx(1201.0));   // throughput mean over seeds
  CHECK(c.series[0].points[0].second == Approx(62.0));    // accuracy mean, percent
  // throughput: linear 1201 > lora 1151 > adapter 1001; accuracy: adapter 70 > lora 68 > linear 62.
  // Nobody dominates anybody: all three are on the front, in x order.
  REQUIRE(c.front.size() == 3);
  CHECK(c.front[0].first == Approx(1001.0));
  CHECK(c.front[2].first == Approx(1201.0));
  const std::string svg = render_svg(c);
  CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
  CHECK(svg.find(">throughput.eval</text>") != std::string::npos);
  CHECK(svg.find(">test.acc × 100</text>") != std::string::npos);
  CHECK(count(svg, "<text class=\"legend\"") == 4);  // 3 methods + the front
  CHECK(count(svg, "class=\"pareto-front\"") == 1);
  CHECK(count(svg, "<circle ") == 6);  // 3 points + 3 legend markers
  CHECK(svg.find("http://") == svg.find("http://www.w3.org/2000/svg"));  // nothing fetched

  // A cost axis (smaller is better): on CIFAR the adapter (236900 params, 70.0) dominates LoRA
  // (371812 params, 68.0); the linear probe (76900, 62.0) stays as the cheapest.
  p.x = "params.trainable";
  p.x_better = "min";
  const Chart e = pareto_chart(s, p);
  REQUIRE(e.front.size() == 2);
  CHECK(e.front[0].first == Approx(76900.0));
  CHECK(e.front[1].first == Approx(236900.0));
  p.dataset = "eurosat";  // LoRA 95.5 with 371812 params; adapter 95.0 with 236900; linear 90.0 with 76900
  CHECK(pareto_chart(s, p).front.size() == 3);
  p.x = "throughput.eval";
  p.x_better = "max";
  p.dataset = "dtd";  // linear (1201, 52), lora (1151, 71), adapter (1001, 70): adapter is dominated by lora
  const Chart d = pareto_chart(s, p);
  REQUIRE(d.front.size() == 2);
  CHECK(d.front[0].second == Approx(71.0));
  CHECK(d.front[1].second == Approx(52.0));
}

TEST_CASE("curves plot: one line per run from the metrics table", "[report]") {
  const auto dir = test::fresh_dir("curves");
  Store s(test::make_report_db(dir + "/mini.sqlite"), /*read_only=*/true);
  CurvesPlot p;
  p.study = "mini";
  p.by = "run";
  Chart c = curves_chart(s, p);
  CHECK(c.series.size() == 26);  // every finished run
  p.runs = {"lora-cifar-0", "adapter-dtd"};
  c = curves_chart(s, p);
  REQUIRE(c.series.size() == 4);  // one exact id + a prefix matching three seeds
  CHECK(c.series[0].points.size() == 5);
  CHECK(c.series[0].points[0] == std::pair<double, double>{0.0, 2.0});
  CHECK(c.series[0].label.rfind("lora seed 0 [lora-c]", 0) == 0);
  const std::string svg = render_svg(c);
  CHECK(count(svg, "<polyline points=") == 4);
  CHECK(svg.find(">optimiser step</text>") != std::string::npos);
  p.runs = {"nope"};
  REQUIRE_THROWS_WITH(curves_chart(s, p), "plot: study 'mini' has no run whose id starts with 'nope'");
  p.runs = {};
  p.metric = "val.acc";
  REQUIRE_THROWS_WITH(curves_chart(s, p), "plot: no selected run of study 'mini' logged the metric 'val.acc'; its "
                                          "metrics: train.loss");
  p.metric = "train.los";
  REQUIRE_THROWS_WITH(curves_chart(s, p), Catch::Contains("'train.los' (did you mean 'train.loss'?)"));
}

TEST_CASE("curves plot by label: mean over seeds with a ± sample-std band, step or epoch on x", "[report]") {
  const auto dir = test::fresh_dir("curves-label");
  Store s(test::make_report_db(dir + "/mini.sqlite"), /*read_only=*/true);
  CurvesPlot p;
  p.study = "mini";
  const Chart c = curves_chart(s, p);
  // 3 methods × 3 datasets, each a line over its seeds (LoRA on EuroSAT: seed 2 failed, n=2).
  REQUIRE(c.series.size() == 9);
  CHECK(c.series[0].label == "linear · cifar (n=3)");
  const auto& lora_cifar = c.series[3];
  REQUIRE(lora_cifar.label == "lora · cifar (n=3)");
  CHECK(c.series[5].label == "lora · eurosat (n=2)");
  // train.loss = 2 / (1 + step·0.05) + 0.01·seed on cifar, seeds 0, 1, 2: mean +0.01, sample std 0.01.
  REQUIRE(lora_cifar.points.size() == 5);
  CHECK(lora_cifar.points[1].first == 10.0);
  CHECK(lora_cifar.points[1].second == Approx(2.0 / 1.5 + 0.01));
  REQUIRE(lora_cifar.band.size() == 5);
  CHECK(std::get<1>(lora_cifar.band[1]) == Approx(2.0 / 1.5));
  CHECK(std::get<2>(lora_cifar.band[1]) == Approx(2.0 / 1.5 + 0.02));
  const std::string svg = render_svg(c);
  CHECK(count(svg, "<polygon class=\"band\"") == 9);
  // Epochs on x need the metrics' epoch column; this database's runs logged none.
  p.x = "epoch";
  REQUIRE_THROWS_WITH(curves_chart(s, p), Catch::Contains("has no epoch on its 'train.loss' values") &&
                                              Catch::Contains("use --x step"));
}

TEST_CASE("plot legend: each entry's key has its series' colour", "[report]") {
  Chart c;
  c.title = "t";
  for (int i = 0; i < 12; ++i)
    c.series.push_back({"run " + std::to_string(i), {{0.0, 1.0 * i}, {1.0, 2.0 * i}}, true, {}});
  const std::string svg = render_svg(c);
  // Series colours in drawing order, then legend keys' strokes in legend order: the same list.
  std::vector<std::string> series_colors, legend_colors;
  const std::regex series_re("<g class=\"series\" data-label=\"[^\"]*\" data-color=\"(#[0-9a-f]{6})\">");
  const std::regex key_re("<line class=\"legend-key\"[^>]* stroke=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), series_re); it != std::sregex_iterator(); ++it)
    series_colors.push_back((*it)[1]);
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), key_re); it != std::sregex_iterator(); ++it)
    legend_colors.push_back((*it)[1]);
  REQUIRE(series_colors.size() == 12);
  CHECK(legend_colors == series_colors);
  CHECK(series_colors[0] == "#1f77b4");
  CHECK(series_colors[1] == "#ff7f0e");
  CHECK(series_colors[10] == "#1f77b4");  // the palette repeats after ten
  // Each polyline is drawn in its series' colour too.
  const std::regex line_re("<polyline points=\"[^\"]*\" fill=\"none\" stroke=\"(#[0-9a-f]{6})\"");
  std::vector<std::string> line_colors;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), line_re); it != std::sregex_iterator(); ++it)
    line_colors.push_back((*it)[1]);
  CHECK(line_colors == series_colors);
}
