// The GLUE metrics against scikit-learn and scipy on the same predictions (float64, exact up to the last
// bits of the summation order).
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "framework/data/metrics.h"
#include "support/tensor_file.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("accuracy, F1, Matthews, Pearson and Spearman equal scikit-learn's and scipy's", "[train][metrics]") {
  std::mt19937 rng(7);
  nlohmann::json cases = nlohmann::json::array();
  std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> cls;
  std::vector<std::pair<std::vector<double>, std::vector<double>>> reg;
  for (int c = 0; c < 6; ++c) {  // binary (CoLA, MRPC, QQP …) and 3-class (MNLI) predictions, some biased
    const int k = c < 4 ? 2 : 3;
    std::vector<int64_t> p, g;
    for (int i = 0; i < 200 + 37 * c; ++i) {
      g.push_back(static_cast<int64_t>(rng() % k));
      p.push_back(static_cast<int>(rng() % 10) < 6 + c % 3 ? g.back() : static_cast<int64_t>(rng() % k));
    }
    cls.emplace_back(p, g);
    cases.push_back({{"kind", "class"}, {"pred", p}, {"gold", g}});
  }
  for (int c = 0; c < 4; ++c) {  // STS-B-like scores in [0, 5] (with ties from rounding)
    std::vector<double> x, y;
    std::normal_distribution<double> n(0, 1);
    for (int i = 0; i < 150; ++i) {
      const double t = std::round(10 * 5.0 * (rng() % 1000) / 1000.0) / 10;
      y.push_back(t);
      x.push_back(c == 3 ? std::round(t + n(rng)) : t + 0.8 * n(rng));
    }
    reg.emplace_back(x, y);
    cases.push_back({{"kind", "reg"}, {"x", x}, {"y", y}});
  }
  const auto dir = test::fresh_dir("metrics");
  std::ofstream(dir + "/in.json") << cases.dump();
  test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/data/reference_metrics.py", "'" + dir + "/in.json' '" + dir + "/out.json'");
  const auto ref = nlohmann::json::parse(std::ifstream(dir + "/out.json"));
  for (size_t i = 0; i < cls.size(); ++i) {
    INFO("classification case " << i);
    const auto& [p, g] = cls[i];
    CHECK(metrics::accuracy(p, g) == ref[i]["accuracy"].get<double>());
    if (!ref[i]["f1"].is_null()) CHECK(metrics::f1_binary(p, g) == Approx(ref[i]["f1"].get<double>()).epsilon(1e-15));
    CHECK(metrics::matthews(p, g) == Approx(ref[i]["matthews"].get<double>()).epsilon(1e-14));
  }
  for (size_t i = 0; i < reg.size(); ++i) {
    INFO("regression case " << i);
    const auto& r = ref[cls.size() + i];
    CHECK(metrics::pearson(reg[i].first, reg[i].second) == Approx(r["pearson"].get<double>()).epsilon(1e-14));
    CHECK(metrics::spearman(reg[i].first, reg[i].second) == Approx(r["spearman"].get<double>()).epsilon(1e-14));
  }
}

TEST_CASE("metric edge cases: ties share average ranks, undefined correlations", "[train][metrics]") {
  CHECK(metrics::average_ranks({10, 20, 20, 5}) == std::vector<double>{2, 3.5, 3.5, 1});
  CHECK(metrics::matthews({1, 1, 1}, {1, 1, 1}) == 0.0);  // sklearn: 0 when a side is constant
  CHECK(std::isnan(metrics::pearson({1, 1, 1}, {1, 2, 3})));
  CHECK(metrics::f1_binary({0, 0}, {0, 0}) == 0.0);
  REQUIRE_THROWS_WITH(metrics::accuracy({1}, {1, 0}), "accuracy: 1 predictions for 2 labels");
}
