// A sweep's `search:` block: the samplers against an independent Python reference (MT19937-64 written
// from the standard, scipy's Sobol points), Sobol's stratification, expansion with grid and seeds, ids,
// shards, overrides, and the errors.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "framework/registry/registries.h"
#include "framework/run/resolve.h"
#include "framework/sched/shard.h"
#include "framework/sweep/search.h"
#include "framework/sweep/sweep.h"
#include "support/tmp.h"

namespace adaptlab::test {
void run_python(const std::string& script, const std::string& args);  // support/tensor_file.h (no ATen here)
}

using namespace adaptlab;

namespace {

const char* kBase = R"(
backbone: {name: vit, img_size: 16, patch_size: 4, embed_dim: 32, depth: 2, num_heads: 2}
dataset: {name: synthetic, img_size: 16, num_classes: 4}
methods: [lora]
train: {epochs: 1}
)";

std::vector<std::string> ids_of(const std::vector<PlannedRun>& runs) {
  std::vector<std::string> ids;
  for (const auto& r : runs) ids.push_back(r.id());
  return ids;
}

std::string axis(const PlannedRun& r, const std::string& key) {
  for (const auto& [k, v] : r.axes)
    if (k == key) return v;
  return "<none>";
}

// The sweep file's search, as the reference script's case.
nlohmann::json ref_case(const SweepFile& sw, const std::string& sampler) {
  nlohmann::json dims = nlohmann::json::array();
  for (const auto& d : sw.search->dims) {
    nlohmann::json j;
    switch (d.kind) {
      case SearchDim::Kind::uniform: j = {{"kind", "uniform"}, {"lo", d.lo}, {"hi", d.hi}}; break;
      case SearchDim::Kind::loguniform: j = {{"kind", "loguniform"}, {"lo", d.lo}, {"hi", d.hi}}; break;
      case SearchDim::Kind::integer:
        j = {{"kind", "int"}, {"lo", static_cast<int64_t>(d.lo)}, {"hi", static_cast<int64_t>(d.hi)}, {"log", d.log}};
        break;
      case SearchDim::Kind::choice: j = {{"kind", "choice"}, {"n", d.choices.size()}}; break;
    }
    dims.push_back(j);
  }
  return {{"sampler", sampler}, {"seed", sw.search->seed}, {"trials", sw.search->trials}, {"dims", dims}};
}

std::string cli(const std::string& args) {
  const std::string cmd = fmt::format("'{}' {} 2>&1", ADAPTLAB_CLI, args);
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  while (size_t k = fread(buf, 1, sizeof buf, p)) out.append(buf, k);
  CHECK(pclose(p) == 0);
  return out;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("search: the values drawn equal an independent Python reference, and reach the runs", "[sweep][search]") {
  const auto dir = test::fresh_dir("search-ref");
  test::write_file(dir, "base.yaml", kBase);
  const auto rnd = test::write_file(dir, "random.yaml", R"(include: [base.yaml]
search:
  seed: 3
  trials: 12
  space:
    train.lr: {loguniform: [1.0e-4, 1.0e-2]}
    train.weight_decay: {uniform: [0.0, 0.1]}
    methods.0.rank: {int: [4, 64], log: true}
    train.batch_size: {int: [8, 32]}
    methods.0.alpha: {choice: [8, 16, 32]}
)");
  const auto sob = test::write_file(dir, "sobol.yaml", R"(include: [base.yaml]
search:
  sampler: sobol
  seed: 5
  trials: 16
  space:
    train.lr: {loguniform: [1.0e-4, 1.0e-2]}
    methods.0.rank: {int: [2, 16]}
)");
  const SweepFile r = parse_sweep(rnd), s = parse_sweep(sob);
  REQUIRE(r.search);
  REQUIRE(s.search);
  nlohmann::json plain = ref_case(s, "sobol-plain");
  plain["trials"] = 256;
  const nlohmann::json spec = {{"cases", {ref_case(r, "random"), ref_case(s, "sobol"), plain}}};
  std::ofstream(dir + "/spec.json") << spec.dump();
  test::run_python(std::string(ADAPTLAB_TESTS_DIR) + "/sweep/search_reference.py",
                   fmt::format("'{}/spec.json' '{}/ref.json'", dir, dir));
  const auto ref = nlohmann::json::parse(std::ifstream(dir + "/ref.json")).at("cases");

  // The points themselves, bit for bit.
  CHECK(random_points(12, 5, 3) == ref[0]["u"].get<std::vector<std::vector<double>>>());
  CHECK(sobol_points(16, 2, 5) == ref[1]["u"].get<std::vector<std::vector<double>>>());
  CHECK(sobol_points(256, 2, 5, false) == ref[2]["u"].get<std::vector<std::vector<double>>>());

  // The values: in the axis, and in the resolved runs (dotted keys into the method stack too).
  const auto check_values = [](const SweepFile& sw, const nlohmann::json& want) {
    const SweepAxis& trials = sw.axes.at(static_cast<size_t>(sw.search_axis));
    REQUIRE(trials.size() == want["values"].size());
    for (size_t t = 0; t < trials.size(); ++t) {
      REQUIRE(trials[t].size() == sw.search->dims.size());
      for (size_t j = 0; j < trials[t].size(); ++j) {
        const auto& d = sw.search->dims[j];
        const auto& [key, node] = trials[t][j];
        CHECK(key == d.key);
        const auto got = node.to_json();
        const auto& w = want["values"][t][j];
        if (d.kind == SearchDim::Kind::choice) {
          CHECK(got == d.choices.at(w.get<size_t>()).to_json());
        } else if (d.kind == SearchDim::Kind::integer) {
          CHECK(got == w.get<int64_t>());
        } else {
          REQUIRE(got.is_number());
          CHECK(got.get<double>() == Approx(w.get<double>()).epsilon(1e-15));
          CHECK(got.get<double>() >= d.lo);
          CHECK(got.get<double>() < d.hi);
        }
      }
    }
  };
  check_values(r, ref[0]);
  check_values(s, ref[1]);
  const auto runs = expand(r, {}, registries());
  REQUIRE(runs.size() == 12);
  const int alphas[] = {8, 16, 32};
  for (size_t t = 0; t < runs.size(); ++t) {
    const auto& c = runs[t].config;
    const auto& w = ref[0]["values"][t];
    CHECK(c.train.lr == Approx(w[0].get<double>()).epsilon(1e-15));
    CHECK(c.train.weight_decay == Approx(w[1].get<double>()).epsilon(1e-15));
    CHECK(c.methods.at(0).name == "lora");
    CHECK(c.methods.at(0).options.at("rank") == w[2].get<int>());
    CHECK(c.train.batch_size == w[3].get<int>());
    CHECK(c.methods.at(0).options.at("alpha") == static_cast<double>(alphas[w[4].get<int>()]));
    CHECK(axis(runs[t], "trial") == std::to_string(t));
  }
  // The shown value is the value drawn.
  CHECK(std::stod(axis(runs[0], "train.lr")) == runs[0].config.train.lr);
}

TEST_CASE("sobol: the first 2^k points are stratified in every dimension, shifted or not", "[sweep][search]") {
  const int n = 1024;
  for (bool shift : {false, true}) {
    const auto pts = sobol_points(n, kSobolMaxDims, 11, shift);
    for (int j = 0; j < kSobolMaxDims; ++j) {
      for (int k = 0; (1 << k) <= n; ++k) {
        const int m = 1 << k;
        std::vector<int> cells;
        for (int i = 0; i < m; ++i) {
          const double u = pts[static_cast<size_t>(i)][static_cast<size_t>(j)];
          REQUIRE(u >= 0.0);
          REQUIRE(u < 1.0);
          cells.push_back(static_cast<int>(std::floor(u * m)));
        }
        std::sort(cells.begin(), cells.end());
        std::vector<int> all(static_cast<size_t>(m));
        for (int i = 0; i < m; ++i) all[static_cast<size_t>(i)] = i;
        INFO("shift " << shift << " dimension " << j << " first " << m << " points");
        CHECK(cells == all);
      }
    }
  }
  // The shift is digital: each dimension's bits XORed with one word, the same for every point.
  const auto plain = sobol_points(64, 5, 7, false), shifted = sobol_points(64, 5, 7, true);
  for (size_t j = 0; j < 5; ++j) {
    const auto bits = [](double u) { return static_cast<uint64_t>(std::ldexp(u, 53)); };
    const uint64_t word = bits(plain[0][j]) ^ bits(shifted[0][j]);
    CHECK(word != 0);
    for (size_t i = 0; i < 64; ++i) CHECK((bits(plain[i][j]) ^ bits(shifted[i][j])) == word);
  }
  // Deterministic; another seed moves every dimension; the unshifted points start at the origin.
  CHECK(sobol_points(32, 3, 7) == sobol_points(32, 3, 7));
  const auto other = sobol_points(32, 3, 8);
  for (size_t j = 0; j < 3; ++j) CHECK(other[5][j] != sobol_points(32, 3, 7)[5][j]);
  CHECK(plain[0] == std::vector<double>(5, 0.0));
  CHECK(random_points(8, 3, 1) == random_points(8, 3, 1));
  CHECK(random_points(8, 3, 1) != random_points(8, 3, 2));
  // A prefix of a longer run of trials: more trials keep the earlier ones.
  const auto longer = sobol_points(100, 5, 7, true);
  CHECK(std::equal(shifted.begin(), shifted.end(), longer.begin()));
  const auto few = random_points(5, 3, 1), more = random_points(8, 3, 1);
  CHECK(std::equal(few.begin(), few.end(), more.begin()));
  // The two samplers of one seed share no trial (the shift has a stream of its own).
  const auto r = random_points(16, 3, 7), s = sobol_points(16, 3, 7);
  for (const auto& p : s) CHECK(std::find(r.begin(), r.end(), p) == r.end());
}

TEST_CASE("search x grid x seeds: every grid cell gets the same trials, ids stable and order-free", "[sweep][search]") {
  const std::string path = std::string(ADAPTLAB_TESTS_DIR) + "/fixtures/search_sweep.yaml";
  const Sweep sw = load_sweep(path, {}, registries());
  REQUIRE(sw.runs.size() == 2 * 4 * 2);
  const auto ids = ids_of(sw.runs);
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == ids.size());
  CHECK(ids_of(load_sweep(path, {}, registries()).runs) == ids);  // the same in every expansion
  // Seeds innermost, then trials, then the grid; each cell draws the same points.
  for (size_t i = 0; i < 8; ++i) {
    const auto& a = sw.runs[i].config;
    const auto& b = sw.runs[8 + i].config;
    CHECK(a.methods.size() == 1);
    CHECK(b.methods.size() == 2);
    CHECK(a.train.lr == b.train.lr);
    CHECK(a.methods[0].options.at("rank") == b.methods[0].options.at("rank"));
    CHECK(a.seed == static_cast<int>(i % 2));
    CHECK(axis(sw.runs[i], "trial") == std::to_string(i / 2));
  }
  std::set<double> lrs;
  for (const auto& r : sw.runs) lrs.insert(r.config.train.lr);
  CHECK(lrs.size() == 4);
  // A run's id is its config's: smaller expansions (one cell, fewer trials, one seed) give the same ids.
  const auto subset = [&](const std::vector<std::string>& overrides, auto keep) {
    const auto got = ids_of(load_sweep(path, overrides, registries()).runs);
    std::vector<std::string> want;
    for (size_t i = 0; i < ids.size(); ++i)
      if (keep(i)) want.push_back(ids[i]);
    CHECK(got == want);
  };
  subset({"methods=[[lora, {name: tome, r: 1}]]"}, [](size_t i) { return i >= 8; });
  subset({"search.trials=2"}, [](size_t i) { return i % 8 < 4; });
  subset({"seeds=[1]"}, [](size_t i) { return i % 2 == 1; });
  // ... and equals the id of the same config built by hand.
  const cfg::Node file = cfg::load_file(path);
  REQUIRE(file.find("run"));
  cfg::Node hand = *file.find("run");
  cfg::apply_override(hand, "methods=[lora, {name: tome, r: 1}]");
  cfg::apply_override(hand, fmt::format("train.lr={}", axis(sw.runs[13], "train.lr")));
  cfg::apply_override(hand, fmt::format("methods.0.rank={}", axis(sw.runs[13], "methods.0.rank")));
  cfg::apply_override(hand, "seed=1");
  CHECK(resolve_run_config(hand, registries()).id == ids[13]);
  // Another seed draws other trials (other runs).
  const auto reseeded = ids_of(load_sweep(path, {"search.seed=4"}, registries()).runs);
  CHECK(std::none_of(reseeded.begin(), reseeded.end(),
                     [&](const std::string& id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); }));
}

TEST_CASE("search: shards partition the trials, each run in exactly one shard", "[sweep][search]") {
  const std::string path = std::string(ADAPTLAB_TESTS_DIR) + "/fixtures/search_sweep.yaml";
  const Sweep whole = load_sweep(path, {}, registries());
  std::map<std::string, int> seen;
  size_t total = 0;
  for (int i = 0; i < 3; ++i) {
    Sweep part = whole;
    keep_shard(part, i, 3);
    total += part.runs.size();
    for (const auto& r : part.runs) ++seen[r.id()];
  }
  CHECK(total == whole.runs.size());
  CHECK(seen.size() == whole.runs.size());
  for (const auto& [id, n] : seen) CHECK(n == 1);
}

TEST_CASE("search: a sweep without one, or with a search that changes nothing, keeps its grid ids", "[sweep][search]") {
  const auto dir = test::fresh_dir("search-grid-ids");
  test::write_file(dir, "base.yaml", kBase);
  const std::string grid = "include: [base.yaml]\nrun: {train: {lr: 0.002}}\ngrid:\n  methods.0.rank: [2, 4]\n"
                           "  train.epochs: [1, 2]\nseeds: 2\n";
  const auto a = test::write_file(dir, "grid.yaml", grid);
  const auto b = test::write_file(dir, "same.yaml",
                                  grid + "search:\n  trials: 1\n  space:\n    train.lr: {choice: [0.002]}\n");
  const auto plain = load_sweep(a, {}, registries()).runs;
  const auto searched = load_sweep(b, {}, registries()).runs;
  REQUIRE(plain.size() == 8);
  CHECK(ids_of(searched) == ids_of(plain));
  // The grid's ids are the ids of its configs built by hand, in grid order.
  size_t i = 0;
  for (int rank : {2, 4})
    for (int epochs : {1, 2})
      for (int seed : {0, 1}) {
        auto c = cfg::parse_string(kBase, "hand");
        for (const auto& o : {fmt::format("methods.0.rank={}", rank), fmt::format("train.epochs={}", epochs),
                              fmt::format("seed={}", seed), std::string("train.lr=0.002")})
          cfg::apply_override(c, o);
        CHECK(resolve_run_config(c, registries()).id == plain.at(i++).id());
      }
  CHECK(plain[0].axes == std::vector<std::pair<std::string, std::string>>{
                             {"methods.0.rank", "2"}, {"train.epochs", "1"}, {"seed", "0"}});
}

TEST_CASE("search: dry run of a search sweep lists its trials, whole and by shard", "[sweep][search]") {
  const auto dir = test::fresh_dir("search-cli");
  const std::string file = std::string(ADAPTLAB_TESTS_DIR) + "/fixtures/search_sweep.yaml";
  const std::string db = dir + "/none.sqlite";
  const auto out = cli(fmt::format("sweep --dry-run --db '{}' '{}'", db, file));
  CHECK_THAT(out, Catch::Contains("study search: 16 runs"));
  CHECK(count(out, " trial=3 train.lr=") == 4);  // 2 cells x 2 seeds
  CHECK(count(out, "  new ") == 16);
  const auto shard = cli(fmt::format("sweep --dry-run --db '{}' --shard 2/3 '{}' search.trials=2", db, file));
  CHECK_THAT(shard, Catch::Contains("study search: 2 runs"));  // runs 2 and 5 of 8
}

TEST_CASE("search errors name file, line and key", "[sweep][search]") {
  const auto dir = test::fresh_dir("search-err");
  test::write_file(dir, "base.yaml", kBase);
  const auto err = [&](const std::string& name, const std::string& text) {
    const auto p = test::write_file(dir, name, "include: [base.yaml]\n" + text);
    try {
      load_sweep(p, {}, registries());
    } catch (const std::exception& e) {
      const std::string what = e.what();
      REQUIRE(what.rfind(p + ":", 0) == 0);
      return what.substr(p.size());
    }
    FAIL("no error for " << name);
    return std::string();
  };
  CHECK(err("a.yaml", "search:\n  trials: 4\n  space:\n    train.lr: {normal: [0, 1]}\n") ==
        ":5:16: unknown distribution 'normal' for search key 'train.lr'; expected one of: uniform, loguniform, int, "
        "choice");
  CHECK(err("b.yaml", "search:\n  trials: 4\n  space:\n    train.lr: {logunifrom: [0.1, 1]}\n") ==
        ":5:16: unknown distribution 'logunifrom' for search key 'train.lr' (did you mean 'loguniform'?); expected "
        "one of: uniform, loguniform, int, choice");
  CHECK(err("c.yaml", "search:\n  trials: 4\n  space:\n    train.lr: {uniform: [0.1, 0.01]}\n") ==
        ":5:25: search key 'train.lr': uniform bounds must have low < high, got [0.1, 0.01]");
  CHECK(err("d.yaml", "search:\n  trials: 4\n  space:\n    train.lr: {loguniform: [0.0, 0.01]}\n") ==
        ":5:28: search key 'train.lr': loguniform bounds must be > 0, got [0.0, 0.01]");
  CHECK(err("e.yaml", "search:\n  trials: 0\n  space:\n    train.lr: {uniform: [0.1, 0.2]}\n") ==
        ":3:11: search: 'trials' must be >= 1, got 0");
  CHECK(err("f.yaml", "search:\n  sampler: grid\n  trials: 2\n  space:\n    train.lr: {uniform: [0.1, 0.2]}\n") ==
        ":3:12: unknown sampler 'grid' in search; expected random or sobol");
  CHECK(err("g.yaml", "grid:\n  train.lr: [0.1, 0.2]\nsearch:\n  trials: 2\n  space:\n"
                      "    train.lr: {uniform: [0.1, 0.2]}\n") ==
        ":7:5: 'train.lr' is both a grid axis and a search key; give it one place");
  CHECK(err("h.yaml", "zip:\n  train.lr: [0.1, 0.2]\n  train.epochs: [1, 2]\nsearch:\n  trials: 2\n  space:\n"
                      "    train.epochs: {int: [1, 3]}\n") ==
        ":8:5: 'train.epochs' is both a zip axis and a search key; give it one place");
  CHECK(err("i.yaml", "search:\n  trials: 2\n  space:\n    methods.0.rank: {choice: []}\n") ==
        ":5:30: search key 'methods.0.rank': choice is an empty list");
  CHECK(err("j.yaml", "search:\n  trails: 2\n  space:\n    train.lr: {uniform: [0.1, 0.2]}\n") ==
        ":3:3: unknown key 'trails' in search (did you mean 'trials'?); expected one of: sampler, trials, seed, space");
  CHECK(err("k.yaml", "search:\n  trials: 2\n  space:\n    seed: {choice: [1, 2]}\n") ==
        ":5:5: use the top-level 'seeds' key, not a search key 'seed'");
  CHECK(err("l.yaml", "search:\n  trials: 2\n  space:\n    methods.0.rank: {int: [0, 8], log: true}\n") ==
        ":5:27: search key 'methods.0.rank': int with log: true needs bounds >= 1, got [0, 8]");
  CHECK(err("m.yaml", "search:\n  trials: 2\n  space:\n    train.lr: {uniform: [0.1, 0.2], int: [1, 2]}\n") ==
        ":5:37: search key 'train.lr' has two distributions ('uniform' and 'int'); give one");
  CHECK(err("n.yaml", "search:\n  trials: 2\n  space:\n    train.lr: {uniform: [0.1, 0.2], log: true}\n") ==
        ":5:42: search key 'train.lr': 'log' applies to int only (use loguniform for a float)");
  // A value the run config refuses points at the distribution.
  CHECK_THAT(err("o.yaml", "search:\n  trials: 2\n  space:\n    train.epochs: {uniform: [1.0, 2.0]}\n"),
             Catch::StartsWith(":5:19: key 'epochs' in train options: expected an integer"));
  std::string keys;
  for (int j = 0; j <= kSobolMaxDims; ++j) keys += fmt::format("    k{}: {{uniform: [0, 1]}}\n", j);
  CHECK_THAT(err("p.yaml", "search:\n  sampler: sobol\n  trials: 2\n  space:\n" + keys),
             Catch::EndsWith(": a sobol search over 41 keys: GSL's Sobol generator has at most 40 dimensions; use "
                             "sampler: random"));
  // Overrides: the search's own keys, not the keys it draws.
  const auto p = test::write_file(dir, "ok.yaml", "include: [base.yaml]\nsearch:\n  trials: 3\n  space:\n"
                                                  "    train.lr: {uniform: [0.1, 0.2]}\n");
  CHECK(load_sweep(p, {"search.trials=5"}, registries()).runs.size() == 5);
  CHECK(load_sweep(p, {"search.sampler=sobol", "search.trials=2"}, registries()).runs.size() == 2);
  REQUIRE_THROWS_WITH(load_sweep(p, {"train.lr=0.15"}, registries()),
                      "override 'train.lr=0.15': 'train.lr' is drawn by the search (" + p +
                          ":5:15); change its distribution there, or search.trials / search.seed / search.sampler");
  REQUIRE_THROWS_WITH(load_sweep(p, {"search.space.train.lr=1"}, registries()),
                      "override 'search.space.train.lr=1': only search.trials, search.seed and search.sampler can be "
                      "overridden; edit the space in the sweep file");
  REQUIRE_THROWS_WITH(load_sweep(p, {"search.trials=0"}, registries()),
                      Catch::StartsWith("<override 'search.trials=0'>") &&
                          Catch::EndsWith(": search: 'trials' must be >= 1, got 0"));
}
