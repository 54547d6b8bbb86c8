// LoRA against Hugging Face peft, and adapters against references written from the Houlsby and
// AdaptFormer papers, on timm's ViT with identical weights and inputs, in float64
// (tests/methods/reference_peft_adapter.py).
#include <catch2/catch.hpp>

#include <ATen/ATen.h>

#include "framework/config/node.h"
#include "framework/model/checkpoint.h"
#include "framework/model/method.h"
#include "backbones/vit/vit.h"
#include "framework/registry/registries.h"
#include "framework/train/trainer.h"
#include "support/tensor_file.h"
#include "support/compare.h"
#include "support/tmp.h"

using namespace adaptlab;

namespace {

const std::string kScript = std::string(ADAPTLAB_TESTS_DIR) + "/methods/reference_peft_adapter.py";

std::shared_ptr<Backbone> vit() {
  ViTOptions o;
  o.img_size = 8;
  o.patch_size = 2;
  o.embed_dim = 16;
  o.depth = 2;
  o.num_heads = 2;
  o.mlp_ratio = 2.0;
  auto b = make_vit(o, 3);
  b->to(at::kDouble);
  b->eval();
  return b;
}

// Splits off "__" test data; keeps names starting with `prefix` (stripped) plus the backbone's own.
std::map<std::string, at::Tensor> take(std::map<std::string, at::Tensor>& all, const std::string& prefix,
                                       std::map<std::string, at::Tensor>& method) {
  std::map<std::string, at::Tensor> data, base;
  for (auto& [k, v] : all) {
    if (k.rfind("__", 0) == 0) data[k.substr(2)] = v;
    else if (k.find('/') != std::string::npos) {
      if (k.rfind(prefix, 0) == 0) method[k.substr(prefix.size())] = v;
    } else if (k.find(".lora.") != std::string::npos) method[k] = v;
    else base[k] = v;
  }
  all = base;
  return data;
}

void load_method_tensors(Backbone& b, const std::map<std::string, at::Tensor>& t) {
  at::NoGradGuard g;
  auto params = b.named_parameters();
  for (const auto& [k, v] : t) {
    INFO(k);
    REQUIRE(params.contains(k));
    params[k].copy_(v);
  }
}

// The reference's ViT with LoRA r=4, alpha 8 on the fused qkv, both with the reference's tensors (float64),
// and the reference's "__" data.
struct LoraVit {
  std::shared_ptr<Backbone> b;
  std::unique_ptr<Method> lora;
  std::map<std::string, at::Tensor> data;
  std::map<std::string, at::Tensor> lora_t;  // the reference's LoRA tensors (loaded), by name
};
LoraVit lora_vit_from(const std::string& file) {
  auto all = test::load_tensors(file);
  LoraVit r;
  r.data = take(all, "", r.lora_t);
  r.b = vit();
  load_checkpoint(*r.b, all, "timm");
  r.lora = registries().methods.create("lora", cfg::parse_string("rank: 4\nalpha: 8\ntargets: [attn.qkv]\n", "t"));
  r.lora->attach(*r.b);
  r.b->to(at::kDouble);
  load_method_tensors(*r.b, r.lora_t);
  return r;
}

}  // namespace

TEST_CASE("LoRA equals HF peft's LoRA, and its merge equals peft's merge_and_unload", "[methods][parity]") {
  const auto dir = test::fresh_dir("peft-parity");
  test::run_python(kScript, "lora " + dir + "/ref.safetensors");
  auto [b, lora, data, lora_t] = lora_vit_from(dir + "/ref.safetensors");
  at::NoGradGuard g;
  const double err = test::rel_err(b->forward(data.at("images")), data.at("logits"));
  INFO("logits relative error " << err);
  CHECK(err <= 1e-12);
  lora->prepare_inference(*b);
  auto params = b->named_parameters();
  for (int i = 0; i < 2; ++i) {
    const std::string n = "blocks." + std::to_string(i) + ".attn.qkv.weight";
    CHECK(test::rel_err(params[n], data.at("merged." + n)) <= 1e-12);
  }
  CHECK_FALSE(params.contains("blocks.0.attn.qkv.lora.lora_A"));  // merged away
  CHECK(test::rel_err(b->forward(data.at("images")), data.at("logits_merged")) <= 1e-12);
}

TEST_CASE("a float64 LoRA training step equals peft's: loss, gradients, AdamW update", "[methods][parity][train]") {
  const auto dir = test::fresh_dir("peft-step");
  test::run_python(kScript, "lora_step " + dir + "/ref.safetensors");
  auto [b, lora, data, lora_t] = lora_vit_from(dir + "/ref.safetensors");
  std::vector<Method*> methods = {lora.get()};
  set_trainable(*b, methods);
  b->train();  // no dropout in this model: train mode changes nothing but the mode
  TrainOptions o;
  o.lr = 1e-2;
  o.weight_decay = 1e-4;
  o.warmup_epochs = 0;
  Stepper stepper(*b, methods, o, at::kCPU, /*total_steps=*/10, /*warmup_steps=*/0);
  const at::Tensor loss = stepper.step(data.at("images"), data.at("labels"));
  // The loss in the model's dtype: a float32 loss would round every gradient to ~1e-7.
  CHECK(loss.scalar_type() == at::kDouble);
  const double loss_err = std::abs(loss.item<double>() - data.at("loss").item<double>());
  INFO("loss error " << loss_err);
  CHECK(loss_err <= 1e-13);
  auto params = b->named_parameters();
  double worst_grad = 0, worst_step = 0;
  for (const auto& [name, ref] : lora_t) {
    INFO(name);
    REQUIRE(params[name].grad().defined());
    worst_grad = std::max(worst_grad, test::rel_err(params[name].grad(), data.at("grad." + name)));
    worst_step = std::max(worst_step, test::rel_err(params[name], data.at("stepped." + name)));
  }
  INFO("gradients' worst relative error " << worst_grad << ", AdamW update's " << worst_step);
  CHECK(worst_grad <= 1e-12);
  CHECK(worst_step <= 1e-12);
}

TEST_CASE("adapters equal the Houlsby (sequential) and AdaptFormer (parallel) references", "[methods][parity]") {
  const auto dir = test::fresh_dir("adapter-parity");
  test::run_python(kScript, "adapter " + dir + "/ref.safetensors");
  for (const std::string variant : {"houlsby", "adaptformer"}) {
    INFO(variant);
    auto all = test::load_tensors(dir + "/ref.safetensors");
    std::map<std::string, at::Tensor> ad;
    const auto data = take(all, variant + "/", ad);
    auto b = vit();
    load_checkpoint(*b, all, "timm");
    const std::string yaml = variant == "houlsby"
                                 ? "placement: sequential\npositions: [attn, mlp]\nbottleneck: 4\nactivation: quick_gelu\n"
                                 : "placement: parallel\nbottleneck: 4\nactivation: relu\nscale: 0.1\n";
    auto m = registries().methods.create("adapter", cfg::parse_string(yaml, "t"));
    m->attach(*b);
    b->to(at::kDouble);
    b->eval();
    load_method_tensors(*b, ad);
    at::NoGradGuard g;
    const double err = test::rel_err(b->forward(data.at("images")), data.at("logits_" + variant));
    INFO("relative error " << err);
    CHECK(err <= 1e-12);
  }
}
