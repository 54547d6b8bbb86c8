#include <catch2/catch.hpp>

#include <ATen/ATen.h>
#include <torch/optim/adamw.h>

#include "framework/config/node.h"
#include "framework/model/method.h"
#include "backbones/vit/vit.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"
#include "methods/lora/lora.h"
#include "framework/model/low_rank.h"

using namespace adaptlab;

namespace {
std::shared_ptr<Backbone> tiny_vit() {
  ViTOptions o;
  o.img_size = 8;
  o.patch_size = 4;
  o.embed_dim = 16;
  o.depth = 2;
  o.num_heads = 2;
  auto vit = make_vit(o, 4);
  vit->to(at::kDouble);
  return vit;
}
std::unique_ptr<Method> lora_method(const std::string& yaml) {
  return registries().methods.create("lora", cfg::parse_string(yaml, "test"));
}
}  // namespace

TEST_CASE("a LoRA'd model equals the plain model with W + s·B·A written into its weights, s = alpha/rank or 1",
          "[lora]") {
  // The reference edits the weights of a second, LoRA-free copy by hand: neither low_rank::delta nor the
  // merge code (prepare_inference) is on its side.
  for (const auto& [yaml, scale] : std::vector<std::pair<std::string, double>>{
           {"{rank: 2, alpha: 6, targets: [mlp.fc1, attn.proj]}", 3.0},
           {"{rank: 2, alpha: 6, scaling: none, targets: [mlp.fc1, attn.proj]}", 1.0}}) {
    INFO(yaml);
    at::manual_seed(3);
    auto vit = tiny_vit();
    auto plain = tiny_vit();
    {
      at::NoGradGuard g;
      auto src = vit->named_parameters();
      for (auto& p : plain->named_parameters()) p.value().copy_(src[p.key()]);
    }
    auto m = lora_method(yaml);
    m->attach(*vit);
    vit->to(at::kDouble);
    auto P = vit->named_parameters();
    vit->eval();
    plain->eval();
    const auto x = at::randn({2, 3, 8, 8}, at::kDouble);
    at::Tensor orig;
    {
      at::NoGradGuard g;
      orig = plain->forward(x);
      auto Q = plain->named_parameters();
      for (int i = 0; i < 2; ++i)
        for (const char* layer : {"mlp.fc1", "attn.proj"}) {
          const std::string base = fmt::format("blocks.{}.{}", i, layer);
          auto B = P[base + ".lora.lora_B"];
          B.normal_(0, 0.2);
          Q[base + ".weight"].add_(scale * at::matmul(B, P[base + ".lora.lora_A"]));
        }
    }
    at::NoGradGuard g;
    const auto got = vit->forward(x), want = plain->forward(x);
    CHECK((got - want).abs().max().item<double>() <= 1e-12 * want.abs().max().item<double>());
    CHECK((want - orig).abs().max().item<double>() > 1e-3);  // the deltas matter: the equality is not trivial
  }
}

TEST_CASE("LoRA at init (B = 0) leaves the frozen backbone's output unchanged", "[lora]") {
  at::manual_seed(1);
  auto vit = tiny_vit();
  vit->eval();
  auto x = at::randn({2, 3, 8, 8}, at::kDouble);
  auto before = vit->forward(x).detach();
  auto m = lora_method("{rank: 2, alpha: 4, targets: [attn.qkv, mlp.fc2]}");
  m->attach(*vit);
  vit->to(at::kDouble);
  auto after = vit->forward(x).detach();
  CHECK(at::equal(before, after));
  // A is Kaiming-uniform (non-zero), B is zero.
  auto P = vit->named_parameters();
  CHECK(P["blocks.0.attn.qkv.lora.lora_A"].abs().sum().item<double>() > 0);
  CHECK(P["blocks.0.attn.qkv.lora.lora_B"].abs().sum().item<double>() == 0);
  CHECK(P.find("blocks.0.attn.proj.lora.lora_A") == nullptr);
  CHECK(P.find("blocks.1.mlp.fc2.lora.lora_B") != nullptr);
}

TEST_CASE("one optimiser step changes only LoRA tensors and the head", "[lora]") {
  at::manual_seed(2);
  auto vit = tiny_vit();
  auto m = lora_method("{rank: 2, targets: [attn.qkv]}");
  m->attach(*vit);
  vit->to(at::kDouble);
  const auto trainable = set_trainable(*vit, std::vector<Method*>{m.get()});
  CHECK(trainable == std::vector<std::string>{"blocks.0.attn.qkv.lora.lora_A", "blocks.0.attn.qkv.lora.lora_B",
                                              "blocks.1.attn.qkv.lora.lora_A", "blocks.1.attn.qkv.lora.lora_B",
                                              "head.bias", "head.weight"});
  std::map<std::string, at::Tensor> snapshot;
  for (const auto& p : vit->named_parameters()) snapshot[p.key()] = p.value().detach().clone();

  std::vector<at::Tensor> params;
  for (auto& p : vit->parameters())
    if (p.requires_grad()) params.push_back(p);
  torch::optim::AdamW opt(params, torch::optim::AdamWOptions(1e-2).weight_decay(0.0));
  vit->train();
  auto x = at::randn({4, 3, 8, 8}, at::kDouble);
  auto y = at::tensor({0, 1, 2, 3}, at::kLong);
  at::cross_entropy_loss(vit->forward(x), y).backward();
  opt.step();

  for (const auto& p : vit->named_parameters()) {
    const bool changed = !at::equal(p.value(), snapshot[p.key()]);
    const bool is_trainable = std::find(trainable.begin(), trainable.end(), p.key()) != trainable.end();
    INFO(p.key());
    if (!is_trainable) CHECK_FALSE(changed);
    // lora_A gets no gradient while B = 0 (dL/dA = Bᵀ·…), so only B and the head must move.
    if (p.key().find("lora_B") != std::string::npos || p.key().rfind("head.", 0) == 0) CHECK(changed);
  }
}

TEST_CASE("prepare_inference merges LoRA into the weights without changing outputs", "[lora]") {
  at::manual_seed(4);
  auto vit = tiny_vit();
  auto m = lora_method("{rank: 3, alpha: 6, targets: [attn.qkv, attn.proj, mlp.fc1, mlp.fc2]}");
  m->attach(*vit);
  vit->to(at::kDouble);
  {
    at::NoGradGuard g;
    for (auto& p : vit->named_parameters())
      if (p.key().find("lora_B") != std::string::npos) p.value().normal_(0.0, 0.1);
  }
  vit->eval();
  auto x = at::randn({3, 3, 8, 8}, at::kDouble);
  at::NoGradGuard g;
  auto before = vit->forward(x);
  const auto qkv_w_before = vit->named_parameters()["blocks.0.attn.qkv.weight"].clone();
  m->prepare_inference(*vit);
  auto after = vit->forward(x);
  const double rel = ((after - before).abs().max() / before.abs().max()).item<double>();
  CHECK(rel < 1e-12);
  auto P = vit->named_parameters();
  CHECK(P.find("blocks.0.attn.qkv.lora.lora_A") == nullptr);  // branch removed
  CHECK_FALSE(at::equal(P["blocks.0.attn.qkv.weight"], qkv_w_before));
}

TEST_CASE("a LoRA target that matches nothing lists the attach points", "[lora]") {
  auto vit = tiny_vit();
  auto m = lora_method("{targets: [attn.qvk]}");
  REQUIRE_THROWS_WITH(m->attach(*vit),
                      "lora target 'attn.qvk' matches no Linear point; canonical points: attn.q, attn.k, attn.v, "
                      "attn.qkv, attn.proj, mlp.fc1, mlp.fc2 (or blocks.<i>.<point>); this backbone's layers: "
                      "blocks.0.attn.qkv, "
                      "blocks.0.attn.proj, blocks.0.mlp.fc1, blocks.0.mlp.fc2, blocks.1.attn.qkv, blocks.1.attn.proj, "
                      "blocks.1.mlp.fc1, blocks.1.mlp.fc2");
  CHECK(target_matches("blocks.3.attn.qkv", "attn.qkv"));
  CHECK(target_matches("blocks.3.attn.qkv", "blocks.3.attn.qkv"));
  CHECK_FALSE(target_matches("blocks.3.attn.qkv", "qkv2"));
  CHECK_FALSE(target_matches("blocks.3.xattn.qkv", "attn.qkv"));
}
