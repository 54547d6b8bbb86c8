// Light-PEFT against hand-computed float64 references: the module and rank importance, the L1
// penalty's gradient, the pruning decisions; and end to end: estimation, pruning inside fit(), the
// shares it keeps, and a saved run reloaded into a fresh model with the same outputs.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <map>

#include "framework/model/method_facets.h"
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
  const auto facts = facet<StructureChange>(r.m.get())->structure_summary();
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

namespace {

// Light-PEFT's estimation stage run step by step (4 steps: its score window is steps 3 and 4) on a tiny
// ViT with LoRA (rank 2, no dropout) on attn.proj and mlp.fc1 of both blocks. Before every step each
// module's LoRA tensors are set to fixed random values, B's column (rank) i times scale(prefix, step, i),
// so that the module score of that step is scale × a module constant (‖Δx‖ is linear in B) and a rank
// whose B column is 0 scores 0; `tweak(b, step)` may change the model for one step (undone by the
// function it returns). Returns the kept modules and their kept ranks (the saved structure).
using Scale = std::function<double(const std::string& prefix, int step, int rank)>;
using Tweak = std::function<std::function<void()>(Backbone&, int step)>;
std::map<std::string, std::vector<int64_t>> estimate(const Scale& scale, const Tweak& tweak = {}) {
  at::manual_seed(4);
  auto b = registries().backbones.create(
      "vit", cfg::parse_string("{img_size: 8, patch_size: 2, embed_dim: 32, num_heads: 4, depth: 2}", "t"),
      DataInfo{3, {3, 8, 8}});
  // p_mod 0.25 of 4 modules: the lowest-scored goes; p_rank 0: the lowest-scored rank of all goes.
  auto m = registries().methods.create(
      "lightpeft", cfg::parse_string("{rank: 2, alpha: 2, dropout: 0, targets: [attn.proj, mlp.fc1], estimation_steps: 4, "
                                     "p_att: 0, p_ffn: 0, p_mod: 0.25, p_rank: 0, l1: 0.01}", "t"));
  m->attach(*b);
  std::map<std::string, std::pair<at::Tensor, at::Tensor>> lora;  // prefix -> (A, B) parameters
  auto params = b->named_parameters();
  for (const std::string prefix : {"blocks.0.attn.proj.lora", "blocks.0.mlp.fc1.lora", "blocks.1.attn.proj.lora",
                                   "blocks.1.mlp.fc1.lora"}) {
    REQUIRE(params.contains(prefix + ".lora_A"));
    lora[prefix] = {params[prefix + ".lora_A"], params[prefix + ".lora_B"]};
  }
  at::manual_seed(5);
  std::map<std::string, std::pair<at::Tensor, at::Tensor>> init;
  for (const auto& [prefix, ab] : lora)
    init[prefix] = {0.3 * at::randn_like(ab.first), 0.003 * at::randn_like(ab.second)};  // Δx ≈ 5% of Wx + b
  TrainOptions o;
  o.lr = 1e-2;
  Stepper st(*b, {m.get()}, o, at::kCPU, 4, 0);
  b->train();
  for (int s = 1; s <= 4; ++s) {
    {
      at::NoGradGuard g;
      for (auto& [prefix, ab] : lora) {
        ab.first.copy_(init[prefix].first);
        for (int i = 0; i < 2; ++i) ab.second.select(1, i).copy_(init[prefix].second.select(1, i) * scale(prefix, s, i));
      }
    }
    const auto undo = tweak ? tweak(*b, s) : std::function<void()>{};
    at::manual_seed(100 + s);
    st.step(at::randn({8, 3, 8, 8}), at::randint(0, 3, {8}, at::kLong));
    if (undo) undo();
    bool changed = false;
    facet<TrainingHooks>(m.get())->on_step(*b, TrainState{s, 4, 0, [&] { changed = true; }});
    if (changed) st.rebuild();
    CHECK(changed == (s == 4));
  }
  const auto saved = facet<StructureChange>(m.get())->saved_structure();
  REQUIRE(saved.contains("ranks"));
  std::map<std::string, std::vector<int64_t>> out;
  for (auto it = saved["ranks"].begin(); it != saved["ranks"].end(); ++it) out[it.key()] = it.value().get<std::vector<int64_t>>();
  return out;
}

}  // namespace

TEST_CASE("lightpeft scores modules and ranks over the second half of the estimation steps only (E/2+1 .. E)",
          "[methods][lightpeft]") {
  // Steps 1 and 2 (outside the window): blocks.1.mlp.fc1's module is 10× and blocks.0.attn.proj's rank 0
  // 100×, every other rank writes nothing. Steps 3 and 4 (the window, the released code's imp[len // 2:]):
  // those two write nothing, every other rank is 1×. Scored over the window, both score 0 and go; scored
  // over every step, both would be among the highest and stay.
  const auto kept = estimate([](const std::string& prefix, int step, int rank) {
    if (prefix == "blocks.1.mlp.fc1.lora") return step <= 2 ? 10.0 : 0.0;
    if (prefix == "blocks.0.attn.proj.lora" && rank == 0) return step <= 2 ? 100.0 : 0.0;
    return step <= 2 ? 0.0 : 1.0;
  });
  const std::map<std::string, std::vector<int64_t>> want = {
      {"blocks.0.attn.proj.lora", {1}}, {"blocks.0.mlp.fc1.lora", {0, 1}}, {"blocks.1.attn.proj.lora", {0, 1}}};
  CHECK(kept == want);
}

TEST_CASE("lightpeft: a non-finite module score of one step is zeroed for that step, the other steps still count",
          "[methods][lightpeft]") {
  // In step 3, blocks.0.attn.proj's layer and LoRA output nothing: its score of that step is 0/0 = NaN.
  // In step 4 it is 100× the others. Zeroing the NaN step (the released code: NaN and ±inf → 0 per step,
  // then the mean) leaves it the highest score (50×); zeroing after summing would score it 0 and drop it.
  // blocks.1.mlp.fc1's module is 0.01× the others: it is the one that goes.
  const auto kept = estimate(
      [](const std::string& prefix, int step, int) {
        if (prefix == "blocks.0.attn.proj.lora") return step == 3 ? 0.0 : 100.0;
        return prefix == "blocks.1.mlp.fc1.lora" ? 0.01 : 1.0;
      },
      [](Backbone& b, int step) -> std::function<void()> {
        if (step != 3) return {};
        const std::shared_ptr<AttachableLinear> proj = b.block(0).linear("attn.proj").front().layer;
        const at::Tensor w = proj->weight.detach().clone(), bias = proj->bias.detach().clone();
        at::NoGradGuard g;
        proj->weight.zero_();
        proj->bias.zero_();
        return [proj, w, bias] {
          at::NoGradGuard g;
          proj->weight.copy_(w);
          proj->bias.copy_(bias);
        };
      });
  CHECK(kept.count("blocks.0.attn.proj.lora") == 1);
  CHECK(kept.count("blocks.1.mlp.fc1.lora") == 0);
  CHECK(kept.size() == 3);
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
    facet<TrainingHooks>(m.get())->on_step(*b, TrainState{s, 4, 0, [&] { changed = true; }});
    if (changed) st.rebuild();
    CHECK(changed == (s == 2));
  }
  const auto f = facet<StructureChange>(m.get())->structure_summary();
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
