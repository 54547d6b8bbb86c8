// Structured pruning in the framework: removing heads and FFN units (with LoRA attached, sliced with
// them) computes exactly what masking them to zero computes, on the ViT and on the text encoder
// (float64); quantile thresholds as numpy computes them; and every registered method still attaches
// to, trains on and merges into a pruned backbone.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "framework/model/method_facets.h"
#include "framework/config/node.h"
#include "framework/data/dataset.h"
#include "framework/model/backbone.h"
#include "framework/model/low_rank.h"
#include "framework/model/method.h"
#include "framework/model/pruning.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"
#include "support/compare.h"

using namespace adaptlab;

namespace {

std::shared_ptr<Backbone> tiny(const std::string& kind) {
  at::manual_seed(21);
  const auto& item = registries().backbones.item(kind);
  auto b = registries().backbones.create(kind, cfg::parse_string(item.meta.example_options, kind), *item.meta.example_data);
  b->to(at::kDouble);
  return b;
}

at::Tensor inputs(const std::string& kind) {
  at::manual_seed(5);
  auto x = registries().backbones.item(kind).meta.example_inputs();
  return x.is_floating_point() ? x.to(at::kDouble) : x;
}

at::Tensor logits(Backbone& b, const at::Tensor& x) {
  b.eval();
  at::NoGradGuard g;
  return b.forward(x);
}

// Every Linear point of every block gets a LoRA delta with non-zero B.
void attach_lora(Backbone& b) {
  for (const char* t : {"attn.q", "attn.k", "attn.v", "attn.proj", "mlp.fc1", "mlp.fc2"})
    for (auto& p : b.linear_points(t)) {
      const int64_t out = p.point.range.whole() ? p.point.layer->out_features : p.point.range.length;
      auto d = std::make_shared<LowRankDelta>(p.point.layer->in_features, out, 3, 0.5, 0.0);
      d->to(at::kDouble);
      at::NoGradGuard g;
      d->B.normal_(0.0, 0.2);
      p.point.layer->add_delta(p.point.range.whole() ? "lora" : "lora_" + p.point.role, d, p.point.range);
    }
}

}  // namespace

TEST_CASE("removing heads and FFN units equals masking them to zero, LoRA attached (ViT and encoder)", "[model][prune]") {
  for (const std::string kind : {"vit", "bert"}) {
    INFO(kind);
    auto b = tiny(kind);
    attach_lora(*b);
    const auto x = inputs(kind);
    // Block 0 keeps head 1; block 1 keeps head 0; every other FFN unit in block 0, the first third in 1.
    BlockKeep keep;
    keep.heads = {{1}, {0}};
    std::vector<int64_t> even, third;
    for (int64_t u = 0; u < b->block(0).ffn_dim(); u += 2) even.push_back(u);
    for (int64_t u = 0; u < b->block(1).ffn_dim() / 3; ++u) third.push_back(u);
    keep.units = {even, third};
    // Masked: gates zero where pruned.
    std::vector<std::shared_ptr<HeadGate>> hg;
    std::vector<std::shared_ptr<UnitGate>> ug;
    for (int i = 0; i < 2; ++i) {
      auto& blk = b->block(i);
      hg.push_back(std::make_shared<HeadGate>(blk.num_heads()));
      ug.push_back(std::make_shared<UnitGate>(blk.ffn_dim()));
      hg.back()->to(at::kDouble);
      ug.back()->to(at::kDouble);
      at::NoGradGuard g;
      hg.back()->gate.zero_();
      ug.back()->gate.zero_();
      for (auto h : keep.heads[i]) hg.back()->gate[h] = 1.0;
      for (auto u : keep.units[i]) ug.back()->gate[u] = 1.0;
      blk.add_attn_probs_op("mask", hg.back());
      blk.add_ffn_act_op("umask", ug.back());
    }
    const at::Tensor masked = logits(*b, x);
    for (int i = 0; i < 2; ++i) {
      b->block(i).remove_op("mask");
      b->block(i).remove_op("umask");
    }
    const at::Tensor full = logits(*b, x);
    apply_block_keep(*b, keep);
    CHECK(b->block(0).num_heads() == 1);
    CHECK(b->block(1).ffn_dim() == static_cast<int64_t>(third.size()));
    const at::Tensor pruned = logits(*b, x);
    CHECK(test::rel_err(pruned, masked) <= 1e-6);
    CHECK(test::rel_err(pruned, masked) <= 1e-12);  // in fact: float64 rounding only
    CHECK(test::rel_err(full, masked) > 1e-3);      // the pruned parts mattered
    // The LoRA deltas were sliced with their layers and still merge exactly.
    b->merge_linear_extensions();
    CHECK(test::rel_err(logits(*b, x), masked) <= 1e-12);
  }
}

TEST_CASE("quantile thresholds as numpy.quantile computes them (linear interpolation), kept strictly above", "[model][prune]") {
  CHECK(quantile_linear({3, 1, 2, 4}, 0.0) == 1.0);
  CHECK(quantile_linear({3, 1, 2, 4}, 1.0) == 4.0);
  CHECK(quantile_linear({3, 1, 2, 4}, 0.5) == 2.5);
  CHECK(quantile_linear({10, 20, 30, 40, 50}, 0.3) == Approx(22.0));  // position 1.2
  // 16 heads at the released scripts' ratio 0.333333333: position 4.999999995, just under the 6th value,
  // so 5 are pruned; at exactly 1/3 the threshold is the 6th value itself and strict > prunes 6.
  std::vector<double> heads;
  for (int i = 0; i < 16; ++i) heads.push_back(0.5 + 0.01 * ((i * 7) % 16));
  CHECK(keep_above(heads, quantile_linear(heads, 0.333333333)).size() == 11);
  CHECK(keep_above(heads, quantile_linear(heads, 1.0 / 3.0)).size() == 10);
  CHECK(keep_above({1, 5, 2, 5}, 2.0) == std::vector<int64_t>{1, 3});
  REQUIRE_THROWS_WITH(quantile_linear({}, 0.5), "quantile of no values");
}

TEST_CASE("every registered method attaches to, trains on and merges into a pruned backbone", "[methods][contract][prune]") {
  for (const auto& name : registries().methods.entries().names()) {
    INFO("method " << name);
    auto b = tiny("vit");
    std::vector<int64_t> half;
    for (int64_t u = 0; u < b->block(1).ffn_dim() / 2; ++u) half.push_back(u);
    apply_block_keep(*b, BlockKeep{{{0}, {0, 1}}, {{0, 1, 2, 3, 4, 5, 6, 7}, half}});
    const std::string ex = registries().methods.item(name).meta.example_options;
    auto m = registries().methods.create(name, cfg::parse_string(ex.empty() ? "{}" : ex, name));
    at::manual_seed(2);
    m->attach(*b);
    b->to(at::kDouble);
    const auto trainable = set_trainable(*b, {m.get()});
    {
      at::NoGradGuard g;
      for (auto& p : b->named_parameters())
        if (std::find(trainable.begin(), trainable.end(), p.key()) != trainable.end() && name != "full" &&
            name != "bitfit")
          p.value().add_(0.05 * at::randn_like(p.value()));
    }
    const auto x = inputs("vit");
    b->train();
    if (!trainable.empty()) {
      auto loss = at::cross_entropy_loss(b->forward(x), at::tensor({0, 1, 2, 1}, at::kLong));
      if (auto* h = facet<TrainingHooks>(m.get()))
        if (auto aux = h->auxiliary_loss(*b, x); aux.defined()) loss = loss + aux;
      loss.backward();
      int with_grad = 0;  // (Variator trains one of its plugin sets per step: not every tensor gets one)
      for (auto& p : b->parameters()) with_grad += p.requires_grad() && p.grad().defined();
      CHECK(with_grad > 0);
    }
    const auto before = logits(*b, x);
    m->prepare_inference(*b);
    CHECK(test::rel_err(logits(*b, x), before) <= 1e-5);
  }
}
