#include <catch2/catch.hpp>

#include "framework/report/stats.h"
#include "framework/report/table.h"
#include "framework/store/store.h"
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
nlohmann::json cfg_of(const std::string& method, int rank, const std::string& ds_noise, int seed) {
  nlohmann::json m = {{"name", method}};
  if (method == "lora") m["rank"] = rank;
  return {{"backbone", {{"name", "vit"}}},
          {"dataset", {{"name", "synthetic"}, {"noise", std::stod(ds_noise)}}},
          {"methods", {m}},
          {"train", {{"lr", 0.001}}},
          {"seed", seed}};
}
void add(Store& s, const nlohmann::json& c, const std::string& id, double acc, const std::string& status = "done") {
  s.begin_run("t", id, c, "cpu");
  s.finish_run("t", id, status, {}, status == "done" ? Summary{{"test.acc", acc}} : Summary{}, "");
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
  add(s, cfg_of("lora", 4, "1.0", 1), "r3", 0.0, "failed");  // a missing seed
  add(s, cfg_of("lora", 8, "0.5", 0), "r4", 0.91);
  add(s, cfg_of("lora", 8, "0.5", 1), "r5", 0.93);
  const std::string expected =
      "| method | synthetic (noise=0.5) | synthetic (noise=1.0) |\n"
      "|---|---|---|\n"
      "| linear | 55.0 ± 7.1 | 42.0 ± 2.8 |\n"
      "| lora (rank=4) | **92.0 ± 2.8** | **70.0** (n=1) |\n"
      "| lora (rank=8) | **92.0 ± 1.4** | — |\n";
  CHECK(markdown_table(s, TableSpec{"t", "test.acc", 100.0, 1}) == expected);
  REQUIRE_THROWS_WITH(markdown_table(s, TableSpec{"t", "nope", 1.0, 1}),
                      Catch::EndsWith("no finished run of study 't' has the metric 'nope'"));
  REQUIRE_THROWS_WITH(markdown_table(s, TableSpec{"zz", "test.acc", 1.0, 1}),
                      Catch::EndsWith("study 'zz' has no finished runs"));
}
