#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "framework/config/node.h"
#include "framework/model/method.h"
#include "backbones/bert/encoder.h"
#include "backbones/vit/vit.h"
#include "framework/registry/registries.h"
#include "methods/tome/schedule.h"
#include "methods/tome/tome_op.h"
#include "methods/tome/tome_ops.h"

using namespace adaptlab;

namespace {

std::shared_ptr<Backbone> tiny_vit(uint64_t seed, int img = 16, int depth = 3) {
  at::manual_seed(seed);
  ViTOptions o;
  o.img_size = img;
  o.patch_size = 4;
  o.embed_dim = 32;
  o.num_heads = 4;
  o.depth = depth;
  auto m = make_vit(o, 5);
  m->to(at::kDouble);
  m->eval();
  return m;
}

std::unique_ptr<Method> method(const std::string& name, const std::string& yaml) {
  return registries().methods.create(name, cfg::parse_string(yaml, "test.yaml"));
}

std::vector<int64_t> counts_of(Backbone& b) {
  std::vector<int64_t> out;
  for (int i = 0; i < b.num_blocks(); ++i)
    for (auto& op : b.block(i).token_ops(TokenPoint::after_attn)) out.push_back(std::dynamic_pointer_cast<TomeOp>(op)->last_tokens_out);
  return out;
}

}  // namespace

TEST_CASE("ToMe schedules: the PYRA study's, and the tokens each leaves on ViT-B/16 and ViT-L/16", "[tome]") {
  CHECK(tome::named_schedule("b16-low") == std::vector<int64_t>{16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 10});
  CHECK(tome::named_schedule("l16-low").size() == 24);
  // 224 / 16 = 14 → 196 patches + the class token = 197 tokens.
  CHECK(tome::token_counts(197, 1, tome::named_schedule("b16-low")) ==
        std::vector<int64_t>{181, 165, 149, 133, 117, 101, 85, 69, 53, 37, 21, 11});
  CHECK(tome::token_counts(197, 1, tome::named_schedule("b16-high")) ==
        std::vector<int64_t>{157, 123, 93, 69, 51, 37, 27, 19, 15, 11, 8, 5});
  CHECK(tome::token_counts(197, 1, tome::named_schedule("l16-low")).back() == 197 - 8 * 23 - 6);
  CHECK(tome::token_counts(197, 1, tome::named_schedule("l16-high")).back() == 197 - 192);
  REQUIRE_THROWS_WITH(tome::token_counts(17, 1, {4, 4, 5}),
                      "ToMe: block 2 asks to merge r = 5 tokens but has 9 tokens (1 protected): at most 4");
  REQUIRE_THROWS_WITH(tome::token_counts(17, 1, {9}),
                      "ToMe: block 0 asks to merge r = 9 tokens but has 17 tokens (1 protected): at most 8");
}

TEST_CASE("ToMe options: r as integer, list or schedule name, errors name file, line and what is wrong", "[tome]") {
  auto b = tiny_vit(1);
  REQUIRE_THROWS_WITH(method("tome", "r: [2, 2]\n")->attach(*b),
                      "test.yaml:1:4: key 'r' lists 2 values but the backbone has 3 blocks");
  REQUIRE_THROWS_WITH(method("tome", "r: b16-medium\n")->attach(*b),
                      "test.yaml:1:4: unknown ToMe schedule 'b16-medium'; known: b16-low, b16-high, l16-low, l16-high");
  REQUIRE_THROWS_WITH(method("tome", "r: b16-low\n")->attach(*b),
                      "test.yaml:1:4: schedule 'b16-low' has 12 entries but the backbone has 3 blocks");
  REQUIRE_THROWS_WITH(method("tome", "r: 1.5\n")->attach(*b),
                      Catch::StartsWith("test.yaml:1:4: key 'r' must be an integer, a list of integers"));
  REQUIRE_THROWS_WITH(method("tome", "r: [1, -1, 0]\n")->attach(*b),
                      "test.yaml:1:4: key 'r': block 1 has r = -1; must be >= 0");
  REQUIRE_THROWS_WITH(method("tome", "r: 6\n")->attach(*b),  // 17 → 11 → 5: block 1 can merge at most 5
                      "ToMe: block 1 asks to merge r = 6 tokens but has 11 tokens (1 protected): at most 5");
  REQUIRE_THROWS_WITH(method("tome", "prop_attn: true\n"), Catch::Contains("missing required key 'r'"));
}

TEST_CASE("ToMe with r = 0 is the identity, the token counts follow the schedule exactly", "[tome]") {
  const auto images = at::randn({2, 3, 16, 16}, at::kDouble);
  auto plain = tiny_vit(3);
  auto zero = tiny_vit(3);
  method("tome", "r: 0\n")->attach(*zero);
  CHECK(at::equal(plain->forward(images), zero->forward(images)));
  auto pyra0 = tiny_vit(3);
  method("pyra", "r: [0, 0, 0]\n")->attach(*pyra0);
  CHECK(at::equal(plain->forward(images), pyra0->forward(images)));

  auto merged = tiny_vit(3);
  method("tome", "r: [5, 0, 3]\n")->attach(*merged);
  const auto out = merged->forward(images);
  CHECK(counts_of(*merged) == std::vector<int64_t>{12, 9});  // 17 − 5, (no op in block 1), 12 − 3
  CHECK(counts_of(*merged) ==
        std::vector<int64_t>{tome::token_counts(17, 1, {5, 0, 3})[0], tome::token_counts(17, 1, {5, 0, 3})[2]});
  CHECK_FALSE(at::allclose(out, plain->forward(images)));
}

TEST_CASE("PYRA at initialisation (W_b = 0) computes exactly what ToMe computes", "[tome][pyra]") {
  const auto images = at::randn({2, 3, 16, 16}, at::kDouble);
  auto tome_model = tiny_vit(5);
  auto pyra_model = tiny_vit(5);
  method("tome", "r: [4, 3, 2]\n")->attach(*tome_model);
  method("pyra", "r: [4, 3, 2]\n")->attach(*pyra_model);
  pyra_model->to(at::kDouble);
  CHECK(at::equal(tome_model->forward(images), pyra_model->forward(images)));
  // Its tensors: W_a [r, 1] in [-1, 1] (Kaiming-uniform, a = √5, fan_in 1), W_b [1, C] zeros, LN(C).
  auto params = pyra_model->named_parameters();
  REQUIRE(params.contains("blocks.0.pyra.w_a"));
  CHECK(params["blocks.0.pyra.w_a"].sizes() == at::IntArrayRef({4, 1}));
  CHECK(params["blocks.0.pyra.w_a"].abs().max().item<double>() <= 1.0);
  CHECK(params["blocks.2.pyra.w_b"].sizes() == at::IntArrayRef({1, 32}));
  CHECK(params["blocks.2.pyra.w_b"].abs().max().item<double>() == 0.0);
  CHECK(params.contains("blocks.1.pyra.norm_weight"));
  const auto names = method("pyra", "r: [4, 3, 2]\n")->trainable(*pyra_model);
  CHECK(names.size() == 3 * 4);
}

TEST_CASE("source tracking: each output token holds as many input patches as its size", "[tome]") {
  auto m = tiny_vit(9);
  method("tome", "r: [4, 3, 2]\ntrace_source: true\n")->attach(*m);
  // Run the ops by hand on a TokenState to see the source matrix.
  TokenState s;
  s.x = at::randn({2, 17, 32}, at::kDouble);
  s.keys = at::randn({2, 17, 8}, at::kDouble);
  auto op = std::dynamic_pointer_cast<TomeOp>(m->block(0).token_ops(TokenPoint::after_attn).front());
  op->apply(s);
  REQUIRE(s.source.defined());
  CHECK(s.source.sizes() == at::IntArrayRef({2, 13, 17}));
  CHECK(at::equal(s.source.sum(-1, true), s.size));
  CHECK(at::equal(s.source.sum(1), at::ones({2, 17}, at::kDouble)));  // every patch in exactly one token
  CHECK(s.source[0][0][0].item<double>() == 1.0);                      // the class token stays first, alone
  CHECK(s.size[0][0][0].item<double>() == 1.0);
}

TEST_CASE("ToMe on padded text never merges padding with real tokens, mean pooling weighs by size",
          "[tome]") {
  at::manual_seed(4);
  EncoderOptions o;
  o.vocab_size = 60;
  o.hidden_size = 16;
  o.num_layers = 2;
  o.num_heads = 2;
  o.intermediate_size = 32;
  o.max_position = 32;
  o.dropout = 0.0;
  auto enc = make_encoder(o, 3, 16);
  enc->to(at::kDouble);
  enc->eval();
  method("tome", "r: [6, 3]\ntrace_source: true\n")->attach(*enc);
  struct Probe : TokenOp {
    at::Tensor source, mask, size;
    void apply(TokenState& s) override {
      source = s.source;
      mask = s.mask;
      size = s.size;
    }
  };
  auto probe = std::make_shared<Probe>();
  enc->block(1).add_token_op(TokenPoint::after_attn, "probe", probe);  // runs after block 1's merge
  auto ids = at::randint(1, 60, {3, 16}, at::kLong);
  ids[0].narrow(0, 5, 11).fill_(0);  // 5 real tokens, 11 padding
  ids[1].narrow(0, 12, 4).fill_(0);
  at::NoGradGuard g;
  enc->forward(ids);
  REQUIRE(probe->source.defined());
  const auto in_mask = ids.ne(0).to(at::kDouble);                      // [B, N0]
  const auto real_share = at::matmul(probe->source, in_mask.unsqueeze(-1)).squeeze(-1);  // real sources per token
  const auto count = probe->source.sum(-1);
  // Each output token holds only real tokens (share == count) or only padding (share == 0).
  CHECK(at::logical_or(real_share.eq(count), real_share.eq(0)).all().item<bool>());
  CHECK(at::equal(probe->mask, real_share.gt(0)));
  CHECK(at::equal(count.unsqueeze(-1), probe->size));
  // Sequence 0 has 4 real non-CLS tokens: pairable real edges limit r below the schedule's 6 + 3.
  CHECK(probe->mask[0].sum().item<int64_t>() >= 1);
  CHECK(in_mask.sum(-1).equal(at::matmul(probe->source, in_mask.unsqueeze(-1)).squeeze(-1).sum(-1)));
  // The sentence vector is the size-weighted mean over real tokens: each merged token counts for as many
  // input tokens as it holds (so that merging changes no weights), which differs from a plain mean.
  const auto out = encoder_features(*enc, ids);
  REQUIRE(out.size.defined());
  const auto w = out.mask.unsqueeze(-1).to(at::kDouble) * out.size;
  const auto weighted = (out.last_hidden * w).sum(1) / w.sum(1);
  CHECK((out.pooled - weighted).abs().max().item<double>() <= 1e-12);
  const auto plain_w = out.mask.unsqueeze(-1).to(at::kDouble);
  const auto plain = (out.last_hidden * plain_w).sum(1) / plain_w.sum(1);
  CHECK((out.pooled - plain).abs().max().item<double>() > 1e-6);
  // The weights sum to the number of real input tokens.
  CHECK(at::allclose(w.sum(1).squeeze(-1), in_mask.sum(-1)));
}
