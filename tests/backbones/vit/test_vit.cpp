#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "backbones/vit/vit.h"

using namespace adaptlab;

TEST_CASE("ViT parameters carry timm's names and shapes", "[model][vit]") {
  ViTOptions o;
  o.img_size = 16;
  o.patch_size = 4;
  o.embed_dim = 32;
  o.depth = 2;
  o.num_heads = 2;
  auto vit = make_vit(o, 5);
  std::vector<std::string> names;
  for (const auto& p : vit->named_parameters()) names.push_back(p.key());
  std::vector<std::string> expected = {"cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias"};
  for (int i = 0; i < 2; ++i) {
    const std::string b = "blocks." + std::to_string(i) + ".";
    for (const char* s : {"norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight",
                          "attn.proj.bias", "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias",
                          "mlp.fc2.weight", "mlp.fc2.bias"})
      expected.push_back(b + s);
  }
  for (const char* s : {"norm.weight", "norm.bias", "head.weight", "head.bias"}) expected.push_back(s);
  CHECK(names == expected);
  auto params = vit->named_parameters();
  CHECK(params["pos_embed"].sizes() == at::IntArrayRef({1, 17, 32}));
  CHECK(params["blocks.1.attn.qkv.weight"].sizes() == at::IntArrayRef({96, 32}));
  CHECK(params["blocks.0.mlp.fc1.weight"].sizes() == at::IntArrayRef({128, 32}));
  CHECK(params["head.weight"].sizes() == at::IntArrayRef({5, 32}));

  std::vector<std::string> points;
  for (const auto& [n, l] : vit->linear_layers()) points.push_back(n);
  CHECK(points == std::vector<std::string>{"blocks.0.attn.qkv", "blocks.0.attn.proj", "blocks.0.mlp.fc1",
                                           "blocks.0.mlp.fc2", "blocks.1.attn.qkv", "blocks.1.attn.proj",
                                           "blocks.1.mlp.fc1", "blocks.1.mlp.fc2"});
}

TEST_CASE("ViT forward equals a direct float64 computation of the same weights", "[model][vit]") {
  at::manual_seed(3);
  ViTOptions o;
  o.img_size = 8;
  o.patch_size = 4;
  o.embed_dim = 16;
  o.depth = 2;
  o.num_heads = 4;
  auto vit = make_vit(o, 3);
  vit->to(at::kDouble);
  vit->eval();
  auto x = at::randn({2, 3, 8, 8}, at::kDouble);
  at::Tensor got;
  {
    at::NoGradGuard g;
    got = vit->forward(x);
  }
  // Reference written out from the ViT definition (pre-norm blocks, class token pooling).
  auto P = vit->named_parameters();
  auto ln = [&](const at::Tensor& t, const std::string& n) {
    auto mu = t.mean(-1, true);
    auto var = (t - mu).pow(2).mean(-1, true);
    return (t - mu) / (var + 1e-6).sqrt() * P[n + ".weight"] + P[n + ".bias"];
  };
  auto lin = [&](const at::Tensor& t, const std::string& n) {
    return at::matmul(t, P[n + ".weight"].t()) + P[n + ".bias"];
  };
  at::NoGradGuard g;
  // Patch embedding by explicit unfolding: patch (i, j) = x[:, :, 4i:4i+4, 4j:4j+4].
  std::vector<at::Tensor> toks;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      auto patch = x.slice(2, 4 * i, 4 * i + 4).slice(3, 4 * j, 4 * j + 4).reshape({2, -1});
      toks.push_back(at::matmul(patch, P["patch_embed.proj.weight"].reshape({16, -1}).t()) + P["patch_embed.proj.bias"]);
    }
  auto t = at::stack(toks, 1);
  t = at::cat({P["cls_token"].expand({2, 1, 16}), t}, 1) + P["pos_embed"];
  for (int b = 0; b < 2; ++b) {
    const std::string p = "blocks." + std::to_string(b) + ".";
    auto qkv = lin(ln(t, p + "norm1"), p + "attn.qkv").reshape({2, 5, 3, 4, 4}).permute({2, 0, 3, 1, 4});
    auto a = (at::matmul(qkv[0], qkv[1].transpose(-1, -2)) / 2.0).softmax(-1);
    auto o2 = at::matmul(a, qkv[2]).transpose(1, 2).reshape({2, 5, 16});
    t = t + lin(o2, p + "attn.proj");
    auto h = lin(ln(t, p + "norm2"), p + "mlp.fc1");
    h = 0.5 * h * (1.0 + at::erf(h / std::sqrt(2.0)));
    t = t + lin(h, p + "mlp.fc2");
  }
  auto want = lin(ln(t, "norm").select(1, 0), "head");
  const double rel = ((got - want).abs().max() / want.abs().max()).item<double>();
  CHECK(rel < 1e-12);
}
