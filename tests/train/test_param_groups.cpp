// Per-method optimiser groups: a method's own lr / weight_decay / decay_1d apply to exactly its tensors.
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "datasets/synthetic/synthetic.h"
#include "framework/config/node.h"
#include "framework/model/method.h"
#include "backbones/vit/vit.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"

using namespace adaptlab;

namespace {

struct Trained {
  std::map<std::string, at::Tensor> before, after;
};

Trained train(const std::string& linear_yaml, const std::string& lora_yaml) {
  SyntheticOptions d;
  d.img_size = 8;
  d.train_size = 32;  // one optimiser step (batch 32): its first gradient cannot depend on another group's lr
  d.val_size = 16;
  d.test_size = 16;
  d.num_classes = 3;
  auto data = make_synthetic(d);
  at::manual_seed(0);
  ViTOptions o;
  o.img_size = 8;
  o.patch_size = 4;
  o.embed_dim = 16;
  o.depth = 1;
  o.num_heads = 2;
  auto b = make_vit(o, 3);
  auto linear = registries().methods.create("linear", cfg::parse_string(linear_yaml, "t"));
  auto lora = registries().methods.create("lora", cfg::parse_string(lora_yaml, "t"));
  // The optimiser settings live beside the instances, read from the resolved options.
  const std::vector<MethodOptim> optim = {
      method_optim(registries().methods.resolve("linear", cfg::parse_string(linear_yaml, "t"))),
      method_optim(registries().methods.resolve("lora", cfg::parse_string(lora_yaml, "t")))};
  std::vector<Method*> ms = {linear.get(), lora.get()};
  for (auto* m : ms) m->attach(*b);
  set_trainable(*b, ms);
  {  // LoRA B off zero so both LoRA tensors get gradients
    at::NoGradGuard g;
    for (auto& p : b->named_parameters()) {
      if (p.key().find("lora_B") != std::string::npos) p.value().normal_(0, 0.1);
      if (p.key() == "head.bias") p.value().fill_(0.1);  // off zero, where decay would show
    }
  }
  Trained t;
  for (auto& p : b->named_parameters()) t.before[p.key()] = p.value().detach().clone();
  TrainOptions to;
  to.epochs = 1;
  to.batch_size = 32;
  to.warmup_epochs = 0;
  to.lr = 1e-2;
  fit(*b, ms, *data, to, 0, at::kCPU, [](const MetricEvent&) {}, {}, optim);
  for (auto& p : b->named_parameters()) t.after[p.key()] = p.value().detach().clone();
  return t;
}

double moved(const Trained& t, const std::string& name) {
  return (t.after.at(name) - t.before.at(name)).abs().max().item<double>();
}

}  // namespace

TEST_CASE("a method's own lr and weight decay apply to its tensors only", "[train]") {
  // The head belongs to `linear` (first in the stack); LoRA's own head claim is second.
  const auto base = train("{}", "rank: 2\ntargets: [attn.qkv]\n");
  const auto frozen_head = train("lr: 1.0e-12\n", "rank: 2\ntargets: [attn.qkv]\n");
  CHECK(moved(base, "head.weight") > 1e-4);
  CHECK(moved(frozen_head, "head.weight") < 1e-9);  // its group's peak lr is 1e-12
  CHECK(moved(frozen_head, "blocks.0.attn.qkv.lora.lora_A") > 1e-4);  // LoRA keeps the run's lr
  // In the one step both runs take, LoRA's tensors get the same gradient and the same lr: they move
  // identically whatever the head's group does.
  for (const char* n : {"blocks.0.attn.qkv.lora.lora_A", "blocks.0.attn.qkv.lora.lora_B"})
    CHECK(at::equal(frozen_head.after.at(n), base.after.at(n)));

  // Weight decay: with a huge decay on LoRA's matrices (and nothing else changed) they shrink more.
  const auto decayed = train("{}", "rank: 2\ntargets: [attn.qkv]\nweight_decay: 50.0\n");
  const auto norm = [](const Trained& t, const std::string& n) { return t.after.at(n).norm().item<double>(); };
  CHECK(norm(decayed, "blocks.0.attn.qkv.lora.lora_A") < 0.9 * norm(base, "blocks.0.attn.qkv.lora.lora_A"));
  // AdamW's decay is decoupled: after the one step, decayed = before * (1 - lr * wd) + (the undecayed update).
  for (const char* n : {"blocks.0.attn.qkv.lora.lora_A", "blocks.0.attn.qkv.lora.lora_B"}) {
    const auto expect = decayed.before.at(n) * (1.0 - 1e-2 * 50.0) + (base.after.at(n) - base.before.at(n));
    CHECK((decayed.after.at(n) - expect).abs().max().item<double>() <= 1e-6);
  }
  CHECK(norm(decayed, "head.weight") == Approx(norm(base, "head.weight")).epsilon(0.05));
  // 1-d tensors are not decayed unless asked: the head's bias under a huge decay of its method.
  const auto head_decay = train("weight_decay: 50.0\n", "rank: 2\ntargets: [attn.qkv]\n");
  const auto head_decay_1d = train("weight_decay: 50.0\ndecay_1d: true\n", "rank: 2\ntargets: [attn.qkv]\n");
  CHECK(norm(head_decay, "head.bias") > norm(head_decay_1d, "head.bias"));
  CHECK(at::equal(head_decay.after.at("head.bias"), base.after.at("head.bias")));  // not decayed at all
  const auto& b0 = base.before.at("head.bias");
  const auto expect_1d = b0 * (1.0 - 1e-2 * 50.0) + (base.after.at("head.bias") - b0);
  CHECK((head_decay_1d.after.at("head.bias") - expect_1d).abs().max().item<double>() <= 1e-6);
}
