#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <cmath>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/measure/measure.h"
#include "framework/measure/memory.h"
#include "framework/measure/timing.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"

using namespace adaptlab;

TEST_CASE("a measurement that timed nothing or came out non-finite is an error, not a number", "[measure]") {
  Summary s = {{"throughput.eval", NAN}, {"latency.b1", 0.0}, {"flops.forward", INFINITY}, {"time.step.train", 0.25}};
  REQUIRE_THROWS_WITH(require_measured(s, "throughput.eval"),
                      "measurement: 'throughput.eval' came out as nan: no figure was measured");
  REQUIRE_THROWS_WITH(require_measured(s, "latency.b1"), "measurement: 'latency.b1' came out as 0: no figure was measured");
  REQUIRE_THROWS_WITH(require_measured(s, "flops.forward"),
                      "measurement: 'flops.forward' came out as inf: no figure was measured");
  REQUIRE_THROWS_WITH(require_measured(s, "memory.peak.eval"),
                      "measurement: 'memory.peak.eval' came out as nothing: no figure was measured");
  CHECK_NOTHROW(require_measured(s, "time.step.train"));
  REQUIRE_THROWS_WITH(time_calls([] {}, 0, 0, at::kCPU, "timing x"), "timing x: nothing to time (repeats = 0)");
}

TEST_CASE("time stats: median, min and max of the timed calls", "[measure]") {
  const TimeStats odd = time_stats({0.3, 0.1, 0.2});
  CHECK((odd.median == 0.2 && odd.min == 0.1 && odd.max == 0.3));
  CHECK(time_stats({0.4, 0.1, 0.2, 0.3}).median == Approx(0.25));
  REQUIRE_THROWS_WITH(time_stats({}), "time_stats: no times");
  int calls = 0;
  const auto t = time_calls([&] { ++calls; }, 2, 5, at::kCPU, "counting");
  CHECK(calls == 7);  // 2 untimed + 5 timed
  CHECK(t.size() == 5);
}

TEST_CASE("measuring a trained tiny model fills every cost figure", "[measure]") {
  at::manual_seed(0);
  auto data = registries().datasets.create(
      "synthetic", cfg::parse_string("{img_size: 8, num_classes: 3, train_size: 40, val_size: 8, test_size: 20}", "t"));
  auto b = registries().backbones.create(
      "vit", cfg::parse_string("{img_size: 8, patch_size: 2, embed_dim: 16, num_heads: 2, depth: 2}", "t"), data->info());
  auto lora = registries().methods.create("lora", cfg::parse_string("{rank: 2, targets: [attn.qkv]}", "t"));
  lora->attach(*b);
  std::vector<Method*> methods = {lora.get()};
  set_trainable(*b, methods);
  TrainOptions train;
  train.batch_size = 8;
  train.eval_batch_size = 16;
  MeasureOptions m;
  m.repeats = 3;
  m.latency_repeats = 3;
  m.train_steps = 2;
  m.train_warmup = 1;
  const MeasureInputs in{*b, methods, *data, train, m, at::kCPU};
  Summary s;
  measure_training(in, s);
  lora->prepare_inference(*b);
  measure_inference(in, "", s);
  for (const char* k : {"throughput.eval", "throughput.eval.min", "throughput.eval.max", "latency.b1", "flops.forward",
                        "memory.peak.eval", "throughput.train", "time.step.train", "memory.peak.train"}) {
    INFO(k);
    REQUIRE(s.count(k) == 1);
    CHECK(std::isfinite(s[k]));
    CHECK(s[k] > 0);
  }
  CHECK(s["throughput.eval.min"] <= s["throughput.eval"]);
  CHECK(s["throughput.eval"] <= s["throughput.eval.max"]);
  CHECK(s["throughput.train"] == Approx(8.0 / s["time.step.train"]));
  // FLOPs per sample are those of one batch's forward, whatever the batch size (LoRA merged: no extra).
  CHECK(s["flops.forward"] == forward_flops(*b, data->inputs(Split::test).narrow(0, 0, 3)));
  // The memory figures are the process's resident set at its peak: at least what it holds now, less than 64 GiB.
  CHECK(s["memory.peak.eval"] >= 0.5 * static_cast<double>(resident_bytes()));
  CHECK(s["memory.peak.eval"] < 64.0 * (1ll << 30));
}
