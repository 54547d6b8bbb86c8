// The shared transformer block: canonical Linear points on both backbones, the attention-probability,
// FFN-activation and Linear output hooks, and structured pruning (per-block heads / FFN widths).
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "framework/config/node.h"
#include "framework/model/backbone.h"
#include "backbones/bert/encoder.h"
#include "framework/model/method.h"
#include "backbones/vit/vit.h"
#include "framework/registry/registries.h"
#include "support/compare.h"

using namespace adaptlab;

namespace {

std::shared_ptr<Backbone> tiny(const std::string& kind, uint64_t seed = 5) {
  at::manual_seed(seed);
  if (kind == "vit") {
    ViTOptions o;
    o.img_size = 8;
    o.patch_size = 2;
    o.embed_dim = 16;
    o.num_heads = 4;
    o.depth = 2;
    return make_vit(o, 3);
  }
  EncoderOptions o;
  o.vocab_size = 40;
  o.hidden_size = 16;
  o.num_layers = 2;
  o.num_heads = 4;
  o.intermediate_size = 24;
  o.max_position = 16;
  o.dropout = 0.0;
  return make_encoder(o, 3, 9);
}

at::Tensor inputs(const std::string& kind) {
  at::manual_seed(11);
  if (kind == "vit") return at::randn({3, 3, 8, 8}, at::kDouble);
  auto ids = at::randint(1, 40, {3, 9}, at::kLong);
  ids[2].narrow(0, 6, 3).fill_(0);  // padding
  return ids;
}

at::Tensor run(Backbone& b, const at::Tensor& x) {
  at::NoGradGuard g;
  b.eval();
  return b.forward(x);
}

// Multiplies each head's attention probabilities by mask[h].
struct HeadMask : AttnProbsOp {
  explicit HeadMask(at::Tensor m) : mask(std::move(m)) {}
  at::Tensor apply(const at::Tensor& p) override { return p * mask.to(p.scalar_type()).reshape({1, -1, 1, 1}); }
  at::Tensor mask;
};
// Multiplies each FFN unit's activation by mask[j].
struct UnitMask : FfnActOp {
  explicit UnitMask(at::Tensor m) : mask(std::move(m)) {}
  at::Tensor apply(const at::Tensor& h) override { return h * mask.to(h.scalar_type()); }
  at::Tensor mask;
};
// y ← l ⊙ y on a Linear's rows, foldable into them.
struct Scale : LinearOutputOp {
  explicit Scale(at::Tensor s) : l(std::move(s)) {}
  at::Tensor apply(const at::Tensor& y) override { return y * l; }
  bool merge_into(at::Tensor& w, at::Tensor& b) override {
    w.mul_(l.unsqueeze(1));
    if (b.defined()) b.mul_(l);
    return true;
  }
  at::Tensor l;
};

}  // namespace

TEST_CASE("canonical Linear points name the same roles on the ViT and the text encoder", "[model][block]") {
  auto vit = tiny("vit");
  auto enc = tiny("encoder");
  auto names = [](Backbone& b, const std::string& t) {
    std::vector<std::string> out;
    for (const auto& p : b.linear_points(t)) out.push_back(p.name + " -> " + p.layer_name);
    return out;
  };
  CHECK(names(*vit, "blocks.1.attn.k") == std::vector<std::string>{"blocks.1.attn.k -> blocks.1.attn.qkv"});
  CHECK(names(*enc, "blocks.1.attn.k") ==
        std::vector<std::string>{"blocks.1.attn.k -> encoder.layer.1.attention.self.key"});
  CHECK(names(*enc, "blocks.0.attn.qkv") == std::vector<std::string>{
                                                "blocks.0.attn.qkv.q -> encoder.layer.0.attention.self.query",
                                                "blocks.0.attn.qkv.k -> encoder.layer.0.attention.self.key",
                                                "blocks.0.attn.qkv.v -> encoder.layer.0.attention.self.value"});
  CHECK(names(*enc, "mlp.fc2") == std::vector<std::string>{"blocks.0.mlp.fc2 -> encoder.layer.0.output.dense",
                                                          "blocks.1.mlp.fc2 -> encoder.layer.1.output.dense"});
  const auto v = vit->linear_points("blocks.0.attn.v");
  REQUIRE(v.size() == 1);
  CHECK(v[0].point.range.start == 32);  // the v rows of the fused [3·C, C] projection
  CHECK(v[0].point.range.length == 16);
  // Checkpoint names still work (suffix match), and a wrong name lists both vocabularies.
  CHECK(names(*enc, "intermediate.dense").size() == 2);
  REQUIRE_THROWS_WITH(vit->linear_points("attn.z", "probe"),
                      Catch::StartsWith("probe target 'attn.z' matches no Linear point; canonical points: attn.q, "
                                        "attn.k, attn.v, attn.qkv, attn.proj, mlp.fc1, mlp.fc2 (or "
                                        "blocks.<i>.<point>); this backbone's layers: blocks.0.attn.qkv,"));
}

TEST_CASE("one LoRA block {targets: [attn.q, attn.v]} works on the ViT and on the text encoder", "[model][block][lora]") {
  const auto opts = cfg::parse_string("{rank: 2, alpha: 4, targets: [attn.q, attn.v]}", "lora.yaml");
  for (const std::string kind : {"vit", "encoder"}) {
    INFO(kind);
    auto b = tiny(kind);
    auto m = registries().methods.create("lora", opts);
    m->attach(*b);
    b->to(at::kDouble);
    std::vector<std::string> lora;
    for (const auto& p : b->named_parameters())
      if (p.key().find("lora_B") != std::string::npos) lora.push_back(p.key());
    if (kind == "vit") {
      CHECK(lora == std::vector<std::string>{"blocks.0.attn.qkv.lora_q.lora_B", "blocks.0.attn.qkv.lora_v.lora_B",
                                             "blocks.1.attn.qkv.lora_q.lora_B", "blocks.1.attn.qkv.lora_v.lora_B"});
    } else {  // the same parameters as naming the layers [query, value]
      CHECK(lora == std::vector<std::string>{"encoder.layer.0.attention.self.query.lora.lora_B",
                                             "encoder.layer.0.attention.self.value.lora.lora_B",
                                             "encoder.layer.1.attention.self.query.lora.lora_B",
                                             "encoder.layer.1.attention.self.value.lora.lora_B"});
    }
    auto params = b->named_parameters();
    {
      at::NoGradGuard g;
      for (auto& n : lora) params[n].normal_(0.0, 0.2);
    }
    CHECK(m->trainable(*b).size() == 8 + 2);  // 4 layers × (A, B) + the head's weight and bias
    const auto x = inputs(kind);
    const auto before = run(*b, x);
    // The delta changes only the q and v rows: k's rows of a fused qkv keep their output.
    if (kind == "vit") {
      const auto W0 = params["blocks.0.attn.qkv.weight"].clone();
      m->prepare_inference(*b);
      const auto W1 = b->named_parameters()["blocks.0.attn.qkv.weight"];
      CHECK(at::equal(W0.narrow(0, 16, 16), W1.narrow(0, 16, 16)));
      CHECK_FALSE(at::equal(W0.narrow(0, 0, 16), W1.narrow(0, 0, 16)));
      CHECK_FALSE(at::equal(W0.narrow(0, 32, 16), W1.narrow(0, 32, 16)));
    } else {
      m->prepare_inference(*b);
    }
    CHECK(b->named_parameters().find(lora.front()) == nullptr);  // merged away
    CHECK(test::rel_err(run(*b, x), before) <= 1e-12);
  }
  // The same block on the encoder equals naming its layers.
  auto a = tiny("encoder"), c = tiny("encoder");
  at::manual_seed(1);
  registries().methods.create("lora", opts)->attach(*a);
  at::manual_seed(1);
  registries().methods.create("lora", cfg::parse_string("{rank: 2, alpha: 4, targets: [query, value]}", "l.yaml"))
      ->attach(*c);
  for (auto& p : a->named_parameters()) CHECK(at::equal(p.value(), c->named_parameters()[p.key()]));
  auto dup = tiny("encoder");
  REQUIRE_THROWS_WITH(registries()
                          .methods.create("lora", cfg::parse_string("{targets: [attn.q, query]}", "l.yaml"))
                          ->attach(*dup),
                      "lora targets 'attn.q' and 'query' both name encoder.layer.0.attention.self.query");
}

TEST_CASE("head and FFN-unit pruning equals masking them at the hook points", "[model][block]") {
  for (const std::string kind : {"vit", "encoder"}) {
    INFO(kind);
    auto masked = tiny(kind), pruned = tiny(kind);
    masked->to(at::kDouble);
    pruned->to(at::kDouble);
    const auto x = inputs(kind);
    const auto full = run(*masked, x);
    // Block 0 keeps heads {1, 3}, block 1 keeps head {2}; block 0 keeps 10 FFN units, block 1 none.
    const std::vector<std::vector<int64_t>> heads = {{1, 3}, {2}};
    std::vector<std::vector<int64_t>> units = {{}, {}};
    const int64_t F = masked->block(0).ffn_dim();
    for (int64_t j = 0; j < F; j += 2) units[0].push_back(j);
    for (int i = 0; i < 2; ++i) {
      auto hm = at::zeros({4}, at::kDouble);
      for (auto h : heads[i]) hm[h] = 1.0;
      auto um = at::zeros({F}, at::kDouble);
      for (auto j : units[i]) um[j] = 1.0;
      masked->block(i).add_attn_probs_op("head_mask", std::make_shared<HeadMask>(hm));
      masked->block(i).add_ffn_act_op("unit_mask", std::make_shared<UnitMask>(um));
      pruned->block(i).prune_heads(heads[i]);
      pruned->block(i).prune_ffn(units[i]);
    }
    const auto want = run(*masked, x);
    CHECK(test::rel_err(want, full) > 1e-3);  // the masks do change the function
    CHECK(test::rel_err(run(*pruned, x), want) <= 1e-12);
    CHECK(pruned->block(0).num_heads() == 2);
    CHECK(pruned->block(1).num_heads() == 1);
    CHECK(pruned->block(1).ffn_dim() == 0);
    const auto fc1 = pruned->linear_points("blocks.0.mlp.fc1");
    CHECK(fc1[0].point.layer->weight.size(0) == F / 2);
    // Masks are modules of their block; removing them restores the dense function.
    for (int i = 0; i < 2; ++i) {
      masked->block(i).remove_op("head_mask");
      masked->block(i).remove_op("unit_mask");
    }
    CHECK(test::rel_err(run(*masked, x), full) <= 1e-15);
    CHECK(masked->block(0).named_children().find("head_mask") == nullptr);
  }
  auto b = tiny("vit");
  REQUIRE_THROWS_WITH(b->block(0).prune_heads({2, 1}), "prune: the head indices to keep must be sorted and unique");
  REQUIRE_THROWS_WITH(b->block(0).prune_heads({4}), "prune: head index 4 is outside [0, 4)");
  b->block(0).add_attn_probs_op("m", std::make_shared<HeadMask>(at::ones({4})));
  REQUIRE_THROWS_WITH(b->block(0).prune_heads({0}),
                      "prune_heads: remove the attention-probability ops first (they are per head)");
  REQUIRE_THROWS_WITH(b->block(0).add_ffn_act_op("m", std::make_shared<UnitMask>(at::ones({64}))),
                      "this block already has a module named 'm'; give the new one another name");
}

TEST_CASE("Linear output ops scale a slice of a fused qkv and fold into its rows", "[model][block]") {
  auto b = tiny("vit");
  b->to(at::kDouble);
  const auto x = inputs("vit");
  const auto p = b->linear_points("blocks.1.attn.k").front();
  at::manual_seed(2);
  const auto l = at::rand({16}, at::kDouble) + 0.5;
  const auto W = p.point.layer->weight.clone(), bias = p.point.layer->bias.clone();
  p.point.layer->add_output_op("scale", std::make_shared<Scale>(l), p.point.range);
  const auto scaled = run(*b, x);
  // Reference: the same model with k's rows of W and b multiplied by l.
  auto ref = tiny("vit");
  ref->to(at::kDouble);
  {
    at::NoGradGuard g;
    auto P = ref->named_parameters();
    P["blocks.1.attn.qkv.weight"].narrow(0, 16, 16).mul_(l.unsqueeze(1));
    P["blocks.1.attn.qkv.bias"].narrow(0, 16, 16).mul_(l);
  }
  CHECK(test::rel_err(scaled, run(*ref, x)) <= 1e-14);
  CHECK(b->merge_linear_extensions() == 1);
  CHECK(p.point.layer->plain());
  CHECK(test::rel_err(run(*b, x), scaled) <= 1e-14);
  CHECK(at::equal(p.point.layer->weight.narrow(0, 0, 16), W.narrow(0, 0, 16)));  // q rows untouched
}
