// Light-PEFT against hand-computed float64 references: the module and rank importance, the L1
// penalty's gradient, the pruning decisions; and end to end: estimation, pruning inside fit(), the
// shares it keeps, and a saved run reloaded into a fresh model with the same outputs.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <filesystem>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/model/backbone.h"
#include "framework/model/low_rank.h"
#include "framework/model/method.h"
#include "framework/registry/registries.h"
#include "framework/run/artifacts.h"
#include "framework/train/trainer.h"
#include "methods/lightpeft/lightpeft_ops.h"
#include "support/compare.h"
#include "support/tmp.h"

using namespace adaptlab;

TEST_CASE("lightpeft: module importance ‖Δx‖ / ‖Wx + b‖ averaged over the real tokens", "[methods][lightpeft]") {
  at::manual_seed(1);
  const auto base = at::randn({2, 3, 4}, at::kDouble), delta = at::randn({2, 3, 4}, at::kDouble);
  const auto mask = at::tensor({1, 1, 0, 1, 0, 0}, at::kLong).to(at::kBool).reshape({2, 3});
  double sum = 0;
  int n = 0;
  for (int b = 0; b < 2; ++b)
    for (int t = 0; t < 3; ++t) {
      if (!mask[b][t].item<bool>()) continue;
      double d2 = 0, b2 = 0;
      for (int c = 0; c < 4; ++c) {
        d2 += std::pow(delta[b][t][c].item<double>(), 2);
        b2 += std::pow(base[b][t][c].item<double>(), 2);
      }
      sum += std::sqrt(d2) / std::sqrt(b2);
      ++n;
    }
  CHECK(lightpeft::module_ratio(base, delta, mask).item<double>() == Approx(sum / n).epsilon(1e-14));
  // No mask: every token.
  const double all = (delta.norm(2, -1) / base.norm(2, -1)).mean().item<double>();
  CHECK(lightpeft::module_ratio(base, delta, at::Tensor()).item<double>() == Approx(all).epsilon(1e-14));
}

TEST_CASE("lightpeft: rank importance |mean_j A⊙∇A| + |mean_k B⊙∇B| per rank", "[methods][lightpeft]") {
  at::manual_seed(2);
  auto A = at::randn({3, 5}, at::kDouble).requires_grad_(true), B = at::randn({4, 3}, at::kDouble).requires_grad_(true);
  const auto x = at::randn({6, 5}, at::kDouble);
  (low_rank::delta(x, A, B, 2.0).pow(2).sum()).backward();
  const auto got = low_rank::rank_first_order(A, B);
  for (int r = 0; r < 3; ++r) {
    double a = 0, b = 0;
    for (int j = 0; j < 5; ++j) a += A[r][j].item<double>() * A.grad()[r][j].item<double>();
    for (int k = 0; k < 4; ++k) b += B[k][r].item<double>() * B.grad()[k][r].item<double>();
    CHECK(got[r].item<double>() == Approx(std::abs(a / 5) + std::abs(b / 4)).epsilon(1e-13));
  }
}

TEST_CASE("lightpeft: the L1 penalty's gradient is λ·sign(m)", "[methods][lightpeft]") {
  auto m1 = at::tensor({1.0, -0.5, 0.25}, at::kDouble).requires_grad_(true);
  auto m2 = at::tensor({-2.0, 3.0}, at::kDouble).requires_grad_(true);
  const auto p = lightpeft::l1_penalty({m1, m2}, 1e-4);
  CHECK(p.item<double>() == Approx(1e-4 * (1 + 0.5 + 0.25 + 2 + 3)));
  p.backward();
  CHECK(at::equal(m1.grad(), at::tensor({1e-4, -1e-4, 1e-4}, at::kDouble)));
  CHECK(at::equal(m2.grad(), at::tensor({-1e-4, 1e-4}, at::kDouble)));
}

TEST_CASE("lightpeft: decisions keep what lies strictly above the quantile, per layer or over all", "[methods][lightpeft]") {
  const std::vector<std::vector<double>> s = {{0.9, 0.1, 0.5, 0.7}, {0.2, 0.8, 0.3, 0.6}};
  // Per layer at 0.5: layer 0 median 0.6 → keeps 0.9 and 0.7; layer 1 median 0.45 → keeps 0.8 and 0.6.
  CHECK(lightpeft::keep_groups(s, 0.5, false) == std::vector<std::vector<int64_t>>{{0, 3}, {1, 3}});
  // Global at 0.75: the quantile of all eight is 0.725 → 0.9 and 0.8.
  CHECK(lightpeft::keep_groups(s, 0.75, true) == std::vector<std::vector<int64_t>>{{0}, {1}});
}

namespace {

struct Run {
  std::unique_ptr<Dataset> data;
  std::shared_ptr<Backbone> b;
  std::unique_ptr<Method> m;
};

Run build(const std::string& opts) {
  Run r;
  r.data = registries().datasets.create(
      "synthetic", cfg::parse_string("{img_size: 8, num_classes: 3, train_size: 64, val_size: 8, test_size: 16}", "t"));
  at::manual_seed(4);
  r.b = registries().backbones.create(
      "vit", cfg::parse_string("{img_size: 8, patch_size: 2, embed_dim: 32, num_heads: 4, depth: 2}", "t"), r.data->info());
  r.m = registries().methods.create("lightpeft", cfg::parse_string(opts, "t"));
  r.m->attach(*r.b);
  set_trainable(*r.b, {r.m.get()});
  return r;
}

}  // namespace

TEST_CASE("lightpeft end to end: estimation, pruning inside training, shares, reload", "[methods][lightpeft]") {
  const std::string opts = "{rank: 4, estimation_steps: 6, p_att: 0.5, p_ffn: 0.25, p_mod: 0.5, p_rank: 0.5, l1: 0.01}";
  Run r = build(opts);
  TrainOptions o;
  o.epochs = 2;
  o.batch_size = 16;  // 4 steps an epoch: pruning after step 6, then 2 more steps on the smaller model
  o.lr = 1e-2;
  o.log_every = 1;
  std::vector<Method*> ms = {r.m.get()};
  fit(*r.b, ms, *r.data, o, 0, at::kCPU, [](const MetricEvent&) {});
  const auto facts = r.m->run_summary();
  REQUIRE(facts.count("prune.heads_kept") == 1);
  // Per layer, half of the 4 heads (strictly above the median: 2 unless masks tie) stay.
  CHECK(facts.at("prune.heads_total") == 8);
  CHECK(r.b->block(0).num_heads() + r.b->block(1).num_heads() == facts.at("prune.heads_kept"));
  CHECK(r.b->block(0).num_heads() == 2);
  CHECK(r.b->block(1).num_heads() == 2);
  // A quarter of all 2 × 128 units pruned over the layers together (the quantile of 256 values).
  CHECK(facts.at("prune.units_total") == 256);
  CHECK(r.b->block(0).ffn_dim() + r.b->block(1).ffn_dim() == facts.at("prune.units_kept"));
  CHECK(facts.at("prune.units_kept") == 192);
  // 12 LoRA modules (6 points × 2 blocks): half kept; half of their ranks.
  CHECK(facts.at("prune.modules_total") == 12);
  CHECK(facts.at("prune.modules_kept") <= 6);
  CHECK(facts.at("prune.ranks_kept") <= facts.at("prune.modules_kept") * 4);
  // The masks are gone and the kept LoRA tensors fit the smaller layers.
  std::set<std::string> names;
  for (const auto& p : r.b->named_parameters()) names.insert(p.key());
  CHECK(std::none_of(names.begin(), names.end(), [](const std::string& n) { return n.find("_mask") != std::string::npos; }));
  for (const auto& p : r.b->named_parameters())
    if (p.key().find("attn.qkv.lora_q.lora_B") != std::string::npos) CHECK(p.value().size(0) % 8 == 0);
  // Saved and reloaded into a fresh model: the pruning replays, the outputs are the same.
  const auto dir = test::fresh_dir("lightpeft");
  save_trained(*r.b, ms, dir, "run");
  Run fresh = build(opts);
  load_trained(*fresh.b, {fresh.m.get()}, trained_path(dir), "run");
  const auto x = r.data->inputs(Split::test);
  r.b->eval();
  fresh.b->eval();
  at::NoGradGuard g;
  CHECK(at::equal(fresh.b->forward(x), r.b->forward(x)));
  CHECK(fresh.b->block(0).num_heads() == 2);
}

TEST_CASE("lightpeft on a RoBERTa-large-shaped encoder (16 heads of 64, 4096 units, two of its 24 layers)",
          "[methods][lightpeft]") {
  at::manual_seed(6);
  auto b = registries().backbones.create(
      "bert",
      cfg::parse_string("{vocab_size: 50265, hidden_size: 1024, num_layers: 2, num_heads: 16, intermediate_size: 4096, "
                        "max_position: 514, type_vocab_size: 1, layer_norm_eps: 1.0e-5, pad_token_id: 1, "
                        "position_offset: 2, dropout: 0.0}",
                        "roberta-large"),
      DataInfo{2, {16}});
  auto m = registries().methods.create("lightpeft", cfg::parse_string("{estimation_steps: 2}", "t"));
  m->attach(*b);
  TrainOptions o;
  o.lr = 1e-2;
  Stepper st(*b, {m.get()}, o, at::kCPU, 4, 0);
  at::manual_seed(7);
  const auto ids = at::randint(3, 50000, {4, 16}, at::kLong);
  const auto y = at::tensor({0, 1, 0, 1}, at::kLong);
  b->train();
  for (int64_t s = 1; s <= 3; ++s) {
    st.step(ids, y);
    bool changed = false;
    m->on_step(*b, TrainState{s, 4, 0, [&] { changed = true; }});
    if (changed) st.rebuild();
    CHECK(changed == (s == 2));
  }
  const auto f = m->run_summary();
  CHECK(f.at("prune.heads_total") == 32);
  CHECK(f.at("prune.units_total") == 8192);
  CHECK(b->block(0).num_heads() + b->block(1).num_heads() == f.at("prune.heads_kept"));
  CHECK(b->block(0).ffn_dim() + b->block(1).ffn_dim() == f.at("prune.units_kept"));
  CHECK(f.at("prune.heads_kept") < 32);
  CHECK(f.at("prune.modules_total") == 12);
  b->eval();
  at::NoGradGuard g;
  const auto out = b->forward(ids);
  CHECK(out.sizes() == at::IntArrayRef({4, 2}));
  CHECK(at::isfinite(out).all().item<bool>());
}
