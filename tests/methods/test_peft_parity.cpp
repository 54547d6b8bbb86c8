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

}  // namespace

TEST_CASE("LoRA equals HF peft's LoRA, and its merge equals peft's merge_and_unload", "[methods][parity]") {
  const auto dir = test::fresh_dir("peft-parity");
  test::run_python(kScript, "lora " + dir + "/ref.safetensors");
  auto all = test::load_tensors(dir + "/ref.safetensors");
  std::map<std::string, at::Tensor> lora_t;
  const auto data = take(all, "", lora_t);
  auto b = vit();
  load_checkpoint(*b, all, "timm");
  auto lora = registries().methods.create("lora", cfg::parse_string("rank: 4\nalpha: 8\ntargets: [attn.qkv]\n", "t"));
  lora->attach(*b);
  b->to(at::kDouble);
  load_method_tensors(*b, lora_t);
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
