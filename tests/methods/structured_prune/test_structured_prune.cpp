#include <catch2/catch.hpp>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "framework/model/method_facets.h"
#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"
#include "methods/structured_prune/structured_prune.h"

using namespace adaptlab;

TEST_CASE("structured_prune removes exactly the share asked for, lowest scores first", "[methods][prune]") {
  const std::vector<std::vector<double>> s = {{0.4, 0.1, 0.3}, {0.2, 0.9, 0.5}};
  // Per group, a third of 3 = 1 each: the lowest.
  CHECK(keep_highest(s, 1.0 / 3.0, false) == std::vector<std::vector<int64_t>>{{0, 2}, {1, 2}});
  // Over both, half of 6 = 3: 0.1, 0.2, 0.3 go.
  CHECK(keep_highest(s, 0.5, true) == std::vector<std::vector<int64_t>>{{0}, {1, 2}});
  // Ties: the lower index goes first.
  CHECK(keep_highest({{1, 1, 1, 1}}, 0.5, false) == std::vector<std::vector<int64_t>>{{2, 3}});
}

namespace {
struct Model {
  std::unique_ptr<Dataset> data;
  std::shared_ptr<Backbone> b;
  std::unique_ptr<Method> m;
};
Model build(const std::string& opts) {
  Model r;
  r.data = registries().datasets.create(
      "synthetic", cfg::parse_string("{img_size: 8, num_classes: 3, train_size: 32, val_size: 8, test_size: 8}", "t"));
  at::manual_seed(8);
  r.b = registries().backbones.create(
      "vit", cfg::parse_string("{img_size: 8, patch_size: 2, embed_dim: 32, num_heads: 4, depth: 2}", "t"), r.data->info());
  r.m = registries().methods.create("structured_prune", cfg::parse_string(opts, "t"));
  r.m->attach(*r.b);
  return r;
}
void train(Model& r, int steps) {
  TrainOptions o;
  o.epochs = 1;
  o.batch_size = 32 / steps;
  fit(*r.b, {r.m.get()}, *r.data, o, 0, at::kCPU, [](const MetricEvent&) {});
}
}  // namespace

TEST_CASE("structured_prune first_order: the heads and units that cannot change the loss score zero and go first",
          "[methods][prune]") {
  // |g · ∂L/∂g| is exactly 0 for a head whose attention-output columns are zero and for a unit whose fc2
  // column is zero; every other head and unit moves the loss, so its score is > 0 — but its signed g·∂L/∂g
  // is as often negative as positive: ranking without the |·| would remove other heads and units first.
  Model r = build("{score: first_order, heads: 0.25, ffn: 0.01, at_step: 2, score_steps: 2}");
  at::Tensor proj0, fc2_1;
  {  // one dead head per block (block 0's head 2, block 1's head 0; 8 columns each), three dead units
    // (round(0.01 · 256) = 3 go over both blocks: block 0's unit 7, block 1's units 5 and 100)
    at::NoGradGuard g;
    r.b->block(0).linear("attn.proj").front().layer->weight.narrow(1, 2 * 8, 8).zero_();
    r.b->block(1).linear("attn.proj").front().layer->weight.narrow(1, 0 * 8, 8).zero_();
    r.b->block(0).linear("mlp.fc2").front().layer->weight.select(1, 7).zero_();
    for (int u : {5, 100}) r.b->block(1).linear("mlp.fc2").front().layer->weight.select(1, u).zero_();
    proj0 = r.b->block(0).linear("attn.proj").front().layer->weight.clone();
    fc2_1 = r.b->block(1).linear("mlp.fc2").front().layer->weight.clone();
  }
  train(r, 2);
  const auto saved = facet<StructureChange>(r.m.get())->saved_structure();
  REQUIRE(saved.contains("structure"));
  const auto heads = saved["structure"]["heads"].get<std::vector<std::vector<int64_t>>>();
  const auto units = saved["structure"]["units"].get<std::vector<std::vector<int64_t>>>();
  CHECK(heads == std::vector<std::vector<int64_t>>{{0, 1, 3}, {1, 2, 3}});
  const auto all_but = [](std::vector<int64_t> gone) {
    std::vector<int64_t> keep;
    for (int64_t u = 0; u < 128; ++u)
      if (std::find(gone.begin(), gone.end(), u) == gone.end()) keep.push_back(u);
    return keep;
  };
  REQUIRE(units.size() == 2);
  CHECK(units[0] == all_but({7}));
  CHECK(units[1] == all_but({5, 100}));
  // The model is what the structure says: the kept heads' and units' weights, in order.
  CHECK(r.b->block(0).num_heads() == 3);
  CHECK(r.b->block(1).num_heads() == 3);
  CHECK(r.b->block(0).ffn_dim() == 127);
  CHECK(r.b->block(1).ffn_dim() == 126);
  CHECK(at::equal(r.b->block(0).linear("attn.proj").front().layer->weight,
                  at::cat({proj0.narrow(1, 0, 16), proj0.narrow(1, 24, 8)}, 1)));
  CHECK(at::equal(r.b->block(1).linear("mlp.fc2").front().layer->weight,
                  fc2_1.index_select(1, at::tensor(units[1], at::kLong))));
  const auto f = facet<StructureChange>(r.m.get())->structure_summary();
  CHECK(f.at("prune.heads_kept") == 6);
  CHECK(f.at("prune.units_kept") == 256 - 3);
}

TEST_CASE("structured_prune random: the same ratios from seeded random scores", "[methods][prune]") {
  Model a = build("{score: random, heads: 0.5, ffn: 0.5, at_step: 1, seed: 3}");
  train(a, 1);
  Model b = build("{score: random, heads: 0.5, ffn: 0.5, at_step: 1, seed: 3}");
  train(b, 1);
  CHECK(a.b->block(0).num_heads() == 2);
  CHECK(a.b->block(0).ffn_dim() + a.b->block(1).ffn_dim() == 128);
  // Same seed, same choice (the kept q rows are the same weights).
  CHECK(at::equal(a.b->block(0).linear("attn.qkv").front().layer->weight,
                  b.b->block(0).linear("attn.qkv").front().layer->weight));
}
