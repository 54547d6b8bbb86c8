#include <catch2/catch.hpp>

#include "framework/registry/registries.h"
#include "framework/report/table.h"
#include "framework/sched/plan.h"
#include "framework/sched/scheduler.h"
#include "framework/store/sqlite.h"
#include "framework/store/store.h"
#include "framework/sweep/sweep.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {
SchedulerOptions opts(bool retry_failed = false) {
  SchedulerOptions o;
  o.executable = ADAPTLAB_CLI;  // the adaptlab binary built with the tests
  o.retry_failed = retry_failed;
  o.progress = false;
  o.threads = 1;
  return o;
}
int64_t scalar(const std::string& db, const std::string& q) {
  sql::Db d(db, true);
  sql::Stmt st(d, q);
  REQUIRE(st.step());
  return st.integer(0);
}
}  // namespace

TEST_CASE("a tiny sweep end to end: YAML -> runs -> SQLite -> table, then resume skips it all", "[e2e]") {
  const auto dir = test::fresh_dir("e2e");
  const auto path = test::write_file(dir, "sweep.yaml", R"(
study: tiny
run:
  backbone: {name: vit, img_size: 16, patch_size: 4, embed_dim: 32, depth: 2, num_heads: 2}
  dataset: {name: synthetic, img_size: 16, num_classes: 4, noise: 0.5, train_size: 512, val_size: 128, test_size: 256}
  train: {epochs: 4, batch_size: 32, lr: 0.003, warmup_epochs: 1}
grid:
  methods: [[linear], [{name: lora, rank: 4, targets: [attn.qkv]}]]
seeds: [0, 1]
)");
  const std::string db = dir + "/tiny.sqlite";
  const Sweep sw = load_sweep(path, {}, registries());
  REQUIRE(sw.runs.size() == 4);
  {
    Store store(db);
    const SweepReport rep = run_sweep(sw, store, opts());
    CHECK(rep.done == 4);
    CHECK(rep.failed == 0);
  }
  CHECK(scalar(db, "SELECT count(*) FROM runs WHERE study = 'tiny' AND status = 'done'") == 4);
  CHECK(scalar(db, "SELECT count(*) FROM runs WHERE attempt <> 1") == 0);
  CHECK(scalar(db, "SELECT count(DISTINCT run_id) FROM summary WHERE name = 'test.acc'") == 4);
  // Every run stores its resolved config and its flattened params.
  CHECK(scalar(db, "SELECT count(*) FROM params WHERE key = 'methods.0.rank' AND value = '4'") == 2);
  CHECK(scalar(db, "SELECT count(*) FROM runs WHERE json_extract(config_json, '$.train.lr') = 0.003") == 4);
  // Metrics: 16 steps x (loss, lr) + 4 epoch losses + 4 x (val loss, val acc) per run.
  CHECK(scalar(db, "SELECT count(*) FROM metrics WHERE split = 'train' AND name = 'loss'") == 4 * 4 * 16);
  CHECK(scalar(db, "SELECT count(*) FROM metrics WHERE split = 'val' AND name = 'acc'") == 4 * 4);

  Store store(db, true);
  for (const auto& r : store.runs("tiny")) {
    const Summary s = store.summary("tiny", r.id);
    INFO(r.methods << " seed " << r.seed);
    // prepare_inference (LoRA merge) keeps the function.
    CHECK(s.at("inference.max_logit_diff") < 1e-4);
    CHECK(s.at("test.acc_inference") == Approx(s.at("test.acc")).margin(1.0 / 256));
    if (r.methods == "lora") {
      CHECK(s.at("test.acc") > 0.5);  // chance is 0.25
      CHECK(s.at("params.trainable") == 2 * (4 * 32 + 96 * 4) + 4 * 32 + 4);
    } else {
      CHECK(s.at("params.trainable") == 4 * 32 + 4);
    }
  }
  TableSpec spec;
  spec.study = "tiny";
  spec.metric = "test.acc";
  const std::string table = markdown_table(store, spec);
  CHECK_THAT(table, Catch::StartsWith("| method | synthetic |\n|---|---|\n| linear | "));
  CHECK_THAT(table, Catch::Contains("\n| lora | "));

  // Resume: the same sweep again runs nothing and duplicates nothing.
  Store again(db);
  const SweepReport rep2 = run_sweep(sw, again, opts());
  CHECK(rep2.skipped == 4);
  CHECK(rep2.done == 0);
  CHECK(scalar(db, "SELECT count(*) FROM runs") == 4);
  CHECK(scalar(db, "SELECT count(*) FROM metrics WHERE split = 'val' AND name = 'acc'") == 4 * 4);
}

TEST_CASE("a run that fails is recorded as failed with its error, and the sweep goes on", "[e2e]") {
  const auto dir = test::fresh_dir("e2e-fail");
  // The dataset gives 8x8 images while the backbone expects 16x16: the first run fails at build time.
  const auto path = test::write_file(dir, "sweep.yaml", R"(
study: failing
run:
  backbone: {name: vit, img_size: 16, patch_size: 4, embed_dim: 16, depth: 1, num_heads: 2}
  methods: [linear]
  train: {epochs: 1}
grid:
  dataset: [{name: synthetic, img_size: 8, train_size: 64, val_size: 16, test_size: 16},
            {name: synthetic, img_size: 16, train_size: 64, val_size: 16, test_size: 16}]
)");
  const std::string db = dir + "/f.sqlite";
  const Sweep sw = load_sweep(path, {}, registries());
  Store store(db);
  const SweepReport rep = run_sweep(sw, store, opts());
  CHECK(rep.failed == 1);
  CHECK(rep.done == 1);
  const auto failed = store.runs("failing", RunStatus::failed);
  REQUIRE(failed.size() == 1);
  CHECK_THAT(failed[0].error, Catch::StartsWith("exited with code 1: backbone 'vit' expects inputs [3, 16, 16] but "
                                                "the dataset gives [3, 8, 8]\nlast lines of "));
  CHECK_THAT(failed[0].error, Catch::Contains("adaptlab: error: backbone 'vit' expects inputs"));
  const Summary fs = store.summary("failing", failed[0].id);
  CHECK(fs.size() == 1);  // only the driver-measured wall time
  CHECK(fs.count("time.wall_s") == 1);
  // Without --retry-failed a failed run is skipped; with it, it runs (and fails) again as attempt 2.
  CHECK(run_sweep(sw, store, opts()).skipped == 2);
  CHECK(run_sweep(sw, store, opts(true)).failed == 1);
  CHECK(store.runs("failing", RunStatus::failed)[0].attempt == 2);
}

TEST_CASE("a run left 'running' by a driver that died is run again on resume, once", "[e2e]") {
  const auto dir = test::fresh_dir("e2e-stale");
  const auto path = test::write_file(dir, "sweep.yaml", R"(
study: stale
run:
  backbone: {name: vit, img_size: 8, patch_size: 4, embed_dim: 16, depth: 1, num_heads: 2}
  dataset: {name: synthetic, img_size: 8, num_classes: 3, train_size: 48, val_size: 12, test_size: 24}
  methods: [linear]
  train: {epochs: 1, batch_size: 16}
seeds: 2
)");
  const std::string db = dir + "/s.sqlite";
  const Sweep sw = load_sweep(path, {}, registries());
  REQUIRE(sw.runs.size() == 2);
  {
    // What a driver killed mid-run leaves behind: the row marked running, metrics never written.
    Store store(db);
    store.ensure_study(sw.study, sw.path, sw.text);
    store.begin_run(run_record(sw.study, sw.runs[0].config), "cpu");
  }
  Store store(db);
  const SweepReport rep = run_sweep(sw, store, opts());
  CHECK(rep.done == 2);
  CHECK(rep.stale == 1);
  CHECK(scalar(db, "SELECT count(*) FROM runs WHERE status = 'done'") == 2);
  CHECK(scalar(db, "SELECT attempt FROM runs WHERE id = '" + sw.runs[0].id() + "'") == 2);
  CHECK(scalar(db, "SELECT attempt FROM runs WHERE id = '" + sw.runs[1].id() + "'") == 1);
  CHECK(scalar(db, "SELECT count(*) FROM summary WHERE name = 'test.acc'") == 2);
  CHECK(scalar(db, "SELECT count(*) FROM params WHERE key = 'seed'") == 2);  // no duplicate params rows
}
