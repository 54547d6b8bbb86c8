// Mixed precision: every registered method runs under bf16 autocast with logits within 1e-2 (relative to
// the largest) of float32 on a tiny ViT; fp16 loss scaling skips an overflowing step and backs off.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/model/autocast.h"
#include "framework/model/backbone.h"
#include "framework/model/method.h"
#include "framework/model/method_facets.h"
#include "framework/registry/registries.h"
#include "framework/train/precision.h"
#include "framework/train/trainer.h"
#include "support/compare.h"

using namespace adaptlab;

TEST_CASE("every registered method works under bf16 autocast: logits within 1e-2 of float32", "[train][precision]") {
  // The contract test's tiny ViT, a little wider so that the class tokens are not all alike.
  const auto opts = cfg::parse_string("{img_size: 8, patch_size: 2, embed_dim: 32, num_heads: 2, depth: 2}", "t");
  for (const auto& name : registries().methods.entries().names()) {
    INFO("method " << name);
    at::manual_seed(3);
    auto b = registries().backbones.create("vit", opts, DataInfo{5, {3, 8, 8}});
    const std::string ex = registries().methods.item(name).meta.example_options;
    auto m = registries().methods.create(name, cfg::parse_string(ex.empty() ? "{}" : ex, name));
    m->attach(*b);
    const auto trainable = set_trainable(*b, {m.get()});
    {  // method tensors off their initial values (a zero LoRA B would hide a precision problem)
      at::NoGradGuard g;
      for (auto& p : b->named_parameters())
        if (std::find(trainable.begin(), trainable.end(), p.key()) != trainable.end())
          p.value().add_(0.05 * at::randn_like(p.value()));
    }
    b->eval();
    at::manual_seed(11);
    const auto x = at::randn({6, 3, 8, 8});
    at::NoGradGuard g;
    const at::Tensor full = b->forward(x);
    at::Tensor low;
    {
      AutocastGuard bf16(Precision::bf16, at::kCPU);
      low = b->forward(x);
    }
    CHECK(low.scalar_type() == at::kBFloat16);  // the head's matrix product ran in bf16
    const double err = test::rel_err(low.to(at::kFloat), full);
    CHECK(err > 0);  // it did run in another precision
    CHECK(err <= 1e-2);
    // And training steps run in bf16: finite losses, and the gradients reach the trainable tensors. Two
    // steps, the method told of each as fit() does (Variator trains one of its two compression rates per
    // step, cycling): every trainable tensor gets a defined, finite, non-zero gradient in one of them —
    // but the last block's PYRA tensors: they weight tokens merged after the last attention, and those
    // never reach the class-token head (float32 gives them zero gradients too).
    if (!trainable.empty()) {
      at::GradMode::set_enabled(true);
      TrainOptions o;
      o.precision = "bf16";
      b->train();
      Stepper st(*b, {m.get()}, o, at::kCPU, 2, 0);
      std::set<std::string> reached;
      for (int64_t s = 1; s <= 2; ++s) {
        const at::Tensor loss = st.step(x, at::tensor({0, 1, 2, 3, 4, 0}, at::kLong));
        CHECK(std::isfinite(loss.item<double>()));
        auto params = b->named_parameters();  // the step leaves its gradients in place (the next clears them)
        for (const auto& t : trainable) {
          const at::Tensor grad = params[t].grad();
          if (!grad.defined()) continue;
          INFO("step " << s << ", trainable tensor " << t);
          CHECK(at::isfinite(grad).all().item<bool>());
          if (grad.abs().max().item<double>() > 0) reached.insert(t);
        }
        if (auto* h = facet<TrainingHooks>(m.get())) h->on_step(*b, TrainState{s, 2, 0, {}});
      }
      for (const auto& t : trainable) {
        if (name == "pyra" && t.rfind("blocks.1.pyra.", 0) == 0) continue;
        INFO("trainable tensor " << t << " got no non-zero gradient");
        CHECK(reached.count(t) == 1);
      }
      at::GradMode::set_enabled(false);
    }
  }
}

TEST_CASE("fp16 loss scaling: an overflow skips the update and halves the scale", "[train][precision]") {
  GradScaler scaler(at::kCPU, 1024.0, 2.0, 0.5, 2);
  auto p = at::ones({3}).requires_grad_(true);
  p.mutable_grad() = at::tensor({2048.0f, 1024.0f, 0.0f});
  CHECK(scaler.unscale({p}));  // finite: gradients divided by the scale
  CHECK(at::equal(p.grad(), at::tensor({2.0f, 1.0f, 0.0f})));
  scaler.update();
  CHECK(scaler.current_scale() == 1024.0);  // one clean step of the two needed to grow
  p.mutable_grad() = at::tensor({INFINITY, 1.0f, 0.0f});
  CHECK_FALSE(scaler.unscale({p}));
  scaler.update();
  CHECK(scaler.current_scale() == 512.0);
  p.mutable_grad() = at::tensor({1.0f, 1.0f, 1.0f});
  CHECK(scaler.unscale({p}));
  scaler.update();
  CHECK(scaler.unscale({p}));
  scaler.update();
  CHECK(scaler.current_scale() == 1024.0);  // two clean steps: grown again
}

TEST_CASE("precision names", "[train][precision]") {
  CHECK(parse_precision("bf16") == Precision::bf16);
  CHECK(std::string(to_string(Precision::fp16)) == "fp16");
  REQUIRE_THROWS_WITH(parse_precision("fp8"), "unknown precision 'fp8'; expected fp32, bf16 or fp16");
}

namespace {

// Every trainable tensor of `b`, by name, copied.
std::map<std::string, at::Tensor> trainable_copy(Backbone& b) {
  std::map<std::string, at::Tensor> out;
  for (const auto& p : b.named_parameters())
    if (p.value().requires_grad()) out[p.key()] = p.value().detach().clone();
  return out;
}

// The names of the tensors whose values differ (bit for bit; NaN differs from everything) from `before`.
std::vector<std::string> changed_since(Backbone& b, const std::map<std::string, at::Tensor>& before) {
  std::vector<std::string> out;
  auto params = b.named_parameters();
  for (const auto& [name, t] : before)
    if (!at::equal(params[name], t)) out.push_back(name);
  return out;
}

}  // namespace

TEST_CASE("fp16 training steps: an overflowing step leaves every trainable tensor as it was and halves the "
          "scale, a clean one moves them all, 2000 clean steps double the scale", "[train][precision]") {
  // A tiny ViT regressing one output (mean squared error): labels of 3e4 keep the loss finite in float32
  // but make its gradient, times the scale (65536), overflow fp16 in the backward of the head's matrix
  // product; inputs of 1e6 overflow fp16 in the forward (the loss itself is non-finite).
  at::manual_seed(4);
  auto b = registries().backbones.create(
      "vit", cfg::parse_string("{img_size: 4, patch_size: 2, embed_dim: 8, num_heads: 2, depth: 1}", "t"),
      DataInfo{1, {3, 4, 4}, true});
  auto m = registries().methods.create("full", cfg::parse_string("{}", "full"));
  m->attach(*b);
  TrainOptions o;
  o.precision = "fp16";
  o.lr = 1e-3;
  o.weight_decay = 0.1;  // a step applied to zeroed gradients would still move the matrices
  b->train();
  Stepper st(*b, {m.get()}, o, at::kCPU, 100000, 0);
  at::manual_seed(12);
  const at::Tensor x = at::randn({4, 3, 4, 4});
  const at::Tensor y = at::randn({4});
  CHECK(st.loss_scale() == 65536.0);  // torch.cuda.amp.GradScaler's init_scale

  auto before = trainable_copy(*b);
  REQUIRE(before.size() == b->named_parameters().size());  // `full`: every tensor trains
  // An overflow in the backward: finite loss, non-finite scaled gradients.
  at::Tensor loss = st.step(x, at::full({4}, 3e4));
  CHECK(std::isfinite(loss.item<double>()));
  CHECK(changed_since(*b, before).empty());
  CHECK(st.loss_scale() == 32768.0);  // backoff 0.5
  CHECK(st.steps() == 1);             // counted (the schedule goes on), not applied
  // An overflow in the forward: the loss itself is not finite.
  loss = st.step(x * 1e6, y);
  CHECK_FALSE(std::isfinite(loss.item<double>()));
  CHECK(changed_since(*b, before).empty());
  CHECK(st.loss_scale() == 16384.0);

  // A clean step moves every trainable tensor (and the scale stays: one clean step of the 2000 needed).
  loss = st.step(x, y);
  CHECK(std::isfinite(loss.item<double>()));
  const auto moved = changed_since(*b, before);
  CHECK(moved.size() == before.size());
  for (const auto& [name, t] : trainable_copy(*b)) {
    INFO("tensor " << name);
    CHECK(at::isfinite(t).all().item<bool>());
  }
  CHECK(st.loss_scale() == 16384.0);

  // growth_interval 2000, growth_factor 2: the scale doubles at the 2000th clean step in a row, not before.
  for (int i = 1; i < 1999; ++i) st.step(x, y);
  CHECK(st.loss_scale() == 16384.0);  // 1999 clean steps
  st.step(x, y);
  CHECK(st.loss_scale() == 32768.0);  // 2000
  // And an overflow after the growth backs off again, moving nothing.
  before = trainable_copy(*b);
  st.step(x, at::full({4}, 3e4));
  CHECK(changed_since(*b, before).empty());
  CHECK(st.loss_scale() == 16384.0);
}

TEST_CASE("fp16 training steps unscale every gradient, observed tensors' too (pruning gates score on them)",
          "[train][precision]") {
  // structured_prune's first-order scores read its gates' gradients after backward (Method observed
  // tensors: gradients, no optimisation). Under fp16 they must be the gradients of the loss, as those of the
  // trainable tensors are, not the loss times the scale (65536, and changing as it backs off and grows).
  const auto grads = [](const std::string& precision) {
    at::manual_seed(4);
    auto b = registries().backbones.create(
        "vit", cfg::parse_string("{img_size: 8, patch_size: 2, embed_dim: 16, num_heads: 2, depth: 2}", "t"),
        DataInfo{3, {3, 8, 8}});
    auto m = registries().methods.create("structured_prune", cfg::parse_string("{at_step: 1000}", "t"));
    m->attach(*b);
    TrainOptions o;
    o.precision = precision;
    Stepper st(*b, {m.get()}, o, at::kCPU, 100, 0);
    const auto trainable = set_trainable(*b, {m.get()});
    at::manual_seed(12);
    b->train();
    st.step(at::randn({4, 3, 8, 8}), at::tensor({0, 1, 2, 0}, at::kLong));
    std::map<std::string, at::Tensor> out;  // observed (requires a gradient, not trained) and trained ones
    int observed = 0;
    for (const auto& p : b->named_parameters())
      if (p.value().requires_grad()) {
        out[p.key()] = p.value().grad().clone();
        observed += std::find(trainable.begin(), trainable.end(), p.key()) == trainable.end();
      }
    REQUIRE(observed == 4);  // a head gate and a unit gate per block
    return out;
  };
  const auto full = grads("fp32"), half = grads("fp16");
  REQUIRE(full.size() == 6);  // and the head (weight, bias)
  for (const auto& [name, g] : full) {
    INFO("tensor " << name);
    REQUIRE(half.count(name) == 1);
    CHECK(at::isfinite(half.at(name)).all().item<bool>());
    CHECK(test::rel_err(half.at(name), g) <= 5e-2);
  }
}
