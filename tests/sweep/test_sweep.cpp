#include <catch2/catch.hpp>

#include <set>

#include "framework/registry/registries.h"
#include "framework/core/json_flat.h"
#include "framework/run/resolve.h"
#include "framework/sweep/sweep.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {
const char* kBase = R"(
backbone: {name: vit, img_size: 16, patch_size: 4, embed_dim: 32, depth: 2, num_heads: 2}
dataset: {name: synthetic, img_size: 16, num_classes: 4}
methods: [linear]
train: {epochs: 1}
)";
}

TEST_CASE("grid x seeds expansion: counts, order, unique ids", "[sweep]") {
  const auto dir = test::fresh_dir("sweep");
  test::write_file(dir, "base.yaml", kBase);
  const auto path = test::write_file(dir, "s.yaml", R"(
study: demo
include: [base.yaml]
grid:
  methods: [[linear], [{name: lora, rank: 2}]]
  train.lr: [0.001, 0.01, 0.1]
seeds: 2
)");
  const Sweep sw = load_sweep(path, {}, registries());
  CHECK(sw.study == "demo");
  REQUIRE(sw.runs.size() == 2 * 3 * 2);
  std::set<std::string> ids;
  for (const auto& r : sw.runs) ids.insert(r.id());
  CHECK(ids.size() == sw.runs.size());
  // Last axis fastest, seeds innermost.
  CHECK(sw.runs[0].config.train.lr == 0.001);
  CHECK(sw.runs[1].config.seed == 1);
  CHECK(sw.runs[2].config.train.lr == 0.01);
  CHECK(sw.runs[6].config.methods[0].name == "lora");
  CHECK(sw.runs[6].config.methods[0].options["rank"] == 2);
  CHECK(sw.runs[6].config.methods[0].options["alpha"] == 8.0);  // default filled in
}

TEST_CASE("run ids: stable under key order, number spelling and explicit defaults, change with values",
          "[sweep]") {
  const auto a = cfg::parse_string(std::string(kBase) + "seed: 0\n", "a");
  const auto b = cfg::parse_string(R"(
seed: 0
train: {lr: 1e-3, epochs: 1, batch_size: 64, warmup_epochs: 1.0}
methods: [{name: linear}]
dataset: {num_classes: 4, name: synthetic, img_size: 16}
backbone: {depth: 2, num_heads: 2, name: vit, embed_dim: 32, patch_size: 4, img_size: 16, qkv_bias: true}
)",
                                   "b");
  const auto ra = resolve_run_config(a, registries());
  const auto rb = resolve_run_config(b, registries());
  CHECK(ra.id == rb.id);
  CHECK(ra.id.size() == 16);
  auto c = a;
  cfg::apply_override(c, "train.lr=0.002");
  CHECK(resolve_run_config(c, registries()).id != ra.id);
  auto d = a;
  cfg::apply_override(d, "seed=1");
  CHECK(resolve_run_config(d, registries()).id != ra.id);
}

TEST_CASE("override precedence: includes < run < grid < command line", "[sweep]") {
  const auto dir = test::fresh_dir("sweep-prec");
  test::write_file(dir, "base.yaml", R"(
backbone: {name: vit, img_size: 16, patch_size: 4, embed_dim: 32, depth: 2, num_heads: 2}
dataset: {name: synthetic, img_size: 16, num_classes: 4}
methods: [linear]
train: {epochs: 1, lr: 0.1, batch_size: 8}
)");
  test::write_file(dir, "more.yaml", "train: {lr: 0.2, batch_size: 16}\n");
  const auto path = test::write_file(dir, "s.yaml", R"(
include: [base.yaml, more.yaml]
run:
  train: {batch_size: 32, warmup_epochs: 0}
grid:
  train.warmup_epochs: [0.5]
)");
  const Sweep sw = load_sweep(path, {"train.epochs=3"}, registries());
  REQUIRE(sw.runs.size() == 1);
  const auto& t = sw.runs[0].config.train;
  CHECK(t.lr == 0.2);              // more.yaml over base.yaml
  CHECK(t.batch_size == 32);       // run over includes
  CHECK(t.warmup_epochs == 0.5);   // grid over run
  CHECK(t.epochs == 3);            // command line over all
  CHECK(sw.study == std::filesystem::path(dir).filename().string());  // default: the folder name
  // An override of a grid axis replaces its values (one value, or a list: a smaller grid).
  CHECK(load_sweep(path, {"train.warmup_epochs=1"}, registries()).runs.at(0).config.train.warmup_epochs == 1.0);
  const Sweep two = load_sweep(path, {"train.warmup_epochs=[0.25, 0.75]"}, registries());
  REQUIRE(two.runs.size() == 2);
  CHECK(two.runs[1].config.train.warmup_epochs == 0.75);
}

TEST_CASE("overrides reach list items, seeds and grid axes, zip axes and bad indices are refused", "[sweep]") {
  const auto dir = test::fresh_dir("sweep-overrides");
  test::write_file(dir, "base.yaml", kBase);
  const auto path = test::write_file(dir, "s.yaml", R"(
include: [base.yaml]
grid:
  methods:
    - [lightpeft]
    - [lightpeft, {name: tome, r: 2}]
  train.lr: [0.1, 0.01]
zip:
  train.epochs: [1, 2]
  train.batch_size: [8, 16]
seeds: 3
)");
  const Sweep full = load_sweep(path, {}, registries());
  CHECK(full.runs.size() == 2 * 2 * 2 * 3);
  // A paper study shrunk for a smoke run in one line: one seed, one lr, fewer estimation steps.
  const Sweep small = load_sweep(path, {"seeds=1", "train.lr=[0.01]", "methods.0.estimation_steps=20"}, registries());
  REQUIRE(small.runs.size() == 2 * 1 * 2 * 1);
  for (const auto& r : small.runs) {
    CHECK(r.config.seed == 0);
    CHECK(r.config.train.lr == 0.01);
    CHECK(r.config.methods.at(0).options.at("estimation_steps") == 20);  // [lightpeft] became {name: lightpeft}
  }
  CHECK(load_sweep(path, {"seeds=[4, 7]"}, registries()).runs.size() == 2 * 2 * 2 * 2);
  // An item a run's list does not have is an error naming the list (methods.1 of [lightpeft]).
  REQUIRE_THROWS_WITH(load_sweep(path, {"seeds=1", "methods.1.r=4"}, registries()),
                      Catch::Contains("'1' in key 'methods.1.r' is not an index of the list at") &&
                          Catch::Contains("(1 items: 0 to 0)"));
  REQUIRE_THROWS_WITH(load_sweep(path, {"train.epochs=3"}, registries()),
                      Catch::Contains("override 'train.epochs=3': 'train.epochs' is a zip axis, paired with 1 others"));
}

TEST_CASE("sweep file errors name file, line and key", "[sweep]") {
  const auto dir = test::fresh_dir("sweep-err");
  test::write_file(dir, "base.yaml", kBase);
  SECTION("unknown top-level key") {
    const auto p = test::write_file(dir, "a.yaml", "include: [base.yaml]\ngird: {train.lr: [1]}\n");
    REQUIRE_THROWS_WITH(load_sweep(p, {}, registries()),
                        p + ":2:1: unknown key 'gird' in sweep file (did you mean 'grid'?); expected one of: study, include, run, grid, zip, "
                            "search, exclude, seeds, cost, max_runs");
  }
  SECTION("empty axis") {
    const auto p = test::write_file(dir, "b.yaml", "include: [base.yaml]\ngrid:\n  train.lr: []\n");
    REQUIRE_THROWS_WITH(load_sweep(p, {}, registries()),
                        p + ":3:13: grid axis 'train.lr' is an empty list: the sweep expands to no runs");
  }
  SECTION("bad value inside a grid axis points at the axis value") {
    const auto p = test::write_file(dir, "c.yaml", "include: [base.yaml]\ngrid:\n  train.lr: [0.1, fast]\n");
    REQUIRE_THROWS_WITH(load_sweep(p, {}, registries()),
                        p + ":3:19: key 'lr' in train options: expected a number, got 'fast'");
  }
  SECTION("missing include") {
    const auto p = test::write_file(dir, "d.yaml", "include: [nothere.yaml]\n");
    REQUIRE_THROWS_WITH(load_sweep(p, {}, registries()),
                        Catch::StartsWith(p + ":1:10: included file 'nothere.yaml' does not exist"));
  }
}

TEST_CASE("flatten gives dotted keys for the params table", "[sweep]") {
  const nlohmann::json j = {{"methods", {{{"name", "lora"}, {"rank", 4}}}}, {"seed", 1}, {"t", {{"x", {1, 2}}}}};
  const auto f = flatten_json(j);
  REQUIRE(f.size() == 4);
  CHECK(f[0] == std::pair<std::string, std::string>{"methods.0.name", "\"lora\""});
  CHECK(f[1] == std::pair<std::string, std::string>{"methods.0.rank", "4"});
  CHECK(f[2] == std::pair<std::string, std::string>{"seed", "1"});
  CHECK(f[3] == std::pair<std::string, std::string>{"t.x", "[1,2]"});
}

TEST_CASE("zip pairs values, exclude drops combinations, cost orders nothing but is computed", "[sweep]") {
  const auto dir = test::fresh_dir("sweep-zip");
  test::write_file(dir, "base.yaml", kBase);
  const auto path = test::write_file(dir, "s.yaml", R"(
include: [base.yaml]
grid:
  methods: [[linear], [lora]]
zip:
  train.lr: [0.001, 0.01, 0.1]
  train.epochs: [1, 2, 3]
exclude:
  - {methods: [lora], train.lr: 0.1}
  - {train.epochs: 2, methods: [linear]}
seeds: [0, 1]
)");
  const Sweep sw = load_sweep(path, {}, registries());
  // 2 methods x 3 zipped pairs x 2 seeds = 12, minus 2 x 2 excluded.
  REQUIRE(sw.runs.size() == 8);
  for (const auto& r : sw.runs) {
    const double lr = r.config.train.lr;
    const int epochs = r.config.train.epochs;
    CHECK(((lr == 0.001 && epochs == 1) || (lr == 0.01 && epochs == 2) || (lr == 0.1 && epochs == 3)));
    const std::string m = r.config.methods[0].name;
    CHECK_FALSE((m == "lora" && lr == 0.1));
    CHECK_FALSE((m == "linear" && epochs == 2));
    CHECK(r.cost == epochs * 2000.0);  // default cost keys: train.epochs x dataset.train_size
  }
}

TEST_CASE("zip lists of unequal length are an error naming both", "[sweep]") {
  const auto dir = test::fresh_dir("sweep-zip-err");
  test::write_file(dir, "base.yaml", kBase);
  const auto p = test::write_file(dir, "s.yaml", "include: [base.yaml]\nzip:\n  train.lr: [1, 2]\n  train.epochs: [1, 2, 3]\n");
  REQUIRE_THROWS_WITH(load_sweep(p, {}, registries()),
                      p + ":4:17: zip axis 'train.epochs' has 3 values but 'train.lr' has 2; zipped lists must have "
                          "equal length");
  const auto q = test::write_file(dir, "t.yaml",
                                  "include: [base.yaml]\ngrid: {train.lr: [1]}\nexclude:\n  - {train.lr: 1}\n");
  REQUIRE_THROWS_WITH(load_sweep(q, {}, registries()), q + ": the sweep expands to no runs");
}

TEST_CASE("the grid's size is counted before it is built, against max_runs", "[sweep]") {
  const auto dir = test::fresh_dir("sweep-size");
  test::write_file(dir, "base.yaml", kBase);
  std::string values;
  for (int i = 1; i <= 1000; ++i) values += (i > 1 ? ", " : "") + std::to_string(i);
  const auto huge = test::write_file(dir, "huge.yaml", "include: [base.yaml]\ngrid:\n  train.lr: [" + values +
                                                           "]\n  train.weight_decay: [" + values +
                                                           "]\n  train.batch_size: [" + values + "]\nseeds: 3\n");
  REQUIRE_THROWS_WITH(load_sweep(huge, {}, registries()),
                      huge + ": the sweep expands to 3000000000 runs (1000 x 1000 x 1000 x 3 seeds), over the limit of "
                             "10000; refusing to build them (set max_runs: N in the sweep file to allow more)");
  const auto small = test::write_file(dir, "small.yaml", "include: [base.yaml]\nmax_runs: 5\ngrid:\n  train.lr: [0.1, 0.2, 0.3]\nseeds: 2\n");
  REQUIRE_THROWS_WITH(load_sweep(small, {}, registries()), Catch::Contains("expands to 6 runs (3 x 2 seeds), over the limit of 5"));
  const auto fits = test::write_file(dir, "fits.yaml", "include: [base.yaml]\nmax_runs: 6\ngrid:\n  train.lr: [0.1, 0.2, 0.3]\nseeds: 2\n");
  CHECK(load_sweep(fits, {}, registries()).runs.size() == 6);
}
