// Results-store benchmark (not part of the test suite):
//   1. insert 1,000,000 metric rows, as the sweep driver does (one transaction per finished run:
//      1,000 runs × 1,000 rows), fresh database each repetition;
//   2. build and render the comparison table over 10,000 finished runs.
// Prints every repetition and the median. Build: ninja -C build adaptlab_bench_store.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "framework/report/table.h"
#include "framework/store/store.h"

using namespace adaptlab;
using Clock = std::chrono::steady_clock;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

void remove_db(const std::string& p) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p + suffix);
}

nlohmann::json config(int method, int dataset, int seed) {
  return {{"backbone", {{"name", "vit"}, {"depth", 12}}},
          {"dataset", {{"name", fmt::format("ds{}", dataset)}, {"train_size", 800}}},
          {"methods", {{{"name", "lora"}, {"rank", 1 + method}, {"alpha", 8.0}}}},
          {"train", {{"lr", 1e-3}, {"epochs", 100}}},
          {"seed", seed}};
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp/adaptlab-bench-store";
  const int reps = argc > 2 ? std::atoi(argv[2]) : 3;
  std::filesystem::create_directories(dir);

  // 1. 1,000,000 metric rows.
  std::vector<double> insert_s;
  const bool table_only = argc > 3 && std::string(argv[3]) == "table-only";  // for profiling
  for (int rep = 0; rep < (table_only ? 0 : reps); ++rep) {
    const std::string db = dir + "/metrics.sqlite";
    remove_db(db);
    Store s(db);
    s.ensure_study("bench", "", "");
    std::vector<MetricEvent> m(1000);
    for (int i = 0; i < 1000; ++i) m[i] = {i, i % 10 ? "train" : "val", i % 2 ? "loss" : "acc", 1.0 / (1 + i)};
    for (int r = 0; r < 1000; ++r) s.begin_run(record_of_config("bench", fmt::format("run{:04d}", r), config(r % 10, 0, r)), "cpu");
    const auto t0 = Clock::now();
    for (int r = 0; r < 1000; ++r) s.finish_run("bench", fmt::format("run{:04d}", r), RunStatus::done, m, {{"test.acc", 0.5}}, "");
    insert_s.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    fmt::print("insert 1,000,000 metric rows (1,000 runs x 1,000): {:.3f} s  [rows in db: {}]\n", insert_s.back(),
               s.count("metrics"));
  }
  if (!insert_s.empty()) fmt::print("insert median: {:.3f} s over {} repetitions\n", median(insert_s), reps);

  // 2. A table over 10,000 runs: 25 method settings × 4 datasets × 100 seeds.
  const std::string db = dir + "/table.sqlite";
  remove_db(db);
  {
    Store s(db);
    s.ensure_study("bench", "", "");
    for (int meth = 0; meth < 25; ++meth)
      for (int d = 0; d < 4; ++d)
        for (int seed = 0; seed < 100; ++seed) {
          const std::string id = fmt::format("m{}d{}s{}", meth, d, seed);
          s.begin_run(record_of_config("bench", id, config(meth, d, seed)), "cpu");
          s.finish_run("bench", id, RunStatus::done, {},
                       {{"test.acc", 0.5 + 0.01 * meth + 0.001 * seed}, {"params.trainable", 1e5 * (meth + 1)},
                        {"throughput.eval", 1000.0 - meth}},
                       "");
        }
  }
  Store s(db, /*read_only=*/true);
  TableSpec spec;
  spec.study = "bench";
  spec.extras = {ExtraSpec{"params.trainable", "Params (M)", 1e-6, 2, "min"},
                 ExtraSpec{"throughput.eval", "img/s", 1.0, 0, "max"}};
  std::vector<double> table_s;
  size_t bytes = 0;
  for (int rep = 0; rep < std::max(reps, 5); ++rep) {
    const auto t0 = Clock::now();
    const std::string md = render_markdown(build_table(s, spec));
    table_s.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    bytes = md.size();
  }
  {
    auto t0 = Clock::now();
    const auto runs = s.runs("bench", "done");
    auto t1 = Clock::now();
    const auto sums = s.summaries("bench", {"test.acc", "params.trainable", "throughput.eval"});
    auto t2 = Clock::now();
    fmt::print("  of which: reading {} runs {:.1f} ms, their summaries {:.1f} ms\n", runs.size(),
               1e3 * std::chrono::duration<double>(t1 - t0).count(), 1e3 * std::chrono::duration<double>(t2 - t1).count());
  }
  fmt::print("table over {} runs (25 rows x 4 columns, 2 extras): median {:.1f} ms over {} repetitions ({} bytes)\n",
             s.count("runs"), 1e3 * median(table_s), table_s.size(), bytes);
  return 0;
}
